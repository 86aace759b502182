/**
 * Authentication, generated and run against local fakes (upstream and authorization server on
 * 127.0.0.1), with what the Naftiko engine's tests assert (AuthenticationIntegrationTest,
 * McpAuthenticationIntegrationTest) on the capabilities they write, plus the schemes the schema
 * adds. The engine's capabilities answer with mock output values, which capgen does not generate;
 * here the same adapters call a fake upstream instead.
 * - REST: bearer and apikey: 401 without credentials, 200 with them, JSON payload.
 * - MCP: bearer (none, wrong: 401; right: 200 with protocolVersion), apikey, GET and DELETE
 *   without token 401, no auth: 200.
 * - Digest (RFC 7616), inbound on both servers and upstream: checked against an independent
 *   implementation over node:crypto; stale nonces get a new challenge.
 * - OAuth 2.1 bearer JWTs: keys from the authorization server's metadata, audience, issuer,
 *   expiry with a bounded skew (injected clock), scopes (403), `none` and HS256-with-the-public-key
 *   refused; MCP answers 401 with `resource_metadata` and serves its Protected Resource Metadata.
 * - The skill catalog: digest and oauth2 (scopes: 403) as on the other servers.
 * - No upstream authentication declared: nothing is sent upstream, not even the caller's
 *   Authorization header (as the engine's simple calls do).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuth2Auth } from '../templates/runtime/contract.js';
import type { RestAdapterSpec } from '../templates/runtime/rest.js';
import { auth, BINDS, capability, FAST_MESSAGES, INITIALIZE } from './helpers/auth-capabilities.js';
import { answerChallenge, upstreamHandler } from './helpers/digest-oracle.js';
import { fakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import { generate, loadGenerated } from './helpers/generated-e2e.js';
import { check, formatDiagnostics, strictProject } from './helpers/ts-project.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROJECT = path.join(ROOT, '.tmp-naftiko-auth');
const OUT = path.join(PROJECT, 'generated');
type Handler = (request: Request) => Promise<Response>;

let upstream: FakeUpstream;
let as: FakeUpstream;
let keys: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };
const RESOURCE = 'http://localhost:18081/mcp';

/** A JWT of the fake authorization server; `claims` override the defaults (iss, aud, exp, scope). */
async function token(
  claims: Record<string, unknown>,
  options: { alg?: string; key?: CryptoKey | Uint8Array } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: `${as.url}/as`,
    aud: RESOURCE,
    iat: now,
    exp: now + 300,
    scope: 'tools:read',
  };
  return new SignJWT({ ...payload, ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: 'k1' })
    .sign(options.key ?? keys.privateKey);
}

const handlers = new Map<string, Handler>();
async function handler(capabilityId: string, kind: 'rest' | 'mcp' | 'skills'): Promise<Handler> {
  const key = `${capabilityId}/${kind}`;
  let h = handlers.get(key);
  if (!h) {
    const module = await loadGenerated<{ createHandler(o?: object): Handler }>(
      path.join(OUT, capabilityId, `${kind}.ts`),
    );
    h = module.createHandler({ maxRetries: 0 });
    handlers.set(key, h);
  }
  return h;
}

/** GET /hello on the digest capability's REST adapter, answering its challenge as the caller. */
async function digestRestGet(): Promise<Response> {
  const challenge = (await restGet('digest-capability')).headers.get('www-authenticate')!;
  const answer = answerChallenge(challenge, 'MD5', 'caller', 'caller-secret-pw', 'GET', '/hello');
  return restGet('digest-capability', { authorization: answer });
}

const restGet = async (capabilityId: string, headers: Record<string, string> = {}) =>
  (await handler(capabilityId, 'rest'))(new Request('http://localhost:18080/hello', { headers }));

const mcpCall = async (
  capabilityId: string,
  headers: Record<string, string> = {},
  method = 'POST',
  url = 'http://127.0.0.1:18081/mcp',
  body = INITIALIZE,
) =>
  (await handler(capabilityId, 'mcp'))(
    new Request(url, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: method === 'POST' ? body : undefined,
    }),
  );

