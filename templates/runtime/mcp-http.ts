/**
 * Streamable HTTP (web standard): `createMcpFetchHandler` is a `(Request) => Promise<Response>` handler
 * speaking stateless Streamable HTTP at `/mcp`, with an Origin allow-list, optional inbound
 * authentication and `/healthz`. Web-standard: no Node built-in is imported here.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

import type { InboundAuth, Invoke, JsonValue } from './contract.js';
import { credentialsMatch, resolveExpectedCredentials } from './credentials.js';
import { checkDigestRequest, checkOAuth2, type Refusal } from './inbound-auth.js';
import { originChecker } from './origin.js';
import { checkShape, DEFAULT_SHAPE_LIMITS } from './limits.js';
import {
  createMcpServer,
  defaultEnv,
  errorText,
  mcpRedactor,
  noLog,
  prepare,
  type McpEnv,
  type McpRuntimeOptions,
  type McpServerSpec,
} from './mcp-server.js';
import { readBodyText } from './web-body.js';

export interface McpFetchHandlerOptions extends McpRuntimeOptions {
  /** Path of the MCP endpoint; default `/mcp`. */
  path?: string;
  /** Largest request body accepted, in bytes; default 4 MiB. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A JSON-RPC message wraps tool arguments in a few levels (`params.arguments`); those are checked too. */
const MESSAGE_LIMITS = {
  maxDepth: DEFAULT_SHAPE_LIMITS.maxDepth + 4,
  maxNodes: DEFAULT_SHAPE_LIMITS.maxNodes + 1_000,
};

/**
 * A web-standard request handler serving MCP over stateless Streamable HTTP.
 *
 * - `POST <path>`: MCP messages. Each request gets a fresh `Server` and transport (the SDK's stateless
 *   pattern), so no state is kept between requests and any number of instances can sit behind a load
 *   balancer. Responses are plain JSON (no SSE).
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
  const env = options.env ?? defaultEnv();
  const log = options.log ?? noLog;
  const path = options.path ?? '/mcp';
  const originAllowed = originChecker(spec.allowedOrigins ?? []);
  const metadata = spec.auth?.type === 'oauth2' ? protectedResourceMetadata(spec.auth) : undefined;
  const authenticate = inboundAuthenticator(spec.auth, env, metadata?.url);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const redact = options.redact ?? mcpRedactor(spec, invoke, env);
  prepare(spec); // fail fast on an invalid spec
  for (const warning of invoke.check?.() ?? []) log(`warning: ${redact(warning)}`);

  return async (request: Request): Promise<Response> => {
    const started = Date.now();
    const url = new URL(request.url);
    const response = await route(request, url);
    log(`http ${request.method} ${url.pathname} ${response.status} (${Date.now() - started} ms)`);
    return response;
  };

  async function route(request: Request, url: URL): Promise<Response> {
    if (url.pathname === '/healthz') {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return methodNotAllowed('GET, HEAD');
      return jsonResponse(200, { status: 'ok', name: spec.name, version: spec.version });
    }
    if (metadata !== undefined && url.pathname === metadata.path) {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return methodNotAllowed('GET, HEAD');
      return jsonResponse(200, metadata.body);
    }
    if (url.pathname !== path)
      return jsonResponse(404, { error: 'not_found', message: `No route for ${url.pathname}` });

    const origin = request.headers.get('origin');
    if (origin !== null && !originAllowed(origin)) {
      return jsonRpcError(403, -32000, `Forbidden: Origin ${origin} is not allowed`);
    }
    const cors = corsHeaders(origin, spec.auth);

    if (request.method === 'OPTIONS')
      return new Response(null, { status: 204, headers: cors.preflight });
    // Every method but the CORS preflight is authenticated first, as the Naftiko engine does.
    let denied = authenticate(request, url);
    if (denied instanceof Promise) denied = await denied;
    if (denied) return withHeaders(denied, cors.response);
    if (request.method !== 'POST')
      return withHeaders(methodNotAllowed('POST, OPTIONS'), cors.response);

    const message = await readMessage(request, maxBodyBytes);
    if (message instanceof Response) return withHeaders(message, cors.response);

    const server = createMcpServer(spec, invoke, { env, log, redact });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined, // stateless
      enableJsonResponse: true,
    });
    // A client that hangs up cancels its in-flight tool calls: closing the server aborts their signals.
    // The transport then never settles its pending JSON response, so the race below ends the request.
    let onAbort = (): void => {};
    const hungUp = new Promise<Response>((resolve) => {
      onAbort = () => {
        resolve(jsonRpcError(499, -32000, 'Client closed the request'));
        void server.close();
      };
    });
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await server.connect(transport);
      const response = await Promise.race([
        transport.handleRequest(request, { parsedBody: message.value }),
        hungUp,
      ]);
      return withHeaders(response, cors.response);
    } catch (error) {
      log(redact(`http ${request.method} ${url.pathname}: internal error: ${errorText(error)}`));
      return withHeaders(jsonRpcError(500, -32603, 'Internal server error'), cors.response);
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      // In JSON-response mode the response is complete once handleRequest resolves.
      await server.close().catch(() => undefined);
    }
  }
}

/**
 * Reads and parses the JSON-RPC message, within the size, batch and shape limits; a Response when it
 * is refused (the same answers the SDK gives for a bad body, plus the limits).
 */
