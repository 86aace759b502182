/**
 * An independent HTTP Digest implementation (RFC 7616, over node:crypto): the oracle of
 * test/naftiko-auth.e2e.test.ts, and the fake upstream that demands digest authentication.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Seen } from './fake-upstream.js';

export const hash = (algorithm: string, text: string) =>
  createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5')
    .update(text)
    .digest('hex');

export function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g))
    out[m[1].toLowerCase()] = m[2] ?? m[3];
  return out;
}

export function digestResponse(
  p: Record<string, string>,
  user: string,
  password: string,
  method: string,
  algorithm = p.algorithm ?? 'MD5',
): string {
  const ha1 = hash(algorithm, `${user}:${p.realm}:${password}`);
  const ha2 = hash(algorithm, `${method}:${p.uri}`);
  return hash(algorithm, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

/** The Authorization a client sends for one of the challenges of `header` (by algorithm). */
export function answerChallenge(
  header: string,
  algorithm: string,
  user: string,
  password: string,
  method: string,
  uri: string,
): string {
  const challenge = header
    .split(/,\s*(?=Digest )/)
    .find((c) => c.includes(`algorithm=${algorithm}`));
  const p: Record<string, string> = {
    ...digestParams(challenge!),
    uri,
    nc: '00000001',
    cnonce: 'c0ffee',
    qop: 'auth',
  };
  const response = digestResponse(p, user, password, method, algorithm);
  return `Digest username="${user}", realm="${p.realm}", nonce="${p.nonce}", uri="${uri}", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="c0ffee", response="${response}"`;
}

export const UPSTREAM_NONCE = 'dcd98b7102dd2f0e8b11d0f600bfb0c093';
export function upstreamHandler(seen: Seen, res: ServerResponse): void {
  if (seen.url.startsWith('/digest/')) {
    const header = seen.headers.authorization;
    const p =
      typeof header === 'string' && header.startsWith('Digest ') ? digestParams(header) : undefined;
    const ok =
      p !== undefined &&
      p.username === 'upstream-user' &&
      p.nonce === UPSTREAM_NONCE &&
      p.uri === '/digest/hello' &&
      p.response === digestResponse(p, 'upstream-user', 'upstream-secret-pw', seen.method);
    if (!ok) {
      res
        .writeHead(401, {
          'www-authenticate': `Digest realm="upstream", qop="auth", nonce="${UPSTREAM_NONCE}", opaque="5ccc069c403ebaf9f0171e9517f40e41"`,
        })
        .end();
      return;
    }
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"hello"}');
}
