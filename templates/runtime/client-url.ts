/** URL building for the client: base URI, path parameters, query string, cookies. */
import type { ApiSpec, OperationSpec, ParamSpec } from './contract.js';
import { ConfigurationError, ParameterError } from './errors.js';
import { encodeForm, FormEncodingError } from './form.js';

/** A checked base URI: where requests go, and the path operation paths are joined to. */
export interface BaseUri {
  readonly origin: string;
  readonly pathname: string;
}

/** Base URIs checked so far, by their text (a client has one or two). */
const checkedBaseUris = new Map<string, BaseUri>();

/**
 * The base URI: the `baseUri` option, else the `api.baseUriEnv` variable, else the operation's own
 * server (`operationBase`, from its OpenAPI `servers`), else the spec's.
 */
export function resolveBaseUri(
  api: ApiSpec,
  override: string | undefined,
  env: Record<string, string | undefined>,
  operationBase?: string,
): BaseUri {
  const fromEnv = override || !api.baseUriEnv ? undefined : env[api.baseUriEnv];
  const raw = override || fromEnv || operationBase || api.baseUri;
  let checked = checkedBaseUris.get(raw);
  if (checked === undefined) {
    const url = checkBaseUri(api, override, fromEnv, raw);
    checked = { origin: url.origin, pathname: url.pathname };
    if (checkedBaseUris.size >= 64) checkedBaseUris.clear();
    checkedBaseUris.set(raw, checked);
  }
  return checked;
}

function checkBaseUri(
  api: ApiSpec,
  override: string | undefined,
  fromEnv: string | undefined,
  raw: string,
): URL {
  const source = override
    ? 'the baseUri option (--base-uri)'
    : fromEnv
      ? api.baseUriEnv
      : 'the spec';
  const hint = `set an absolute http(s) URL with --base-uri, the ${api.baseUriEnv} environment variable or the baseUri client option`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigurationError(
      `Invalid base URI for API "${api.namespace}" (from ${source}): ${JSON.stringify(raw)}`,
      hint,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(
      `Base URI for API "${api.namespace}" (from ${source}) must be http(s), got ${url.protocol}`,
      hint,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      `Base URI for API "${api.namespace}" (from ${source}) must not contain credentials`,
      'put credentials in the environment variables the capability names, not in the URL',
    );
  }
  return url;
}

/**
 * Encodes one path parameter value so it stays inside its segment: `/`, `?`, `#`, `%` are
 * percent-encoded. `.` and `..` are rejected because URL parsers (WHATWG `URL`, fetch, proxies)
 * collapse them, and even their `%2E` encodings, into a parent-directory step.
 */
export function encodePathSegment(value: string, param: string): string {
  if (value === '.' || value === '..') {
    throw new ParameterError(`Path parameter "${param}" must not be "${value}"`, param);
  }
  return encodeURIComponent(value);
}

export function buildPath(op: OperationSpec, params: Record<string, unknown>): string {
  if (!op.path.includes('{')) return op.path;
  return op.path.replace(/\{([^{}]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') {
      throw new ParameterError(
        `Missing required path parameter "${name}" for operation ${op.id}`,
        name,
      );
    }
    if (
      typeof value !== 'string' &&
      typeof value !== 'number' &&
      typeof value !== 'boolean' &&
      typeof value !== 'bigint'
    ) {
      throw new ParameterError(
        `Path parameter "${name}" for operation ${op.id} must be a string or number`,
        name,
      );
    }
    return encodePathSegment(String(value), name);
  });
}

/**
 * Base path + operation path, with exactly one slash between them. The operation path is appended
 * as OpenAPI does (server URL + path), so `/` on `https://h/api` is `/api/`.
 */
export function joinPath(basePath: string, opPath: string): string {
  if (basePath === '/' && opPath.charCodeAt(0) === 47 && opPath.charCodeAt(1) !== 47) return opPath;
  const left = basePath.replace(/\/+$/, '');
  const right = opPath.replace(/^\/+/, '');
  return right || opPath ? `${left}/${right}` : left || '/';
}

export function buildQuery(op: OperationSpec, params: Record<string, unknown>): string {
  const query: Record<string, unknown> = {};
  const parts: string[] = [];
  for (const p of op.params) {
    if (p.in !== 'query' || params[p.name] === undefined) continue;
    if (p.serialization) {
      // Bracketed parameters before it go first, so the order stays the declared one.
      const bracketed = encodeParams(query);
      if (bracketed) parts.push(bracketed);
      for (const key of Object.keys(query)) delete query[key];
      const styled = encodeStyled(p.name, params[p.name], p.serialization);
      if (styled) parts.push(styled);
    } else query[p.name] = params[p.name];
  }
  // The pagination cursor is a query parameter even when the spec does not declare it.
  const cursor = op.pagination?.cursorParam;
  if (
    cursor &&
    !(cursor in query) &&
    params[cursor] !== undefined &&
    !op.params.some((p) => p.name === cursor)
  ) {
    query[cursor] = params[cursor];
  }
  const rest = encodeParams(query);
  return parts.length ? [...parts, ...(rest ? [rest] : [])].join('&') : rest;
}

const DELIMITERS = { form: ',', spaceDelimited: '%20', pipeDelimited: '|' } as const;

/**
 * One query parameter in an OpenAPI style (Parameter Object, "Style Examples"): an array as
 * `name=a&name=b` (exploded) or `name=a,b` (`%20`, `|` for the delimited styles); an object as
 * `k=v&k2=v2` (exploded form) or `name=k,v,k2,v2`; items that are themselves lists or objects are
 * written as scalarToString does.
 */
function encodeStyled(
  name: string,
  value: unknown,
  { style, explode }: NonNullable<ParamSpec['serialization']>,
): string {
  const pair = (key: string, text: string) => `${encodeURIComponent(key)}=${text}`;
  const text = (v: unknown) => encodeURIComponent(scalarToString(v));
  if (value === null) return pair(name, '');
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== undefined && v !== null);
    if (explode) return items.map((v) => pair(name, text(v))).join('&');
    return pair(name, items.map(text).join(DELIMITERS[style]));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    if (explode && style === 'form') return entries.map(([k, v]) => pair(k, text(v))).join('&');
    return pair(
      name,
      entries.flatMap(([k, v]) => [encodeURIComponent(k), text(v)]).join(DELIMITERS[style]),
    );
  }
  return pair(name, text(value));
}

/** encodeForm, with inputs too deep, circular or too large reported as the caller's ParameterError. */
export function encodeParams(params: Record<string, unknown>): string {
  try {
    return encodeForm(params);
  } catch (error) {
    if (error instanceof FormEncodingError) throw new ParameterError(error.message, error.param);
    throw error;
  }
}

export function buildCookie(op: OperationSpec, params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const p of op.params) {
    if (p.in !== 'cookie') continue;
    const value = params[p.name];
    if (value !== undefined && value !== null)
      parts.push(`${p.name}=${encodeURIComponent(scalarToString(value))}`);
  }
  return parts.join('; ');
}

/** Header/cookie parameter value: arrays comma-joined (OpenAPI `simple` style), objects as JSON. */
export function scalarToString(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => scalarToString(v)).join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
