/**
 * The MCP server's HTTP engine: routing, Origin and CORS, inbound auth, body limits, then the
 * stateless fast path for plain `tools/call` and `tools/list` requests (mcp-dispatch.ts) or the SDK's
 * `Server` and `WebStandardStreamableHTTPServerTransport`, built per request, for everything else.
 * It works on a small request view ({@link McpRequestView}) so that the web-standard handler
 * (mcp-http.ts) and the node:http server (node-mcp.ts) can both drive it. Web-standard: no Node
 * built-in is imported here.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

import type { InboundAuth, Invoke, JsonValue } from './contract.js';
import { credentialsMatch, resolveExpectedCredentials } from './credentials.js';
import { checkDigest, checkOAuth2, type Refusal } from './inbound-auth.js';
import { checkShape, DEFAULT_SHAPE_LIMITS } from './limits.js';
import { answerFast, fastRequest, markInbound } from './mcp-dispatch.js';
import {
  createMcpServer,
  defaultEnv,
  errorText,
  mcpRedactor,
  noLog,
  prepare,
  type McpEnv,
  type McpLog,
  type McpRuntimeOptions,
  type McpServerSpec,
  type PreparedServer,
} from './mcp-server.js';
import { originChecker } from './origin.js';
import { observeInbound, telemetryEnabled } from './telemetry.js';

export interface McpFetchHandlerOptions extends McpRuntimeOptions {
  /** Path of the MCP endpoint; default `/mcp`. */
  path?: string;
  /** Largest request body accepted, in bytes; default 4 MiB. */
  maxBodyBytes?: number;
  /**
   * Answer plain `tools/call` and `tools/list` requests without an SDK `Server` per request (default
   * true). `false` sends every request through the SDK, for comparison.
   */
  fastPath?: boolean;
}

/** What the engine needs from an HTTP request. */
export interface McpRequestView {
  readonly method: string;
  readonly path: string;
  /** Raw query string without '?', '' when absent. */
  readonly query: string;
  /** First value of a header; `name` is lower-case. */
  header(name: string): string | undefined;
  /** The body as UTF-8 text; null when it exceeds `limit` bytes; rejects when it cannot be read. */
  readBody(limit: number): Promise<string | null>;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal;
  /** The request as a web `Request` (without its body, already read), for the SDK's transport. */
  webRequest(): Request;
}

/** The engine's answer, turned into a Response or written to a ServerResponse. */
export interface McpAnswer {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or null for no body. */
  body: string | null;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A JSON-RPC message wraps tool arguments in a few levels (`params.arguments`); those are checked too. */
const MESSAGE_LIMITS = {
  maxDepth: DEFAULT_SHAPE_LIMITS.maxDepth + 4,
  maxNodes: DEFAULT_SHAPE_LIMITS.maxNodes + 1_000,
};

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** See createMcpFetchHandler (mcp-http.ts) for what is served and refused. */
export class McpHttpEngine {
  readonly maxBodyBytes: number;
  /** Requests may share their connection's signal (see `Invoke.releasesSignal`). */
  readonly sharedSignal: boolean;
  private readonly env: McpEnv;
  private readonly log: McpLog;
  private readonly path: string;
  private readonly originAllowed: (origin: string) => boolean;
  private readonly authenticate: (
    req: McpRequestView,
  ) => McpAnswer | undefined | Promise<McpAnswer | undefined>;
  /** The OAuth 2.0 Protected Resource Metadata served for oauth2 inbound auth. */
  private readonly metadata: ResourceMetadata | undefined;
  private readonly redact: (text: string) => string;
  private readonly prepared: PreparedServer;
  private readonly fastPath: boolean;

  constructor(
    private readonly spec: McpServerSpec,
    private readonly invoke: Invoke,
    options: McpFetchHandlerOptions,
  ) {
    this.env = options.env ?? defaultEnv();
    this.log = options.log ?? noLog;
    this.path = options.path ?? '/mcp';
    this.originAllowed = originChecker(spec.allowedOrigins ?? []);
    this.metadata = spec.auth?.type === 'oauth2' ? protectedResourceMetadata(spec.auth) : undefined;
    this.authenticate = inboundAuthenticator(spec.auth, this.env, this.metadata?.url);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.redact = options.redact ?? mcpRedactor(spec, invoke, this.env);
    this.prepared = prepare(spec); // fails fast on an invalid spec
    this.fastPath = options.fastPath !== false;
    this.sharedSignal = invoke.releasesSignal === true;
    for (const warning of invoke.check?.() ?? []) this.log(`warning: ${this.redact(warning)}`);
  }

