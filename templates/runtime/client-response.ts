/**
 * Response handling for the client: secrets scrubbed from what was received, body parsing, upstream
 * error fields, redirects, Retry-After.
 */
import { isBinaryMediaType } from './binary.js';
import { decodeOutput } from './client-decode.js';
import type { PreparedRequest } from './client-request.js';
import type { BinaryBody, OutputFormat } from './contract.js';
import { ApiError, InvalidResponseError, type UpstreamErrorFields } from './errors.js';
import { redactHeaders, redactString } from './redact.js';
import type { TransportResponse } from './transport.js';

/** A response as the client hands it on: headers and text with every credential scrubbed. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body's bytes as received (not scrubbed), when the transport has them. */
  bytes?: Uint8Array;
  /** A successful binary answer, as received (its text is then ''; bytes are not scanned). */
  binary?: BinaryBody;
}

/**
 * Decodes the body and scrubs the request's credentials from it and from the headers. A successful
 * answer is kept as bytes when the operation is binary (`binary`) or its Content-Type names binary
 * content, unless the operation converts its answers to JSON (`converted`: an `outputRawFormat`,
 * whose converter reads the bytes, avro and protobuf included).
 */
export function receive(
  response: TransportResponse,
  req: PreparedRequest,
  binary = false,
  converted = false,
): ReceivedResponse {
  const headers = redactHeaders(response.headers, req.secrets);
  if (!converted && response.status >= 200 && response.status < 300) {
    const contentType = headers['content-type'];
    if (isBinaryMediaType(contentType) || (binary && bodyLength(response) > 0))
      return {
        status: response.status,
        headers,
        text: '',
        binary: binaryBody(response, contentType),
      };
  }
  return {
    status: response.status,
    headers,
    text: redactString(response.body, req.secrets),
    bytes: response.bytes,
  };
}

function bodyLength(response: TransportResponse): number {
  return response.bytes ? response.bytes.byteLength : response.body.length;
}

function binaryBody(response: TransportResponse, contentType: string | undefined): BinaryBody {
  return {
    contentType: contentType || 'application/octet-stream',
    // A plain Uint8Array view (a Node Buffer is a subclass); a transport without bytes (an
    // injected one) has only text: its UTF-8 is the best left.
    bytes: response.bytes
      ? new Uint8Array(response.bytes.buffer, response.bytes.byteOffset, response.bytes.byteLength)
      : new TextEncoder().encode(response.body),
  };
}

export function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['request-id'] ?? headers['x-request-id'];
}

/**
 * The body as data: JSON (else the text), or for a 2xx answer of an operation that declares a
 * non-JSON `outputRawFormat`, what its converter makes of it (`refused` when it cannot).
 */
export function parseBody(
  response: ReceivedResponse,
  output?: OutputFormat,
  req?: PreparedRequest,
): { value: unknown; invalidJson: boolean; refused?: InvalidResponseError } {
  if (
    output !== undefined &&
    req !== undefined &&
    response.status >= 200 &&
    response.status < 300
  ) {
    const decoded = decodeOutput(output, response, req);
    return 'refused' in decoded
      ? { value: response.text, invalidJson: false, refused: decoded.refused }
      : { value: decoded.value, invalidJson: false };
  }
  if (response.binary) return { value: response.binary, invalidJson: false };
  const text = response.text;
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

/** The error for a non-2xx answer (the body and headers are already scrubbed, see `receive`). */
export function buildApiError(
  response: ReceivedResponse,
  body: unknown,
  req: PreparedRequest,
): ApiError {
  const fields = upstreamErrorFields(body);
  let message = fields.message;
  if (!message) {
    const snippet = typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 200)}` : '';
    const redirect = isRedirect(response.status)
      ? ': a redirect the client does not follow (only to the same origin, and for other methods than GET and HEAD only with 307 or 308)'
      : '';
    message = `HTTP ${response.status} from ${req.method} ${req.path}${redirect || snippet}`;
  }
  return new ApiError({
    status: response.status,
    message,
    type: fields.type,
    code: fields.code,
    param: fields.param,
    declineCode: fields.declineCode,
    docUrl: fields.docUrl,
    requestId: requestIdOf(response.headers),
    raw: body,
    headers: response.headers,
    method: req.method,
    path: req.path,
  });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/** Redirects followed within one attempt, at most. */
const MAX_REDIRECTS = 5;

/**
 * Where to go next when `response` is a redirect the client follows, else undefined: only to the
 * same origin (credentials, body and idempotency key never leave it), for GET and HEAD on any
 * redirect status and for other methods only on 307/308 (which keep the method and body).
 */
export function redirectTarget(
  response: TransportResponse,
  req: PreparedRequest,
  currentUrl: string,
  hops: number,
): string | undefined {
  if (!isRedirect(response.status) || hops >= MAX_REDIRECTS) return undefined;
  const location = response.headers.location;
  if (location === undefined) return undefined;
  if (
    req.method !== 'GET' &&
    req.method !== 'HEAD' &&
    response.status !== 307 &&
    response.status !== 308
  )
    return undefined;
  let target: URL;
  try {
    target = new URL(location, currentUrl);
  } catch {
    return undefined;
  }
  return target.origin === req.origin ? target.href : undefined;
}

/** `Retry-After` as milliseconds: delta-seconds (fractions accepted) or an HTTP date. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
