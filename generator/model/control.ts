/** The control adapter (`type: control`) and its observability section, defaults filled in. */
import type { NaftikoControl, NaftikoExposes } from '../load/naftiko-types.js';
import { constantCase } from './names.js';
import type { ControlModel, ObservabilityModel } from './types.js';

/** Default ring-buffer size of `/traces` (the specification's). */
const DEFAULT_BUFFER_SIZE = 100;

export function buildControl(
  exposes: readonly NaftikoExposes[],
  capabilityId: string,
): ControlModel | undefined {
  const control = exposes.find((e): e is NaftikoControl => e.type === 'control');
  if (!control || control.port === undefined) return undefined;
  const constant = `${constantCase(capabilityId)}_CONTROL`;
  return {
    port: control.port,
    address: control.address ?? 'localhost',
    portEnv: `${constant}_PORT`,
    addressEnv: `${constant}_ADDRESS`,
    health: control.management?.health ?? true,
    info: control.management?.info ?? false,
    observability: observability(control.observability),
  };
}

function observability(spec: NaftikoControl['observability']): ObservabilityModel {
  const traces = spec?.traces;
  return {
    mode: spec === undefined ? 'env' : spec.enabled === false ? 'off' : 'spec',
    metricsEndpoint: spec?.enabled !== false && spec?.metrics?.local?.enabled !== false,
    tracesEndpoint: spec?.enabled !== false && traces?.local?.enabled !== false,
    bufferSize: traces?.local?.['buffer-size'] ?? DEFAULT_BUFFER_SIZE,
    sampling: traces?.sampling ?? 1,
    propagation: traces?.propagation === 'b3' ? 'b3' : 'w3c',
    ...(spec?.exporters?.otlp?.endpoint ? { otlpEndpoint: spec.exporters.otlp.endpoint } : {}),
  };
}
