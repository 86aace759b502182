/** control.ts of a capability with a control adapter: the control port and the adapters it runs. */
import type { CapabilityModel, ControlModel } from '../model/types.js';
import { docInline, identifier, trustedTs } from './escape.js';
import { codeHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import type { Emitted } from './literal.js';
import { renderTs } from './render.js';

/** control.ts, from a template in prettier's layout (canonical.ts). */
export function emitControl(
  capability: CapabilityModel,
  control: ControlModel,
  version: string,
): Emitted {
  const business = [
    capability.rest && { type: 'rest', adapter: capability.rest, module: 'rest.js', client: true },
    capability.mcp && { type: 'mcp', adapter: capability.mcp, module: 'mcp.js', client: true },
    capability.skills && {
      type: 'skill',
      adapter: capability.skills,
      module: 'skills.js',
      client: false,
    },
  ].filter((a) => a !== undefined);
  const { otlpEndpoint, ...observability } = control.observability;
  const spec = {
    capability: capability.id,
    label: capability.label,
    version,
    health: control.health,
    info: control.info,
    observability: { ...observability, ...(otlpEndpoint ? { otlpEndpoint } : {}) },
    adapters: business.map((a) => ({
      type: a.type,
      namespace: a.adapter.namespace,
      port: a.adapter.port,
      address: a.adapter.address,
    })),
  };
  return renderCanonical((slots) =>
    renderTs('control.ts.hbs', {
      header: codeHeader(`Control port of ${capability.label}.`, capability),
      control: slots.slot(spec),
      listen: slots.slot({
        port: control.port,
        address: control.address,
        portEnv: control.portEnv,
        addressEnv: control.addressEnv,
      }),
      envDoc: docInline(`${control.portEnv} / ${control.addressEnv}`),
      clientOptions: business.some((a) => a.client),
      adapters: business.map((a, index) => ({
        index,
        module: trustedTs(a.module),
        start: identifier(`start${a.type[0].toUpperCase()}${a.type.slice(1)}`),
        client: a.client,
      })),
    }),
  );
}
