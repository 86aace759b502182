/**
 * HTTP Digest authentication (RFC 7616, and RFC 2617's MD5 that the Naftiko engine's Restlet
 * speaks), both sides: the client answers an upstream's 401 challenge; the servers challenge their
 * callers and check what they answer. Algorithms SHA-256, SHA-512-256 and MD5 (and their -sess
 * forms), qop `auth`. Hashes from the `@noble/hashes` package (Web Crypto has no MD5).
 *
 * Server nonces are stateless, so any replica checks any other's: the issue time and an HMAC of it
 * under a key derived from the expected credentials. They expire after `nonceLifetimeMs` (a
 * correct answer with an expired nonce gets a new challenge with `stale=true`); within that time
 * a captured request can be replayed (nonce counts are not tracked), as with Basic auth, so serve
 * it over TLS.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256, sha512_256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { DigestScheme } from './contract.js';
import { timingSafeEqual } from './credentials.js';

type Hash = (text: string) => string;
const hex =
  (fn: (bytes: Uint8Array) => Uint8Array): Hash =>
  (text) =>
    bytesToHex(fn(utf8ToBytes(text)));
const HASHES: Record<string, Hash> = {
  'SHA-256': hex(sha256),
  'SHA-512-256': hex(sha512_256),
  MD5: hex(md5),
};
/** What the servers offer, preferred first. */
const OFFERED = ['SHA-256', 'MD5'];
/** Longest Authorization / WWW-Authenticate value read; past it the header is refused. */
const MAX_HEADER = 4096;

export interface DigestOptions {
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  /** How long a server nonce is accepted. Default 300 000 (5 minutes). */
  nonceLifetimeMs?: number;
  /** The client nonce of an answer; default 16 random bytes in hex (tests fix it). */
  cnonce?: () => string;
}

interface Credentials {
  username: string;
  password: string;
}

export function digestScheme(options: DigestOptions = {}): DigestScheme {
  const now = options.now ?? Date.now;
  const lifetime = options.nonceLifetimeMs ?? 300_000;
  const cnonce = options.cnonce ?? (() => bytesToHex(randomBytes(16)));
  return {
    authorization: (challenge, request, credentials) =>
      answer(challenge, request.method, request.uri, credentials, cnonce),
    challenge(realm, credentials, stale) {
      const nonce = makeNonce(credentials, now());
      return OFFERED.map(
        (algorithm) =>
          `Digest realm=${quote(realm)}, qop="auth", algorithm=${algorithm}, nonce=${quote(nonce)}${stale ? ', stale=true' : ''}`,
      ).join(', ');
    },
    verify(header, request, realm, credentials) {
      const params = header.length <= MAX_HEADER ? parseCredentials(header) : undefined;
      if (params === undefined) return 'invalid';
      const algorithm = params.get('algorithm') ?? 'MD5';
      const nonce = params.get('nonce');
      const response = params.get('response');
      const qop = params.get('qop');
      if (
        nonce === undefined ||
        response === undefined ||
        params.get('realm') !== realm ||
        params.get('uri') !== request.uri ||
        (qop !== undefined && qop !== 'auth') ||
        (qop !== undefined && (!params.get('nc') || !params.get('cnonce'))) ||
        !hashOf(algorithm)
      )
        return 'invalid';
      const h = hashOf(algorithm)!;
      const username =
        params.get('userhash') === 'true'
          ? h(`${credentials.username}:${realm}`)
          : credentials.username;
      const expected = responseDigest(
        h,
        algorithm,
        credentials,
        realm,
        nonce,
        request.method,
        request.uri,
        params,
      );
      const userOk = timingSafeEqual(params.get('username') ?? '', username);
      const responseOk = timingSafeEqual(response.toLowerCase(), expected);
      const issued = nonceTime(credentials, nonce);
      if (!userOk || !responseOk || issued === undefined) return 'invalid';
      const age = now() - issued;
      return age > lifetime || age < -lifetime ? 'stale' : 'valid';
    },
  };
}

/** The scheme with the real clock, as generated code uses it. */
export const DIGEST: DigestScheme = digestScheme();

