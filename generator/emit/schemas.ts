/** schemas.ts of a capability: the large JSON Schemas rest.ts and mcp.ts share, written once. */
import type { CapabilityModel } from '../model/types.js';
import { codeHeader } from './header.js';
import { literal } from './literal.js';
import { render } from './render.js';

export function emitSchemas(capability: CapabilityModel): string {
  return render('schemas.ts.hbs', {
    header: codeHeader(
      `JSON Schemas shared by the REST adapter and MCP server of ${capability.label}.`,
      capability,
    ),
    schemas: capability.sharedSchemas.map((s) => ({
      name: s.name,
      description: s.description,
      literal: literal(s.schema),
    })),
  });
}
