/**
 * The capgen API client: turns an `OperationSpec` plus call parameters into an HTTP request
 * against an `ApiSpec`, with auth, retries, timeouts, idempotency keys and cursor pagination.
 *
 * Wire behaviour follows the official `stripe` npm package where Stripe defines one (form
 * encoding, idempotency keys, `Stripe-Should-Retry`, backoff), so a generated client is a drop-in
 * for the calls it covers.
 *
 * Runs on Node (>= 20.16) and on fetch-only runtimes: no npm dependencies, no static Node imports.
 */
import type { ApiSpec, OperationSpec, UpstreamAuth, ValueTemplate } from './contract.js';
import { resolveValueTemplate } from './credentials.js';
import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  CapgenError,
  MissingCredentialsError,
  ParameterError,
  redactError,
  redactString,
  type UpstreamErrorFields,
} from './errors.js';
import { encodeForm, encodeFormComponent } from './form.js';
import { readsFiles, redactJson, withFixedValues } from './values.js';
import {
  defaultTransport,
  fetchTransport,
  type FetchLike,
  type Transport,
  type TransportResponse,
} from './transport.js';

/** Version of this runtime, sent in the default User-Agent. */
export const CAPGEN_RUNTIME_VERSION = '0.1.0';

/** What `onResponse` is told about every HTTP response received (one per attempt). */
export interface ResponseInfo {
  /** `OperationSpec.id` of the call. */
  operationId: string;
  method: string;
  /** Request path as sent (percent-encoded), without the query string. */
  path: string;
  status: number;
  /** Time from sending the request to having read the whole response body. */
  durationMs: number;
  requestId?: string;
  /** 0 for the first attempt, 1 for the first retry, ... */
  attempt: number;
}

export interface ClientOptions {
  /** Credential that replaces the auth template's secret (bearer token, API key value, basic username). */
  apiKey?: string;
  /** Base URI override; wins over the `api.baseUriEnv` environment variable and `api.baseUri`. */
  baseUri?: string;
  /** Value of the API version header (header name from `api.version`); ignored when the API has none. */
  apiVersion?: string;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Per-attempt timeout in milliseconds. Default 80 000. */
  timeoutMs?: number;
  /** A fetch implementation to use instead of the default transport. */
  fetch?: FetchLike;
  /** Extra headers sent on every request (they override the runtime's defaults). */
  headers?: Record<string, string>;
  /** Where `{env: NAME}` template parts are read, at call time. Default `process.env` where it exists. */
  env?: Record<string, string | undefined>;
  /** User-Agent header value. Default `capgen/<version> (runtime; node/<version>)`. */
  userAgent?: string;
  /** Called for every HTTP response (each attempt), e.g. for access logs. Exceptions are ignored. */
  onResponse?: (info: ResponseInfo) => void;
  /** Low-level transport; wins over `fetch`. Default: keep-alive node:http under Node, else fetch. */
  transport?: Transport;
  /** First retry delay before jitter, in ms. Default 500. */
  retryBaseDelayMs?: number;
  /** Upper bound of the exponential backoff, in ms. Default 8 000. */
  retryMaxDelayMs?: number;
  /** Upper bound applied to a `Retry-After` response header, in ms. Default 60 000. */
  maxRetryAfterMs?: number;
}

export interface RequestOptions {
  /** Idempotency key for this call; by default one is generated for every non-GET/HEAD/OPTIONS call. */
  idempotencyKey?: string;
  /** Aborting rejects the call with the signal's reason; aborted calls are not retried. */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeoutMs?: number;
  /** Retries for this call. */
  maxRetries?: number;
  /** Extra headers for this call (override client headers and defaults). */
  headers?: Record<string, string>;
}

export interface ApiResponse<T> {
  /** Parsed JSON body (text when the body is not JSON, null when empty). */
  data: T;
  status: number;
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  requestId?: string;
}

/** A cursor-paginated list envelope, as Stripe returns. */
interface ListEnvelope {
  data: unknown[];
  has_more?: boolean;
}

