/**
 * Credentials from value templates, shared by the client (upstream auth) and both servers
 * (inbound auth): template resolution from the environment, and checking what a caller presents.
 */
import { readBindFile } from './bind-file.js';
import type { DigestScheme, InboundAuth, UpstreamAuth, ValueTemplate } from './contract.js';

/** A template's value and the environment variables it needs that are unset or empty. */
export function resolveValueTemplate(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  let value = '';
  const missing: string[] = [];
  for (const part of template) {
    if ('literal' in part) {
      value += part.literal;
    } else if ('env' in part || 'file' in part) {
      const piece = 'env' in part ? env[part.env] : readBindFile(part.file)?.[part.key];
      if (piece === undefined || piece === '')
        missing.push('env' in part ? part.env : `${part.key} (in ${part.file})`);
      else value += piece;
    }
  }
  return { value, missing };
}

/** The credentials a server expects, resolved from the environment. */
export type ExpectedCredentials =
  | { type: 'bearer'; token: string }
  | { type: 'apikey'; key: string; placement: 'header' | 'query'; value: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'digest'; username: string; password: string; scheme: DigestScheme };

/**
 * Resolves an inbound auth declaration. An unset or empty variable, or a credential that resolves
 * to the empty string, is missing: a server never accepts an empty secret.
 */
export function resolveExpectedCredentials(
  auth: Exclude<UpstreamAuth, { type: 'none' }>,
  env: Record<string, string | undefined>,
): ExpectedCredentials | { missing: string[]; what: string } {
  const resolve = (template: ValueTemplate, what: string) => {
    const { value, missing } = resolveValueTemplate(template, env);
    if (missing.length) return { missing, what };
    return value === '' ? { missing: ['(empty credential template)'], what } : value;
  };
  switch (auth.type) {
    case 'bearer': {
      const token = resolve(auth.token, 'bearer token');
      return typeof token === 'string' ? { type: 'bearer', token } : token;
    }
    case 'apikey': {
      const value = resolve(auth.value, `API key ${auth.key}`);
      return typeof value === 'string'
        ? { type: 'apikey', key: auth.key, placement: auth.placement, value }
        : value;
    }
    case 'basic':
    case 'digest': {
      const username = resolve(auth.username, `${auth.type}-auth username`);
      if (typeof username !== 'string') return username;
      const password = resolve(auth.password, `${auth.type}-auth password`);
      if (typeof password !== 'string') return password;
      return auth.type === 'basic'
        ? { type: 'basic', username, password }
        : { type: 'digest', username, password, scheme: auth.scheme };
    }
  }
}

/**
 * The secret values of an auth declaration as resolved from `env` now: each environment part, each
 * whole template, and for basic auth the encoded `user:password` pair. Empty when nothing is set.
 */
export function authSecrets(
  auth: InboundAuth | undefined,
  env: Record<string, string | undefined>,
): string[] {
  if (auth === undefined || auth.type === 'none' || auth.type === 'oauth2') return [];
  const out: string[] = [];
  const add = (template: ValueTemplate): string => {
    for (const part of template) {
      if ('env' in part) {
        const value = env[part.env];
        if (value) out.push(value);
      }
    }
    const { value } = resolveValueTemplate(template, env);
    if (value) out.push(value);
    return value;
  };
  switch (auth.type) {
    case 'bearer':
      add(auth.token);
      break;
    case 'apikey':
      add(auth.value);
      break;
    case 'basic': {
      const pair = `${add(auth.username)}:${add(auth.password)}`;
      out.push(encodeBase64Utf8(pair));
      break;
    }
    case 'digest':
      add(auth.username);
      add(auth.password);
      break;
  }
  return out;
}

/** Where a server reads what the caller presents: a header (lower-case name) or a query parameter. */
export interface PresentedCredentials {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
}

/** True when the caller presents the expected credentials; every comparison is constant-time. */
export function credentialsMatch(
  expected: Exclude<ExpectedCredentials, { type: 'digest' }>,
  presented: PresentedCredentials,
): boolean {
  switch (expected.type) {
    case 'bearer': {
      const header = presented.header('authorization');
      const match = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
      return match !== null && timingSafeEqual(match[1], expected.token);
    }
    case 'apikey': {
      const given =
        expected.placement === 'header'
          ? presented.header(expected.key.toLowerCase())
          : presented.query(expected.key);
      return given !== undefined && timingSafeEqual(given, expected.value);
    }
    case 'basic': {
      const header = presented.header('authorization');
      const match =
        header === undefined ? null : /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header);
      const credentials = match === null ? undefined : decodeBase64Utf8(match[1]);
      const colon = credentials === undefined ? -1 : credentials.indexOf(':');
      if (credentials === undefined || colon < 0) return false;
      // Both comparisons run, so timing does not reveal which part was wrong.
      const userOk = timingSafeEqual(credentials.slice(0, colon), expected.username);
      const passOk = timingSafeEqual(credentials.slice(colon + 1), expected.password);
      return userOk && passOk;
    }
  }
}

const encoder = new TextEncoder();

/** Compares in time that depends only on the expected value's length. */
export function timingSafeEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (i < a.length ? a[i] : 0) ^ b[i];
  return diff === 0;
}

/** Base64 of a string's UTF-8 bytes (as in `Authorization: Basic`). */
export function encodeBase64Utf8(text: string): string {
  const bytes = encoder.encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** UTF-8 text of a base64 string; undefined when it is not valid base64 or UTF-8. */
function decodeBase64Utf8(text: string): string | undefined {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
