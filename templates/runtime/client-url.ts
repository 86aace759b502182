/** URL building for the client: base URI, path parameters, query string, cookies. */
import type { ApiSpec, OperationSpec } from './contract.js';
import { CapgenError, ParameterError } from './errors.js';
import { encodeForm } from './form.js';

/** The base URI: the `baseUri` option, else the `api.baseUriEnv` variable, else the spec's. */
export function resolveBaseUri(
  api: ApiSpec,
  override: string | undefined,
  env: Record<string, string | undefined>,
): URL {
  const fromEnv = api.baseUriEnv ? env[api.baseUriEnv] : undefined;
  const raw = override || fromEnv || api.baseUri;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CapgenError(`Invalid base URI for API "${api.namespace}": ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CapgenError(
      `Base URI for API "${api.namespace}" must be http(s), got ${url.protocol}`,
    );
  }
  if (url.username || url.password) {
    throw new CapgenError(`Base URI for API "${api.namespace}" must not contain credentials`);
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

/** Base path + operation path, with exactly one slash between them. */
export function joinPath(basePath: string, opPath: string): string {
  const left = basePath.replace(/\/+$/, '');
  const right = opPath.replace(/^\/+/, '');
  return right ? `${left}/${right}` : left || '/';
}

export function buildQuery(op: OperationSpec, params: Record<string, unknown>): string {
  const query: Record<string, unknown> = {};
  for (const p of op.params) {
    if (p.in === 'query' && params[p.name] !== undefined) query[p.name] = params[p.name];
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
  return encodeForm(query);
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
