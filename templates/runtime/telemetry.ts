/**
 * Traces and metrics through `@opentelemetry/api` only: a SERVER span per inbound request, a CLIENT
 * span per upstream call, and three instruments. Off until `enableTelemetry()` is called (by
 * node-telemetry.ts when the capability or the OTEL_* environment enables observability, or by a
 * program that registered its own OpenTelemetry SDK): then every hook below is one boolean test.
 *
 * Metric names: the Naftiko engine's are not published with its specification, so the request and
 * upstream durations use OpenTelemetry's HTTP semantic-convention names, and the request count is
 * `naftiko.requests`.
 */
import {
  context,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Counter,
  type Histogram,
  type Span,
} from '@opentelemetry/api';

/** Instrumentation scope of every span and instrument. */
export const TELEMETRY_SCOPE = 'capgen';

interface Instruments {
  requests: Counter;
  requestDuration: Histogram;
  upstreamDuration: Histogram;
}

let instruments: Instruments | undefined;

/**
 * Turns the hooks on, with the globally registered tracer and meter providers (register them
 * first: instruments are created here). `false` turns them off again.
 */
export function enableTelemetry(on = true): void {
  if (!on) {
    instruments = undefined;
    return;
  }
  const meter = metrics.getMeter(TELEMETRY_SCOPE);
  instruments = {
    requests: meter.createCounter('naftiko.requests', {
      description: 'Inbound requests answered, by adapter, operation and status.',
    }),
    requestDuration: meter.createHistogram('http.server.request.duration', {
      description: 'Duration of inbound requests.',
      unit: 's',
    }),
    upstreamDuration: meter.createHistogram('http.client.request.duration', {
      description: 'Duration of upstream HTTP calls.',
      unit: 's',
    }),
  };
}

export function telemetryEnabled(): boolean {
  return instruments !== undefined;
}

/** What an inbound request reports when it ends. */
export interface ServerSpanEnd {
  status: number;
}

/** What an open SERVER span matched: a REST route template, or an MCP method and tool. */
interface Matched {
  /** The `naftiko.operation` metric attribute. */
  operation: string;
  /** A REST route (`http.route`; the span is then named `{method} {route}`). */
  route?: string;
}

/** The operation each open SERVER span matched. */
const operations = new WeakMap<Span, Matched>();

/** Names the active inbound request's operation, once matched (a no-op without telemetry). */
export function markOperation(operation: string): void {
  if (instruments === undefined) return;
  const span = trace.getActiveSpan();
  if (span !== undefined) operations.set(span, { operation, route: operation });
}

/**
 * Names the active inbound MCP request after its JSON-RPC method and tool, as OpenTelemetry's MCP
 * conventions do (`tools/call get-ship`; `mcp.method.name`, `gen_ai.tool.name`). A no-op without
 * telemetry. Pass only bounded values (a known method, a tool the server has): they name spans
 * and label metrics.
 */
export function markMcpRequest(method: string, tool: string | undefined): void {
  if (instruments === undefined) return;
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  span.updateName(tool === undefined ? method : `${method} ${tool}`);
  span.setAttribute('mcp.method.name', method);
  if (tool !== undefined) span.setAttribute('gen_ai.tool.name', tool);
  operations.set(span, { operation: tool ?? method });
}

/**
 * Runs `handle` inside a SERVER span continuing the caller's trace (`traceparent`), and counts and
 * times it. Without telemetry it just runs `handle`.
 */
export function observeInbound<T extends ServerSpanEnd>(
  adapter: string,
  method: string,
  header: (name: string) => string | undefined,
  handle: () => Promise<T>,
): Promise<T> {
  const tools = instruments;
  if (tools === undefined) return handle();
  const parent = propagation.extract(context.active(), header, HEADER_GETTER);
  const span = trace.getTracer(TELEMETRY_SCOPE).startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'naftiko.adapter': adapter },
    },
    parent,
  );
  const started = performance.now();
  return context.with(trace.setSpan(parent, span), handle).then(
    (result) => {
      finishInbound(tools, span, adapter, method, result, started);
      return result;
    },
    (error: unknown) => {
      span.recordException(error instanceof Error ? error : String(error));
      finishInbound(tools, span, adapter, method, { status: 500 }, started);
      throw error;
    },
  );
}

const HEADER_GETTER = {
  keys: (): string[] => [],
  get: (header: (name: string) => string | undefined, key: string) => header(key),
};

function finishInbound(
  tools: Instruments,
  span: Span,
  adapter: string,
  method: string,
  end: ServerSpanEnd,
  started: number,
): void {
  const matched = operations.get(span);
  const operation = matched?.operation ?? 'unmatched';
  const route = matched?.route;
  if (route !== undefined) {
    span.updateName(`${method} ${route}`);
    span.setAttribute('http.route', route);
  }
  span.setAttribute('http.response.status_code', end.status);
  if (end.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  const attributes = {
    'naftiko.adapter': adapter,
    'naftiko.operation': operation,
    'http.request.method': method,
    'http.response.status_code': end.status,
  };
  tools.requests.add(1, attributes);
  tools.requestDuration.record((performance.now() - started) / 1000, attributes);
}

/** An upstream call in progress; `end` once its answer (or failure) is known. */
export interface UpstreamSpan {
  /** Trace headers (`traceparent`) to send with the call. */
  readonly headers: Record<string, string>;
  end(status: number | undefined, error?: unknown): void;
}

/**
 * Starts a CLIENT span for one upstream call, child of the active span. Undefined without telemetry.
 * `url` is scheme, host and path only: a query string may carry a credential.
 */
export function startUpstreamSpan(
  operation: string,
  method: string,
  url: string,
): UpstreamSpan | undefined {
  const tools = instruments;
  if (tools === undefined) return undefined;
  const parent = context.active();
  const span = trace.getTracer(TELEMETRY_SCOPE).startSpan(
    `${method} ${operation}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.full': url,
        'naftiko.operation': operation,
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  const started = performance.now();
  return {
    headers,
    end(status, error) {
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (error !== undefined || (status !== undefined && status >= 500)) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        if (error !== undefined) span.setAttribute('error.type', errorType(error));
      }
      span.end();
      tools.upstreamDuration.record((performance.now() - started) / 1000, {
        'naftiko.operation': operation,
        'http.request.method': method,
        ...(status !== undefined ? { 'http.response.status_code': status } : {}),
      });
    },
  };
}

/** The error's class name only: its message may quote upstream text or a credential. */
function errorType(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
