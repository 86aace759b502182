/**
 * Node only: the standard OpenTelemetry SDK behind telemetry.ts, started by a capability's control
 * adapter when its `observability` section (or, without one, the OTEL_* environment) enables it.
 * Registers the global tracer, meter, context manager and propagator; exports spans over OTLP/HTTP
 * and to the console as the spec and OTEL_* variables say; keeps metrics for the Prometheus
 * `/metrics` endpoint and recent traces for `/traces`. Only control.ts imports this module, and only
 * dynamically, when observability is on.
 */
import { context, metrics, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { enableTelemetry } from './telemetry.js';
import type { ObservabilitySpec, TelemetryRuntime, TraceSummary } from './control.js';

type Env = Record<string, string | undefined>;

export interface StartTelemetryOptions {
  serviceName: string;
  env?: Env;
  /** More span exporters (a test's InMemorySpanExporter), each behind a SimpleSpanProcessor. */
  spanExporters?: SpanExporter[];
}

/**
 * Starts the SDK and turns telemetry.ts's hooks on. `shutdown()` flushes the exporters and
 * unregisters everything (telemetry is off again).
 */
export function startTelemetry(
  spec: ObservabilitySpec,
  options: StartTelemetryOptions,
): TelemetryRuntime {
  const env = options.env ?? process.env;
  const resource = resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME || options.serviceName,
  });
  const recent = new RecentTraces(spec.bufferSize);
  const processors: SpanProcessor[] = [recent];
  for (const exporter of options.spanExporters ?? [])
    processors.push(new SimpleSpanProcessor(exporter));
  const named = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim());
  if (named.includes('console'))
    processors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  const otlp = otlpTracesUrl(spec, env);
  if (otlp !== undefined || named.includes('otlp'))
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter(otlp ? { url: otlp } : {})));

  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(spec.sampling) }),
    spanProcessors: processors,
  });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  const contextManager = new AsyncLocalStorageContextManager().enable();

  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  propagation.setGlobalPropagator(
    spec.propagation === 'b3' ? new B3Propagator() : new W3CTraceContextPropagator(),
  );
  enableTelemetry();

  const serializer = new PrometheusSerializer();
  let stopped: Promise<void> | undefined;
  return {
    async prometheusText() {
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    traces: () => recent.list(),
    trace: (traceId) => recent.get(traceId),
    shutdown() {
      stopped ??= (async () => {
        enableTelemetry(false);
        await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
        trace.disable();
        metrics.disable();
        propagation.disable();
        context.disable();
      })();
      return stopped;
    },
  };
}

/**
 * Where spans go over OTLP/HTTP: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, else the spec's
 * endpoint (its `{{NAME}}` read from the environment) or OTEL_EXPORTER_OTLP_ENDPOINT, with
 * `/v1/traces` appended. Undefined when none is set (or a `{{NAME}}` is unset).
 */
function otlpTracesUrl(spec: ObservabilitySpec, env: Env): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  let base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (spec.otlpEndpoint !== undefined) {
    let unset = false;
    const resolved = spec.otlpEndpoint.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name) => {
      const value = env[name as string];
      if (value === undefined) unset = true;
      return value ?? '';
    });
    if (!unset) base = resolved;
  }
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** The last `capacity` traces, their spans summarised as they end (for `/traces`). */
class RecentTraces implements SpanProcessor {
  private readonly byId = new Map<string, TraceSummary>();

  constructor(private readonly capacity: number) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    const { traceId, spanId } = span.spanContext();
    let summary = this.byId.get(traceId);
    if (summary === undefined) {
      summary = { traceId, spans: [] };
      this.byId.set(traceId, summary);
      if (this.byId.size > this.capacity) {
        const oldest = this.byId.keys().next().value;
        if (oldest !== undefined) this.byId.delete(oldest);
      }
    }
    const parent: SpanContext | undefined = span.parentSpanContext;
    summary.spans.push({
      spanId,
      ...(parent ? { parentSpanId: parent.spanId } : {}),
      name: span.name,
      kind: KINDS[span.kind] ?? 'INTERNAL',
      startTimeUnixNano: hrTimeToNanos(span.startTime),
      durationMs: span.duration[0] * 1000 + span.duration[1] / 1e6,
      status: span.status.code === 2 ? 'ERROR' : 'OK',
      attributes: { ...span.attributes },
    });
  }

  list(): TraceSummary[] {
    return [...this.byId.values()].reverse();
  }

  get(traceId: string): TraceSummary | undefined {
    return this.byId.get(traceId);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.byId.clear();
    return Promise.resolve();
  }
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;

function hrTimeToNanos([seconds, nanos]: [number, number]): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanos)).toString();
}
