/**
 * The `workers` target end to end: a capability with inbound auth on its REST adapter and its MCP
 * server is generated with `targets: [workers]`, its worker.ts is bundled by esbuild for a neutral
 * platform with no externals (as wrangler bundles it), and the bundle runs in workerd through
 * miniflare, configured from the generated wrangler.jsonc, against a fake upstream on 127.0.0.1.
 * One Worker, started once (test/helpers/worker.ts).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKERS_COMPATIBILITY_DATE } from '../../generator/version.js';
import {
  AUTH_TOKEN_ENV,
  generateAuthFixture,
  type AuthFixture,
} from '../fixtures/rest-auth-fixture.js';
import { startFakeUpstream, type RecordingUpstream } from '../helpers/fake-upstream.js';
import { startWorker, type RunningWorker } from '../helpers/worker.js';

const TOKEN = 'adapter-token-for-the-worker';
const STRIPE_KEY = 'sk_test_worker_key_0123456789';
const BASE_URI_VAR = 'LINK_LINK_ACCOUNT_SESSIONS_BASE_URI';
const SESSION_PATH = '/v1/v1/link-account-sessions';
const MCP_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

let fixture: AuthFixture;
let upstream: RecordingUpstream;
let worker: RunningWorker;

beforeAll(async () => {
  fixture = await generateAuthFixture({ mcpAuth: true, config: 'targets: [node, workers]\n' });
  upstream = await startFakeUpstream((request) => ({
    json: {
      id: request.url.pathname.split('/').pop(),
      object: 'financial_connections.session',
      livemode: false,
    },
  }));
  worker = await startWorker(fixture.capabilityDir, {
    [BASE_URI_VAR]: upstream.url,
    STRIPE_API_KEY: STRIPE_KEY,
    [AUTH_TOKEN_ENV]: TOKEN,
  });
}, 120_000);

afterAll(async () => {
  await worker?.mf.dispose();
  await upstream?.close();
  fixture?.cleanup();
});

const send = (pathAndQuery: string, init: RequestInit = {}) => worker.send(pathAndQuery, init);

const authed = (headers: Record<string, string> = {}) => ({
  authorization: `Bearer ${TOKEN}`,
  ...headers,
});

async function rpc(
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = authed(),
) {
  const response = await send('/mcp', {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, any>,
  };
}

describe('wrangler.jsonc', () => {
  it('names the Worker, its entry and capgen’s fixed compatibility date, with no nodejs_compat', () => {
    expect(worker.wrangler.name).toBe('link-account-sessions');
    expect(worker.wrangler.main).toBe('worker.ts');
    expect(worker.wrangler.compatibility_date).toBe(WORKERS_COMPATIBILITY_DATE);
    // The date this capgen is tested with is the workerd release miniflare runs.
    const workerd = createRequire(import.meta.url)('workerd') as { compatibilityDate: string };
    expect(WORKERS_COMPATIBILITY_DATE).toBe(workerd.compatibilityDate);
    expect(worker.wrangler.compatibility_flags).toBeUndefined();
    expect(worker.bundleImports.filter((p) => p.startsWith('node:'))).toEqual([]);
  });

  it('binds the upstream base URI as a var and names the secrets without values', () => {
    expect(worker.wrangler.vars).toEqual({ [BASE_URI_VAR]: 'https://api.stripe.com' });
    expect(worker.wrangler.secrets?.required.sort()).toEqual(
      [AUTH_TOKEN_ENV, 'STRIPE_API_KEY'].sort(),
    );
    expect(worker.wranglerText).toMatch(
      /^\/\/ Secrets, named here and never filled: npx wrangler secret put/m,
    );
    expect(worker.wranglerText).not.toContain(STRIPE_KEY);
    expect(worker.wranglerText).not.toContain(TOKEN);
  });
});

describe('the Worker in workerd (miniflare)', () => {
  it('GET /healthz answers without credentials', async () => {
    const response = await send('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('REST: a route reaches the upstream named by the base-URI binding, with the secret binding', async () => {
    const before = upstream.seen.length;
    const response = await send(`${SESSION_PATH}/fcsess_w1?expand[]=accounts`, {
      headers: authed(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'fcsess_w1' });
    const seen = upstream.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0].url.pathname).toBe('/v1/link_account_sessions/fcsess_w1');
    expect(seen[0].url.searchParams.getAll('expand[0]')).toEqual(['accounts']);
    expect(seen[0].headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);
  });

  it('REST: a JSON body is sent form-encoded, as the OpenAPI operation says', async () => {
    const before = upstream.seen.length;
    const response = await send(SESSION_PATH, {
      method: 'POST',
      headers: authed({ 'content-type': 'application/json', 'idempotency-key': 'worker-key-1' }),
      body: JSON.stringify({
        account_holder: { type: 'customer', customer: 'cus_1' },
        permissions: ['balances'],
      }),
    });
    expect(response.status).toBe(200);
    const [seen] = upstream.seen.slice(before);
    expect(seen.method).toBe('POST');
    expect(decodeURIComponent(seen.body)).toBe(
      'account_holder[type]=customer&account_holder[customer]=cus_1&permissions[0]=balances',
    );
    expect(seen.headers['idempotency-key']).toBe('worker-key-1');
  });

  it('REST: invalid requests are answered before any upstream call', async () => {
    const before = upstream.seen.length;
    const unknown = await send(`${SESSION_PATH}/fcsess_1?nope=1`, { headers: authed() });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'nope' },
    });
    const notJson = await send(SESSION_PATH, {
      method: 'POST',
      headers: authed({ 'content-type': 'text/plain' }),
      body: 'x',
    });
    expect(notJson.status).toBe(415);
    const wrongMethod = await send(`${SESSION_PATH}/fcsess_1`, {
      method: 'DELETE',
      headers: authed(),
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect((await send('/v1/nowhere', { headers: authed() })).status).toBe(404);
    expect(upstream.seen.length).toBe(before);
  });

  it('REST: inbound auth from the secret binding (missing or wrong token: 401)', async () => {
    const before = upstream.seen.length;
    const missing = await send(`${SESSION_PATH}/fcsess_1`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await send(`${SESSION_PATH}/fcsess_1`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect(upstream.seen.length).toBe(before);
  });

  it('REST: a foreign browser Origin gets 403; a localhost one is served', async () => {
    const foreign = await send(`${SESSION_PATH}/fcsess_1`, {
      headers: authed({ origin: 'https://evil.example' }),
    });
    expect(foreign.status).toBe(403);
    const local = await send(`${SESSION_PATH}/fcsess_o`, {
      headers: authed({ origin: 'http://localhost:5173' }),
    });
    expect(local.status).toBe(200);
  });

  it('MCP: initialize names the server and its instructions', async () => {
    const { status, body } = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'worker-test', version: '1' },
    });
    expect(status).toBe(200);
    expect(body.result.serverInfo.name).toBe('link-link-account-sessions-mcp');
    expect(body.result.capabilities.tools).toBeDefined();
    expect(body.result.instructions).toMatch(/^MCP adapter for Stripe Link API/);
  });

  it('MCP: tools/list lists the two tools with their schemas', async () => {
    const { body } = await rpc('tools/list');
    const tools = body.result.tools as Array<{
      name: string;
      inputSchema: { required?: string[] };
    }>;
    expect(tools.map((t) => t.name)).toEqual([
      'p-to-launch-financial-connections-authorization',
      'p-retrieves-details-financial-connections-code-session',
    ]);
    expect(tools[1].inputSchema.required).toEqual(['session']);
  });

  it('MCP: tools/call reaches the upstream; invalid arguments do not', async () => {
    const before = upstream.seen.length;
    const { body } = await rpc('tools/call', {
      name: 'p-retrieves-details-financial-connections-code-session',
      arguments: { session: 'fcsess_mcp' },
    });
    expect(body.result.isError).toBeFalsy();
    expect(body.result.structuredContent).toMatchObject({ id: 'fcsess_mcp' });
    expect(upstream.seen.slice(before).map((s) => s.url.pathname)).toEqual([
      '/v1/link_account_sessions/fcsess_mcp',
    ]);
    const invalid = await rpc('tools/call', {
      name: 'p-retrieves-details-financial-connections-code-session',
      arguments: { session: 42 },
    });
    expect(invalid.body.result.isError).toBe(true);
    expect(invalid.body.result.content[0].text).toMatch(/session/);
    expect(upstream.seen.length).toBe(before + 1);
  });

  it('MCP: inbound auth from the secret binding (401 without the token)', async () => {
    const missing = await rpc('tools/list', {}, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await rpc('tools/list', {}, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('MCP: a foreign browser Origin gets 403', async () => {
    const foreign = await rpc('tools/list', {}, authed({ origin: 'https://evil.example' }));
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(/Origin/);
  });

  it('no secret reaches a response', async () => {
    const responses = await Promise.all([
      send(`${SESSION_PATH}/fcsess_1`).then((r) => r.text()),
      rpc('tools/list', {}, {}).then((r) => JSON.stringify(r.body)),
    ]);
    for (const text of responses) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(STRIPE_KEY);
    }
  });
});
