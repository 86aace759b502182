/**
 * MCP runtime: serves a capability's tools over the Model Context Protocol.
 *
 * Generated code describes each tool as plain data (`McpToolSpec`): its JSON Schemas, the upstream
 * operation it calls, how tool arguments bind to upstream parameters and how the upstream response is
 * mapped back. This module turns that description into a working MCP server:
 *
 * - `createMcpServer` builds a low-level SDK `Server` with `tools/list` and `tools/call` handlers. The
 *   low-level server is used (not `McpServer.registerTool`) so that the generated JSON Schemas are served
 *   exactly as written instead of being round-tripped through zod.
 * - `createMcpFetchHandler` is a web-standard `(Request) => Promise<Response>` handler speaking stateless
 *   Streamable HTTP at `/mcp`, with an Origin allow-list, optional inbound authentication and `/healthz`.
 * - `serveMcpHttp` runs that handler on a Node HTTP server; `serveMcpStdio` serves over stdin/stdout.
 *
 * The upstream call itself is injected (`Invoke`), so this file does not depend on the HTTP client.
 * Upstream errors are recognised by duck typing (`name`, `status`, ...), not by class identity.
 * Tool arguments are checked with validate.ts, the validator the REST adapter uses (no ajv: it needs
 * `new Function`, and its messages do not name the offending argument as clearly); every problem is
 * reported at once so an agent can fix the whole call in one go.
 *
 * Secrets: inbound credentials are read from the environment at start-up and compared in constant time.
 * Every message that leaves this module (tool results and log lines) passes through `redact`, which
 * removes the values of secret-looking environment variables and API-key-shaped strings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import type {
  Binding,
  InboundAuth,
  Invoke,
  JsonSchema,
  JsonValue,
  OperationSpec,
  OutputMapping,
  ValueTemplate,
} from './contract.js';
import { credentialsMatch, resolveExpectedCredentials } from './credentials.js';
import { applyOutput, bindInputs } from './output.js';
import { validateArguments } from './validate.js';

// ---------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------

/** One MCP tool: what `tools/list` shows and what `tools/call` does. */
export interface McpToolSpec {
  name: string;
  title?: string;
  description: string;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  /** JSON Schema of the tool arguments; always `type: 'object'`. */
  inputSchema: JsonSchema;
  /** JSON Schema of `structuredContent`; always `type: 'object'` when present. */
  outputSchema?: JsonSchema;
  /** The upstream operation the tool calls. */
  call: OperationSpec;
  /** Upstream parameter name → tool argument (or literal). */
  with: Record<string, Binding>;
  /** How the upstream response becomes the tool result; absent means the response as-is. */
  output?: OutputMapping[];
}

/** One MCP server (an `mcp` exposes block). */
export interface McpServerSpec {
  name: string;
  version: string;
  /** Shown to the agent at initialisation (`client.getInstructions()`). */
  instructions?: string;
  tools: McpToolSpec[];
  /** When set, HTTP callers must authenticate; stdio is never authenticated (the caller spawned us). */
  auth?: InboundAuth;
  /** Browser origins allowed besides http(s)://localhost, 127.0.0.1 and [::1] on any port. */
  allowedOrigins?: string[];
}

let validator: AjvJsonSchemaValidator | undefined;
/** One JSON Schema validator for every server of this process (the SDK's own, built once). */
function sharedValidator(): AjvJsonSchemaValidator {
  validator ??= new AjvJsonSchemaValidator();
  return validator;
}

/** The upstream call (see contract.ts). */
export type { Invoke };

/** Environment variables, e.g. `process.env`. */
export type McpEnv = Record<string, string | undefined>;

/** Receives one human-readable log line (no secrets, no tool arguments). */
export type McpLog = (line: string) => void;

/** Options shared by every entry point. */
export interface McpRuntimeOptions {
  /** Where inbound-auth values are read from and which secret values are redacted; default `process.env`. */
  env?: McpEnv;
  /** Log sink; default: no logging for `createMcpServer`/`createMcpFetchHandler`, stderr for `serve*`. */
  log?: McpLog;
}

export interface McpFetchHandlerOptions extends McpRuntimeOptions {
  /** Path of the MCP endpoint; default `/mcp`. */
  path?: string;
}

