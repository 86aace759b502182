/**
 * A capability as a Cloudflare Worker (or any runtime that calls a module's `fetch(request, env)`):
 * one fetch entry serving the REST routes, the MCP server at `/mcp` and `GET /healthz`, configured
 * from the Worker's bindings. Web-standard: neither this module nor what it imports reaches a Node
 * built-in, so a bundler needs no externals and the Worker no `nodejs_compat`.
 *
 * Bindings arrive with each request, not in a global: the handlers are built from the `env` object
 * the first time it is seen and kept for that object only (WeakMaps keyed by it), so requests that
 * come with other bindings never share a handler, and nothing outlives the bindings it was built
 * from. (workerd passes one `env` object to every request of an isolate: built once.) The
 * string bindings (vars and secrets) are what the client reads its credentials and
 * `<NAMESPACE>_BASE_URI` from, and what the adapters read their inbound-auth secrets from; no
 * `process.env` is consulted.
 */
import type { ClientOptions } from './client.js';
import type { McpFetchHandlerOptions } from './mcp-http.js';
import type { RestHandlerOptions } from './rest-types.js';

/** A web-standard request handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** What a Worker serves: the generated `createHandler` functions of rest-handler.ts and mcp-handler.ts. */
export interface WorkerSpec {
  rest?: (options: ClientOptions, handlerOptions: RestHandlerOptions) => FetchHandler;
  mcp?: (options: ClientOptions, handlerOptions: McpFetchHandlerOptions) => FetchHandler;
}

/** Where the MCP server answers; every other path goes to the REST adapter when there is one. */
export const WORKER_MCP_PATH = '/mcp';

/** Handlers by bindings object, then by Worker. */
const handlers = new WeakMap<object, WeakMap<WorkerSpec, FetchHandler>>();

/** Answers one request to the Worker `spec` with the handlers for `env`, built on first use. */
export function workerFetch(
  spec: WorkerSpec,
  request: Request,
  env: Record<string, unknown> = {},
): Promise<Response> {
  let bySpec = handlers.get(env);
  if (bySpec === undefined) {
    bySpec = new WeakMap();
    handlers.set(env, bySpec);
  }
  let handle = bySpec.get(spec);
  if (handle === undefined) {
    handle = workerHandler(spec, env);
    bySpec.set(spec, handle);
  }
  return handle(request);
}

/** The Worker's handler for one set of bindings; an answer saying it is not configured when they cannot work. */
function workerHandler(spec: WorkerSpec, bindings: Record<string, unknown>): FetchHandler {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(bindings))
    if (typeof value === 'string') env[name] = value;
  let rest: FetchHandler | undefined;
  let mcp: FetchHandler | undefined;
  try {
    rest = spec.rest?.({ env }, { env });
    mcp = spec.mcp?.({ env }, { env, path: WORKER_MCP_PATH });
  } catch (error) {
    return notConfigured(error);
  }
  if (rest === undefined && mcp === undefined) return notConfigured(new Error('nothing to serve'));
  return (request) => {
    if (mcp !== undefined && (rest === undefined || pathOf(request.url) === WORKER_MCP_PATH))
      return mcp(request);
    return rest!(request);
  };
}

/** The path of a request URL, still percent-encoded (as the REST router matches it). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * Bindings that cannot work (an inbound-auth secret or the base URI missing or invalid): every
 * request, `/healthz` included, gets a 500 naming what to set (the runtime's configuration errors
 * name variables, never values), and the Worker's log says the same once.
 */
function notConfigured(error: unknown): FetchHandler {
  const configuration = (error as { name?: unknown } | null)?.name === 'ConfigurationError';
  const hint = (error as { hint?: unknown } | null)?.hint;
  const detail = error instanceof Error ? error.message : String(error);
  const message = configuration
    ? `The Worker is not configured: ${detail}${typeof hint === 'string' ? ` (${hint})` : ''}`
    : 'The Worker is not configured; its log says why.';
  console.error(`capgen worker: not configured: ${detail}`);
  const body = JSON.stringify({ error: { type: 'api_error', message } });
  return async () =>
    new Response(body, {
      status: 500,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
}
