/**
 * OAuth 2.1 resource server (an exposes block's `authentication: {type: oauth2}`): bearer JWTs
 * verified with the `jose` package.
 *
 * - Keys: a static public key from `publicKeyEnv` (PEM SPKI, a JWK or a JWKS), else the JWKS at the
 *   URL in `jwksUriEnv`, else the `jwks_uri` of the authorization server's metadata (RFC 8414
 *   `/.well-known/oauth-authorization-server`, then OpenID `/.well-known/openid-configuration`).
 *   Remote key sets are cached (5 minutes; an unknown `kid` refetches at most every 30 s). URLs must
 *   be https, or http on a loopback host.
 * - Checks: signature with an asymmetric algorithm only (RS, PS, ES, EdDSA: never `none` or HS, so
 *   no key confusion), `iss` equal to `authorizationServerUri` (trailing slash aside), `aud`
 *   containing `audience` (default `resource`), `exp` present, `exp`/`nbf` with a bounded clock
 *   tolerance, and every scope of `scopes` in the `scope` (or `scp`) claim.
 * - Answers: 401 with `WWW-Authenticate: Bearer error="invalid_token"` (and `resource_metadata` on
 *   the MCP server), 403 `insufficient_scope` naming the scopes, 500 when no keys can be had.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  importSPKI,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { OAuth2Auth, OAuth2Outcome, OAuth2Verifier } from './contract.js';
import { readBodyText } from './web-body.js';

/** Asymmetric signature algorithms: `none` and the HMAC family are never accepted. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const MAX_CLOCK_TOLERANCE_S = 300;
const MAX_TOKEN_LENGTH = 8192;
const MAX_METADATA_BYTES = 1024 * 1024;
/** After a failed discovery, the next request tries again only after this long. */
const RETRY_AFTER_MS = 30_000;

export interface OAuth2Options {
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  /** Accepted clock skew on `exp` and `nbf`, in seconds. Default 60, at most 300. */
  clockToleranceSec?: number;
  /** fetch for metadata and key sets. Default the global fetch. */
  fetch?: typeof fetch;
  /** Timeout of each metadata or key-set request, in ms. Default 5 000. */
  timeoutMs?: number;
}

type KeySource = { getKey: JWTVerifyGetKey } | { failedAt: number; error: string };

/** Where an auth object's keys come from, per configuration: rebuilt when the environment changes it. */
interface KeyState {
  key: string;
  source: Promise<KeySource>;
  failedAt?: number;
}

export function oauth2Verifier(options: OAuth2Options = {}): OAuth2Verifier {
  const now = options.now ?? Date.now;
  const tolerance = Math.min(Math.max(options.clockToleranceSec ?? 60, 0), MAX_CLOCK_TOLERANCE_S);
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const states = new WeakMap<OAuth2Auth, KeyState>();

  async function build(
    publicKey: string | undefined,
    jwksUri: string | undefined,
    issuer: string,
  ): Promise<KeySource> {
    try {
      if (publicKey) return { getKey: staticKey(publicKey) };
      const uri = jwksUri || (await discoverJwksUri(issuer, fetchImpl, timeoutMs));
      return {
        getKey: createRemoteJWKSet(secureUrl(uri, 'the JWKS URL'), {
          timeoutDuration: timeoutMs,
          cooldownDuration: 30_000,
          cacheMaxAge: 300_000,
          [customFetch]: fetchImpl,
        }),
      };
    } catch (error) {
      return { failedAt: now(), error: (error as Error).message };
    }
  }

  /** The key source of `auth` under the current environment; a failed one is retried after 30 s. */
  function keySource(
    auth: OAuth2Auth,
    env: Record<string, string | undefined>,
  ): Promise<KeySource> {
    const publicKey = env[auth.publicKeyEnv]?.trim() || undefined;
    const jwksUri = env[auth.jwksUriEnv]?.trim() || undefined;
    const key = publicKey ? `key:${publicKey}` : jwksUri ? `jwks:${jwksUri}` : 'discovery';
    const state = states.get(auth);
    if (
      state &&
      state.key === key &&
      (state.failedAt === undefined || now() - state.failedAt < RETRY_AFTER_MS)
    )
      return state.source;
    const next: KeyState = { key, source: build(publicKey, jwksUri, auth.authorizationServerUri) };
    void next.source.then((s) => {
      if ('failedAt' in s) next.failedAt = s.failedAt;
    });
    states.set(auth, next);
    return next.source;
  }

  return {
    async check(auth, authorization, env, resourceMetadata): Promise<OAuth2Outcome> {
      const refuse = (status: 401 | 403 | 500, message: string, params: Record<string, string>) => {
        const all = {
          ...params,
          ...(resourceMetadata ? { resource_metadata: resourceMetadata } : {}),
        };
        const text = Object.entries(all).map(([k, v]) => `${k}="${v.replace(/["\\\r\n]/g, '')}"`);
        return {
          ok: false as const,
          status,
          message,
          challenge: `Bearer${text.length ? ` ${text.join(', ')}` : ''}`,
        };
      };
      const match =
        authorization === undefined
          ? null
          : /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i.exec(authorization);
      if (!match)
        return refuse(
          401,
          'A bearer token is required (Authorization: Bearer <access token>).',
          {},
        );
      const token = match[1];
      if (token.length > MAX_TOKEN_LENGTH)
        return refuse(401, 'The access token is too long.', {
          error: 'invalid_token',
          error_description: 'token too long',
        });
      const source = await keySource(auth, env);
      if ('failedAt' in source)
        return refuse(500, `The server cannot verify tokens: ${source.error}`, {});
      const issuer = auth.authorizationServerUri.replace(/\/+$/, '');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, source.getKey, {
          algorithms: ALGORITHMS,
          issuer: [issuer, `${issuer}/`],
          audience: auth.audience ?? auth.resource,
          requiredClaims: ['exp'],
          clockTolerance: tolerance,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        if (isKeyFetchFailure(error))
          return refuse(
            500,
            `The server cannot verify tokens: the authorization server's keys could not be fetched (${(error as Error).message}).`,
            {},
          );
        const reason = rejection(error);
        return refuse(401, `The access token was refused: ${reason}.`, {
          error: 'invalid_token',
          error_description: reason,
        });
      }
      const granted = scopesOf(payload);
      const missing = (auth.scopes ?? []).filter((s) => !granted.has(s));
      if (missing.length)
        return refuse(403, `The access token lacks the scope ${missing.join(', ')}.`, {
          error: 'insufficient_scope',
          scope: (auth.scopes ?? []).join(' '),
          error_description: `required scope '${missing[0]}' not present in the token`,
        });
      return { ok: true };
    },
  };
}