describe('authentication, generated and run', () => {
  beforeAll(async () => {
    upstream = await fakeUpstream(upstreamHandler);
    const pair = await generateKeyPair('RS256', { extractable: true });
    keys = { ...pair, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' } };
    as = await fakeUpstream((seen, res) => {
      if (seen.url === '/.well-known/oauth-authorization-server/as')
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ issuer: `${as.url}/as`, jwks_uri: `${as.url}/as/jwks` }));
      else if (seen.url === '/as/jwks')
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [keys.jwk] }));
      else res.writeHead(404).end();
    });
    fs.rmSync(PROJECT, { recursive: true, force: true });
    fs.mkdirSync(path.join(PROJECT, 'specs'), { recursive: true });
    const files: Record<string, string> = {
      'bearer-capability': capability(
        auth('      ', { type: 'bearer', token: 'token-123' }),
        auth('      ', { type: 'bearer', token: 'mcp-secret-token-123' }),
      ),
      'apikey-capability': capability(
        auth('      ', { type: 'apikey', key: 'X-API-Key', value: 'abc123', placement: 'header' }),
        auth('      ', {
          type: 'apikey',
          key: 'X-MCP-Key',
          value: 'abc-key-456',
          placement: 'header',
        }),
      ),
      'open-capability': capability('', ''),
      'digest-capability': capability(
        auth('      ', {
          type: 'digest',
          username: '{{DIGEST_USER}}',
          password: '{{DIGEST_PASSWORD}}',
        }),
        auth('      ', {
          type: 'digest',
          username: '{{DIGEST_USER}}',
          password: '{{DIGEST_PASSWORD}}',
        }),
        auth('      ', {
          type: 'digest',
          username: '{{UPSTREAM_USER}}',
          password: '{{UPSTREAM_PASSWORD}}',
        }),
        BINDS,
        auth('      ', {
          type: 'digest',
          username: '{{DIGEST_USER}}',
          password: '{{DIGEST_PASSWORD}}',
        }),
      ),
      'oauth2-capability': capability(
        auth('      ', {
          type: 'oauth2',
          authorizationServerUri: `${as.url}/as`,
          resource: RESOURCE,
        }),
        auth('      ', {
          type: 'oauth2',
          authorizationServerUri: `${as.url}/as`,
          resource: RESOURCE,
          scopes: ['tools:read'],
        }),
        '',
        '',
        auth('      ', {
          type: 'oauth2',
          authorizationServerUri: `${as.url}/as`,
          resource: RESOURCE,
          scopes: ['skills:read'],
        }),
      ),
    };
    for (const [name, text] of Object.entries(files))
      fs.writeFileSync(path.join(PROJECT, 'specs', `${name}.yaml`), text);
    await generate(PROJECT, OUT);
    Object.assign(process.env, {
      UPSTREAM_BASE_URI: `${upstream.url}/plain`,
      DIGEST_USER: 'caller',
      DIGEST_PASSWORD: 'caller-secret-pw',
      UPSTREAM_USER: 'upstream-user',
      UPSTREAM_PASSWORD: 'upstream-secret-pw',
    });
  });

  afterAll(async () => {
    await upstream?.close();
    await as?.close();
    fs.rmSync(PROJECT, { recursive: true, force: true });
  });

  describe('the engine tests', () => {
    it('REST bearer: 401 without token, 200 with it and a JSON payload', async () => {
      expect((await restGet('bearer-capability')).status).toBe(401);
      const ok = await restGet('bearer-capability', { authorization: 'Bearer token-123' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await ok.text()).toContain('ok');
    });

    it('REST apikey: 401 without the header, 200 with it', async () => {
      expect((await restGet('apikey-capability')).status).toBe(401);
      expect((await restGet('apikey-capability', { 'x-api-key': 'abc123' })).status).toBe(200);
    });

    it('MCP bearer: 401 without or with a wrong token, 200 and a protocolVersion with the right one', async () => {
      expect((await mcpCall('bearer-capability')).status).toBe(401);
      expect(
        (await mcpCall('bearer-capability', { authorization: 'Bearer wrong-token' })).status,
      ).toBe(401);
      const ok = await mcpCall('bearer-capability', {
        authorization: 'Bearer mcp-secret-token-123',
      });
      expect(ok.status).toBe(200);
      expect(
        ((await ok.json()) as { result: { protocolVersion: string } }).result.protocolVersion,
      ).toBeTruthy();
    });

    it('MCP apikey: 401 without the key, 200 with it', async () => {
      expect((await mcpCall('apikey-capability')).status).toBe(401);
      const ok = await mcpCall('apikey-capability', { 'x-mcp-key': 'abc-key-456' });
      expect(ok.status).toBe(200);
      expect(
        ((await ok.json()) as { result: { protocolVersion: string } }).result.protocolVersion,
      ).toBeTruthy();
    });

    it('MCP bearer protects every method: GET and DELETE without token are 401', async () => {
      expect((await mcpCall('bearer-capability', {}, 'GET')).status).toBe(401);
      expect((await mcpCall('bearer-capability', {}, 'DELETE')).status).toBe(401);
    });

    it('MCP without authentication accepts every request', async () => {
      expect((await mcpCall('open-capability')).status).toBe(200);
    });
  });

  describe('digest', () => {
    it('REST and MCP challenge with SHA-256 and MD5, and accept an independent client’s answer', async () => {
      for (const [kind, call, uri] of [
        ['rest', (h: Record<string, string>) => restGet('digest-capability', h), '/hello'],
        ['mcp', (h: Record<string, string>) => mcpCall('digest-capability', h), '/mcp'],
      ] as const) {
        const first = await call({});
        expect(first.status, kind).toBe(401);
        const challenge = first.headers.get('www-authenticate')!;
        expect(challenge).toMatch(
          /^Digest realm="[^"]+", qop="auth", algorithm=SHA-256, nonce="[^"]+", Digest /,
        );
        for (const algorithm of ['SHA-256', 'MD5']) {
          const method = kind === 'rest' ? 'GET' : 'POST';
          const answer = (password: string, at: string = uri) => ({
            authorization: answerChallenge(challenge, algorithm, 'caller', password, method, at),
          });
          const what = `${kind} ${algorithm}`;
          expect((await call(answer('caller-secret-pw'))).status, what).toBe(200);
          expect((await call(answer('not-the-password'))).status, what).toBe(401);
          // An answer made for another URI is refused.
          expect((await call(answer('caller-secret-pw', '/other'))).status, what).toBe(401);
        }
        // A nonce the server did not make is refused, even with a correct response for it.
        const forged = challenge.replace(/nonce="[^"]+"/g, 'nonce="forged-nonce"');
        const method = kind === 'rest' ? 'GET' : 'POST';
        const answer = answerChallenge(forged, 'MD5', 'caller', 'caller-secret-pw', method, uri);
        expect((await call({ authorization: answer })).status).toBe(401);
      }
    });

    it('upstream: the client answers the 401 challenge (an independent server checks it)', async () => {
      process.env.UPSTREAM_BASE_URI = `${upstream.url}/digest`;
      upstream.seen.length = 0;
      try {
        const response = await digestRestGet();
        expect(response.status, await response.clone().text()).toBe(200);
        expect(upstream.seen).toHaveLength(2);
        expect(upstream.seen[0].headers.authorization).toBeUndefined();
        expect(upstream.seen[1].headers.authorization).toMatch(
          /^Digest username="upstream-user", realm="upstream"/,
        );
        expect(upstream.seen[1].headers.authorization).toContain(
          'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
        );
        expect(upstream.seen[1].headers.authorization).not.toContain('upstream-secret-pw');
      } finally {
        process.env.UPSTREAM_BASE_URI = `${upstream.url}/plain`;
      }
    });

    it("a wrong upstream password: the upstream's second 401 comes back, and no third request", async () => {
      process.env.UPSTREAM_BASE_URI = `${upstream.url}/digest`;
      process.env.UPSTREAM_PASSWORD = 'wrong-upstream-pw';
      upstream.seen.length = 0;
      try {
        const response = await digestRestGet();
        expect(response.status).toBe(401);
        expect(upstream.seen).toHaveLength(2);
        expect(await response.text()).not.toContain('wrong-upstream-pw');
      } finally {
        process.env.UPSTREAM_BASE_URI = `${upstream.url}/plain`;
        process.env.UPSTREAM_PASSWORD = 'upstream-secret-pw';
      }
    });

    it('an expired nonce gets a new challenge with stale=true (injected clock)', async () => {
      const { digestScheme } = await loadGenerated<
        typeof import('../templates/runtime/auth-digest.js')
      >(path.join(OUT, 'runtime/auth-digest.ts'));
      let now = 1_000_000;
      const scheme = digestScheme({ now: () => now });
      const credentials = { username: 'caller', password: 'caller-secret-pw' };
      const challenge = scheme.challenge('sample', credentials, false);
      const answer = answerChallenge(
        challenge,
        'SHA-256',
        'caller',
        'caller-secret-pw',
        'GET',
        '/hello',
      );
      expect(scheme.verify(answer, { method: 'GET', uri: '/hello' }, 'sample', credentials)).toBe(
        'valid',
      );
      now += 299_000;
      expect(scheme.verify(answer, { method: 'GET', uri: '/hello' }, 'sample', credentials)).toBe(
        'valid',
      );
      now += 2_000;
      expect(scheme.verify(answer, { method: 'GET', uri: '/hello' }, 'sample', credentials)).toBe(
        'stale',
      );
      expect(scheme.challenge('sample', credentials, true)).toContain('stale=true');
    });

    it('the client answers RFC 7616’s own example (section 3.9.1)', async () => {
      const { digestScheme } = await loadGenerated<
        typeof import('../templates/runtime/auth-digest.js')
      >(path.join(OUT, 'runtime/auth-digest.ts'));
      const scheme = digestScheme({ cnonce: () => 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' });
      const challenge = (algorithm: string) =>
        `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
      const request = { method: 'GET', uri: '/dir/index.html' };
      const credentials = { username: 'Mufasa', password: 'Circle of Life' };
      expect(scheme.authorization(challenge('MD5'), request, credentials)).toContain(
        'response="8ca523f5e9506fed4657c9700eebdbec"',
      );
      expect(scheme.authorization(challenge('SHA-256'), request, credentials)).toContain(
        'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"',
      );
    });
  });

  it('MCP fast path: tools/list and tools/call need the same digest and oauth2 credentials', async () => {
    const fast = (id: string, headers: Record<string, string>, body: string) =>
      mcpCall(id, headers, 'POST', undefined, body);
    for (const body of FAST_MESSAGES) {
      const what = JSON.parse(body).method as string;
      const first = await fast('digest-capability', {}, body);
      expect(first.status, what).toBe(401);
      const challenge = first.headers.get('www-authenticate')!;
      const answer = (password: string) => ({
        authorization: answerChallenge(challenge, 'SHA-256', 'caller', password, 'POST', '/mcp'),
      });
      expect((await fast('digest-capability', answer('not-the-password'), body)).status).toBe(401);
      const digestOk = await fast('digest-capability', answer('caller-secret-pw'), body);
      expect(digestOk.status, what).toBe(200);
      expect(await digestOk.json(), what).toMatchObject({ jsonrpc: '2.0', result: {} });

      expect((await fast('oauth2-capability', {}, body)).status, what).toBe(401);
      const unscoped = `Bearer ${await token({ scope: 'other' })}`;
      expect((await fast('oauth2-capability', { authorization: unscoped }, body)).status).toBe(403);
      const bearer = `Bearer ${await token({})}`;
      const oauthOk = await fast('oauth2-capability', { authorization: bearer }, body);
      expect(oauthOk.status, what).toBe(200);
      expect(await oauthOk.json(), what).toMatchObject({ jsonrpc: '2.0', result: {} });
    }
  });

  describe('OAuth 2.1 bearer JWTs', () => {
    it('REST: keys from the authorization server metadata; 401 without or with a bad token', async () => {
      const none = await restGet('oauth2-capability');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(
        (await restGet('oauth2-capability', { authorization: `Bearer ${await token({})}` })).status,
      ).toBe(200);
      // The key set is cached: more verifications fetch nothing more.
      const fetched = as.seen.length;
      for (let i = 0; i < 3; i++)
        expect(
          (await restGet('oauth2-capability', { authorization: `Bearer ${await token({})}` }))
            .status,
        ).toBe(200);
      expect(as.seen.length).toBe(fetched);
      for (const [what, claims] of [
        ['another audience', { aud: 'https://elsewhere.example.com' }],
        ['another issuer', { iss: 'https://evil.example.com' }],
      ] as const) {
        const bad = await restGet('oauth2-capability', {
          authorization: `Bearer ${await token(claims)}`,
        });
        expect(bad.status, what).toBe(401);
        expect(bad.headers.get('www-authenticate'), what).toMatch(/^Bearer error="invalid_token"/);
      }
    });

    it('refuses alg none and an HS256 token keyed with the public key (algorithm confusion)', async () => {
      const header = (alg: string) =>
        Buffer.from(JSON.stringify({ alg, kid: 'k1' })).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const body = Buffer.from(
        JSON.stringify({ iss: `${as.url}/as`, aud: RESOURCE, exp: now + 300, scope: 'tools:read' }),
      ).toString('base64url');
      const unsigned = `${header('none')}.${body}.`;
      const pem = await exportSPKI(keys.publicKey);
      const confused = await token({}, { alg: 'HS256', key: new TextEncoder().encode(pem) });
      for (const t of [unsigned, confused]) {
        expect((await restGet('oauth2-capability', { authorization: `Bearer ${t}` })).status).toBe(
          401,
        );
        expect((await mcpCall('oauth2-capability', { authorization: `Bearer ${t}` })).status).toBe(
          401,
        );
      }
    });

    it('MCP: 401 names the resource metadata, which is served; scopes are enforced (403)', async () => {
      const none = await mcpCall('oauth2-capability');
      expect(none.status).toBe(401);
      const metadataUrl = 'http://localhost:18081/.well-known/oauth-protected-resource/mcp';
      expect(none.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${metadataUrl}"`,
      );
      const metadata = await mcpCall('oauth2-capability', {}, 'GET', metadataUrl);
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [`${as.url}/as`],
        scopes_supported: ['tools:read'],
        bearer_methods_supported: ['header'],
      });
      expect(
        (await mcpCall('oauth2-capability', { authorization: `Bearer ${await token({})}` })).status,
      ).toBe(200);
      const unscoped = await mcpCall('oauth2-capability', {
        authorization: `Bearer ${await token({ scope: 'other' })}`,
      });
      expect(unscoped.status).toBe(403);
      expect(unscoped.headers.get('www-authenticate')).toMatch(
        /^Bearer error="insufficient_scope", scope="tools:read", error_description="[^"]+", resource_metadata=/,
      );
    });

    it('expiry with a bounded clock skew (injected clock), and a static key from the environment', async () => {
      const [{ oauth2Verifier }, { createRestHandler }, rest, client] = await Promise.all([
        loadGenerated<typeof import('../templates/runtime/auth-oauth2.js')>(
          path.join(OUT, 'runtime/auth-oauth2.ts'),
        ),
        loadGenerated<typeof import('../templates/runtime/rest.js')>(
          path.join(OUT, 'runtime/rest.ts'),
        ),
        loadGenerated<{ REST_ADAPTER: RestAdapterSpec }>(
          path.join(OUT, 'oauth2-capability/rest.ts'),
        ),
        loadGenerated<{ createOauth2CapabilityClient(o: object): { invoke: never } }>(
          path.join(OUT, 'oauth2-capability/client.ts'),
        ),
      ]);
      const t = await token({});
      const exp = JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).exp as number;
      const at = (seconds: number, env: Record<string, string> = {}, bearer = t) => {
        const base = rest.REST_ADAPTER.auth as OAuth2Auth;
        const spec = {
          ...rest.REST_ADAPTER,
          auth: { ...base, verifier: oauth2Verifier({ now: () => seconds * 1000 }) },
        };
        const h = createRestHandler(
          spec,
          client.createOauth2CapabilityClient({ maxRetries: 0 }).invoke,
          {
            env: { ...process.env, ...env },
          },
        );
        return h(
          new Request('http://localhost:18080/hello', {
            headers: { authorization: `Bearer ${bearer}` },
          }),
        );
      };
      expect((await at(exp + 59)).status).toBe(200); // within the default 60 s tolerance
      const late = await at(exp + 61);
      expect(late.status).toBe(401);
      expect(late.headers.get('www-authenticate')).toContain('the token has expired');
      // A static public key (PEM) in SAMPLE_JWT_PUBLIC_KEY: no metadata is fetched.
      as.seen.length = 0;
      const pem = await exportSPKI(keys.publicKey);
      expect((await at(exp - 10, { SAMPLE_JWT_PUBLIC_KEY: pem })).status).toBe(200);
      expect(as.seen).toEqual([]);
      const other = await generateKeyPair('RS256');
      const otherPem = await exportSPKI(other.publicKey);
      expect((await at(exp - 10, { SAMPLE_JWT_PUBLIC_KEY: otherPem })).status).toBe(401);
      // The classic confusion: HS256 keyed with the PEM text of the very public key the server holds.
      const confused = await token({}, { alg: 'HS256', key: new TextEncoder().encode(pem) });
      const refused = await at(exp - 10, { SAMPLE_JWT_PUBLIC_KEY: pem }, confused);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('algorithm is not accepted');
    });
  });

  describe('the skill catalog', () => {
    const skills = async (capabilityId: string, headers: Record<string, string> = {}) =>
      (await handler(capabilityId, 'skills'))(
        new Request('http://localhost:18082/skills', { headers }),
      );

    it('digest: challenged, and the independent client’s answer is accepted', async () => {
      const challenged = await skills('digest-capability');
      expect(challenged.status).toBe(401);
      const challenge = challenged.headers.get('www-authenticate')!;
      expect(challenge).toMatch(/^Digest realm="skills"/);
      const answer = answerChallenge(
        challenge,
        'SHA-256',
        'caller',
        'caller-secret-pw',
        'GET',
        '/skills',
      );
      const ok = await skills('digest-capability', { authorization: answer });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { count: number }).count).toBe(1);
      const wrong = answerChallenge(
        challenge,
        'SHA-256',
        'caller',
        'wrong-password',
        'GET',
        '/skills',
      );
      expect((await skills('digest-capability', { authorization: wrong })).status).toBe(401);
    });

    it('oauth2: 401 without a token, 403 without the scope, 200 with it', async () => {
      const missing = await skills('oauth2-capability');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      const unscoped = await skills('oauth2-capability', {
        authorization: `Bearer ${await token({})}`,
      });
      expect(unscoped.status).toBe(403);
      expect(unscoped.headers.get('www-authenticate')).toContain('insufficient_scope');
      const scoped = await skills('oauth2-capability', {
        authorization: `Bearer ${await token({ scope: 'skills:read' })}`,
      });
      expect(scoped.status).toBe(200);
    });
  });

  describe('no upstream authentication declared', () => {
    it('sends nothing upstream, not even the caller’s Authorization header', async () => {
      upstream.seen.length = 0;
      expect(
        (await restGet('open-capability', { authorization: 'Bearer caller-token' })).status,
      ).toBe(200);
      expect(
        (await restGet('bearer-capability', { authorization: 'Bearer token-123' })).status,
      ).toBe(200);
      expect(upstream.seen).toHaveLength(2);
      for (const seen of upstream.seen) expect(seen.headers.authorization).toBeUndefined();
    });
  });

  it('generated code compiles under strict; only the digest and oauth2 capabilities import their modules', () => {
    const imports = (file: string) =>
      [
        ...fs
          .readFileSync(path.join(OUT, file), 'utf8')
          .matchAll(/from '\.\.\/runtime\/((?:format|auth)-[\w-]+)\.js'/g),
      ].map((m) => m[1]);
    expect(imports('digest-capability/client.ts')).toEqual(['auth-digest']);
    expect(imports('digest-capability/rest-handler.ts')).toEqual(['auth-digest']);
    expect(imports('oauth2-capability/mcp-handler.ts')).toEqual(['auth-oauth2']);
    expect(imports('oauth2-capability/skills.ts')).toEqual(['auth-oauth2']);
    expect(imports('digest-capability/skills.ts')).toEqual(['auth-digest']);
    expect(imports('bearer-capability/client.ts')).toEqual([]);
    expect(imports('bearer-capability/mcp-handler.ts')).toEqual([]);
    const project = strictProject();
    project.addSourceFilesAtPaths(path.join(OUT, '**/*.ts'));
    expect(formatDiagnostics(project, check(project))).toBe('');
  });
});