const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_TIMEOUT_MS = 80_000;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
const DEFAULT_RETRY_MAX_DELAY_MS = 8_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
/** Methods that never carry a body. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE']);
/** Methods that get no generated idempotency key. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Error codes of a connection closed by the peer, e.g. a stale keep-alive socket. */
const CONNECTION_CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** A request fully prepared, reused as-is by every attempt. */
interface PreparedRequest {
  method: string;
  url: string;
  /** Path as sent, without query (for logs and errors). */
  path: string;
  /** Scheme + host, for error messages. */
  origin: string;
  headers: Record<string, string>;
  body?: string;
  /** Every credential value in play, for redaction. */
  secrets: string[];
  /** Those read from bind files or fixed values: also removed from the raw upstream error body. */
  fromFiles: string[];
}

/** Outcome of one attempt that may be retried. */
type AttemptResult =
  | { kind: 'response'; response: TransportResponse; error?: ApiError; data?: unknown }
  | { kind: 'network'; error: ApiConnectionError; connectionClosed: boolean };

/**
 * Client for one upstream API. Generated code creates one per consumes block and calls
 * `call`/`request`/`paginate` with the operation descriptors.
 */
export class ApiClient {
  readonly api: ApiSpec;
  private readonly options: ClientOptions;
  private readonly transport: Transport;

  constructor(api: ApiSpec, options: ClientOptions = {}) {
    this.api = api;
    this.options = { ...options };
    this.transport =
      options.transport ?? (options.fetch ? fetchTransport(options.fetch) : defaultTransport());
  }

