/**
 * The REST adapter runtime: serves a capability's exposed REST routes by validating each request,
 * calling the upstream operation through an injected {@link Invoke} function, and shaping the answer.
 *
 * Generated code passes a {@link RestAdapterSpec} (plain data) and an `invoke` bound to the upstream
 * API client. Two entry points share one engine:
 *
 * - {@link createRestHandler}: a web-standard `(Request) => Promise<Response>` handler, usable on any
 *   runtime with the Fetch API (Node, Deno, Bun, edge workers). This module does not import any Node
 *   built-in at load time, so it also loads where those do not exist.
 * - {@link serveRest}: a `node:http` server. For handlers made by `createRestHandler` it runs the
 *   engine directly on Node's request/response objects (no Request/Response conversion, which costs
 *   measurable throughput); any other web handler is served through conversion.
 *
 * Errors use Stripe's shape: `{"error": {"type": "invalid_request_error", "message": ..., "param": ...}}`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type {
  Binding,
  HttpMethod,
  InboundAuth,
  Invoke,
  JsonSchema,
  JsonValue,
  OperationSpec,
  OutputMapping,
  ValueTemplate,
} from './contract.js';
import { credentialsMatch, resolveExpectedCredentials, timingSafeEqual } from './credentials.js';
import { applyOutput, bindInputs, isValueTemplate } from './output.js';
import {
  coerceQueryParam,
  coerceTextParam,
  MalformedQueryError,
  parseQuery,
  type ParsedQuery,
} from './rest-query.js';
import { validateValue } from './validate.js';

// ---------------------------------------------------------------------------------------------------
// Public types

/** One input of an exposed REST operation. `in: 'body'` is the whole JSON request body. */
export interface RestInput {
  name: string;
  in: 'path' | 'query' | 'body';
  required: boolean;
  schema: JsonSchema;
}

/** One exposed REST operation: a path and method, its inputs, and the upstream call it makes. */
export interface RestRoute {
  /** The path exactly as written in the capability, with `{param}` placeholders. */
  path: string;
  method: HttpMethod;
  operationName: string;
  inputs: RestInput[];
  /** The upstream operation to call. */
  call: OperationSpec;
  /** Upstream parameter name -> where its value comes from. */
  with: Record<string, Binding>;
  /** Output mappings; absent means the upstream body as is. */
  output?: OutputMapping[];
}

/** A capability's REST exposure (an exposes block of type rest). */
export interface RestAdapterSpec {
  namespace: string;
  routes: RestRoute[];
  /** How callers authenticate; open when absent (or `type: 'none'`). `/healthz` is always open. */
  auth?: InboundAuth;
  /** Largest accepted request body in bytes; default 1 MiB. */
  maxBodyBytes?: number;
}

/** The upstream call (see contract.ts). */
export type { Invoke };

/** A web-standard request handler. */
export type RestHandler = (request: Request) => Promise<Response>;

export interface RestHandlerOptions {
  /** Environment for inbound-auth secrets and output templates, read at request time; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where unexpected (500) errors are reported, with secrets redacted; default `console.error`. */
  log?: (line: string) => void;
}

export interface ServeRestOptions {
  port: number;
  host: string;
  /** One access-log line per request; default: stdout. `false` disables it. */
  log?: ((line: string) => void) | false;
  /**
   * The upstream request id (e.g. Stripe's `req_...`) is always logged; with `'expose'` (default) it is
   * also returned to callers in the `x-upstream-request-id` header, with `'log-only'` it is not.
   */
  upstreamRequestIds?: 'expose' | 'log-only';
  /** After this long, `close()` stops waiting and drops remaining connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /**
   * Serve `createRestHandler` handlers directly on node:http objects (default true). `false` forces
   * the Request/Response conversion path, for comparison. Note that path cannot carry a body on a
   * GET request (the Fetch API forbids it).
   */
  fastPath?: boolean;
}

/** A running server. */
export interface RestServer {
  /** Base URL, e.g. `http://127.0.0.1:53123` (the real port when 0 was asked for). */
  readonly url: string;
  /** The underlying node:http server. */
  readonly server: Server;
  /**
   * Graceful shutdown: stops accepting connections, answers requests that arrive on open
   * keep-alive connections with 503, waits for in-flight requests to finish, then resolves.
   * Idempotent.
   */
  close(): Promise<void>;
}

/** Response header carrying the upstream request id. */
export const UPSTREAM_REQUEST_ID_HEADER = 'x-upstream-request-id';

// ---------------------------------------------------------------------------------------------------
// Engine: routing, auth, validation, upstream call. Works on a small request view so that both the
// web handler and the node:http fast path can drive it.

/** What the engine needs from an incoming request. */
interface RequestView {
  readonly method: string;
  /** Raw path, still percent-encoded, without query string. */
  readonly path: string;
  /** Raw query string without '?', '' when absent. */
  readonly query: string;
  /** First value of a header; `name` is lower-case. */
  header(name: string): string | undefined;
  /** 0: no body; n > 0: declared Content-Length; -1: a body of unknown length. */
  bodyLength(): number;
  /** The body as UTF-8 text, or null when it exceeds `limit` bytes. */
  readBody(limit: number): Promise<string | null>;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal | undefined;
}

