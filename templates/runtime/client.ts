/**
 * The capgen API client: turns an `OperationSpec` plus call parameters into an HTTP request
 * against an `ApiSpec`, with auth, retries, timeouts, idempotency keys and cursor pagination.
 *
 * Wire behaviour follows the official `stripe` npm package where Stripe defines one (form
 * encoding, idempotency keys, `Stripe-Should-Retry`, backoff), so a generated client is a drop-in
 * for the calls it covers.
 *
 * Modules: client-request.ts (preparing a request), client-url.ts, client-auth.ts,
 * client-response.ts (parsing answers and errors), transport.ts (moving bytes).
 *
 * Runs on Node (>= 20.16) and on fetch-only runtimes: no npm dependencies, no static Node imports.
 */
import type { ApiSpec, OperationSpec } from './contract.js';
import { digestAnswer, resolveAuth } from './client-auth.js';
import { finishRequest, prepareRequest, type PreparedRequest } from './client-request.js';
import {
  apiResponse,
  isRecord,
  outcomeOf,
  parseRetryAfter,
  passThroughAnswer,
  receive,
  redirectTarget,
  requestIdOf,
  type ReceivedResponse,
} from './client-response.js';
import { resolveBaseUri } from './client-url.js';
import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  CapgenError,
  InvalidResponseError,
  MissingCredentialsError,
  redactError,
  redactString,
} from './errors.js';
import { AttemptRequest, CANCELLATION, Cancellable } from './cancellation.js';
import {
  defaultTransport,
  fetchTransport,
  ResponseTooLargeError,
  type FetchLike,
  type Transport,
  type TransportResponse,
} from './transport.js';
import { startUpstreamSpan } from './telemetry.js';

export { CAPGEN_RUNTIME_VERSION, checkApiKey } from './client-request.js';
export { encodePathSegment } from './client-url.js';

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
  /** Per-attempt timeout in milliseconds. Default 80 000 (the deadline usually ends an attempt first). */
  timeoutMs?: number;
  /**
   * Time budget of one call in milliseconds, across every attempt and the waits between them: no
   * attempt outlives it and no retry starts that could not finish in it. Default 30 000.
   */
  deadlineMs?: number;
  /** Largest response body accepted, in bytes; a larger one fails the call. Default 16 MiB. */
  maxResponseBytes?: number;
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
  /**
   * Longest `Retry-After` the client waits for, in ms. An answer asking for a longer wait is not
   * retried: the error is returned at once (its `headers['retry-after']` says when to come back).
   * Default 10 000.
   */
  maxRetryAfterMs?: number;
}

export interface RequestOptions {
  /** Idempotency key for this call; by default one is generated for every non-GET/HEAD/OPTIONS call. */
  idempotencyKey?: string;
  /** Aborting rejects the call with the signal's reason; aborted calls are not retried. */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call. */
  timeoutMs?: number;
  /** Time budget of this call in ms, across retries (see `ClientOptions.deadlineMs`). */
  deadlineMs?: number;
  /** Retries for this call. */
  maxRetries?: number;
  /** Extra headers for this call (override client headers and defaults). */
  headers?: Record<string, string>;
  /**
   * For a server that returns the answer unchanged: a 2xx JSON answer holding no credential comes
   * back as its bytes (`ApiResponse.json`), and `data` is parsed only if read.
   */
  passThrough?: boolean;
}

export interface ApiResponse<T> {
  /**
   * Parsed JSON body (text when the body is not JSON, null when empty; a `BinaryBody` of bytes and
   * media type when the answer is binary, see binary.ts).
   */
  data: T;
  status: number;
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  requestId?: string;
  /**
   * The body exactly as received, when it is JSON (`data` is its parse) holding none of the
   * credentials: a server that returns the answer unchanged writes these bytes instead of
   * serialising `data` again.
   */
  json?: Uint8Array;
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
const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Error codes of a connection closed by the peer, e.g. a stale keep-alive socket. */
const CONNECTION_CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Outcome of one attempt that may be retried. */
type AttemptResult =
  | { kind: 'answer'; answer: ApiResponse<unknown> }
  | { kind: 'response'; response: ReceivedResponse; error: ApiError }
  | { kind: 'network'; error: ApiConnectionError; retriable: boolean; connectionClosed: boolean };

/**
 * Client for one upstream API. Generated code creates one per consumes block and calls
 * `call`/`request`/`paginate` with the operation descriptors.
 */
export class ApiClient {
  readonly api: ApiSpec;
  private readonly options: ClientOptions;
  private readonly transport: Transport;
  /** The built-in transport, which leaves the request's headers alone (others get a copy). */
  private readonly ownTransport: boolean;