export interface ServeMcpHttpOptions extends McpFetchHandlerOptions {
  /** TCP port; 0 picks a free one (see the returned `url`). */
  port: number;
  /** Interface to bind; default `127.0.0.1` (local only). */
  host?: string;
  /** Largest request body accepted, in bytes; default 4 MiB. */
  maxBodyBytes?: number;
}

export interface McpHttpServerHandle {
  /** URL of the MCP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string;
  close(): Promise<void>;
}

/**
 * When a tool's mapped output is not a JSON object (an array, a string, ...), it is returned as
 * `structuredContent: { result: <value> }`, because MCP requires `structuredContent` to be an object.
 * Generated output schemas for such tools describe that wrapper.
 */
export const STRUCTURED_RESULT_KEY = 'result';

// ---------------------------------------------------------------------------------------------------
// MCP server (transport-independent)
// ---------------------------------------------------------------------------------------------------

/**
 * Builds a low-level MCP `Server` exposing `spec.tools`. Connect it to any transport. In stateless
 * HTTP a new one is built per request, so everything expensive is prepared once per spec (see `prepare`).
 */
export function createMcpServer(
  spec: McpServerSpec,
  invoke: Invoke,
  options: McpRuntimeOptions = {},
): Server {
  const prepared = prepare(spec);
  const env = options.env ?? defaultEnv();
  const log = options.log ?? noLog;

  const server = new Server(
    { name: spec.name, version: spec.version },
    {
      capabilities: { tools: { listChanged: false } },
      ...(spec.instructions !== undefined ? { instructions: spec.instructions } : {}),
      // Stateless HTTP builds a server per request; without this the SDK builds a new Ajv each time.
      jsonSchemaValidator: sharedValidator(),
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({
    tools: prepared.listing,
  }));

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      const name = request.params.name;
      const tool = prepared.tools.get(name);
      if (!tool) {
        // The MCP specification reports unknown tools as a protocol error (-32602), not a tool result.
        throw new McpError(
          ErrorCode.InvalidParams,
          `Unknown tool: ${JSON.stringify(name)}. Available tools: ${[...prepared.tools.keys()].join(', ')}`,
        );
      }
      return callTool(tool, request.params.arguments ?? {}, invoke, {
        signal: extra.signal,
        env,
        log,
      });
    },
  );

  return server;
}

/** A tool and its argument checker, prepared once per spec. */
interface PreparedTool {
  spec: McpToolSpec;
  check: (args: unknown) => string[];
}

interface PreparedServer {
  tools: Map<string, PreparedTool>;
  listing: Tool[];
}

const preparedCache = new WeakMap<McpServerSpec, PreparedServer>();

/** Checks the spec once and precomputes the `tools/list` answer and the argument checkers. */
function prepare(spec: McpServerSpec): PreparedServer {
  const cached = preparedCache.get(spec);
  if (cached) return cached;

  const tools = new Map<string, PreparedTool>();
  const listing: Tool[] = [];
  for (const tool of spec.tools) {
    if (tools.has(tool.name))
      throw new Error(`MCP server ${spec.name}: duplicate tool name ${tool.name}`);
    if (tool.inputSchema.type !== 'object') {
      throw new Error(`MCP tool ${tool.name}: inputSchema must have type "object"`);
    }
    if (tool.outputSchema && tool.outputSchema.type !== 'object') {
      throw new Error(`MCP tool ${tool.name}: outputSchema must have type "object"`);
    }
    const schema = tool.inputSchema;
    tools.set(tool.name, { spec: tool, check: (args) => validateArguments(schema, args) });
    listing.push({
      name: tool.name,
      ...(tool.title !== undefined ? { title: tool.title } : {}),
      description: tool.description,
      // The generated schemas are plain JSON Schema objects; the SDK type only pins `type: 'object'`.
      inputSchema: tool.inputSchema as Tool['inputSchema'],
      ...(tool.outputSchema
        ? { outputSchema: tool.outputSchema as NonNullable<Tool['outputSchema']> }
        : {}),
      annotations: {
        ...(tool.title !== undefined ? { title: tool.title } : {}),
        readOnlyHint: tool.annotations.readOnlyHint,
        destructiveHint: tool.annotations.destructiveHint,
        idempotentHint: tool.annotations.idempotentHint,
        openWorldHint: tool.annotations.openWorldHint,
      },
    });
  }
  const result = { tools, listing };
  preparedCache.set(spec, result);
  return result;
}