/** The verifier with the real clock and fetch, as generated code uses it. */
export const OAUTH2: OAuth2Verifier = oauth2Verifier();

function staticKey(text: string): JWTVerifyGetKey {
  if (text.startsWith('{')) {
    const parsed = JSON.parse(text) as JSONWebKeySet | JSONWebKeySet['keys'][number];
    return createLocalJWKSet('keys' in parsed ? parsed : { keys: [parsed] });
  }
  if (!/-----BEGIN PUBLIC KEY-----/.test(text))
    throw new Error('the public key is neither a PEM public key (SPKI) nor a JWK or JWKS');
  const imported = new Map<string, ReturnType<typeof importSPKI>>();
  return (header) => {
    const alg = header.alg ?? '';
    if (!ALGORITHMS.includes(alg))
      throw new errors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
    let key = imported.get(alg);
    if (!key) imported.set(alg, (key = importSPKI(text, alg)));
    return key;
  };
}

/** The `jwks_uri` of the authorization server's metadata (RFC 8414, then OpenID Connect discovery). */
async function discoverJwksUri(
  issuer: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<string> {
  const base = secureUrl(issuer, 'authorizationServerUri');
  const path = base.pathname.replace(/\/+$/, '');
  const candidates = [
    `${base.origin}/.well-known/oauth-authorization-server${path}`,
    `${base.origin}${path}/.well-known/oauth-authorization-server`,
    `${base.origin}${path}/.well-known/openid-configuration`,
  ];
  const tried: string[] = [];
  for (const url of [...new Set(candidates)]) {
    try {
      const response = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        tried.push(`${url}: HTTP ${response.status}`);
        continue;
      }
      const text = await readBodyText(
        response.body,
        MAX_METADATA_BYTES,
        () => new Error('the metadata could not be read'),
      );
      const metadata = text === null ? undefined : (JSON.parse(text) as { jwks_uri?: unknown });
      if (typeof metadata?.jwks_uri === 'string') return metadata.jwks_uri;
      tried.push(`${url}: no jwks_uri`);
    } catch (error) {
      tried.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no authorization server metadata with a jwks_uri (${tried.join('; ')})`);
}

/** A URL that is https, or http on a loopback host (tests, local authorization servers). */
function secureUrl(text: string, what: string): URL {
  const url = new URL(text);
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${what} must be an https URL (or http on a loopback host): ${url.origin}`);
  return url;
}

function isKeyFetchFailure(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') ||
    error instanceof TypeError
  );
}

/** A short reason for a refused token, safe to put in a challenge. */
function rejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `the "${error.claim}" claim is not valid (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the signing algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'no key of the authorization server matches the token';
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the signature does not verify';
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid)
    return 'it is not a valid signed JWT';
  return 'it could not be verified';
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scope = payload.scope;
  const scp = payload.scp;
  const list =
    typeof scope === 'string'
      ? scope.split(/\s+/)
      : Array.isArray(scp)
        ? scp
        : typeof scp === 'string'
          ? scp.split(/\s+/)
          : [];
  return new Set(list.filter((s): s is string => typeof s === 'string' && s !== ''));
}