  constructor(api: ApiSpec, options: ClientOptions = {}) {
    this.api = api;
    this.options = { ...options };
    this.ownTransport = !options.transport && !options.fetch;
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
    if (prepared.multipart) await finishRequest(prepared);

    const maxRetries = nonNegativeInt(
      options.maxRetries ?? this.options.maxRetries,
      DEFAULT_MAX_RETRIES,
    );
    const timeoutMs = nonNegativeInt(
      options.timeoutMs ?? this.options.timeoutMs,
      DEFAULT_TIMEOUT_MS,
    );
    const deadlineMs = nonNegativeInt(
      options.deadlineMs ?? this.options.deadlineMs,
      DEFAULT_DEADLINE_MS,
    );
    const deadline = nowMs() + deadlineMs;

    for (let attempt = 0; ; attempt++) {
      const remaining = Math.max(1, attempt === 0 ? deadlineMs : Math.ceil(deadline - nowMs()));
      // The attempt's timeout, or what is left of the call's deadline when that is shorter.
      const result = await this.attempt(
        op,
        prepared,
        attempt,
        Math.min(timeoutMs, remaining),
        remaining < timeoutMs ? deadlineMs : undefined,
        signal,
        options.passThrough === true,
      );

      if (result.kind === 'answer') return result.answer as ApiResponse<T>;

      const retry = this.retryDelay(result, attempt, maxRetries);
      // A retry that could not even start within the deadline is not made.
      if (retry === undefined || nowMs() + retry >= deadline) throw result.error;
      await sleep(retry, signal);
    }
  }

  /** The credential values this client sends now (every encoding), for redaction by servers. */
  secrets(): string[] {
    try {
      return resolveAuth(this.api.auth, this.api.namespace, this.env(), this.options.apiKey)
        .secrets;
    } catch {
      return []; // unset: nothing to redact
    }
  }