/** The engine's answer, turned into a Response or written to a ServerResponse. */
interface CoreResponse {
  status: number;
  /** JSON text, or '' for no body. */
  body: string;
  /** Extra headers (Allow, WWW-Authenticate). */
  headers?: Record<string, string>;
  upstreamRequestId?: string;
}

/** A compiled route: the route plus lookups precomputed from its inputs. */
interface CompiledRoute {
  route: RestRoute;
  pathInputs: Map<string, RestInput>;
  queryInputs: Map<string, RestInput>;
  requiredInputs: RestInput[];
  bodyInput: RestInput | undefined;
  /** Whether output mappings read environment variables (then the response is redacted). */
  outputUsesEnv: boolean;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const HEALTHZ_BODY = '{"status":"ok"}';

class RestEngine {
  readonly router: Router;
  private readonly healthzOpen: boolean;
  private readonly maxBodyBytes: number;
  private readonly env: Record<string, string | undefined>;
  private readonly log: (line: string) => void;
  private readonly auth: Exclude<InboundAuth, { type: 'none' }> | undefined;
  /** For apikey-in-query auth: the query parameter that carries the key (not an input). */
  private readonly authQueryParam: string | undefined;

  constructor(
    readonly spec: RestAdapterSpec,
    private readonly invoke: Invoke,
    options: RestHandlerOptions,
  ) {
    this.router = new Router(spec.routes.map(compileRoute));
    this.healthzOpen = !spec.routes.some((r) => r.path === '/healthz');
    this.maxBodyBytes = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.env =
      options.env ??
      (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ??
      {};
    this.log = options.log ?? ((line) => console.error(line));
    this.auth = spec.auth === undefined || spec.auth.type === 'none' ? undefined : spec.auth;
    this.authQueryParam =
      this.auth?.type === 'apikey' && this.auth.placement === 'query' ? this.auth.key : undefined;
  }

  /** Answers one request. Never rejects. */
  async handle(req: RequestView): Promise<CoreResponse> {
    try {
      return await this.handleUnsafe(req);
    } catch (error) {
      // The caller left while sending its body: nobody will read an answer, nothing to report.
      if (error instanceof ClientClosedError)
        return errorResponse(499, 'invalid_request_error', error.message);
      // Otherwise only reached on bugs; upstream errors are classified in upstreamError.
      this.log(`capgen rest: internal error: ${this.redact(describeError(error))}`);
      return errorResponse(500, 'api_error', 'An internal error occurred in the REST adapter.');
    }
  }

  private async handleUnsafe(req: RequestView): Promise<CoreResponse> {
    const method = req.method;
    if (this.healthzOpen && req.path === '/healthz') {
      if (method === 'GET' || method === 'HEAD') return { status: 200, body: HEALTHZ_BODY };
      return methodNotAllowed(method, req.path, 'GET, HEAD');
    }

    let query: ParsedQuery | undefined;
    if (req.query !== '') {
      try {
        query = parseQuery(req.query);
      } catch (error) {
        if (error instanceof MalformedQueryError) return invalidRequest(error.message);
        throw error;
      }
    }

    if (this.auth !== undefined) {
      const denied = checkAuth(this.auth, req, query, this.env, this.spec.namespace);
      if (denied !== undefined) return denied;
    }

    const match = this.router.match(method, req.path);
    if (match === undefined) {
      return errorResponse(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${truncate(req.path, 200)}).`,
      );
    }
    if ('allow' in match) return methodNotAllowed(method, req.path, match.allow);
    const compiled = match.route;

    // Path parameters: one segment each, percent-decoded exactly once.
    const inputs: Record<string, unknown> = {};
    const names = match.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let text = match.values[i];
      if (text.indexOf('%') >= 0) {
        try {
          text = decodeURIComponent(text);
        } catch {
          return invalidRequest(
            `Invalid ${name}: malformed percent-encoding in the URL path.`,
            name,
          );
        }
      }
      if (text === '.' || text === '..') {
        // Encoded as-is into the upstream URL these would walk up its path.
        return invalidRequest(`Invalid ${name}: "${text}" is not a valid value.`, name);
      }
      const input = compiled.pathInputs.get(name);
      if (input === undefined) {
        inputs[name] = text;
        continue;
      }
      const coerced = coerceTextParam(input.schema, text, name);
      if (!coerced.ok) return invalidRequest(coerced.issue.message, coerced.issue.param);
      inputs[name] = coerced.value;
    }

    // Query parameters, typed by their schemas.
    if (query !== undefined) {
      for (const [name, entries] of query) {
        if (name === this.authQueryParam) continue;
        const input = compiled.queryInputs.get(name);
        if (input === undefined) return unknownParameter(name, compiled);
        const coerced = coerceQueryParam(input.schema, entries, name);
        if (!coerced.ok) return invalidRequest(coerced.issue.message, coerced.issue.param);
        inputs[name] = coerced.value;
      }
    }

    // JSON body.
    const bodyResult = await this.readJsonBody(req, compiled);
    if (bodyResult !== undefined && 'status' in bodyResult) return bodyResult;
    if (compiled.bodyInput !== undefined && bodyResult !== undefined)
      inputs[compiled.bodyInput.name] = bodyResult.value;

    for (const input of compiled.requiredInputs) {
      if (inputs[input.name] === undefined) {
        const message =
          input.in === 'body'
            ? `Missing required param: ${input.name}. Send a JSON request body (Content-Type: application/json).`
            : `Missing required param: ${input.name}.`;
        return invalidRequest(message, input.name);
      }
    }

    return this.callUpstream(compiled, bindInputs(compiled.route.with, inputs), req);
  }

  /**
   * Reads, parses and validates the JSON body. Returns undefined when there is none, `{value}` when
   * there is one, or an error response.
   */
  private async readJsonBody(
    req: RequestView,
    compiled: CompiledRoute,
  ): Promise<{ value: JsonValue } | CoreResponse | undefined> {
    const length = req.bodyLength();
    if (length === 0) return undefined;
    const jsonType = isJsonContentType(req.header('content-type'));
    if (!jsonType && length > 0) return unsupportedMediaType(req.header('content-type'));
    if (length > this.maxBodyBytes) return payloadTooLarge(this.maxBodyBytes);
    const text = await req.readBody(this.maxBodyBytes);
    if (text === null) return payloadTooLarge(this.maxBodyBytes);
    if (isBlank(text)) return undefined;
    if (!jsonType) return unsupportedMediaType(req.header('content-type'));

    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch (error) {
      const detail = error instanceof Error ? ` (${error.message})` : '';
      return invalidRequest(`Invalid JSON in the request body${detail}.`);
    }

    const input = compiled.bodyInput;
    if (input === undefined) {
      if (isEmptyObject(value)) return undefined;
      return invalidRequest(
        `${compiled.route.method} ${compiled.route.path} does not take a request body; pass its parameters in the path or query string.`,
      );
    }
    const issue = validateValue(input.schema, value, '');
    if (issue !== undefined) {
      return invalidRequest(issue.message, issue.param === '' ? input.name : issue.param);
    }
    return { value };
  }

  private async callUpstream(
    compiled: CompiledRoute,
    params: Record<string, unknown>,
    req: RequestView,
  ): Promise<CoreResponse> {
    const route = compiled.route;
    // The signal is created only if `invoke` reads it: on Node an AbortController per request costs
    // a measurable share of the adapter's own CPU time.
    const ctx = {
      get signal(): AbortSignal | undefined {
        return req.signal;
      },
    };
    let result: Awaited<ReturnType<Invoke>>;
    try {
      result = await this.invoke(route.call, params, ctx);
    } catch (error) {
      return this.upstreamError(route, error);
    }
    const upstreamRequestId = safeHeaderValue(result.requestId);
    const status = result.status >= 200 && result.status < 300 ? result.status : 200;
    if (status === 204 || status === 205) return { status, body: '', upstreamRequestId };
    let body =
      JSON.stringify(
        applyOutput(route.output, result.data, compiled.outputUsesEnv ? this.env : undefined),
      ) ?? 'null';
    if (compiled.outputUsesEnv) body = this.redact(body);
    return { status, body, upstreamRequestId };
  }

  /** Maps an error thrown by `invoke` to a response (duck-typed, so any client's classes work). */
  private upstreamError(route: RestRoute, error: unknown): CoreResponse {
    const err = (typeof error === 'object' && error !== null ? error : {}) as Record<
      string,
      unknown
    >;
    const name = typeof err.name === 'string' ? err.name : '';
    const upstreamRequestId = safeHeaderValue(err.requestId);

    if (name === 'ApiTimeoutError') {
      return {
        ...errorResponse(
          504,
          'api_connection_error',
          `The upstream API did not answer in time (${route.call.id}).`,
        ),
        upstreamRequestId,
      };
    }
    if (name === 'ApiConnectionError') {
      return {
        ...errorResponse(
          502,
          'api_connection_error',
          `Could not reach the upstream API (${route.call.id}).`,
        ),
        upstreamRequestId,
      };
    }
    if (name === 'MissingCredentialsError') {
      const variable = [err.envVar, err.variable, err.env].find(
        (v): v is string => typeof v === 'string',
      );
      const message =
        variable !== undefined
          ? `The server has no credentials for the upstream API: set the ${variable} environment variable.`
          : this.redact(
              typeof err.message === 'string'
                ? err.message
                : 'The server has no credentials for the upstream API.',
            );
      return errorResponse(500, 'api_error', message);
    }
    if (name === 'ParameterError') {
      // The client could not form the upstream request from the inputs (e.g. a required path value).
      const param = typeof err.param === 'string' ? err.param : undefined;
      return invalidRequest(
        this.redact(typeof err.message === 'string' ? err.message : 'Invalid parameters.'),
        param,
      );
    }
    if (name === 'AbortError') {
      // The caller went away; nobody will read this.
      return errorResponse(499, 'api_connection_error', 'The request was cancelled.');
    }
    if (typeof err.status === 'number' && 'raw' in err) {
      return { ...this.passThroughApiError(err.status, err), upstreamRequestId };
    }
    this.log(
      `capgen rest: ${route.operationName}: unexpected error from the upstream call: ${this.redact(describeError(error))}`,
    );
    return errorResponse(
      500,
      'api_error',
      'An unexpected error occurred while calling the upstream API.',
    );
  }

  /** Upstream 4xx/5xx: the same status and body the upstream sent (secrets redacted). */
  private passThroughApiError(status: number, err: Record<string, unknown>): CoreResponse {
    const httpStatus = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
    const raw = err.raw;
    let body: string | undefined;
    if (typeof raw === 'string') {
      if (raw.trim() !== '' && isJsonText(raw)) body = raw;
    } else if (raw !== undefined && raw !== null) {
      body = safeStringify(raw);
    }
    if (body === undefined) {
      // No usable body: rebuild Stripe's shape from the error's fields.
      const error: Record<string, string> = {
        type: typeof err.type === 'string' ? err.type : 'api_error',
        message:
          typeof raw === 'string' && raw.trim() !== ''
            ? raw
            : typeof err.message === 'string'
              ? err.message
              : `Upstream error ${status}.`,
      };
      if (typeof err.code === 'string') error.code = err.code;
      if (typeof err.param === 'string') error.param = err.param;
      body = JSON.stringify({ error });
    }
    return { status: httpStatus, body: this.redact(body) };
  }

  /**
   * Removes secret values from text that may reach a caller or a log: values of environment
   * variables used by inbound auth, and of variables whose names look secret (KEY, TOKEN, ...).
   */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets())
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out;
  }

  private secrets(): string[] {
    const values = new Set<string>();
    for (const name of authEnvNames(this.auth)) {
      const value = this.env[name];
      if (value !== undefined && value.length >= 4) values.add(value);
    }
    for (const name of Object.keys(this.env)) {
      if (!SECRET_NAME.test(name)) continue;
      const value = this.env[name];
      if (value !== undefined && value.length >= 8) values.add(value);
    }
    // Longest first, so a secret containing another is replaced whole.
    return [...values].sort((a, b) => b.length - a.length);
  }
}

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSW|CREDENTIAL|PRIVATE|AUTH/i;

/** The client closed the connection before its request body was complete. */
class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
}

function compileRoute(route: RestRoute): CompiledRoute {
  const pathInputs = new Map<string, RestInput>();
  const queryInputs = new Map<string, RestInput>();
  let bodyInput: RestInput | undefined;
  for (const input of route.inputs) {
    if (input.in === 'path') pathInputs.set(input.name, input);
    else if (input.in === 'query') queryInputs.set(input.name, input);
    else bodyInput = input;
  }
  const usesEnv = (mapping: OutputMapping): boolean => {
    switch (mapping.kind) {
      case 'value':
        return isValueTemplate(mapping.value) && mapping.value.some((part) => 'env' in part);
      case 'object':
        return Object.values(mapping.properties).some(usesEnv);
      case 'array':
        return usesEnv(mapping.items);
      case 'path':
        return false;
    }
  };
  return {
    route,
    pathInputs,
    queryInputs,
    requiredInputs: route.inputs.filter((i) => i.required),
    bodyInput,
    outputUsesEnv: (route.output ?? []).some(usesEnv),
  };
}

// ---------------------------------------------------------------------------------------------------
// Routing: exact paths with `{param}` placeholders, each matching one non-empty segment.

type SegmentMatcher =
  | { kind: 'static'; text: string }
  | { kind: 'param'; name: string }
  /** A segment mixing text and placeholders, e.g. `{id}.json`. */
  | { kind: 'mixed'; regex: RegExp; names: string[] };

interface PathEntry {
  template: string;
  segments: SegmentMatcher[];
  names: string[];
  methods: Map<string, CompiledRoute>;
  allow: string;
}

type RouteMatch = { route: CompiledRoute; names: string[]; values: string[] } | { allow: string };

const NO_STRINGS: string[] = [];

class Router {
  /** Paths without placeholders, by exact raw text. */
  private readonly exact = new Map<string, PathEntry>();
  /** Paths with placeholders, by segment count, most specific first. */
  private readonly templated = new Map<number, PathEntry[]>();

  constructor(routes: CompiledRoute[]) {
    const entries = new Map<string, PathEntry>();
    for (const compiled of routes) {
      const template = compiled.route.path;
      let entry = entries.get(template);
      if (entry === undefined) {
        const segments = template.split('/').map(compileSegment);
        const names = segments.flatMap((s) =>
          s.kind === 'param' ? [s.name] : s.kind === 'mixed' ? s.names : [],
        );
        entry = { template, segments, names, methods: new Map(), allow: '' };
        entries.set(template, entry);
      }
      if (entry.methods.has(compiled.route.method)) {
        throw new Error(`Duplicate REST route: ${compiled.route.method} ${template}`);
      }
      entry.methods.set(compiled.route.method, compiled);
    }
    for (const entry of entries.values()) {
      entry.allow = [...entry.methods.keys()].join(', ');
      if (entry.names.length === 0) {
        this.exact.set(entry.template, entry);
      } else {
        const list = this.templated.get(entry.segments.length) ?? [];
        list.push(entry);
        this.templated.set(entry.segments.length, list);
      }
    }
    for (const list of this.templated.values()) list.sort(compareSpecificity);
  }

  /** The route for `method` at `path`; `{allow}` when the path exists with other methods only. */
  match(method: string, path: string): RouteMatch | undefined {
    let allow: string[] | undefined;
    const exact = this.exact.get(path);
    if (exact !== undefined) {
      const route = exact.methods.get(method);
      if (route !== undefined) return { route, names: NO_STRINGS, values: NO_STRINGS };
      allow = [exact.allow];
    }
    const segments = path.split('/');
    const candidates = this.templated.get(segments.length);
    if (candidates !== undefined) {
      for (const entry of candidates) {
        const values = matchSegments(entry.segments, segments);
        if (values === undefined) continue;
        const route = entry.methods.get(method);
        if (route !== undefined) return { route, names: entry.names, values };
        (allow ??= []).push(entry.allow);
      }
    }
    if (allow === undefined && path.indexOf('%') >= 0) {
      // A static path written with needless escapes (`/v1/%63ustomers`) still names the same route.
      const decoded = safeDecode(path);
      if (
        decoded !== undefined &&
        decoded !== path &&
        !decoded.includes('%') &&
        this.exact.has(decoded)
      ) {
        return this.match(method, decoded);
      }
    }
    return allow === undefined
      ? undefined
      : { allow: [...new Set(allow.join(', ').split(', '))].join(', ') };
  }
}

function compileSegment(text: string): SegmentMatcher {
  const whole = /^\{([^{}]+)\}$/.exec(text);
  if (whole !== null) return { kind: 'param', name: whole[1] };
  if (!text.includes('{')) return { kind: 'static', text };
  const names: string[] = [];
  const source = text.replace(
    /\{([^{}]+)\}|([^{]+)/g,
    (_, name: string | undefined, literal: string | undefined) => {
      if (name !== undefined) {
        names.push(name);
        return '([^/]+?)';
      }
      return (literal ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    },
  );
  return { kind: 'mixed', regex: new RegExp(`^${source}$`), names };
}

/** Raw (undecoded) values of the placeholders, or undefined when the segments do not match. */
function matchSegments(matchers: SegmentMatcher[], segments: string[]): string[] | undefined {
  let values: string[] | undefined;
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i];
    const segment = segments[i];
    if (matcher.kind === 'static') {
      if (
        segment !== matcher.text &&
        !(segment.indexOf('%') >= 0 && safeDecode(segment) === matcher.text)
      )
        return undefined;
    } else if (matcher.kind === 'param') {
      if (segment === '') return undefined;
      (values ??= []).push(segment);
    } else {
      const found = matcher.regex.exec(segment);
      if (found === null) return undefined;
      for (let g = 1; g < found.length; g++) (values ??= []).push(found[g]);
    }
  }
  return values ?? NO_STRINGS;
}

/** Static segments before placeholders: `/a/b/{x}` is tried before `/a/{y}/c`. */
function compareSpecificity(a: PathEntry, b: PathEntry): number {
  const rank = (m: SegmentMatcher): number =>
    m.kind === 'static' ? 0 : m.kind === 'mixed' ? 1 : 2;
  for (let i = 0; i < a.segments.length; i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// Inbound authentication

/** Undefined when the request is authenticated; otherwise the 401 (or 500 if misconfigured). */
function checkAuth(
  auth: Exclude<InboundAuth, { type: 'none' }>,
  req: RequestView,
  query: ParsedQuery | undefined,
  env: Record<string, string | undefined>,
  realm: string,
): CoreResponse | undefined {
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected) return authNotConfigured(expected.missing[0]);
  const presented = {
    header: (name: string) => req.header(name),
    query: (name: string) => {
      const entries = query?.get(name);
      return entries !== undefined && entries.length === 1 && entries[0].keys.length === 0
        ? entries[0].value
        : undefined;
    },
  };
  if (credentialsMatch(expected, presented)) return undefined;
  const quotedRealm = `"${realm.replace(/["\\]/g, '')}"`;
  switch (expected.type) {
    case 'bearer':
      return unauthorized(
        'Missing or invalid credentials. Send the header `Authorization: Bearer <token>`.',
        `Bearer realm=${quotedRealm}${req.header('authorization') === undefined ? '' : ', error="invalid_token"'}`,
      );
    case 'apikey': {
      const where =
        expected.placement === 'header'
          ? `the \`${expected.key}\` header`
          : `the \`${expected.key}\` query parameter`;
      return unauthorized(
        `Missing or invalid API key. Pass it in ${where}.`,
        `ApiKey realm=${quotedRealm}, in="${expected.placement}", name="${expected.key.replace(/["\\]/g, '')}"`,
      );
    }
    case 'basic':
      return unauthorized(
        'Missing or invalid credentials. Use HTTP Basic authentication.',
        `Basic realm=${quotedRealm}, charset="UTF-8"`,
      );
  }
}

function authEnvNames(auth: InboundAuth | undefined): string[] {
  if (auth === undefined) return [];
  const names = (template: ValueTemplate): string[] =>
    template.flatMap((part) => ('env' in part ? [part.env] : []));
  switch (auth.type) {
    case 'none':
      return [];
    case 'bearer':
      return names(auth.token);
    case 'apikey':
      return names(auth.value);
    case 'basic':
      return [...names(auth.username), ...names(auth.password)];
  }
}

export { timingSafeEqual };

// ---------------------------------------------------------------------------------------------------
// Error responses (Stripe's shape)

function errorResponse(
  status: number,
  type: string,
  message: string,
  param?: string,
  headers?: Record<string, string>,
): CoreResponse {
  const error: Record<string, string> = { type, message };
  if (param !== undefined && param !== '') error.param = param;
  return { status, body: JSON.stringify({ error }), headers };
}

function invalidRequest(message: string, param?: string): CoreResponse {
  return errorResponse(400, 'invalid_request_error', message, param);
}

function unknownParameter(name: string, compiled: CompiledRoute): CoreResponse {
  const known = [...compiled.queryInputs.keys()];
  const hint =
    known.length === 0
      ? ' This endpoint takes no query parameters.'
      : known.length <= 40
        ? ` Known query parameters: ${known.join(', ')}.`
        : '';
  return invalidRequest(
    `Received unknown parameter: ${truncate(name, 100)}.${hint}`,
    truncate(name, 100),
  );
}

function methodNotAllowed(method: string, path: string, allow: string): CoreResponse {
  return errorResponse(
    405,
    'invalid_request_error',
    `${method} is not allowed on ${truncate(path, 200)}; allowed: ${allow}.`,
    undefined,
    { allow },
  );
}

function unauthorized(message: string, challenge: string): CoreResponse {
  return errorResponse(401, 'invalid_request_error', message, undefined, {
    'www-authenticate': challenge,
  });
}

function authNotConfigured(variable: string): CoreResponse {
  return errorResponse(
    500,
    'api_error',
    `Inbound authentication is not configured on the server: set the ${variable} environment variable.`,
  );
}

function unsupportedMediaType(contentType: string | undefined): CoreResponse {
  return errorResponse(
    415,
    'invalid_request_error',
    `Unsupported request body type ${JSON.stringify(truncate(contentType ?? '', 100))}: send JSON with Content-Type: application/json.`,
  );
}

function payloadTooLarge(limit: number): CoreResponse {
  return errorResponse(
    413,
    'invalid_request_error',
    `The request body is larger than the ${limit}-byte limit.`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === '') return true; // lenient: an unlabelled body is read as JSON
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function isEmptyObject(value: JsonValue): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** A value fit for an HTTP header (visible ASCII, bounded), or undefined. */
function safeHeaderValue(value: unknown): string | undefined {
  return typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 200 &&
    /^[\x21-\x7e]+$/.test(value)
    ? value
    : undefined;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

// ---------------------------------------------------------------------------------------------------
// Web-standard handler

const ENGINE = Symbol('capgen.restEngine');

type EngineCarrier = { [ENGINE]?: RestEngine };

/** A request view over a web `Request`. */
class WebRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  readonly query: string;

  constructor(private readonly request: Request) {
    this.method = request.method;
    const url = request.url;
    const scheme = url.indexOf('://');
    let start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
    if (start < 0) start = url.length;
    let end = url.indexOf('#', start);
    if (end < 0) end = url.length;
    const q = url.indexOf('?', start);
    if (q >= 0 && q < end) {
      this.path = url.slice(start, q) || '/';
      this.query = url.slice(q + 1, end);
    } else {
      this.path = url.slice(start, end) || '/';
      this.query = '';
    }
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  bodyLength(): number {
    if (this.request.body === null) return 0;
    const declared = this.request.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared)) return Number(declared);
    return -1;
  }

  async readBody(limit: number): Promise<string | null> {
    const body = this.request.body;
    if (body === null) return '';
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let size = 0;
    let text = '';
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        throw new ClientClosedError('The request body stream failed before it was complete.');
      }
      const { done, value } = chunk;
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  get signal(): AbortSignal {
    return this.request.signal;
  }
}

function toWebResponse(core: CoreResponse): Response {
  const headers = new Headers(core.headers);
  if (core.body !== '') headers.set('content-type', JSON_CONTENT_TYPE);
  if (core.upstreamRequestId !== undefined)
    headers.set(UPSTREAM_REQUEST_ID_HEADER, core.upstreamRequestId);
  return new Response(core.body === '' ? null : core.body, { status: core.status, headers });
}

/**
 * Builds the web-standard handler for a REST exposure. Routes and schemas are compiled once, here;
 * the returned function validates each request, calls `invoke`, and answers.
 */
export function createRestHandler(
  spec: RestAdapterSpec,
  invoke: Invoke,
  options: RestHandlerOptions = {},
): RestHandler {
  const engine = new RestEngine(spec, invoke, options);
  const handler: RestHandler & EngineCarrier = (request: Request) =>
    engine.handle(new WebRequestView(request)).then(toWebResponse);
  // serveRest finds the engine here and skips the Request/Response conversion.
  Object.defineProperty(handler, ENGINE, { value: engine });
  return handler;
}

// ---------------------------------------------------------------------------------------------------
// node:http server

/** A request view over node's IncomingMessage (the fast path). */
class NodeRequestView implements RequestView {
  private controller: AbortController | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    readonly method: string,
    readonly path: string,
    readonly query: string,
  ) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return typeof value === 'string' ? value : value?.[0];
  }

  bodyLength(): number {
    const headers = this.req.headers;
    const declared = headers['content-length'];
    if (declared !== undefined) return /^\d+$/.test(declared) ? Number(declared) : -1;
    return headers['transfer-encoding'] !== undefined ? -1 : 0;
  }

  readBody(limit: number): Promise<string | null> {
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const cleanup = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > limit) {
          // Stop collecting; node discards the rest of the body once the response is sent.
          cleanup();
          resolve(null);
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(
          chunks.length === 1
            ? chunks[0].toString('utf8')
            : Buffer.concat(chunks, size).toString('utf8'),
        );
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onClose = (): void => {
        cleanup();
        reject(
          new ClientClosedError('The client closed the connection while sending the request body.'),
        );
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
    });
  }

  /** Created on first use (only requests that reach the upstream call need it). */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      const controller = new AbortController();
      this.controller = controller;
      const res = this.res;
      if (this.req.socket.destroyed && !res.writableFinished)
        controller.abort(); // already gone
      else
        res.once('close', () => {
          if (!res.writableFinished) controller.abort();
        });
    }
    return this.controller.signal;
  }
}

