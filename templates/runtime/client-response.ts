/**
 * Response handling for the client: secrets scrubbed from what was received, body parsing, upstream
 * error fields, redirects, Retry-After.
 */
import { isBinaryMediaType } from './binary.js';
import type { ApiResponse } from './client.js';
import { decodeOutput } from './client-decode.js';
import type { PreparedRequest } from './client-request.js';
import type { BinaryBody, OutputFormat } from './contract.js';
import { ApiError, InvalidResponseError, type UpstreamErrorFields } from './errors.js';
import { MIN_SECRET_LENGTH, redactHeaders, redactString } from './redact.js';
import { decodedBytes, type TransportResponse } from './transport.js';

/** A response as the client hands it on: headers and text with every credential scrubbed. */
export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /**
   * The body's bytes, when `text` is exactly their UTF-8 decoding and holds none of the request's
   * credentials (so nothing was redacted): a server may pass them on as they are.
   */
  verbatim?: Uint8Array;
  /** The body's bytes as received (not scrubbed), when the transport has them (format converters). */
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
  const decoded = response.body;
  const text = redactString(decoded, req.secrets);
  const bytes = text === decoded ? decodedBytes(response) : undefined;
  return {
    status: response.status,
    headers,
    text,
    verbatim: bytes !== undefined && decodesVerbatim(bytes, text) ? bytes : undefined,
    bytes: response.bytes,
  };
}

/**
 * Whether the bytes are exactly `text` in UTF-8: no byte order mark (which decoding drops) and no
 * replacement character (which may stand for malformed bytes).
 */
function decodesVerbatim(bytes: Uint8Array, text: string): boolean {
  return !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) && !text.includes('\ufffd');
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
 * What an answer gives the caller: the error it is, a body its output format's converter refused
 * (`refused`), or its data (with its bytes, see `verbatim`).
 */
export type Outcome =
  | { error: ApiError; refused?: undefined }
  | { error?: undefined; refused: InvalidResponseError }
  | Success;
type Success = { error?: undefined; refused?: undefined; data: unknown; json?: Uint8Array };

/**
 * Classifies a received answer (see {@link Outcome}); a 2xx body of an operation with a non-JSON
 * `output` goes through its converter, and its result is never passed on as bytes.
 */
export function outcomeOf(
  response: ReceivedResponse,
  req: PreparedRequest,
  output?: OutputFormat,
): Outcome {
  const status = response.status;
  const parsed = parseBody(response, output, req);
  if (parsed.refused !== undefined) return { refused: parsed.refused };
  if (status < 200 || status >= 300) return { error: buildApiError(response, parsed.value, req) };
  if (parsed.invalidJson) {
    return {
      error: new ApiError({
        status,
        message: `Invalid JSON in response body (HTTP ${status})`,
        requestId: requestIdOf(response.headers),
        raw: parsed.value,
        headers: response.headers,
        method: req.method,
        path: req.path,
      }),
    };
  }
  return { data: parsed.value, json: parsed.json === true ? response.verbatim : undefined };
}

/** The caller's view of a successful outcome. */
export function apiResponse<T>(response: ReceivedResponse, outcome: Success): ApiResponse<T> {
  const headers = response.headers;
  return {
    data: outcome.data as T,
    status: response.status,
    headers,
    requestId: requestIdOf(headers),
    ...(outcome.json !== undefined ? { json: outcome.json } : {}),
  };
}

/**
 * A 2xx answer to pass on as received (`RequestOptions.passThrough`), or undefined when it must be
 * decoded and scrubbed as any other: declared JSON, one object or array (its first and last bytes),
 * and none of the request's credentials in its bytes, in any of their encodings (the same forms
 * redaction replaces, searched in the bytes without decoding them). Its body is not parsed: one
 * malformed inside reaches the caller as the upstream sent it, as through a proxy.
 */
export function passThroughAnswer<T>(
  response: TransportResponse,
  req: PreparedRequest,
): ApiResponse<T> | undefined {
  const status = response.status;
  const bytes = decodedBytes(response);
  if (status < 200 || status >= 300 || bytes === undefined) return undefined;
  if (!/\bjson\b/i.test(response.headers['content-type'] ?? '') || !isJsonDocument(bytes))
    return undefined;
  if (bytesContainAny(bytes, req.secrets)) return undefined;
  const headers = redactHeaders(response.headers, req.secrets);
  return new PassedThrough<T>(status, headers, bytes, req.secrets);
}

/** An answer passed on as received: `data` is decoded (and scrubbed) and parsed on first read. */
class PassedThrough<T> implements ApiResponse<T> {
  private parsed: { value: T } | undefined;
  readonly requestId: string | undefined;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly json: Uint8Array,
    private readonly secrets: readonly string[],
  ) {
    this.requestId = requestIdOf(headers);
  }

  get data(): T {
    this.parsed ??= {
      value: JSON.parse(redactString(utf8.decode(this.json), this.secrets)) as T,
    };
    return this.parsed.value;
  }
}

const utf8 = new TextDecoder();

/** First and last bytes other than JSON whitespace: `{`…`}` or `[`…`]` (and no byte order mark). */
function isJsonDocument(bytes: Uint8Array): boolean {
  let first = 0;
  let last = bytes.length - 1;
  while (first < last && isSpace(bytes[first])) first++;
  while (last > first && isSpace(bytes[last])) last--;
  const open = bytes[first];
  const close = bytes[last];
  return last > first && ((open === 0x7b && close === 0x7d) || (open === 0x5b && close === 0x5d));
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The Node Buffer class where there is one: its `includes` searches bytes natively. */
const NodeBuffer = (globalThis as { Buffer?: { isBuffer(value: unknown): boolean } }).Buffer;

/**
 * Whether the UTF-8 bytes contain any of the secrets (those shorter than redaction's minimum are
 * skipped, as redaction skips them): a native byte search on Node's Buffers, else a search of the
 * decoded text.
 */
function bytesContainAny(bytes: Uint8Array, secrets: readonly string[]): boolean {
  if (NodeBuffer?.isBuffer(bytes)) {
    const buffer = bytes as Uint8Array & { includes(value: string): boolean };
    for (const secret of secrets)
      if (secret.length >= MIN_SECRET_LENGTH && buffer.includes(secret)) return true;
    return false;
  }
  const text = utf8.decode(bytes);
  return redactString(text, secrets) !== text;
}

/**
 * The body as data: parsed JSON (`json` true), else the text, or null when empty (`invalidJson` when
 * declared JSON but not); for a 2xx answer of an operation that declares a non-JSON
 * `outputRawFormat`, what its converter makes of it (`refused` when it cannot).
 */
export function parseBody(
  response: ReceivedResponse,
  output?: OutputFormat,
  req?: PreparedRequest,
): { value: unknown; invalidJson: boolean; json?: boolean; refused?: InvalidResponseError } {
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
    return { value: JSON.parse(text) as unknown, invalidJson: false, json: true };
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