  /**
   * Answers one request (and logs it), in a SERVER span when telemetry is on (named after its
   * JSON-RPC method and tool once read). Never rejects.
   */
  handle(req: McpRequestView): Promise<McpAnswer> {
    if (!telemetryEnabled()) return this.answer(req);
    return observeInbound(
      this.spec.name,
      req.method,
      (name) => req.header(name),
      () => this.answer(req),
    );
  }

  private async answer(req: McpRequestView): Promise<McpAnswer> {
    const started = Date.now();
    let answer: McpAnswer;
    try {
      answer = await this.route(req);
    } catch (error) {
      this.log(this.redact(`http ${req.method} ${req.path}: internal error: ${errorText(error)}`));
      answer = jsonRpcError(500, -32603, 'Internal server error');
    }
    this.log(`http ${req.method} ${req.path} ${answer.status} (${Date.now() - started} ms)`);
    return answer;
  }

  private async route(req: McpRequestView): Promise<McpAnswer> {
    if (req.path === '/healthz') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
      const spec = this.spec;
      return jsonAnswer(200, { status: 'ok', name: spec.name, version: spec.version });
    }
    const metadata = this.metadata;
    if (metadata !== undefined && req.path === metadata.path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
      return jsonAnswer(200, metadata.body);
    }
    if (req.path !== this.path)
      return jsonAnswer(404, { error: 'not_found', message: `No route for ${req.path}` });

    const origin = req.header('origin');
    if (origin !== undefined && !this.originAllowed(origin)) {
      return jsonRpcError(403, -32000, `Forbidden: Origin ${origin} is not allowed`);
    }
    const cors = corsHeaders(origin, this.spec.auth);

    if (req.method === 'OPTIONS') return { status: 204, headers: cors.preflight, body: null };
    // Every method but the CORS preflight is authenticated first, as the Naftiko engine does; the
    // fast path and the SDK alike see only authenticated requests.
    let denied = this.authenticate(req);
    if (denied instanceof Promise) denied = await denied;
    if (denied) return withHeaders(denied, cors.response);
    if (req.method !== 'POST') return withHeaders(methodNotAllowed('POST, OPTIONS'), cors.response);

    const message = await this.readMessage(req);
    if ('status' in message) return withHeaders(message, cors.response);

    const fast = this.fastPath ? fastRequest(message.value, req, this.prepared) : undefined;
    if (telemetryEnabled()) markInbound(message.value, fast, this.prepared);
    const answer =
      fast !== undefined
        ? await this.answerFast(req, fast)
        : await this.throughSdk(req, message.value);
    return withHeaders(answer, cors.response);
  }

  private async answerFast(
    req: McpRequestView,
    fast: NonNullable<ReturnType<typeof fastRequest>>,
  ): Promise<McpAnswer> {
    const signal = fast.method === 'tools/call' ? req.signal : undefined;
    const body = await answerFast(fast, this.prepared, this.invoke, {
      server: this.spec,
      signal,
      env: this.env,
      log: this.log,
      redact: this.redact,
    });
    // The caller hung up: its call was cancelled, and nobody reads this.
    if (signal?.aborted) return jsonRpcError(499, -32000, 'Client closed the request');
    return { status: 200, headers: { ...JSON_HEADERS }, body };
  }

  /** Any other message: a fresh SDK `Server` and transport (the SDK's stateless pattern). */
  private async throughSdk(req: McpRequestView, parsedBody: unknown): Promise<McpAnswer> {
    const request = req.webRequest();
    const server = createMcpServer(this.spec, this.invoke, {
      env: this.env,
      log: this.log,
      redact: this.redact,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined, // stateless
      enableJsonResponse: true,
    });
    // A client that hangs up cancels its in-flight tool calls: closing the server aborts their signals.
    // The transport then never settles its pending JSON response, so the race below ends the request.
    let onAbort = (): void => {};
    const hungUp = new Promise<Response>((resolve) => {
      onAbort = () => {
        resolve(webJsonRpcError(499, -32000, 'Client closed the request'));
        void server.close();
      };
    });
    const signal = req.signal;
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      await server.connect(transport);
      const response = await Promise.race([
        transport.handleRequest(request, { parsedBody }),
        hungUp,
      ]);
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return {
        status: response.status,
        headers,
        body: response.body ? await response.text() : null,
      };
    } finally {
      signal.removeEventListener('abort', onAbort);
      // In JSON-response mode the response is complete once handleRequest resolves.
      await server.close().catch(() => undefined);
    }
  }

  /**
   * Reads and parses the JSON-RPC message, within the size, batch and shape limits; an answer when
   * it is refused (the same answers the SDK gives for a bad body, plus the limits).
   */
  private async readMessage(req: McpRequestView): Promise<{ value: unknown } | McpAnswer> {
    const maxBodyBytes = this.maxBodyBytes;
    if (Number(req.header('content-length')) > maxBodyBytes) return tooLarge(maxBodyBytes);
    const text = await req.readBody(maxBodyBytes).catch(() => undefined);
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
}