/** The client's `Authorization` for the first Digest challenge it can answer. */
function answer(
  header: string,
  method: string,
  uri: string,
  credentials: Credentials,
  cnonce: () => string,
): string | undefined {
  if (header.length > MAX_HEADER) return undefined;
  for (const { scheme, params } of parseChallenges(header)) {
    if (scheme.toLowerCase() !== 'digest') continue;
    const algorithm = params.get('algorithm') ?? 'MD5';
    const h = hashOf(algorithm);
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    const qops = params
      .get('qop')
      ?.split(',')
      .map((q) => q.trim());
    if (!h || realm === undefined || nonce === undefined) continue;
    if (qops !== undefined && !qops.includes('auth')) continue; // auth-int only: not offered
    const mine = new Map<string, string>();
    if (qops !== undefined) {
      mine.set('qop', 'auth').set('nc', '00000001').set('cnonce', cnonce());
    }
    const response = responseDigest(h, algorithm, credentials, realm, nonce, method, uri, mine);
    const userhash = params.get('userhash') === 'true';
    const parts = [
      `username=${quote(userhash ? h(`${credentials.username}:${realm}`) : credentials.username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(nonce)}`,
      `uri=${quote(uri)}`,
      `algorithm=${algorithm}`,
      `response=${quote(response)}`,
    ];
    if (qops !== undefined)
      parts.push(`qop=auth`, `nc=00000001`, `cnonce=${quote(mine.get('cnonce')!)}`);
    const opaque = params.get('opaque');
    if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
    if (userhash) parts.push('userhash=true');
    return `Digest ${parts.join(', ')}`;
  }
  return undefined;
}

function hashOf(algorithm: string): Hash | undefined {
  return HASHES[algorithm.replace(/-sess$/i, '').toUpperCase()];
}

/** RFC 7616 section 3.4.1 (qop `auth`, or RFC 2069's form without qop). */
function responseDigest(
  h: Hash,
  algorithm: string,
  { username, password }: Credentials,
  realm: string,
  nonce: string,
  method: string,
  uri: string,
  params: Map<string, string>,
): string {
  const a1 = `${username}:${realm}:${password}`;
  let ha1 = memoized(`${algorithm.replace(/-sess$/i, '').toUpperCase()}\0${a1}`, () => h(a1));
  if (/-sess$/i.test(algorithm)) ha1 = h(`${ha1}:${nonce}:${params.get('cnonce') ?? ''}`);
  const ha2 = h(`${method}:${uri}`);
  const qop = params.get('qop');
  return qop === undefined
    ? h(`${ha1}:${nonce}:${ha2}`)
    : h(`${ha1}:${nonce}:${params.get('nc')}:${params.get('cnonce')}:${qop}:${ha2}`);
}

/** Derived values per credentials (a server has one set): computed once, not per request. */
const memo = new Map<string, Uint8Array | string>();
function memoized<T extends Uint8Array | string>(key: string, compute: () => T): T {
  let value = memo.get(key) as T | undefined;
  if (value === undefined) {
    if (memo.size >= 32) memo.clear(); // credentials rotate rarely; bound it anyway
    memo.set(key, (value = compute()));
  }
  return value;
}

function nonceKey({ username, password }: Credentials): Uint8Array {
  const text = `capgen digest nonce\0${username}\0${password}`;
  return memoized(text, () => sha256(utf8ToBytes(text)));
}

function makeNonce(credentials: Credentials, time: number): string {
  const issued = String(Math.floor(time));
  const mac = bytesToHex(hmac(sha256, nonceKey(credentials), utf8ToBytes(issued)));
  return btoa(`${issued}:${mac}`);
}

/** When a nonce this server made was issued; undefined for any other string. */
function nonceTime(credentials: Credentials, nonce: string): number | undefined {
  let text: string;
  try {
    text = atob(nonce);
  } catch {
    return undefined;
  }
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text);
  if (!match) return undefined;
  const mac = bytesToHex(hmac(sha256, nonceKey(credentials), utf8ToBytes(match[1])));
  return timingSafeEqual(match[2], mac) ? Number(match[1]) : undefined;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The parameters of `Authorization: Digest ...`; undefined when it is not a Digest answer. */
function parseCredentials(header: string): Map<string, string> | undefined {
  const [first] = parseChallenges(header);
  return first && first.scheme.toLowerCase() === 'digest' ? first.params : undefined;
}

/**
 * The challenges of a `WWW-Authenticate` value (RFC 9110 section 11.6.1: `scheme param=value, ...`,
 * several challenges comma-separated), or the one of an `Authorization` value. Parameter names are
 * lower-cased; quoted strings unescaped; at most 64 parameters are read.
 */
export function parseChallenges(
  header: string,
): Array<{ scheme: string; params: Map<string, string> }> {
  const out: Array<{ scheme: string; params: Map<string, string> }> = [];
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  let i = 0;
  let count = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i])) i++;
  };
  const readToken = (): string | undefined => {
    token.lastIndex = i;
    const m = token.exec(header);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  while (i < header.length && count < 64) {
    skip(/[\s,]/);
    const name = readToken();
    if (name === undefined) break;
    skip(/[ \t]/);
    if (header[i] === '=' && out.length > 0) {
      // name=value: a parameter of the current challenge
      i++;
      skip(/[ \t]/);
      let value: string | undefined;
      if (header[i] === '"') {
        value = '';
        for (i++; i < header.length && header[i] !== '"'; i++) {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i];
        }
        i++;
      } else value = readToken() ?? '';
      out[out.length - 1].params.set(name.toLowerCase(), value);
      count++;
    } else out.push({ scheme: name, params: new Map() });
  }
  return out;
}
