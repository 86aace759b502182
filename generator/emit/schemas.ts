/** schemas.ts of a capability: the large JSON Schemas rest.ts and mcp.ts share, written once. */
import type { CapabilityModel } from '../model/types.js';
import { docInline, identifier } from './escape.js';
import { codeHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import type { Emitted } from './literal.js';
import { renderTs } from './render.js';

/** From a template in prettier's layout (canonical.ts). */
export function emitSchemas(capability: CapabilityModel): Emitted {
  return renderCanonical((slots) =>
    renderTs('schemas.ts.hbs', {
      header: codeHeader(
        `JSON Schemas shared by the REST adapter and MCP server of ${capability.label}.`,
        capability,
      ),
      schemas: capability.sharedSchemas.map((s) => ({
        name: identifier(s.name),
        description: docInline(s.description),
        literal: slots.slot(s.schema),
      })),
    }),
  );
}
