/**
 * Request preparation for the client: everything that can fail without a request fails here, before
 * anything is sent (credentials, base URI, path parameters). The result is reused by every attempt.
 */
import type { ClientOptions, RequestOptions } from './client.js';
import { resolveAuth, type ResolvedAuth } from './client-auth.js';
import {
  buildCookie,
  encodeParams,
  buildPath,
  buildQuery,
  joinPath,
  resolveBaseUri,
  scalarToString,
} from './client-url.js';
import { encodeMultipart, multipartParts, type MultipartPart } from './binary.js';
import type { ApiSpec, OperationSpec } from './contract.js';
import { ConfigurationError, ParameterError } from './errors.js';
import { checkShape } from './limits.js';
import { isRecord } from './client-response.js';
import { secretForms } from './redact.js';
import { withFixedValues } from './values.js';

/** Version of this runtime, sent in the default User-Agent. */
export const CAPGEN_RUNTIME_VERSION = '0.1.0';

/** Methods that never carry a body. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE']);
/** Methods that get no generated idempotency key. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request fully prepared, reused as-is by every attempt. */
export interface PreparedRequest {
  method: string;
  url: string;
  /** Path as sent, without query (for logs and errors). */
  path: string;
  /** Scheme + host, for error messages. */
  origin: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Every credential value in play, in every encoding, for redaction. */
  secrets: string[];
  /** Digest auth: the scheme and credentials that answer a 401 challenge. */
  digest?: ResolvedAuth['digest'];
  /** The parts of a multipart body not encoded yet (see finishRequest). */
  multipart?: MultipartPart[];
}

/** Builds the request for one call: URL, headers (lowest precedence first), body, idempotency key. */
export function prepareRequest(
  api: ApiSpec,
  clientOptions: ClientOptions,
  env: Record<string, string | undefined>,
  op: OperationSpec,
  passed: Record<string, unknown>,
  options: RequestOptions,
): PreparedRequest {
  // Fixed values and body templates; what they read from the environment or bind files is secret.
  const { params, secrets: bound } = withFixedValues(op, passed, env, api.namespace);
  const method = op.method.toUpperCase();
  const auth = resolveAuth(api.auth, api.namespace, env, clientOptions.apiKey);

  // URL
  const base = resolveBaseUri(api, clientOptions.baseUri, env, op.baseUri);
  const path = joinPath(base.pathname, buildPath(op, params));
  const queryParts: string[] = [];
  const query = buildQuery(op, params);
  if (query) queryParts.push(query);
  if (auth.query) queryParts.push(auth.query);
  const search = queryParts.length ? '?' + queryParts.join('&') : '';
  const url = base.origin + path + search;

  // Headers, lowest precedence first: those of every call (shared), then a copy for this call's own.
  const headers = new HeaderSet(commonHeaders(api, clientOptions, auth));
  // A non-JSON output format asks for its own media type (a declared Accept header parameter wins).
  if (op.output !== undefined) headers.set('Accept', op.output.accept);
  for (const p of op.params) {
    if (p.in !== 'header') continue;
    const value = params[p.name];
    if (value !== undefined && value !== null)
      headers.set(p.name, headerValue(p.name, scalarToString(value)));
  }
  const cookie = buildCookie(op, params);
  if (cookie) headers.set('Cookie', cookie);

  // Body
  let body: string | undefined;
  let multipart: MultipartPart[] | undefined;
  if (op.body && !BODYLESS_METHODS.has(method)) {
    const value = params.body;
    if (op.body.mediaType === 'multipart/form-data') {
      // Its parts now (a bad input fails before any request), its bytes in finishRequest.
      multipart = multipartParts(value);
    } else {
      const issue = typeof value === 'object' ? checkShape(value, 'the request body') : undefined;
      if (issue !== undefined) throw new ParameterError(issue.message, 'body');
      if (op.body.mediaType !== 'application/x-www-form-urlencoded') {
        if (value !== undefined) {
          // A string is the body's text (a body template's rendering, a text/XML body), except a
          // JSON body's value, which is JSON like any other (a JSON string body is `"X"`).
          const text =
            typeof value === 'string' &&
            (op.bodyTemplate !== undefined || op.body.mediaType !== 'application/json');
          body = text ? value : JSON.stringify(value);
          headers.set('Content-Type', op.body.mediaType);
        }
      } else {
        // Like stripe-node: a form operation always sends a (possibly empty) form body.
        body = typeof value === 'string' ? value : encodeParams(isRecord(value) ? value : {});
        headers.set('Content-Type', 'application/x-www-form-urlencoded');
      }
    }
  }

  headers.setAll(clientOptions.headers);
  headers.setAll(options.headers);

  // One idempotency key per logical call, reused by every retry.
  if (options.idempotencyKey !== undefined) {
    headers.set('Idempotency-Key', headerValue('Idempotency-Key', options.idempotencyKey));
  } else if (!SAFE_METHODS.has(method) && headers.get('Idempotency-Key') === undefined) {
    headers.set('Idempotency-Key', randomUuid());
  }

  const secrets =
    bound.length === 0 ? auth.secrets : [...auth.secrets, ...bound.flatMap(secretForms)];
  return {
    method,
    url,
    path,
    origin: base.origin,
    headers: headers.result(),
    body,
    secrets,
    digest: auth.digest,
    ...(multipart ? { multipart } : {}),
  };
}

