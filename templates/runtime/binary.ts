/**
 * Files and binary bodies, for operations whose request is `multipart/form-data` (file uploads) or
 * whose answer is neither JSON nor text (a PDF, an image).
 *
 * - The typed client takes a file as a `Blob` (a `File` names itself), a `Uint8Array`, or
 *   stripe-node's `{ data, name, type }`; the body goes out as multipart/form-data serialized by the
 *   platform's own `FormData` and `Response` (the HTML standard's encoding, which stripe-node's
 *   `files.create` also writes: same parts, headers and order; only the boundary differs).
 * - The REST adapter and the MCP server take a file inside their JSON input as
 *   `{ data: <base64>, name?, type? }` (see {@link decodeUploads}).
 * - A binary answer comes back as a {@link BinaryBody}: its bytes and media type.
 *
 * Web-standard: no Node built-in.
 */
import type { BinaryBody, FileUpload, OperationSpec } from './contract.js';
import { ParameterError } from './errors.js';
import { encodeForm, FormEncodingError } from './form.js';

export type { BinaryBody, FileInput, FileUpload } from './contract.js';

const OCTET_STREAM = 'application/octet-stream';

/** Media types read as text (or parsed): JSON, text/*, XML, YAML, CSV, forms, JavaScript. */
const TEXTUAL =
  /^(text\/|application\/(json|xml|yaml|x-yaml|csv|x-www-form-urlencoded|javascript|ecmascript|graphql|sparql-\w+)$|[^/]+\/[^;]*\+(json|xml|yaml)$)/;

/** Whether a `Content-Type` names binary content (a PDF, an image, octet-stream): not JSON, not text. */
export function isBinaryMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.startsWith('application/json')) return false;
  const media = contentType.split(';', 1)[0].trim().toLowerCase();
  // `*/*` and `image/*` (what an OpenAPI document may declare) say nothing yet.
  return media !== '' && !media.includes('*') && !TEXTUAL.test(media);
}

/** Whether a value is a {@link BinaryBody} (JSON values never hold a Uint8Array). */
export function isBinaryBody(value: unknown): value is BinaryBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { bytes?: unknown }).bytes instanceof Uint8Array &&
    typeof (value as { contentType?: unknown }).contentType === 'string'
  );
}

/**
 * A binary answer as a server passes it on: its Content-Type when that is a well-formed header value
 * (visible ASCII, bounded), else `application/octet-stream`.
 */
export function passThrough(body: BinaryBody): BinaryBody {
  const type = body.contentType;
  return {
    contentType: type.length <= 200 && /^[\x20-\x7e]+$/.test(type) ? type : OCTET_STREAM,
    bytes: body.bytes,
  };
}

/** Base64 of bytes (standard alphabet, padded). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep the argument list of fromCharCode small.
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of a base64 string (standard alphabet, padding required, whitespace ignored), or undefined. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\t\n\r ]/g, '');
  if (!BASE64.test(compact)) return undefined;
  const binary = atob(compact);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** One part of a multipart body: a text field, or a file. */
export type MultipartPart =
  | { name: string; value: string }
  | { name: string; file: Blob | Uint8Array; filename: string; type: string };

/**
 * The parts of a multipart body, in the body's key order: files where a top-level member is a
 * {@link FileInput}, and every other member flattened as the form encoding does it (`expand[0]`,
 * `file_link_data[create]`, `null` as ''). Synchronous, so that a bad input fails before any request.
 */
export function multipartParts(body: unknown): MultipartPart[] {
  if (body === undefined || body === null) return [];
  if (typeof body !== 'object' || Array.isArray(body) || isFileLike(body))
    throw new ParameterError('The request body must be an object of fields and files.', 'body');
  const parts: MultipartPart[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    const file = fileOf(value);
    if (file) {
      parts.push({ name, ...file });
      continue;
    }
    let encoded: string;
    try {
      encoded = encodeForm({ [name]: value });
    } catch (error) {
      if (error instanceof FormEncodingError) throw new ParameterError(error.message, error.param);
      throw error;
    }
    // The form encoding, read back: the same keys and values, decoded.
    for (const [key, text] of new URLSearchParams(encoded)) parts.push({ name: key, value: text });
  }
  return parts;
}

/** The multipart/form-data body of `parts`, serialized by the platform (FormData through Response). */
export async function encodeMultipart(
  parts: MultipartPart[],
): Promise<{ contentType: string; bytes: Uint8Array }> {
  const form = new FormData();
  for (const part of parts) {
    if ('value' in part) form.append(part.name, part.value);
    else {
      const blob =
        part.file instanceof Blob && part.file.type === part.type
          ? part.file
          : new Blob([part.file as BlobPart], { type: part.type });
      form.append(part.name, blob, part.filename);
    }
  }
  const response = new Response(form);
  const contentType = response.headers.get('content-type') ?? 'multipart/form-data';
  return { contentType, bytes: new Uint8Array(await response.arrayBuffer()) };
}

function isFileLike(value: unknown): boolean {
  return value instanceof Blob || value instanceof Uint8Array;
}

/** A file part for a value that is a file, else undefined. */
function fileOf(
  value: unknown,
): { file: Blob | Uint8Array; filename: string; type: string } | undefined {
  if (isFileLike(value)) {
    const blob = value as Blob | Uint8Array;
    const named = (blob as { name?: unknown }).name;
    return {
      file: blob,
      filename: typeof named === 'string' && named !== '' ? named : 'blob',
      type: (blob instanceof Blob && blob.type) || OCTET_STREAM,
    };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { data, name, type } = value as { data?: unknown; name?: unknown; type?: unknown };
  if (!isFileLike(data)) return undefined;
  return {
    file: data as Blob | Uint8Array,
    filename: typeof name === 'string' && name !== '' ? name : 'blob',
    type:
      typeof type === 'string' && type !== ''
        ? type
        : (data instanceof Blob && data.type) || OCTET_STREAM,
  };
}

/**
 * For the servers: the call's `body` with each file member the operation declares
 * (`body.files`) turned from `{ data: <base64>, name?, type? }` into bytes. Throws a
 * ParameterError naming the member when its data is not base64.
 */
export function decodeUploads(
  operation: OperationSpec,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const files = operation.body?.files;
  const body = params.body;
  if (!files?.length || typeof body !== 'object' || body === null || Array.isArray(body))
    return params;
  const decoded: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const name of files) {
    const upload = decoded[name];
    if (typeof upload !== 'object' || upload === null) continue;
    const { data, name: filename, type } = upload as Partial<FileUpload>;
    if (typeof data !== 'string') continue;
    const bytes = base64ToBytes(data);
    if (bytes === undefined)
      throw new ParameterError(
        `Invalid ${name}.data: not base64 (standard alphabet, padded with '=').`,
        name,
      );
    decoded[name] = { data: bytes, name: filename, type };
  }
  return { ...params, body: decoded };
}