/** Runs one tool call. Never throws: every failure becomes an `isError` result an agent can act on. */
async function callTool(
  tool: PreparedTool,
  args: unknown,
  invoke: Invoke,
  ctx: { signal: AbortSignal; env: McpEnv; log: McpLog },
): Promise<CallToolResult> {
  const { spec } = tool;
  const started = Date.now();

  const issues = tool.check(args);
  if (issues.length > 0) {
    ctx.log(
      `tool ${spec.name}: invalid arguments (${issues.length} issue${issues.length === 1 ? '' : 's'})`,
    );
    return errorResult(
      redact(
        `Invalid arguments for tool ${spec.name}:\n` +
          issues.map((issue) => `- ${issue}`).join('\n') +
          '\nFix the arguments to match the tool input schema and call the tool again.',
        ctx.env,
      ),
    );
  }

  try {
    const params = bindInputs(spec.with, args as Record<string, unknown>);
    const response = await invoke(spec.call, params, { signal: ctx.signal });
    const mapped = applyOutput(spec.output, response.data, ctx.env);
    const structured = isJsonObject(mapped) ? mapped : { [STRUCTURED_RESULT_KEY]: mapped };
    ctx.log(
      `tool ${spec.name}: ok (upstream ${response.status}${response.requestId ? `, ${response.requestId}` : ''}, ` +
        `${Date.now() - started} ms)`,
    );
    return {
      // MCP: a tool returning structured content SHOULD also return it serialised in a text block.
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured,
    };
  } catch (error) {
    const failure = describeFailure(error, spec);
    ctx.log(
      redact(`tool ${spec.name}: ${failure.logSummary} (${Date.now() - started} ms)`, ctx.env),
    );
    return errorResult(redact(failure.text, ctx.env));
  }
}

function errorResult(text: string): CallToolResult {
  // No structuredContent on errors: clients validate it against the tool's outputSchema.
  return { content: [{ type: 'text', text }], isError: true };
}

interface Failure {
  /** What the agent sees. */
  text: string;
  /** Short form for the log. */
  logSummary: string;
}

/**
 * Explains a thrown error. Errors are classified by shape, so that the runtime's `ApiError`,
 * `ApiConnectionError`, `ApiTimeoutError` and `MissingCredentialsError` are recognised without importing
 * them. The upstream error body (`raw`) is deliberately never included.
 */
function describeFailure(error: unknown, tool: McpToolSpec): Failure {
  const err = isRecord(error) ? error : {};
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? err.message : String(error);
  const operation = `${tool.call.method} ${tool.call.path}`;

  if (name === 'ApiError' || (typeof err.status === 'number' && ('type' in err || 'code' in err))) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const details: Record<string, JsonValue> = {};
    if (status !== undefined) details.status = status;
    for (const key of ['type', 'code', 'param', 'declineCode', 'docUrl', 'requestId'] as const) {
      const value = err[key];
      if (typeof value === 'string' && value !== '') details[key] = value;
    }
    details.message = message;
    const retryable = status === 429 || (status !== undefined && status >= 500);
    details.retryable = retryable;
    return {
      text:
        `The upstream API rejected ${operation} (tool ${tool.name}) with HTTP ${status ?? 'error'}: ${message}\n` +
        `${apiErrorHint(status, details.param)}\n` +
        JSON.stringify({ error: details }),
      logSummary:
        `upstream error HTTP ${status ?? '?'}` +
        `${details.type ? ` ${String(details.type)}` : ''}${details.code ? `/${String(details.code)}` : ''}` +
        `${details.requestId ? ` (${String(details.requestId)})` : ''}`,
    };
  }

  if (name === 'ApiTimeoutError' || name === 'TimeoutError') {
    return {
      text:
        `The upstream API did not answer ${operation} (tool ${tool.name}) in time: ${message}\n` +
        'This may be temporary; retry later. If the tool is not idempotent, check first whether the ' +
        'previous attempt took effect.',
      logSummary: 'upstream timeout',
    };
  }

  if (name === 'ApiConnectionError') {
    return {
      text:
        `Could not connect to the upstream API for ${operation} (tool ${tool.name}): ${message}\n` +
        'The service may be down or unreachable from this server; retry later.',
      logSummary: 'upstream connection failed',
    };
  }

  if (name === 'MissingCredentialsError') {
    const variables = collectVariableNames(err);
    return {
      text:
        `The MCP server is not configured to call the upstream API: ${message}` +
        (variables.some((variable) => !message.includes(variable))
          ? `\nSet the environment variable(s) ${variables.join(', ')} and restart the server.`
          : '') +
        '\nThis is a server configuration problem; changing the tool arguments will not help.',
      logSummary: `missing upstream credentials${variables.length > 0 ? ` (${variables.join(', ')})` : ''}`,
    };
  }

  if (name === 'ParameterError') {
    return {
      text:
        `The arguments for tool ${tool.name} cannot form an upstream request: ${message}\n` +
        'Fix the arguments and call the tool again.',
      logSummary: `parameter error${typeof err.param === 'string' ? ` (${err.param})` : ''}`,
    };
  }

  if (name === 'AbortError') {
    return { text: `The call to tool ${tool.name} was cancelled.`, logSummary: 'cancelled' };
  }

  return {
    text: `Tool ${tool.name} failed inside the MCP server: ${name ? `${name}: ` : ''}${message}`,
    logSummary: `internal error ${name ? `${name}: ` : ''}${message}`,
  };
}