  /** Performs the operation and returns the parsed body with status and headers. */
  async request<T>(
    op: OperationSpec,
    params: Record<string, unknown> | undefined,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const signal = options.signal;
    if (signal?.aborted) throw abortReason(signal);

    // Everything that can fail without a request fails here, before anything is sent.
    const prepared = this.prepare(op, params ?? {}, options);

    const maxRetries = nonNegativeInt(
      options.maxRetries ?? this.options.maxRetries,
      DEFAULT_MAX_RETRIES,
    );
    const timeoutMs = nonNegativeInt(
      options.timeoutMs ?? this.options.timeoutMs,
      DEFAULT_TIMEOUT_MS,
    );

    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(op, prepared, attempt, timeoutMs, signal);

      if (result.kind === 'response' && !result.error) {
        const headers = result.response.headers;
        return {
          data: result.data as T,
          status: result.response.status,
          headers,
          requestId: requestIdOf(headers),
        };
      }

      const retry = this.retryDelay(result, attempt, maxRetries);
      if (retry === undefined) throw result.error;
      await sleep(retry, signal);
    }
  }

  /** Performs the operation and returns only the parsed body. */
  async call<T>(
    op: OperationSpec,
    params: Record<string, unknown> | undefined,
    options?: RequestOptions,
  ): Promise<T> {
    return (await this.request<T>(op, params, options)).data;
  }

  /**
   * Iterates over every item of a cursor-paginated list operation, fetching pages lazily: each
   * next page passes the last item's `id` as `op.pagination.cursorParam`. Stops when `has_more`
   * is false or a page is empty. (Typed AsyncGenerator<T, void, undefined>, not
   * AsyncIterableIterator<T>, whose return and next types default to `any`.)
   *
   * As stripe-node does, a Stripe-style list (`starting_after` cursor) called with
   * `ending_before` is walked backwards: items from newest to oldest page, each page's items in
   * reverse, the next page asked with `ending_before=<first id of the page>` (sending both
   * cursors would be rejected by Stripe).
   */
  async *paginate<T>(
    op: OperationSpec,
    params: Record<string, unknown> | undefined,
    options?: RequestOptions,
  ): AsyncGenerator<T, void, undefined> {
    const pagination = op.pagination;
    if (!pagination) throw new CapgenError(`Operation ${op.id} is not paginated`);
    const base = { ...(params ?? {}) };
    const reverse =
      pagination.cursorParam === 'starting_after' &&
      base.ending_before !== undefined &&
      base.ending_before !== null &&
      base.ending_before !== '';
    const cursorParam = reverse ? 'ending_before' : pagination.cursorParam;
    let pageParams: Record<string, unknown> = base;
    for (;;) {
      const page = await this.call<unknown>(op, pageParams, options);
      if (!isListEnvelope(page)) {
        throw new CapgenError(
          `Operation ${op.id} did not return a list envelope ({data: [...], has_more})`,
        );
      }
      const items = reverse ? [...page.data].reverse() : page.data;
      for (const item of items) yield item as T;
      if (!page.has_more || page.data.length === 0) return;
      const last = items[items.length - 1];
      const id =
        typeof last === 'object' && last !== null ? (last as { id?: unknown }).id : undefined;
      if (typeof id !== 'string' && typeof id !== 'number') {
        throw new CapgenError(
          `Operation ${op.id}: cannot paginate, the last item of the page has no id`,
        );
      }
      pageParams = { ...base, [cursorParam]: id };
    }
  }

  // ------------------------------------------------------------------------------------------
  // request preparation

  private prepare(
    op: OperationSpec,
    passed: Record<string, unknown>,
    options: RequestOptions,
  ): PreparedRequest {
    const env = this.env();
    const { params, secrets: bound } = withFixedValues(op, passed, env, this.api.namespace);
    const method = op.method.toUpperCase();
    const auth = resolveAuth(this.api.auth, this.api.namespace, env, this.options.apiKey);

    // URL
    const base = this.baseUri(env);
    const path = joinPath(base.pathname, buildPath(op, params));
    const queryParts: string[] = [];
    const query = buildQuery(op, params);
    if (query) queryParts.push(query);
    if (auth.query) queryParts.push(auth.query);
    const search = queryParts.length ? '?' + queryParts.join('&') : '';
    const url = base.origin + path + search;

    // Headers, lowest precedence first.
    const headers: Record<string, string> = {};
    setHeader(headers, 'Accept', 'application/json');
    setHeader(headers, 'User-Agent', this.options.userAgent ?? defaultUserAgent());
    if (this.api.version) {
      setHeader(
        headers,
        this.api.version.header,
        this.options.apiVersion ?? this.api.version.value,
      );
    }
    for (const [name, value] of Object.entries(auth.headers)) setHeader(headers, name, value);
    for (const p of op.params) {
      if (p.in !== 'header') continue;
      const value = params[p.name];
      if (value !== undefined && value !== null) setHeader(headers, p.name, scalarToString(value));
    }
    const cookie = buildCookie(op, params);
    if (cookie) setHeader(headers, 'Cookie', cookie);

    // Body
    let body: string | undefined;
    if (op.body && !BODYLESS_METHODS.has(method)) {
      const value = params.body;
      if (op.body.mediaType !== 'application/x-www-form-urlencoded') {
        if (value !== undefined) {
          body = typeof value === 'string' ? value : JSON.stringify(value);
          setHeader(headers, 'Content-Type', op.body.mediaType);
        }
      } else {
        // Like stripe-node: a form operation always sends a (possibly empty) form body.
        body = typeof value === 'string' ? value : encodeForm(isRecord(value) ? value : {});
        setHeader(headers, 'Content-Type', 'application/x-www-form-urlencoded');
      }
    }

    for (const [name, value] of Object.entries(this.options.headers ?? {}))
      setHeader(headers, name, value);
    for (const [name, value] of Object.entries(options.headers ?? {}))
      setHeader(headers, name, value);

    // One idempotency key per logical call, reused by every retry.
    if (options.idempotencyKey !== undefined) {
      setHeader(headers, 'Idempotency-Key', options.idempotencyKey);
    } else if (!SAFE_METHODS.has(method) && getHeader(headers, 'Idempotency-Key') === undefined) {
      setHeader(headers, 'Idempotency-Key', randomUuid());
    }

    // Values from bind files are secrets only this request knows (servers redact environment ones).
    const fromFiles = [
      ...bound.flatMap(secretForms),
      ...(readsFiles(this.api.auth) ? auth.secrets : []),
    ];
    const secrets = [...auth.secrets, ...bound.flatMap(secretForms)];
    return { method, url, path, origin: base.origin, headers, body, secrets, fromFiles };
  }

  private env(): Record<string, string | undefined> {
    if (this.options.env) return this.options.env;
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    return proc?.env ?? {};
  }

  private baseUri(env: Record<string, string | undefined>): URL {
    const fromEnv = this.api.baseUriEnv ? env[this.api.baseUriEnv] : undefined;
    const raw = this.options.baseUri || fromEnv || this.api.baseUri;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new CapgenError(
        `Invalid base URI for API "${this.api.namespace}": ${JSON.stringify(raw)}`,
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new CapgenError(
        `Base URI for API "${this.api.namespace}" must be http(s), got ${url.protocol}`,
      );
    }
    if (url.username || url.password) {
      throw new CapgenError(
        `Base URI for API "${this.api.namespace}" must not contain credentials`,
      );
    }
    return url;
  }

  // ------------------------------------------------------------------------------------------
  // sending

  /** One attempt: send, read, classify. Throws only for caller aborts. */
  private async attempt(
    op: OperationSpec,
    req: PreparedRequest,
    attempt: number,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<AttemptResult> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onCallerAbort);

    const started = nowMs();
    let response: TransportResponse;
    try {
      response = await this.transport({
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        body: req.body,
        signal: controller.signal,
      });
    } catch (error) {
      if (callerSignal?.aborted) throw abortReason(callerSignal);
      const where = `${req.method} ${req.origin}${req.path}`;
      if (timedOut) {
        return {
          kind: 'network',
          connectionClosed: false,
          error: new ApiTimeoutError(`Request timed out after ${timeoutMs} ms: ${where}`, {
            timeoutMs,
            method: req.method,
            path: req.path,
          }),
        };
      }
      const cause = redactError(error, req.secrets);
      return {
        kind: 'network',
        connectionClosed: attempt === 0 && hasConnectionClosedCode(error),
        error: new ApiConnectionError(
          redactString(`Connection error: ${where}: ${describeError(error)}`, req.secrets),
          { cause, method: req.method, path: req.path },
        ),
      };
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
    const durationMs = nowMs() - started;

    const requestId = requestIdOf(response.headers);
    if (this.options.onResponse) {
      try {
        this.options.onResponse({
          operationId: op.id,
          method: req.method,
          path: req.path,
          status: response.status,
          durationMs,
          requestId,
          attempt,
        });
      } catch {
        // A logging hook must not break the call.
      }
    }

    const parsed = parseBody(response);
    if (response.status >= 200 && response.status < 300) {
      if (parsed.invalidJson) {
        return {
          kind: 'response',
          response,
          error: new ApiError({
            status: response.status,
            message: `Invalid JSON in response body (HTTP ${response.status})`,
            requestId,
            raw: parsed.value,
            headers: response.headers,
            method: req.method,
            path: req.path,
          }),
        };
      }
      return { kind: 'response', response, data: parsed.value };
    }
    return { kind: 'response', response, error: buildApiError(response, parsed.value, req) };
  }

  /** Milliseconds to wait before retrying, or undefined when the failure is final. */
  private retryDelay(
    result: AttemptResult,
    attempt: number,
    maxRetries: number,
  ): number | undefined {
    if (result.kind === 'network') {
      // A connection closed under the first attempt (typically a stale keep-alive socket) is
      // retried once even with maxRetries 0, as stripe-node does; the idempotency key dedupes.
      if (attempt >= maxRetries && !result.connectionClosed) return undefined;
      return this.backoff(attempt + 1);
    }
    if (attempt >= maxRetries) return undefined;
    const { response, error } = result;
    const shouldRetry = response.headers['stripe-should-retry'];
    let retry: boolean;
    if (shouldRetry === 'false') retry = false;
    else if (shouldRetry === 'true') retry = true;
    else {
      const status = response.status;
      retry = status === 429 || status >= 500 || (status === 409 && error?.code === 'lock_timeout');
    }
    if (!retry) return undefined;
    const retryAfter = parseRetryAfter(response.headers['retry-after']);
    if (retryAfter !== undefined) {
      return Math.min(retryAfter, this.options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS);
    }
    return this.backoff(attempt + 1);
  }

  /** Exponential backoff with jitter in [delay/2, delay], delay = base * 2^(n-1) capped. */
  private backoff(retryNumber: number): number {
    const base = this.options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
    const cap = this.options.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS;
    const delay = Math.min(base * 2 ** (retryNumber - 1), cap);
    return delay * (0.5 + Math.random() / 2);
  }
}

