/** Error answers of the REST adapter, in Stripe's shape: `{"error": {"type", "message", "param"}}`. */
import type { CompiledRoute, CoreResponse } from './rest-types.js';

export function errorResponse(
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

export function invalidRequest(message: string, param?: string): CoreResponse {
  return errorResponse(400, 'invalid_request_error', message, param);
}

export function unknownParameter(name: string, compiled: CompiledRoute): CoreResponse {
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

export function methodNotAllowed(method: string, path: string, allow: string): CoreResponse {
  return errorResponse(
    405,
    'invalid_request_error',
    `${method} is not allowed on ${truncate(path, 200)}; allowed: ${allow}.`,
    undefined,
    { allow },
  );
}

export function unauthorized(message: string, challenge: string): CoreResponse {
  return errorResponse(401, 'invalid_request_error', message, undefined, {
    'www-authenticate': challenge,
  });
}

export function authNotConfigured(variable: string): CoreResponse {
  return errorResponse(
    500,
    'api_error',
    `Inbound authentication is not configured on the server: set the ${variable} environment variable.`,
  );
}

/** 415: a body that is not JSON, or (`required`) a POST, PUT or PATCH that does not say it is JSON. */
export function unsupportedMediaType(
  contentType: string | undefined,
  required = false,
): CoreResponse {
  const missing = contentType === undefined || contentType.trim() === '';
  return errorResponse(
    415,
    'invalid_request_error',
    required && missing
      ? 'Missing Content-Type: POST, PUT and PATCH requests must send Content-Type: application/json, also with an empty body.'
      : `Unsupported request body type ${JSON.stringify(truncate(contentType ?? '', 100))}: send JSON with Content-Type: application/json.`,
  );
}

export function forbidden(message: string): CoreResponse {
  return errorResponse(403, 'invalid_request_error', message);
}

export function payloadTooLarge(limit: number): CoreResponse {
  return errorResponse(
    413,
    'invalid_request_error',
    `The request body is larger than the ${limit}-byte limit.`,
  );
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