function apiErrorHint(status: number | undefined, param: JsonValue | undefined): string {
  if (status === 401 || status === 403) {
    return "The server's upstream credentials were refused; this is a server configuration problem, not an argument problem.";
  }
  if (status === 402) {
    return 'The request was valid but could not be completed (for example a declined payment); retrying the same call will not help.';
  }
  if (status === 404)
    return 'The requested object does not exist; check the identifiers you passed.';
  if (status === 409)
    return 'The request conflicts with the current state of the object; re-read it and retry.';
  if (status === 429) return 'Rate limited by the upstream API; wait a little and retry.';
  if (status !== undefined && status >= 500) return 'The upstream API failed; retry later.';
  if (typeof param === 'string')
    return `Check the argument behind upstream parameter "${param}" and call the tool again.`;
  return 'Check the arguments and call the tool again.';
}

/** Environment variable names carried by a MissingCredentialsError-like object, whatever the field name. */
function collectVariableNames(err: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const key of ['envVar', 'envVars', 'variable', 'variables', 'env', 'missing']) {
    const value = err[key];
    if (typeof value === 'string') names.push(value);
    else if (Array.isArray(value))
      for (const item of value) if (typeof item === 'string') names.push(item);
  }
  return [...new Set(names)];
}

// ---------------------------------------------------------------------------------------------------
// Streamable HTTP (web standard)
// ---------------------------------------------------------------------------------------------------

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
 * configured credentials (401 otherwise). Throws at creation if an auth environment variable is unset.
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
  const authenticate = inboundAuthenticator(spec.auth, env);
  prepare(spec); // fail fast on an invalid spec

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
    if (url.pathname !== path)
      return jsonResponse(404, { error: 'not_found', message: `No route for ${url.pathname}` });

    const origin = request.headers.get('origin');
    if (origin !== null && !originAllowed(origin)) {
      return jsonRpcError(403, -32000, `Forbidden: Origin ${origin} is not allowed`);
    }
    const cors = corsHeaders(origin, spec.auth);

    if (request.method === 'OPTIONS')
      return new Response(null, { status: 204, headers: cors.preflight });
    if (request.method !== 'POST')
      return withHeaders(methodNotAllowed('POST, OPTIONS'), cors.response);

    const denied = authenticate(request, url);
    if (denied) return withHeaders(denied, cors.response);

    const server = createMcpServer(spec, invoke, { env, log });
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
      const response = await Promise.race([transport.handleRequest(request), hungUp]);
      return withHeaders(response, cors.response);
    } catch (error) {
      log(
        redact(`http ${request.method} ${url.pathname}: internal error: ${errorText(error)}`, env),
      );
      return withHeaders(jsonRpcError(500, -32603, 'Internal server error'), cors.response);
    } finally {
      request.signal.removeEventListener('abort', onAbort);
      // In JSON-response mode the response is complete once handleRequest resolves.
      await server.close().catch(() => undefined);
    }
  }
}

/** Loopback origins are always allowed (any port); `extra` adds exact origins such as `https://app.example.com`. */
function originChecker(extra: string[]): (origin: string) => boolean {
  const allowed = new Set(extra.map(normaliseOrigin));
  return (origin) => {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null"
    }
    if (allowed.has(parsed.origin.toLowerCase())) return true;
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      (parsed.hostname === 'localhost' ||
        parsed.hostname === '127.0.0.1' ||
        parsed.hostname === '[::1]')
    );
  };
}

