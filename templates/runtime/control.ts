/**
 * The control adapter as a web-standard `(Request) => Promise<Response>` handler: `/health/live`,
 * `/health/ready` (503 while an adapter of the capability is down), `/status` and `/config` (with
 * `management.info`), Prometheus text on `/metrics` and recent traces on `/traces` (with
 * observability on). Read-only: GET and HEAD.
 */

/** `observability` of the control adapter, as the generator resolved it. */
export interface ObservabilitySpec {
  /** `spec`: on; `env`: on when the OTEL_* environment names an exporter; `off`: never. */
  mode: 'spec' | 'env' | 'off';
  metricsEndpoint: boolean;
  tracesEndpoint: boolean;
  bufferSize: number;
  sampling: number;
  propagation: 'w3c' | 'b3';
  otlpEndpoint?: string;
}

/** A business adapter of the capability, as the control port sees it. */
export interface AdapterInfo {
  type: 'rest' | 'mcp' | 'skill';
  namespace: string;
  port: number;
  address: string;
}

export interface ControlSpec {
  /** The capability's folder name. */
  capability: string;
  label: string;
  version: string;
  health: boolean;
  info: boolean;
  observability: ObservabilitySpec;
  adapters: AdapterInfo[];
}

/** An adapter's current state: listening or not. */
export interface AdapterProbe {
  info: AdapterInfo;
  /** Where it listens (the bound port, when 0 was asked for). */
  url?: string;
  up(): boolean;
}

/** What node-telemetry.ts provides once the SDK runs. */
export interface TelemetryRuntime {
  prometheusText(): Promise<string>;
  traces(): TraceSummary[];
  trace(traceId: string): TraceSummary | undefined;
  shutdown(): Promise<void>;
}

export interface TraceSummary {
  traceId: string;
  spans: {
    spanId: string;
    parentSpanId?: string;
    name: string;
    kind: string;
    startTimeUnixNano: string;
    durationMs: number;
    status: 'OK' | 'ERROR';
    attributes: Record<string, unknown>;
  }[];
}

export interface ControlState {
  adapters: AdapterProbe[];
  /** Present while the OpenTelemetry SDK runs. */
  telemetry?: TelemetryRuntime;
  /** `Date.now()` at start-up. */
  startedAt: number;
}

/** Whether observability is on: the spec's mode, then OTEL_SDK_DISABLED and the OTEL_* exporters. */
export function observabilityEnabled(
  spec: ObservabilitySpec,
  env: Record<string, string | undefined>,
): boolean {
  if (spec.mode === 'off' || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (spec.mode === 'spec') return true;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  return (
    (exporters !== undefined && exporters !== '' && exporters !== 'none') ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

export type ControlHandler = (request: Request) => Promise<Response>;

const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createControlHandler(spec: ControlSpec, state: ControlState): ControlHandler {
  const routes = new Map<string, () => Promise<Response> | Response>();
  if (spec.health) {
    routes.set('/health/live', () => json(200, { status: 'UP' }));
    routes.set('/health/ready', () => {
      const adapters = state.adapters.map((a) => ({
        type: a.info.type,
        namespace: a.info.namespace,
        status: a.up() ? 'UP' : 'DOWN',
      }));
      const ready = adapters.every((a) => a.status === 'UP');
      return json(ready ? 200 : 503, { status: ready ? 'UP' : 'DOWN', adapters });
    });
  }
  if (spec.info) {
    routes.set('/status', () =>
      json(200, {
        capability: spec.capability,
        label: spec.label,
        version: spec.version,
        uptimeSeconds: Math.floor((Date.now() - state.startedAt) / 1000),
        observability: state.telemetry !== undefined,
        adapters: state.adapters.map((a) => ({
          ...a.info,
          ...(a.url ? { url: a.url } : {}),
          status: a.up() ? 'UP' : 'DOWN',
        })),
      }),
    );
    routes.set('/config', () =>
      json(200, { capability: spec.capability, control: configView(spec) }),
    );
  }
  const telemetry = state.telemetry;
  if (telemetry !== undefined && spec.observability.metricsEndpoint)
    routes.set(
      '/metrics',
      async () =>
        new Response(await telemetry.prometheusText(), {
          status: 200,
          headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
        }),
    );
  const tracesOn = telemetry !== undefined && spec.observability.tracesEndpoint;
  if (tracesOn) routes.set('/traces', () => json(200, { traces: telemetry.traces() }));

  return async (request) => {
    const path = new URL(request.url).pathname;
    let route = routes.get(path);
    if (route === undefined && tracesOn && /^\/traces\/[0-9a-f]{32}$/.test(path)) {
      const found = telemetry.trace(path.slice('/traces/'.length));
      route = () => (found ? json(200, found) : notFound(path));
    }
    if (route === undefined) return notFound(path);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json(
        405,
        { error: { type: 'invalid_request_error', message: `Use GET for ${path}.` } },
        { allow: 'GET, HEAD' },
      );
    try {
      return await route();
    } catch {
      return json(500, {
        error: { type: 'api_error', message: 'The control adapter could not answer.' },
      });
    }
  };
}

/** The control adapter's own settings (nothing secret is in them). */
function configView(spec: ControlSpec) {
  const { otlpEndpoint, ...observability } = spec.observability;
  return {
    health: spec.health,
    info: spec.info,
    observability: { ...observability, otlpExporter: otlpEndpoint !== undefined },
    adapters: spec.adapters,
  };
}

function notFound(path: string): Response {
  return json(404, {
    error: {
      type: 'invalid_request_error',
      message: `Unrecognized control path (${path.length > 200 ? `${path.slice(0, 200)}...` : path}).`,
    },
  });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