// ---------------------------------------------------------------------------------------------
// auth

interface ResolvedAuth {
  headers: Record<string, string>;
  /** Encoded `key=value` for API keys placed in the query string. */
  query?: string;
  secrets: string[];
}

/** Resolves a ValueTemplate; a missing or empty env var raises MissingCredentialsError. */
function resolveTemplate(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
  namespace: string,
): string {
  const { value, missing } = resolveValueTemplate(template, env);
  if (missing.length) throw new MissingCredentialsError(missing[0], namespace);
  return value;
}

function resolveAuth(
  auth: UpstreamAuth,
  namespace: string,
  env: Record<string, string | undefined>,
  apiKey: string | undefined,
): ResolvedAuth {
  const key = apiKey === '' ? undefined : apiKey;
  switch (auth.type) {
    case 'none':
      return { headers: {}, secrets: [] };
    case 'bearer': {
      const token = key ?? resolveTemplate(auth.token, env, namespace);
      return { headers: { Authorization: `Bearer ${token}` }, secrets: secretForms(token) };
    }
    case 'apikey': {
      const value = key ?? resolveTemplate(auth.value, env, namespace);
      const secrets = secretForms(value);
      if (auth.placement === 'query') {
        return {
          headers: {},
          query: `${encodeFormComponent(auth.key)}=${encodeFormComponent(value)}`,
          secrets,
        };
      }
      return { headers: { [auth.key]: value }, secrets };
    }
    case 'basic': {
      let username: string;
      let password: string;
      if (key !== undefined) {
        // As Stripe does with `sk_...:`: the key is the username, the password defaults to empty.
        username = key;
        try {
          password = resolveTemplate(auth.password, env, namespace);
        } catch {
          password = '';
        }
      } else {
        username = resolveTemplate(auth.username, env, namespace);
        password = resolveTemplate(auth.password, env, namespace);
      }
      const encoded = base64Utf8(`${username}:${password}`);
      return {
        headers: { Authorization: `Basic ${encoded}` },
        secrets: [...secretForms(username), ...secretForms(password), encoded],
      };
    }
  }
}