function tooLarge(limit: number): McpAnswer {
  return jsonRpcError(
    413,
    -32000,
    `Payload Too Large: the request body must not exceed ${limit} bytes`,
  );
}

/** CORS headers for an allowed browser origin (none when the request has no Origin). */
function corsHeaders(
  origin: string | undefined,
  auth: InboundAuth | undefined,
): { response: Record<string, string>; preflight: Record<string, string> } {
  if (origin === undefined) return NO_CORS;
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

const NO_CORS = { response: {}, preflight: {} };

interface ResourceMetadata {
  path: string;
  url: string;
  body: JsonValue;
}

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), which the MCP authorization specification asks
 * a protected server to publish: at `/.well-known/oauth-protected-resource` followed by the path of
 * `resource`, and named by `resource_metadata` in every 401 challenge.
 */
function protectedResourceMetadata(
  auth: Extract<InboundAuth, { type: 'oauth2' }>,
): ResourceMetadata {
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
 * Returns a checker that yields a 401 answer for unauthenticated requests, or undefined when the
 * request may proceed. Expected values are resolved from the environment once, here; oauth2 tokens
 * are verified asynchronously (the checker then returns a promise).
 */
function inboundAuthenticator(
  auth: InboundAuth | undefined,
  env: McpEnv,
  resourceMetadata: string | undefined,
): (req: McpRequestView) => McpAnswer | undefined | Promise<McpAnswer | undefined> {
  if (!auth || auth.type === 'none') return () => undefined;
  if (auth.type === 'oauth2')
    return (req) =>
      checkOAuth2(auth, req.header('authorization'), env, resourceMetadata).then(refusalAnswer);
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected) {
    throw new Error(
      `MCP inbound authentication: set environment variable ${expected.missing.join(', ')} (the ${expected.what})`,
    );
  }
  if (expected.type === 'digest') {
    return (req) =>
      refusalAnswer(
        checkDigest(
          expected,
          req.header('authorization'),
          { method: req.method, uri: req.query === '' ? req.path : `${req.path}?${req.query}` },
          'mcp',
        ),
      );
  }
  const rejection = (): McpAnswer => {
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
  return (req) => {
    const presented = {
      header: (name: string) => req.header(name),
      query: (name: string) => new URLSearchParams(req.query).get(name) ?? undefined,
    };
    return credentialsMatch(expected, presented) ? undefined : rejection();
  };
}

function refusalAnswer(refusal: Refusal | undefined): McpAnswer | undefined {
  if (refusal === undefined) return undefined;
  const label =
    refusal.status === 403
      ? 'Forbidden'
      : refusal.status === 500
        ? 'Internal error'
        : 'Unauthorized';
  const answer = jsonRpcError(
    refusal.status,
    refusal.status === 500 ? -32603 : -32001,
    `${label}: ${refusal.message}`,
  );
  if (refusal.challenge) answer.headers['WWW-Authenticate'] = refusal.challenge;
  return answer;
}

function unauthorized(challenge: string | undefined, message: string): McpAnswer {
  const answer = jsonRpcError(401, -32001, `Unauthorized: ${message}`);
  if (challenge) answer.headers['WWW-Authenticate'] = challenge;
  return answer;
}

function methodNotAllowed(allow: string): McpAnswer {
  const answer = jsonRpcError(405, -32000, 'Method not allowed');
  answer.headers.Allow = allow;
  return answer;
}

export function jsonRpcError(status: number, code: number, message: string): McpAnswer {
  return jsonAnswer(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

function webJsonRpcError(status: number, code: number, message: string): Response {
  const answer = jsonRpcError(status, code, message);
  return new Response(answer.body, { status, headers: answer.headers });
}

function jsonAnswer(status: number, body: JsonValue): McpAnswer {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** Adds headers to an answer. */
function withHeaders(answer: McpAnswer, headers: Record<string, string>): McpAnswer {
  for (const name of Object.keys(headers)) answer.headers[name] = headers[name];
  return answer;
}