  /**
   * Start-up check: throws a ConfigurationError when no call could work (an invalid base URI),
   * returns a warning per credential variable that is unset (calls fail until it is set).
   */
  check(): string[] {
    const env = this.env();
    resolveBaseUri(this.api, this.options.baseUri, env);
    try {
      resolveAuth(this.api.auth, this.api.namespace, env, this.options.apiKey);
      return [];
    } catch (error) {
      if (error instanceof MissingCredentialsError) return [error.message];
      throw error;
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
    params: Record<string, unknown>,
    options: RequestOptions,
  ): PreparedRequest {
    return prepareRequest(this.api, this.options, this.env(), op, params, options);
  }

  private env(): Record<string, string | undefined> {
    if (this.options.env) return this.options.env;
    const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    return proc?.env ?? {};
  }

  // ------------------------------------------------------------------------------------------
  // sending

  /**
   * One attempt: send (following same-origin redirects, see redirectTarget), read, classify.
   * Throws only for caller aborts.
   */
  private async attempt(
    op: OperationSpec,
    req: PreparedRequest,
    attempt: number,
    timeoutMs: number,
    /** Set when the timeout is what is left of the call's deadline (of this many ms). */
    deadlineMs: number | undefined,
    callerSignal: AbortSignal | undefined,
    passThrough: boolean,
  ): Promise<AttemptResult> {
    const cancellation = new Cancellable(timeoutMs, callerSignal);

    const started = this.options.onResponse ? nowMs() : 0;
    const span = startUpstreamSpan(op.id, req.method, `${req.origin}${req.path}`);
    const traced = span === undefined ? req.headers : { ...req.headers, ...span.headers };
    let sent: TransportResponse;
    try {
      let url = req.url;
      let digest: string | undefined;
      for (let hops = 0; ; hops++) {
        const maxResponseBytes = this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
        // The built-in transport leaves the headers alone (no copy); a digest answer or a span's trace
        // context adds to them.
        const headers = digest ? { ...traced, Authorization: digest } : traced;
        sent = await this.transport(
          this.ownTransport
            ? new AttemptRequest(req.method, url, headers, req.body, maxResponseBytes, cancellation)
            : {
                method: req.method,
                url,
                headers: headers === req.headers ? { ...headers } : headers,
                body: req.body,
                signal: cancellation.signal,
                [CANCELLATION]: cancellation,
                maxResponseBytes,
              },
        );
        // Digest auth: one answer to the upstream's challenge, on the same URL.
        if (sent.status === 401 && req.digest && digest === undefined) {
          digest = digestAnswer(sent, req.digest, req.method, url) ?? '';
          if (digest !== '') continue;
        }
        const next = redirectTarget(sent, req, url, hops);
        if (next === undefined) break;
        url = next;
      }
    } catch (error) {
      span?.end(undefined, error);
      if (callerSignal?.aborted) throw abortReason(callerSignal);
      if (cancellation.timedOut) {
        return {
          kind: 'network',
          retriable: true,
          connectionClosed: false,
          error: new ApiTimeoutError(
            `Request timed out after ${deadlineMs === undefined ? `${timeoutMs} ms` : `the call's ${deadlineMs} ms deadline`}: ${req.method} ${req.origin}${req.path}`,
            { timeoutMs, method: req.method, path: req.path },
          ),
        };
      }
      return this.transportFailure(error, req, attempt);
    } finally {
      cancellation.release();
    }
    span?.end(sent.status);
    // An answer passed on as received is not decoded; any other is decoded and scrubbed (one in a
    // non-JSON output format converted, a binary one kept as bytes: neither is ever passed on).
    const passed =
      passThrough && op.output === undefined && op.binaryResponse !== true
        ? passThroughAnswer(sent, req)
        : undefined;
    const response =
      passed === undefined
        ? receive(sent, req, op.binaryResponse === true, op.output !== undefined)
        : undefined;

    if (this.options.onResponse) {
      const durationMs = nowMs() - started;
      const requestId = requestIdOf((passed ?? (response as ReceivedResponse)).headers);
      try {
        this.options.onResponse({
          operationId: op.id,
          method: req.method,
          path: req.path,
          status: sent.status,
          durationMs,
          requestId,
          attempt,
        });
      } catch {
        // A logging hook must not break the call.
      }
    }

    if (response === undefined) return { kind: 'answer', answer: passed as ApiResponse<unknown> };
    const outcome = outcomeOf(response, req, op.output);
    if (outcome.refused !== undefined)
      return { kind: 'network', retriable: false, connectionClosed: false, error: outcome.refused };
    if (outcome.error !== undefined) return { kind: 'response', response, error: outcome.error };
    return { kind: 'answer', answer: apiResponse(response, outcome) };
  }

  /** Classifies what the transport threw: a refused answer (not retried) or a connection failure. */
  private transportFailure(error: unknown, req: PreparedRequest, attempt: number): AttemptResult {
    const where = `${req.method} ${req.path}`;
    if (error instanceof ResponseTooLargeError) {
      return {
        kind: 'network',
        retriable: false,
        connectionClosed: false,
        error: new InvalidResponseError(
          `The response to ${where} is larger than the ${error.limit}-byte limit (maxResponseBytes)`,
          { method: req.method, path: req.path, limit: error.limit },
        ),
      };
    }
    const cause = redactError(error, req.secrets);
    if (hasErrorCode(error, (code) => code.startsWith('HPE_'))) {
      return {
        kind: 'network',
        retriable: false,
        connectionClosed: false,
        error: new InvalidResponseError(
          redactString(`Malformed HTTP response to ${where}: ${describeError(error)}`, req.secrets),
          { cause, method: req.method, path: req.path },
        ),
      };
    }
    return {
      kind: 'network',
      retriable: true,
      connectionClosed:
        attempt === 0 && hasErrorCode(error, (code) => CONNECTION_CLOSED_CODES.has(code)),
      error: new ApiConnectionError(
        redactString(
          `Connection error: ${req.method} ${req.origin}${req.path}: ${describeError(error)}`,
          req.secrets,
        ),
        { cause, method: req.method, path: req.path },
      ),
    };
  }

  /** Milliseconds to wait before retrying, or undefined when the failure is final. */
  private retryDelay(
    result: Exclude<AttemptResult, { kind: 'answer' }>,
    attempt: number,
    maxRetries: number,
  ): number | undefined {
    if (result.kind === 'network') {
      if (!result.retriable) return undefined;
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
      // Asked to wait longer than we would: the caller gets the answer now, not after a long hold.
      if (retryAfter > (this.options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS))
        return undefined;
      return retryAfter;
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
// small helpers

function isListEnvelope(value: unknown): value is ListEnvelope {
  return isRecord(value) && Array.isArray(value.data);
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

/** Whether the error or one of its causes carries a `code` that `matches`. */
function hasErrorCode(error: unknown, matches: (code: string) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && matches(code)) return true;
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
