/**
 * Maps what the upstream call throws to the REST adapter's answer: upstream 4xx/5xx pass through with
 * their status and body (secrets redacted), an unreachable upstream is 502, a timeout 504. Errors are
 * duck-typed (by `name`, `status`, `raw`), so any client's error classes work.
 */
import type { CoreResponse, RestRoute } from './rest-types.js';
import { errorResponse, invalidRequest } from './rest-responses.js';
import { refusalReason } from './errors.js';

/** Maps an error thrown by `invoke` to a response (duck-typed, so any client's classes work). */
export function upstreamError(
  route: RestRoute,
  error: unknown,
  redact: (text: string) => string,
  log: (line: string) => void,
): CoreResponse {
  const err = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof err.name === 'string' ? err.name : '';
  const upstreamRequestId = safeHeaderValue(err.requestId);

  if (name === 'ApiTimeoutError') {
    return {
      ...errorResponse(
        504,
        'api_connection_error',
        `The upstream API did not answer in time (${route.call?.id ?? route.operationName}).`,
      ),
      upstreamRequestId,
    };
  }
  if (name === 'ApiConnectionError') {
    return {
      ...errorResponse(
        502,
        'api_connection_error',
        `Could not reach the upstream API (${route.call?.id ?? route.operationName}).`,
      ),
      upstreamRequestId,
    };
  }
  if (name === 'InvalidResponseError') {
    // Refused by the client: a body over its size limit, or a malformed HTTP message.
    const what = refusalReason(err.limit, err.reason);
    return {
      ...errorResponse(
        502,
        'api_connection_error',
        `The upstream API's answer was refused: ${what} (${route.call?.id ?? route.operationName}).`,
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
        : redact(
            typeof err.message === 'string'
              ? err.message
              : 'The server has no credentials for the upstream API.',
          );
    return errorResponse(500, 'api_error', message);
  }
  if (name === 'OrchestrationError') {
    // Steps whose data did not fit (502) or a failed script (500); the message names the step.
    const status = typeof err.httpStatus === 'number' ? err.httpStatus : 502;
    return errorResponse(status, 'api_error', redact(String(err.message)));
  }
  if (name === 'ParameterError') {
    // The client could not form the upstream request from the inputs (e.g. a required path value).
    const param = typeof err.param === 'string' ? err.param : undefined;
    return invalidRequest(
      redact(typeof err.message === 'string' ? err.message : 'Invalid parameters.'),
      param,
    );
  }
  if (name === 'AbortError') {
    // The caller went away; nobody will read this.
    return errorResponse(499, 'api_connection_error', 'The request was cancelled.');
  }
  if (typeof err.status === 'number' && 'raw' in err) {
    const answer = passThroughApiError(err.status, err, redact);
    // When to come back, for a 429 or 503 not retried because the upstream asked for a long wait.
    const retryAfter =
      typeof err.headers === 'object' && err.headers !== null
        ? (err.headers as Record<string, unknown>)['retry-after']
        : undefined;
    if (typeof retryAfter === 'string' && /^[\x20-\x7e]{1,100}$/.test(retryAfter))
      answer.headers = { 'retry-after': retryAfter };
    return { ...answer, upstreamRequestId };
  }
  log(
    `capgen rest: ${route.operationName}: unexpected error from the upstream call: ${redact(describeError(error))}`,
  );
  return errorResponse(
    500,
    'api_error',
    'An unexpected error occurred while calling the upstream API.',
  );
}

/** Upstream 4xx/5xx: the same status and body the upstream sent (secrets redacted). */
function passThroughApiError(
  status: number,
  err: Record<string, unknown>,
  redact: (text: string) => string,
): CoreResponse {
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
  return { status: httpStatus, body: redact(body) };
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

/** A value fit for an HTTP header (visible ASCII, bounded), or undefined. */
export function safeHeaderValue(value: unknown): string | undefined {
  return typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 200 &&
    /^[\x21-\x7e]+$/.test(value)
    ? value
    : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