/** Splits a request target into raw path and query; handles absolute-form targets. */
function splitTarget(target: string): { path: string; query: string } {
  if (target.charCodeAt(0) !== 47 /* / */) {
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.search.slice(1) };
    } catch {
      return { path: target, query: '' };
    }
  }
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/** Printable, bounded path for the access log (no query string, no control characters). */
function loggablePath(path: string): string {
  const bounded = path.length > 300 ? `${path.slice(0, 297)}...` : path;
  return /^[\x21-\x7e]*$/.test(bounded)
    ? bounded
    : bounded.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
}

let lastLogMs = 0;
let lastLogTime = '';

/** ISO timestamp, formatted at most once per millisecond. */
function logTimestamp(): string {
  const now = Date.now();
  if (now !== lastLogMs) {
    lastLogMs = now;
    lastLogTime = new Date(now).toISOString();
  }
  return lastLogTime;
}

function accessLogLine(
  method: string,
  path: string,
  status: number,
  startedAt: number,
  upstreamRequestId: string | undefined,
): string {
  const ms = performance.now() - startedAt;
  return `time=${logTimestamp()} method=${method} path=${loggablePath(path)} status=${status} duration_ms=${ms.toFixed(2)} upstream_request_id=${upstreamRequestId ?? '-'}`;
}