/**
 * What preparing could not do synchronously: a multipart body's bytes (files are read, and the
 * platform's FormData serializes them), with its Content-Type and boundary. The headers are copied,
 * since they may be shared with other calls (see HeaderSet).
 */
export async function finishRequest(req: PreparedRequest): Promise<void> {
  if (!req.multipart) return;
  const { contentType, bytes } = await encodeMultipart(req.multipart);
  req.body = bytes;
  const headers = new HeaderSet(req.headers);
  if (headers.get('Content-Type') === undefined) headers.set('Content-Type', contentType);
  req.headers = headers.result();
  delete req.multipart;
}

/**
 * Refuses an `apiKey` option that none of a client's APIs can send (none declares authentication),
 * so that an explicit key is never ignored silently. Generated client factories call it.
 */
export function checkApiKey(apis: ApiSpec[], options: ClientOptions): void {
  if (options.apiKey === undefined || options.apiKey === '') return;
  if (apis.some((api) => api.auth.type !== 'none')) return;
  throw new ConfigurationError(
    `The apiKey option was given, but ${apis.map((api) => `"${api.namespace}"`).join(', ') || 'this client'} takes no credentials: the capability declares no authentication, so the key would not be sent.`,
    'declare authentication (bearer, apikey or basic) in the consumes block and regenerate, or drop the apiKey option',
  );
}

/** A header value as given, unless it would split the header (CR, LF or NUL). */
function headerValue(name: string, value: string): string {
  if (/[\r\n\0]/.test(value))
    throw new ParameterError(`Header ${name} must not contain line breaks or NUL characters`, name);
  return value;
}

/**
 * Request headers over a shared base: names are matched without regard to case (a later value
 * replaces an earlier one, under its own spelling), and the base is copied only if a header is set.
 */
class HeaderSet {
  private headers: Record<string, string>;
  private owned = false;

  constructor(base: Record<string, string>) {
    this.headers = base;
  }

  set(name: string, value: string): void {
    if (!this.owned) {
      this.headers = { ...this.headers };
      this.owned = true;
    }
    setHeader(this.headers, name, value);
  }

  setAll(headers: Record<string, string> | undefined): void {
    if (headers === undefined) return;
    for (const name of Object.keys(headers)) this.set(name, headers[name]);
  }

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(this.headers)) {
      if (existing.toLowerCase() === lower) return this.headers[existing];
    }
    return undefined;
  }

  /** The headers; shared with other calls unless one was set here (read them, do not change them). */
  result(): Record<string, string> {
    return this.headers;
  }
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === lower) delete headers[existing];
  }
  headers[name] = value;
}

/** The last headers every call of a client sends (Accept, User-Agent, version, auth), by its auth. */
const lastCommon = new WeakMap<
  ResolvedAuth,
  { options: ClientOptions; api: ApiSpec; headers: Record<string, string> }
>();

/** Accept, User-Agent, the version header and the auth headers: shared while the credential holds. */
function commonHeaders(
  api: ApiSpec,
  clientOptions: ClientOptions,
  auth: ResolvedAuth,
): Record<string, string> {
  const last = lastCommon.get(auth);
  if (last !== undefined && last.options === clientOptions && last.api === api) return last.headers;
  const headers: Record<string, string> = {};
  setHeader(headers, 'Accept', 'application/json');
  setHeader(headers, 'User-Agent', clientOptions.userAgent ?? defaultUserAgent());
  if (api.version) {
    setHeader(headers, api.version.header, clientOptions.apiVersion ?? api.version.value);
  }
  for (const name of Object.keys(auth.headers)) setHeader(headers, name, auth.headers[name]);
  lastCommon.set(auth, { options: clientOptions, api, headers });
  return headers;
}

let userAgent: string | undefined;

function defaultUserAgent(): string {
  if (userAgent === undefined) {
    const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions
      ?.node;
    userAgent = `capgen/${CAPGEN_RUNTIME_VERSION} (runtime; ${node ? `node/${node}` : 'fetch'})`;
  }
  return userAgent;
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
