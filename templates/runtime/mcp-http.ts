/**
 * Streamable HTTP (web standard): `createMcpFetchHandler` is a `(Request) => Promise<Response>` handler
 * speaking stateless Streamable HTTP at `/mcp`, with an Origin allow-list, optional inbound
 * authentication and `/healthz`. Web-standard: no Node built-in is imported here.
 */
import type { Invoke } from './contract.js';
import {
  McpHttpEngine,
  type McpAnswer,
  type McpFetchHandlerOptions,
  type McpRequestView,
} from './mcp-engine.js';
import type { McpServerSpec } from './mcp-server.js';
import { WebRequestView } from './web-body.js';

export type { McpFetchHandlerOptions } from './mcp-engine.js';

/**
 * A web-standard request handler serving MCP over stateless Streamable HTTP.
 *
 * - `POST <path>`: MCP messages. No state is kept between requests, so any number of instances can
 *   sit behind a load balancer; responses are plain JSON (no SSE). Plain `tools/call` and `tools/list`
 *   requests are answered directly, with what the SDK would answer (mcp-dispatch.ts); every other
 *   message gets a fresh SDK `Server` and transport (the SDK's stateless pattern).
 * - `GET`/`DELETE <path>`: 405 — a stateless server offers no standalone SSE stream and has no session.
 * - `OPTIONS <path>`: CORS preflight for allowed browser origins.
 * - `GET /healthz`: 200, no authentication.
 * - anything else: 404.
 *
 * A request whose `Origin` header is not allowed gets 403 (DNS-rebinding protection); requests without
 * `Origin` (non-browser clients) are accepted. When `spec.auth` is set, the MCP endpoint requires the
 * configured credentials (401 otherwise). Throws at creation if an auth environment variable is unset
 * or the upstream configuration is unusable (see `Invoke.check`; unset upstream credentials are
 * logged as warnings).
 *
 * Limits: bodies over `maxBodyBytes` get 413; JSON-RPC batches (arrays, removed from MCP in
 * 2025-06-18) are refused with 400, so one HTTP request makes at most one upstream call; messages
 * nested or sized past limits.ts's limits get 400.
 */
export function createMcpFetchHandler(
  spec: McpServerSpec,
  invoke: Invoke,
  options: McpFetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  const engine = new McpHttpEngine(spec, invoke, options);
  return (request) => engine.handle(new WebMcpView(request)).then(toWebResponse);
}

/** A request view over a web `Request`. */
class WebMcpView extends WebRequestView implements McpRequestView {
  constructor(request: Request) {
    super(request, () => new Error('The request body stream failed before it was complete.'));
  }

  webRequest(): Request {
    return this.request;
  }
}

function toWebResponse(answer: McpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
