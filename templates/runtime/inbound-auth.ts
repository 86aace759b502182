/**
 * Inbound schemes both servers check the same way, beyond comparing a presented value: HTTP Digest
 * (a challenge round, auth-digest.ts) and OAuth 2.1 bearer JWTs (verified asynchronously,
 * auth-oauth2.ts). Each server turns a refusal into its own error shape. Web-standard.
 */
import type { OAuth2Auth } from './contract.js';
import type { ExpectedCredentials } from './credentials.js';

/** Why a caller is turned away: the status, the `WWW-Authenticate` challenge and a message. */
export interface Refusal {
  status: 401 | 403 | 500;
  challenge?: string;
  message: string;
}

/** Checks an `Authorization: Digest ...` answer; a refusal carries a fresh challenge. */
export function checkDigest(
  expected: Extract<ExpectedCredentials, { type: 'digest' }>,
  header: string | undefined,
  request: { method: string; uri: string },
  realm: string,
): Refusal | undefined {
  const verdict =
    header !== undefined && /^digest[ \t]/i.test(header)
      ? expected.scheme.verify(header, request, realm, expected)
      : 'invalid';
  if (verdict === 'valid') return undefined;
  return {
    status: 401,
    challenge: expected.scheme.challenge(realm, expected, verdict === 'stale'),
    message:
      verdict === 'stale'
        ? 'The digest nonce has expired: answer the new challenge.'
        : 'Missing or invalid credentials. Use HTTP Digest authentication.',
  };
}

/** checkDigest on a web-standard request: its Authorization header, method, path and query. */
export function checkDigestRequest(
  expected: Extract<ExpectedCredentials, { type: 'digest' }>,
  request: Request,
  url: URL,
  realm: string,
): Refusal | undefined {
  return checkDigest(
    expected,
    request.headers.get('authorization') ?? undefined,
    { method: request.method, uri: url.pathname + url.search },
    realm,
  );
}

/** Verifies the bearer JWT of `header` (see auth-oauth2.ts). */
export async function checkOAuth2(
  auth: OAuth2Auth,
  header: string | undefined,
  env: Record<string, string | undefined>,
  resourceMetadata?: string,
): Promise<Refusal | undefined> {
  const outcome = await auth.verifier.check(auth, header, env, resourceMetadata);
  return outcome.ok ? undefined : outcome;
}