/** A secret and the encodings under which it could appear in a message. */
function secretForms(secret: string): string[] {
  if (!secret) return [];
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(encodeFormComponent(secret));
  } catch {
    // Lone surrogates: only the raw form can appear.
  }
  return [...forms];
}

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// ---------------------------------------------------------------------------------------------
// URL building

/**
 * Encodes one path parameter value so it stays inside its segment: `/`, `?`, `#`, `%` are
 * percent-encoded. `.` and `..` are rejected because URL parsers (WHATWG `URL`, fetch, proxies)
 * collapse them, and even their `%2E` encodings, into a parent-directory step.
 */
export function encodePathSegment(value: string, param: string): string {
  if (value === '.' || value === '..') {
    throw new ParameterError(`Path parameter "${param}" must not be "${value}"`, param);
  }
  return encodeURIComponent(value);
}

function buildPath(op: OperationSpec, params: Record<string, unknown>): string {
  return op.path.replace(/\{([^{}]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') {
      throw new ParameterError(
        `Missing required path parameter "${name}" for operation ${op.id}`,
        name,
      );
    }
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean' &&
      typeof value !== 'bigint'
    ) {
      throw new ParameterError(
        `Path parameter "${name}" for operation ${op.id} must be a string or number`,
        name,
      );
    }
    return encodePathSegment(String(value), name);
  });
}

/** Base path + operation path, with exactly one slash between them. */
function joinPath(basePath: string, opPath: string): string {
  const left = basePath.replace(/\/+$/, '');
  const right = opPath.replace(/^\/+/, '');
  return right ? `${left}/${right}` : left || '/';
}

function buildQuery(op: OperationSpec, params: Record<string, unknown>): string {
  const query: Record<string, unknown> = {};
  for (const p of op.params) {
    if (p.in === 'query' && params[p.name] !== undefined) query[p.name] = params[p.name];
  }
  // The pagination cursor is a query parameter even when the spec does not declare it.
  const cursor = op.pagination?.cursorParam;
  if (
    cursor &&
    !(cursor in query) &&
    params[cursor] !== undefined &&
    !op.params.some((p) => p.name === cursor)
  ) {
    query[cursor] = params[cursor];
  }
  return encodeForm(query);
}

