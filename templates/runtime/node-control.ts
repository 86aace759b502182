/**
 * Node only: runs a capability the way the engine does when it has a control adapter: the
 * OpenTelemetry SDK first (when observability is on), then each business adapter in this process,
 * then the control port, whose `/health/ready` answers 503 while any of those adapters is not
 * listening (it failed to start, or was closed).
 */
import type { Server } from 'node:http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  createControlHandler,
  observabilityEnabled,
  type AdapterInfo,
  type AdapterProbe,
  type ControlSpec,
  type TelemetryRuntime,
} from './control.js';
import type { ListenOptions } from './node-http.js';
import { serveRest } from './node-rest.js';

/** A business adapter's entry point (`main` of rest.ts, mcp.ts or skills.ts). */
export interface AdapterStart {
  info: AdapterInfo;
  start(): Promise<{ close(): Promise<void>; server?: Server; url?: string } | undefined>;
}

export interface RunningAdapter extends AdapterProbe {
  /** Stops the adapter; `/health/ready` says DOWN from then on. */
  close(): Promise<void>;
}

export interface ControlServer {
  url: string;
  adapters: RunningAdapter[];
  /** Present while the OpenTelemetry SDK runs. */
  telemetry?: TelemetryRuntime;
  /** Closes the control port and the adapters, then flushes and stops the SDK. */
  close(): Promise<void>;
}

export interface ServeControlOptions {
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Extra span exporters for the SDK (a test's InMemorySpanExporter). */
  spanExporters?: SpanExporter[];
}

export async function serveControl(
  spec: ControlSpec,
  starts: AdapterStart[],
  listen: ListenOptions,
  options: ServeControlOptions = {},
): Promise<ControlServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  let telemetry: TelemetryRuntime | undefined;
  if (observabilityEnabled(spec.observability, env)) {
    const { startTelemetry } = await import('./node-telemetry.js');
    telemetry = startTelemetry(spec.observability, {
      serviceName: spec.capability,
      env,
      ...(options.spanExporters ? { spanExporters: options.spanExporters } : {}),
    });
  }
  const adapters: RunningAdapter[] = [];
  for (const start of starts) adapters.push(await startAdapter(start, log));
  const server = await serveRest(
    createControlHandler(spec, {
      adapters,
      startedAt: Date.now(),
      ...(telemetry ? { telemetry } : {}),
    }),
    { ...listen, log: false },
  );
  log(`control port of ${spec.capability} at ${server.url}`);
  let closing: Promise<void> | undefined;
  return {
    url: server.url,
    adapters,
    ...(telemetry ? { telemetry } : {}),
    close() {
      closing ??= (async () => {
        await Promise.allSettled([server.close(), ...adapters.map((a) => a.close())]);
        await telemetry?.shutdown();
      })();
      return closing;
    },
  };
}

/** Starts one adapter; one that cannot start is logged and reported DOWN, the others still run. */
async function startAdapter(
  start: AdapterStart,
  log: (line: string) => void,
): Promise<RunningAdapter> {
  let handle: Awaited<ReturnType<AdapterStart['start']>>;
  try {
    handle = await start.start();
  } catch (error) {
    const hint = (error as { hint?: unknown }).hint;
    log(
      `${start.info.type} adapter ${start.info.namespace} did not start: ${error instanceof Error ? error.message : String(error)}${typeof hint === 'string' ? ` (${hint})` : ''}`,
    );
    return { info: start.info, up: () => false, close: () => Promise.resolve() };
  }
  let closed = false;
  return {
    info: start.info,
    ...(handle?.url ? { url: handle.url } : {}),
    // A stdio MCP server (no handle) is up while the process runs.
    up: () => !closed && (handle?.server?.listening ?? true),
    close: async () => {
      closed = true;
      await handle?.close();
    },
  };
}
