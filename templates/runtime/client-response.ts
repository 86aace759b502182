/** Response handling for the client: body parsing, upstream error fields, Retry-After. */
import type { PreparedRequest } from './client-request.js';
import { ApiError, redactString, type UpstreamErrorFields } from './errors.js';
import type { TransportResponse } from './transport.js';

export function requestIdOf(headers: Record<string, string>): string | undefined {
  return headers['request-id'] ?? headers['x-request-id'];
}

export function parseBody(response: TransportResponse): { value: unknown; invalidJson: boolean } {
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

export function buildApiError(
  response: TransportResponse,
  body: unknown,
  req: PreparedRequest,
): ApiError {
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
    raw: body,
    headers: response.headers,
    method: req.method,
    path: req.path,
  });
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