function buildCookie(op: OperationSpec, params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const p of op.params) {
    if (p.in !== 'cookie') continue;
    const value = params[p.name];
    if (value !== undefined && value !== null)
      parts.push(`${p.name}=${encodeURIComponent(scalarToString(value))}`);
  }
  return parts.join('; ');
}

/** Header/cookie parameter value: arrays comma-joined (OpenAPI `simple` style), objects as JSON. */
function scalarToString(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => scalarToString(v)).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// headers

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === lower) delete headers[existing];
  }
  headers[name] = value;
}

function getHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [existing, value] of Object.entries(headers)) {
    if (existing.toLowerCase() === lower) return value;
  }
  return undefined;
}

function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['request-id'] ?? headers['x-request-id'];
}

function defaultUserAgent(): string {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
    ?.node;
  return `capgen/${CAPGEN_RUNTIME_VERSION} (runtime; ${node ? `node/${node}` : 'fetch'})`;
}

// ---------------------------------------------------------------------------------------------
// responses

function parseBody(response: TransportResponse): { value: unknown; invalidJson: boolean } {
  const text = response.body;
  if (text === '') return { value: null, invalidJson: false };
  const contentType = response.headers['content-type'] ?? '';
  const declaredJson = /\bjson\b/i.test(contentType);
  const looksJson = /^\s*[[{]/.test(text);
  if (!declaredJson && !looksJson) return { value: text, invalidJson: false };
  try {
    return { value: JSON.parse(text) as unknown, invalidJson: false };
  } catch {
    return { value: text, invalidJson: declaredJson };
  }
}

/** Reads Stripe's `{error: {type, code, param, message}}` (and OAuth's `{error, error_description}`). */
function upstreamErrorFields(body: unknown): UpstreamErrorFields {
  if (!isRecord(body)) return {};
  const error = body.error;
  if (isRecord(error)) {
    return {
      type: stringOrUndefined(error.type),
      code: stringOrUndefined(error.code),
      param: stringOrUndefined(error.param),
      message: stringOrUndefined(error.message),
      declineCode: stringOrUndefined(error.decline_code),
      docUrl: stringOrUndefined(error.doc_url),
    };
  }
  if (typeof error === 'string') {
    return {
      code: error,
      message: stringOrUndefined(body.error_description) ?? stringOrUndefined(body.message),
    };
  }
  return { message: stringOrUndefined(body.message) };
}

function buildApiError(response: TransportResponse, body: unknown, req: PreparedRequest): ApiError {
  const fields = upstreamErrorFields(body);
  const redact = (s: string | undefined): string | undefined =>
    s === undefined ? undefined : redactString(s, req.secrets);
  let message = fields.message;
  if (!message) {
    const snippet = typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 200)}` : '';
    message = `HTTP ${response.status} from ${req.method} ${req.path}${snippet}`;
  }
  return new ApiError({
    status: response.status,
    message: redactString(message, req.secrets),
    type: redact(fields.type),
    code: redact(fields.code),
    param: redact(fields.param),
    declineCode: redact(fields.declineCode),
    docUrl: redact(fields.docUrl),
    requestId: requestIdOf(response.headers),
    raw: redactJson(body, req.fromFiles),
    headers: response.headers,
    method: req.method,
    path: req.path,
  });
}

/** `Retry-After` as milliseconds: delta-seconds (fractions accepted) or an HTTP date. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

// ---------------------------------------------------------------------------------------------
// small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isListEnvelope(value: unknown): value is ListEnvelope {
  return isRecord(value) && Array.isArray(value.data);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonNegativeInt(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.floor(value)
    : fallback;
}

function nowMs(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function hasConnectionClosedCode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CLOSED_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A one-line description of a transport error, including nested causes' codes/messages. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.filter(Boolean).join(': ') || 'unknown error';
}

function randomUuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Uniqueness is all an idempotency key needs.
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const r = (Math.random() * 16) | 0;
    return (ch === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

/** Waits `ms`, rejecting early with the signal's reason if it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