async function readMessage(
  request: Request,
  maxBodyBytes: number,
): Promise<{ value: unknown } | Response> {
  if (Number(request.headers.get('content-length')) > maxBodyBytes) return tooLarge(maxBodyBytes);
  const text = await readBodyText(
    request.body,
    maxBodyBytes,
    () => new Error('The request body stream failed before it was complete.'),
  ).catch(() => undefined);
  if (text === undefined)
    return jsonRpcError(400, -32000, 'Bad Request: the body could not be read');
  if (text === null) return tooLarge(maxBodyBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return jsonRpcError(400, -32700, 'Parse error: Invalid JSON');
  }
  if (Array.isArray(value)) {
    return jsonRpcError(
      400,
      -32600,
      'Invalid Request: JSON-RPC batches are not accepted (MCP removed them in 2025-06-18); send one message per request.',
    );
  }
  const issue = checkShape(value, 'the JSON-RPC message', MESSAGE_LIMITS);
  if (issue !== undefined) return jsonRpcError(400, -32600, `Invalid Request: ${issue.message}`);
  return { value };
}

function tooLarge(limit: number): Response {
  return jsonRpcError(
    413,
    -32000,
    `Payload Too Large: the request body must not exceed ${limit} bytes`,
  );
}

/** CORS headers for an allowed browser origin (none when the request has no Origin). */
function corsHeaders(
  origin: string | null,
  auth: InboundAuth | undefined,
): { response: Record<string, string>; preflight: Record<string, string> } {
  if (origin === null) return { response: {}, preflight: {} };
  const response = {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate',
    Vary: 'Origin',
  };
  const allowHeaders = [
    'Content-Type',
    'Accept',
    'Authorization',
    'Mcp-Protocol-Version',
    'Mcp-Session-Id',
    'Last-Event-ID',
  ];
  if (auth?.type === 'apikey' && auth.placement === 'header') allowHeaders.push(auth.key);
  return {
    response,
    preflight: {
      ...response,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
      'Access-Control-Allow-Headers': allowHeaders.join(', '),
      'Access-Control-Max-Age': '600',
    },
  };
}

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), which the MCP authorization specification asks
 * a protected server to publish: at `/.well-known/oauth-protected-resource` followed by the path of
 * `resource`, and named by `resource_metadata` in every 401 challenge.
 */
function protectedResourceMetadata(auth: Extract<InboundAuth, { type: 'oauth2' }>) {
  const resource = new URL(auth.resource);
  const suffix = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
  const path = `/.well-known/oauth-protected-resource${suffix}`;
  return {
    path,
    url: `${resource.origin}${path}`,
    body: {
      resource: auth.resource,
      authorization_servers: [auth.authorizationServerUri],
      ...(auth.scopes?.length ? { scopes_supported: auth.scopes } : {}),
      bearer_methods_supported: ['header'],
    },
  };
}

/**
 * Returns a checker that yields a 401 response for unauthenticated requests, or undefined when the
 * request may proceed. Expected values are resolved from the environment once, here; oauth2 tokens
 * are verified asynchronously (the checker then returns a promise).
 */
function inboundAuthenticator(
  auth: InboundAuth | undefined,
  env: McpEnv,
  resourceMetadata: string | undefined,
): (request: Request, url: URL) => Response | undefined | Promise<Response | undefined> {
  if (!auth || auth.type === 'none') return () => undefined;
  if (auth.type === 'oauth2')
    return (request) =>
      checkOAuth2(
        auth,
        request.headers.get('authorization') ?? undefined,
        env,
        resourceMetadata,
      ).then(refusalResponse);
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected) {
    throw new Error(
      `MCP inbound authentication: set environment variable ${expected.missing.join(', ')} (the ${expected.what})`,
    );
  }
  if (expected.type === 'digest')
    return (request, url) => refusalResponse(checkDigestRequest(expected, request, url, 'mcp'));
  const rejection = (): Response => {
    switch (expected.type) {
      case 'bearer':
        return unauthorized(
          'Bearer realm="mcp"',
          'a valid bearer token (Authorization: Bearer <token>) is required',
        );
      case 'apikey':
        return unauthorized(
          undefined,
          `a valid API key in ${expected.placement} ${JSON.stringify(expected.key)} is required`,
        );
      case 'basic':
        return unauthorized('Basic realm="mcp"', 'valid basic-auth credentials are required');
    }
  };
  return (request, url) => {
    const presented = {
      header: (name: string) => request.headers.get(name) ?? undefined,
      query: (name: string) => url.searchParams.get(name) ?? undefined,
    };
    return credentialsMatch(expected, presented) ? undefined : rejection();
  };
}

function refusalResponse(refusal: Refusal | undefined): Response | undefined {
  if (refusal === undefined) return undefined;
  const label =
    refusal.status === 403
      ? 'Forbidden'
      : refusal.status === 500
        ? 'Internal error'
        : 'Unauthorized';
  const response = jsonRpcError(
    refusal.status,
    refusal.status === 500 ? -32603 : -32001,
    `${label}: ${refusal.message}`,
  );
  if (refusal.challenge) response.headers.set('WWW-Authenticate', refusal.challenge);
  return response;
}

function unauthorized(challenge: string | undefined, message: string): Response {
  const response = jsonRpcError(401, -32001, `Unauthorized: ${message}`);
  if (challenge) response.headers.set('WWW-Authenticate', challenge);
  return response;
}

function methodNotAllowed(allow: string): Response {
  const response = jsonRpcError(405, -32000, 'Method not allowed');
  response.headers.set('Allow', allow);
  return response;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return jsonResponse(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

function jsonResponse(status: number, body: JsonValue): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** Adds headers to a response (copying it if its headers are immutable). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  const copy = new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  for (const [key, value] of entries) copy.headers.set(key, value);
  return copy;
}
