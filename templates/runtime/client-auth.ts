/** Upstream credentials for the client: resolves the API's auth template into headers or a query pair. */
import type { DigestScheme, UpstreamAuth, ValueTemplate } from './contract.js';
import { encodeBase64Utf8, resolveValueTemplate } from './credentials.js';
import { MissingCredentialsError } from './errors.js';
import { encodeFormComponent } from './form.js';
import { secretForms as formsOf } from './redact.js';
import type { TransportResponse } from './transport.js';

export interface ResolvedAuth {
  headers: Record<string, string>;
  /** Encoded `key=value` for API keys placed in the query string. */
  query?: string;
  secrets: string[];
  /** Digest auth: answered after the upstream's 401 challenge (see client.ts). */
  digest?: { scheme: DigestScheme; username: string; password: string };
}

const formsCache = new Map<string, string[]>();

/** The encodings of a credential, computed once per value (a call resolves its credential each time). */
function secretForms(secret: string): string[] {
  let forms = formsCache.get(secret);
  if (forms === undefined) {
    if (formsCache.size >= 16) formsCache.clear(); // credentials rotate rarely; bound it anyway
    forms = formsOf(secret);
    formsCache.set(secret, forms);
  }
  return forms;
}

/** Resolves a ValueTemplate; a missing or empty env var raises MissingCredentialsError. */
function resolveTemplate(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
  namespace: string,
): string {
  const { value, missing } = resolveValueTemplate(template, env);
  if (missing.length) throw new MissingCredentialsError(missing[0], namespace);
  return value;
}

/** The last resolution of each auth declaration, by credential: reused while it does not change. */
const lastResolved = new WeakMap<UpstreamAuth, { credential: string; resolved: ResolvedAuth }>();

function remembered(
  auth: UpstreamAuth,
  credential: string,
  resolve: (credential: string) => ResolvedAuth,
): ResolvedAuth {
  const last = lastResolved.get(auth);
  if (last !== undefined && last.credential === credential) return last.resolved;
  const resolved = resolve(credential);
  lastResolved.set(auth, { credential, resolved });
  return resolved;
}

const NO_AUTH: ResolvedAuth = { headers: {}, secrets: [] };

/**
 * The headers (or query pair) and secrets of an auth declaration with the credential in effect now.
 * The result is shared while the credential stays the same: read it, do not change it.
 */
export function resolveAuth(
  auth: UpstreamAuth,
  namespace: string,
  env: Record<string, string | undefined>,
  apiKey: string | undefined,
): ResolvedAuth {
  const key = apiKey === '' ? undefined : apiKey;
  switch (auth.type) {
    case 'none':
      return NO_AUTH;
    case 'bearer':
      return remembered(auth, key ?? resolveTemplate(auth.token, env, namespace), bearer);
    case 'apikey': {
      const value = key ?? resolveTemplate(auth.value, env, namespace);
      return remembered(auth, value, (credential) => apiKeyAuth(auth, credential));
    }
    case 'basic': {
      let username: string;
      let password: string;
      if (key !== undefined) {
        // As Stripe does with `sk_...:`: the key is the username, the password defaults to empty.
        username = key;
        try {
          password = resolveTemplate(auth.password, env, namespace);
        } catch {
          password = '';
        }
      } else {
        username = resolveTemplate(auth.username, env, namespace);
        password = resolveTemplate(auth.password, env, namespace);
      }
      const encoded = encodeBase64Utf8(`${username}:${password}`);
      return remembered(auth, encoded, () => ({
        headers: { Authorization: `Basic ${encoded}` },
        secrets: [...secretForms(username), ...secretForms(password), encoded],
      }));
    }
    case 'digest': {
      // The explicit key is the password, as for basic auth's key being the username is not.
      const username = resolveTemplate(auth.username, env, namespace);
      const password = key ?? resolveTemplate(auth.password, env, namespace);
      return {
        headers: {},
        secrets: [...secretForms(username), ...secretForms(password)],
        digest: { scheme: auth.scheme, username, password },
      };
    }
  }
}

function bearer(token: string): ResolvedAuth {
  return { headers: { Authorization: `Bearer ${token}` }, secrets: secretForms(token) };
}

function apiKeyAuth(auth: Extract<UpstreamAuth, { type: 'apikey' }>, value: string): ResolvedAuth {
  const secrets = secretForms(value);
  if (auth.placement === 'query') {
    return {
      headers: {},
      query: `${encodeFormComponent(auth.key)}=${encodeFormComponent(value)}`,
      secrets,
    };
  }
  return { headers: { [auth.key]: value }, secrets };
}

/** The Authorization answering a 401's Digest challenge (RFC 7616), if it carries one. */
export function digestAnswer(
  response: TransportResponse,
  digest: NonNullable<ResolvedAuth['digest']>,
  method: string,
  url: string,
): string | undefined {
  const challenge = response.headers['www-authenticate'];
  if (challenge === undefined) return undefined;
  const target = new URL(url);
  return digest.scheme.authorization(
    challenge,
    { method, uri: target.pathname + target.search },
    digest,
  );
}