const SHUTTING_DOWN_BODY = JSON.stringify({
  error: { type: 'api_error', message: 'The server is shutting down; retry on another instance.' },
});

/**
 * Serves `handler` on node:http at `options.host`:`options.port` (0 picks a free port). Resolves
 * once listening. See {@link RestServer} for shutdown.
 */
export async function serveRest(
  handler: RestHandler,
  options: ServeRestOptions,
): Promise<RestServer> {
  const http = await import('node:http');
  const engine = options.fastPath === false ? undefined : (handler as EngineCarrier)[ENGINE];
  const log =
    options.log === false
      ? undefined
      : (options.log ?? ((line: string) => void process.stdout.write(`${line}\n`)));
  const exposeIds = options.upstreamRequestIds !== 'log-only';
  let closing = false;
  let webTools: WebConversion | undefined;

  const writeCore = (res: ServerResponse, core: CoreResponse): void => {
    const headers: Record<string, string | number> =
      core.headers === undefined ? {} : { ...core.headers };
    if (core.body !== '') headers['content-type'] = JSON_CONTENT_TYPE;
    headers['content-length'] = core.body === '' ? 0 : Buffer.byteLength(core.body);
    if (exposeIds && core.upstreamRequestId !== undefined)
      headers[UPSTREAM_REQUEST_ID_HEADER] = core.upstreamRequestId;
    if (closing) headers.connection = 'close';
    res.writeHead(core.status, headers);
    res.end(core.body);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = performance.now();
    const method = req.method ?? 'GET';
    const { path, query } = splitTarget(req.url ?? '/');
    if (closing) {
      res.writeHead(503, {
        'content-type': JSON_CONTENT_TYPE,
        'content-length': Buffer.byteLength(SHUTTING_DOWN_BODY),
        connection: 'close',
      });
      res.end(SHUTTING_DOWN_BODY);
      log?.(accessLogLine(method, path, 503, startedAt, undefined));
      return;
    }
    const done = (status: number, upstreamRequestId: string | undefined): void => {
      log?.(accessLogLine(method, path, status, startedAt, upstreamRequestId));
    };
    const failed = (error: unknown): void => {
      // Reached if writing the response failed, or if a plain web handler (not from createRestHandler) threw.
      try {
        if (!res.headersSent)
          writeCore(
            res,
            errorResponse(500, 'api_error', 'An internal error occurred in the REST adapter.'),
          );
        else res.destroy();
      } catch {
        res.destroy();
      }
      log?.(
        `capgen rest: failed to answer ${method} ${loggablePath(path)}: ${error instanceof Error ? error.name : 'error'}`,
      );
      done(500, undefined);
    };
    if (engine !== undefined) {
      engine
        .handle(new NodeRequestView(req, res, method, path, query))
        .then((core) => {
          writeCore(res, core);
          done(core.status, core.upstreamRequestId);
        })
        .catch(failed);
    } else {
      (async () => {
        webTools ??= await loadWebConversion();
        const status = await serveThroughWebHandler(
          handler,
          req,
          res,
          webTools,
          exposeIds,
          closing,
          baseUrl,
        );
        done(status.status, status.upstreamRequestId);
      })().catch(failed);
    }
  };

  const server = http.createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = address !== null && typeof address === 'object' ? address.address : options.host;
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const baseUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      closing = true;
      const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
      // Keep-alive connections that go idle after their last response (written before shutdown began)
      // are closed by this sweep; in-flight responses carry `Connection: close`.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      const force = setTimeout(() => server.closeAllConnections(), shutdownTimeoutMs);
      sweep.unref();
      force.unref();
      server.close((error) => {
        clearInterval(sweep);
        clearTimeout(force);
        if (error !== undefined) reject(error);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };

  return { url: baseUrl, server, close };
}

// Conversion between node:http and web Request/Response (used for handlers not made by createRestHandler).

interface WebConversion {
  toWeb(stream: IncomingMessage): ReadableStream<Uint8Array>;
}

async function loadWebConversion(): Promise<WebConversion> {
  const { Readable } = await import('node:stream');
  return { toWeb: (stream) => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array> };
}

async function serveThroughWebHandler(
  handler: RestHandler,
  req: IncomingMessage,
  res: ServerResponse,
  tools: WebConversion,
  exposeIds: boolean,
  closing: boolean,
  baseUrl: string,
): Promise<{ status: number; upstreamRequestId: string | undefined }> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? 'GET';
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (req.headers['content-length'] !== undefined
      ? req.headers['content-length'] !== '0'
      : req.headers['transfer-encoding'] !== undefined);
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
  if (hasBody) {
    // Streamed, not buffered: the handler reads it with its own size limit.
    init.body = tools.toWeb(req);
    init.duplex = 'half';
  }
  const response = await handler(new Request(`${baseUrl}${req.url ?? '/'}`, init));

  const upstreamRequestId = response.headers.get(UPSTREAM_REQUEST_ID_HEADER) ?? undefined;
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name === UPSTREAM_REQUEST_ID_HEADER && !exposeIds) return;
    out[name] = value;
  });
  if (closing) out.connection = 'close';
  res.writeHead(response.status, out);
  if (response.body === null) {
    res.end();
  } else {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
  return { status: response.status, upstreamRequestId };
}

/** Options of {@link installSignalHandlers}. */
export interface SignalHandlerOptions {
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  log?: (line: string) => void;
  /** Exit the process when shutdown completes (0) or fails (1); default true. */
  exit?: boolean;
}

/**
 * On SIGTERM/SIGINT, shuts the server down gracefully (then exits, by default). A second signal
 * exits at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  server: Pick<RestServer, 'close'>,
  options: SignalHandlerOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const log = options.log ?? ((line: string) => console.error(line));
  const exit = options.exit ?? true;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      log(`${signal} received again: exiting now.`);
      if (exit) process.exit(1);
      return;
    }
    shuttingDown = true;
    log(`${signal} received: finishing in-flight requests, then shutting down.`);
    server.close().then(
      () => {
        log('Server closed.');
        if (exit) process.exit(0);
      },
      (error: unknown) => {
        log(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        if (exit) process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
