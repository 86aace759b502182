/**
 * Errors raised by the capgen client runtime.
 *
 * All of them extend `CapgenError`, so `catch (e) { if (e instanceof CapgenError) ... }` catches
 * everything the runtime itself raises. A caller's own `AbortSignal` is the exception: aborting
 * rejects with the signal's `reason`, as `fetch` does.
 *
 * Secrets: no message or property of these errors contains a credential. The client scrubs every
 * resolved credential out of response bodies and headers (so `ApiError.raw` too), messages and
 * `cause` chains before building them (see redact.ts and `redactError`).
 */
import { redactString } from './redact.js';

export { redactString };

/** Base class of every error the runtime raises. */
export class CapgenError extends Error {
  // Names are literal (not `new.target.name`) so they survive minification: callers such as the
  // REST adapter and MCP server classify errors by `name`.
  override name = 'CapgenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Parsed `error` object of a Stripe-style error body: `{"error": {"type": ..., "code": ...}}`. */
export interface UpstreamErrorFields {
  type?: string;
  code?: string;
  param?: string;
  message?: string;
  declineCode?: string;
  docUrl?: string;
}

/** Constructor argument of `ApiError`. */
export interface ApiErrorInit extends UpstreamErrorFields {
  status: number;
  message: string;
  requestId?: string;
  raw: unknown;
  headers: Record<string, string>;
  method?: string;
  /** Request path without the query string. */
  path?: string;
}

/** The upstream answered with a non-2xx status (or with a 2xx body that could not be parsed). */
export class ApiError extends CapgenError {
  override name = 'ApiError';
  /** HTTP status code. */
  readonly status: number;
  /** Upstream error type, e.g. Stripe's `invalid_request_error`, `card_error`, `api_error`. */
  readonly type?: string;
  /** Upstream error code, e.g. `resource_missing`, `lock_timeout`. */
  readonly code?: string;
  /** The parameter the error relates to, when the upstream says so. */
  readonly param?: string;
  /** Stripe's `decline_code` for card errors. */
  readonly declineCode?: string;
  /** Stripe's `doc_url`. */
  readonly docUrl?: string;
  /** Value of the `Request-Id` (or `X-Request-Id`) response header. */
  readonly requestId?: string;
  /** The response body: parsed JSON when it was JSON, else the text. */
  readonly raw: unknown;
  /** Response headers, names lower-cased. */
  readonly headers: Record<string, string>;
  /** HTTP method of the failed request. */
  readonly method?: string;
  /** Path of the failed request, without the query string. */
  readonly path?: string;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.declineCode = init.declineCode;
    this.docUrl = init.docUrl;
    this.requestId = init.requestId;
    this.raw = init.raw;
    this.headers = init.headers;
    this.method = init.method;
    this.path = init.path;
  }
}

/** The request could not be completed: DNS failure, refused or reset connection, TLS error... */
export class ApiConnectionError extends CapgenError {
  override name = 'ApiConnectionError';
  readonly method?: string;
  readonly path?: string;
  constructor(message: string, options?: { cause?: unknown; method?: string; path?: string }) {
    super(message, options);
    this.method = options?.method;
    this.path = options?.path;
  }
}

/** No response arrived (headers and body) within the timeout. */
export class ApiTimeoutError extends ApiConnectionError {
  override name = 'ApiTimeoutError';
  readonly timeoutMs: number;
  constructor(message: string, options: { timeoutMs: number; method?: string; path?: string }) {
    super(message, options);
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * The upstream answered something the client refuses to take: a body over `maxResponseBytes`, or a
 * malformed HTTP message (e.g. a control character in a header). Not retried: the same request
 * would get the same answer.
 */
export class InvalidResponseError extends ApiConnectionError {
  override name = 'InvalidResponseError';
  /** The byte limit that was passed, for a body too large. */
  readonly limit?: number;
  /** Why a body was refused, for one not valid in its declared format (client-decode.ts). */
  readonly reason?: string;
  constructor(
    message: string,
    options: { cause?: unknown; method?: string; path?: string; limit?: number; reason?: string },
  ) {
    super(message, options);
    this.limit = options.limit;
    this.reason = options.reason;
  }
}

/** Why an answer was refused, from an InvalidResponseError's `limit` or `reason` (duck-typed by the servers). */
export function refusalReason(limit: unknown, reason?: unknown): string {
  if (typeof reason === 'string') return reason;
  return typeof limit === 'number'
    ? `its response is larger than the ${limit}-byte limit`
    : 'it sent a malformed HTTP response';
}

/** A setting makes every call fail (an invalid base URI, say); raised at start-up or before sending. */
export class ConfigurationError extends CapgenError {
  override name = 'ConfigurationError';
  /** What to change, e.g. which flag or environment variable sets the value. */
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** A credential needed for the upstream is absent. Raised before any request is sent. */
export class MissingCredentialsError extends CapgenError {
  override name = 'MissingCredentialsError';
  /** Name of the environment variable that is unset or empty. */
  readonly envVar: string;
  /** The API (consumes namespace) that needed it. */
  readonly namespace: string;
  constructor(envVar: string, namespace: string) {
    super(
      `Missing credentials for API "${namespace}": environment variable ${envVar} is not set ` +
        `(set it, or pass the apiKey client option).`,
    );
    this.envVar = envVar;
    this.namespace = namespace;
  }
}

/** The call's parameters cannot form a request (e.g. a missing required path parameter). */
export class ParameterError extends CapgenError {
  override name = 'ParameterError';
  /** The offending parameter. */
  readonly param: string;
  constructor(message: string, param: string) {
    super(message);
    this.param = param;
  }
}

/** Own properties of Node system errors worth keeping on a redacted copy. */
const COPIED_ERROR_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'hostname'] as const;

/**
 * Returns a copy of `error` (and of its `cause` chain, up to a few levels) whose name, message,
 * stack and diagnostic fields contain none of `secrets`. Non-Error causes become Errors carrying
 * their redacted string form. Never returns anything that references the original object.
 */
export function redactError(error: unknown, secrets: readonly string[], depth = 0): Error {
  if (!(error instanceof Error)) {
    return new Error(redactString(safeString(error), secrets));
  }
  const copy = new Error(redactString(error.message, secrets));
  copy.name = redactString(error.name, secrets);
  copy.stack = error.stack === undefined ? undefined : redactString(error.stack, secrets);
  const source = error as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const field of COPIED_ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') target[field] = redactString(value, secrets);
    else if (typeof value === 'number') target[field] = value;
  }
  if (error.cause !== undefined && depth < 4) {
    copy.cause = redactError(error.cause, secrets, depth + 1);
  }
  return copy;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'Unknown error';
  }
}