function normaliseOrigin(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin.replace(/\/+$/, '').toLowerCase();
  }
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
 * Returns a checker that yields a 401 response for unauthenticated requests, or undefined when the
 * request may proceed. Expected values are resolved from the environment once, here.
 */
function inboundAuthenticator(
  auth: InboundAuth | undefined,
  env: McpEnv,
): (request: Request, url: URL) => Response | undefined {
  if (!auth || auth.type === 'none') return () => undefined;
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected) {
    throw new Error(
      `MCP inbound authentication: set environment variable ${expected.missing.join(', ')} (the ${expected.what})`,
    );
  }
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

// ---------------------------------------------------------------------------------------------------
// Node HTTP server
// ---------------------------------------------------------------------------------------------------

/**
 * Serves `createMcpFetchHandler` on a Node HTTP server. Binds 127.0.0.1 unless `host` says otherwise;
 * logs to stderr unless `log` is given. Resolves once listening.
 */
export async function serveMcpHttp(
  spec: McpServerSpec,
  invoke: Invoke,
  options: ServeMcpHttpOptions,
): Promise<McpHttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? stderrLog;
  const env = options.env ?? defaultEnv();
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const handler = createMcpFetchHandler(spec, invoke, { ...options, env, log });
  // Loaded here, not at the top, so that the fetch handler also loads on edge runtimes.
  const { createServer: createHttpServer } = await import('node:http');
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const httpServer = createHttpServer((req, res) => {
    handleNodeRequest(req, res).catch((error: unknown) => {
      log(
        redact(
          `http: failed to answer ${req.method ?? '?'} ${req.url ?? ''}: ${errorText(error)}`,
          env,
        ),
      );
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end();
    });
  });

  async function handleNodeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Cancels in-flight work when the client goes away before the answer is written.
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
    });

    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Request body too large' },
          id: null,
        }),
      );
      return;
    }

    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const method = req.method ?? 'GET';
    const { port } = httpServer.address() as AddressInfo;
    const request = new Request(new URL(req.url ?? '/', `http://${urlHost}:${port}`), {
      method,
      headers,
      signal: aborter.signal,
      ...(method !== 'GET' && method !== 'HEAD' && body.length > 0
        ? { body: new Uint8Array(body) }
        : {}),
    });

    const response = await handler(request);
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      outHeaders[key] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (response.body && method !== 'HEAD') {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${urlHost}:${port}${options.path ?? '/mcp'}`;
  log(`MCP server ${spec.name} ${spec.version} listening on ${url}`);

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        tooLarge = true; // keep draining so the connection stays usable
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------
// stdio
// ---------------------------------------------------------------------------------------------------

/**
 * Serves MCP over stdin/stdout. Resolves once the server is connected; the process then lives as long as
 * stdin is open. stdout carries nothing but protocol messages: logs go to stderr, and `console.log`,
 * `console.info` and `console.debug` are redirected to stderr so stray output cannot corrupt the stream.
 */
export async function serveMcpStdio(
  spec: McpServerSpec,
  invoke: Invoke,
  options: McpRuntimeOptions = {},
): Promise<void> {
  const log = options.log ?? stderrLog;
  const env = options.env ?? defaultEnv();
  console.log = console.info = console.debug = console.error;

  const server = createMcpServer(spec, invoke, { env, log });
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const transport = new StdioServerTransport();
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  log(`MCP server ${spec.name} ${spec.version} serving on stdio`);
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

function noLog(): void {}

/** `process.env` where there is one (Node, Bun, Deno, Workers with nodejs_compat), else nothing. */
function defaultEnv(): McpEnv {
  return (globalThis as { process?: { env?: McpEnv } }).process?.env ?? {};
}

function stderrLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isJsonObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Names of environment variables whose values are treated as secrets. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i;
/** API-key-shaped strings (Stripe-style `sk_live_…`, `rk_test_…`, webhook `whsec_…`). */
const SECRET_SHAPE = /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9]+/g;

/** Removes secret values from text that leaves this module. */
function redact(text: string, env: McpEnv): string {
  let out = text.replace(SECRET_SHAPE, '[redacted]');
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= 8 && SECRET_NAME.test(name))
      out = out.split(value).join('[redacted]');
  }
  return out;
}
