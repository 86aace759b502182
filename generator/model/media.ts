/**
 * Media types of a consumed operation, from its matched OpenAPI operation: how the request body is
 * encoded (form, JSON, multipart with files), and whether a successful answer is binary.
 */
import type { BodySpec, JsonSchema } from '../../templates/runtime/contract.js';
import { isBinaryMediaType } from '../../templates/runtime/binary.js';
import { isRecord } from '../check/paths.js';

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';
const JSON_TYPE = 'application/json';

/**
 * The request body's media type: form, then multipart, then JSON; `fallback` without OpenAPI. A
 * body that may be JSON or a form (Swagger's Petstore lists both) goes as JSON: every media type
 * listed is one the API takes, and only JSON carries nested objects and arrays without an encoding
 * convention (a form's brackets are Stripe's, not a standard).
 */
export function requestMediaType(
  content: Record<string, unknown> | undefined,
  fallback: BodySpec['mediaType'],
): BodySpec['mediaType'] {
  if (!content) return fallback;
  if (content[FORM]) return content[JSON_TYPE] ? JSON_TYPE : FORM;
  if (content[MULTIPART]) return MULTIPART;
  return 'application/json';
}

/** The request body content of a (dereferenced) OpenAPI operation. */
export function requestContent(operation: Record<string, unknown> | undefined): {
  requestBody?: Record<string, unknown>;
  content?: Record<string, unknown>;
} {
  const requestBody = isRecord(operation?.requestBody) ? operation.requestBody : undefined;
  const content = isRecord(requestBody?.content) ? requestBody.content : undefined;
  return { requestBody, content };
}

/**
 * The members of a multipart body schema that are files: `type: string` with `format: binary`
 * (OpenAPI 3.0) or a `contentMediaType` (3.1). Top-level members only.
 */
export function fileMembers(schema: unknown): string[] {
  if (!isRecord(schema) || !isRecord(schema.properties)) return [];
  return Object.entries(schema.properties)
    .filter(([, p]) => isFileSchema(p))
    .map(([name]) => name);
}

/** A string schema of bytes: `format: binary` (OpenAPI 3.0) or a `contentMediaType` (3.1). */
export function isFileSchema(schema: unknown): boolean {
  return (
    isRecord(schema) &&
    (schema.type === undefined || schema.type === 'string') &&
    (schema.format === 'binary' || schema.contentMediaType !== undefined)
  );
}

/** What servers take for a file, inside their JSON input (see templates/runtime/binary.ts). */
export function fileUploadSchema(description: string | undefined): JsonSchema {
  return {
    type: 'object',
    description: `${description ? `${description}\n\n` : ''}The file: its bytes base64-encoded in \`data\`, with an optional file name and media type.`,
    properties: {
      data: { type: 'string', description: "The file's bytes, base64-encoded." },
      name: { type: 'string', description: 'The file name sent with it (default "blob").' },
      type: {
        type: 'string',
        description: 'Its media type (default application/octet-stream).',
      },
    },
    required: ['data'],
    additionalProperties: false,
  };
}

/** A multipart body's JSON Schema with each file member as a {@link fileUploadSchema}. */
export function withFileUploads(schema: JsonSchema, files: string[]): JsonSchema {
  if (!files.length || !schema.properties) return schema;
  const properties = { ...schema.properties };
  for (const name of files)
    if (properties[name]) properties[name] = fileUploadSchema(properties[name].description);
  return { ...schema, properties };
}

/**
 * Whether the operation's successful answer is binary: its first 2xx response has content, none of
 * it JSON or text (`application/pdf`, `image/png`, `application/octet-stream`).
 */
export function binaryResponse(operation: Record<string, unknown>): boolean {
  const types = Object.keys(successContent(operation) ?? {});
  return types.length > 0 && types.every((t) => isBinaryMediaType(t));
}

/** The content (by media type) of the first 2xx response of a (dereferenced) operation. */
export function successContent(
  operation: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const responses = isRecord(operation.responses) ? operation.responses : {};
  const code = Object.keys(responses)
    .sort()
    .find((c) => /^2\d\d$/.test(c));
  const response = code ? responses[code] : undefined;
  return isRecord(response) && isRecord(response.content) ? response.content : undefined;
}
