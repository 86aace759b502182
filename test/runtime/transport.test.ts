// Transports against a real HTTP server on 127.0.0.1 (no msw in this file).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../templates/runtime/client.js';
import type { ApiSpec, OperationSpec } from '../../templates/runtime/contract.js';
import { ApiConnectionError, ApiTimeoutError } from '../../templates/runtime/errors.js';
import {
  defaultTransport,
  fetchTransport,
  isNodeRuntime,
  nodeHttpTransport,
  type Transport,
} from '../../templates/runtime/transport.js';

let base = '';
let connections = 0;
let hits = 0;
/** Requests to /reset-once: the first one has its socket destroyed before any answer. */
let resetArmed = false;
const sockets = new Set<import('node:net').Socket>();

const server = http.createServer((req, res) => {
  hits++;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hang') return; // never answers
    if (url.pathname === '/reset-once' && resetArmed) {
      resetArmed = false;
      req.socket.destroy();
      return;
    }
    if (url.pathname === '/chunked') {
      // A multi-byte character split across chunks must decode correctly.
      const bytes = Buffer.from('{"name":"Zoë 😀"}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 13));
      setTimeout(() => res.end(bytes.subarray(13)), 5);
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'request-id': 'req_local',
      'set-cookie': ['a=1', 'b=2'],
    });
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString('utf8'),
        contentLength: req.headers['content-length'] ?? null,
        rawHeaders: req.rawHeaders,
      }),
    );
  });
});
server.on('connection', (socket) => {
  connections++;
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  hits = 0;
  resetArmed = false;
});

const api = (): ApiSpec => ({
  namespace: 'local',
  baseUri: base,
  baseUriEnv: 'LOCAL_BASE_URI',
  auth: { type: 'bearer', token: [{ env: 'LOCAL_KEY' }] },
});
const op = (method: OperationSpec['method'], path: string): OperationSpec => ({
  id: `local.${method}${path}`,
  method,
  path,
  params: [],
  body: {
    required: false,
    mediaType: 'application/x-www-form-urlencoded',
    schema: { type: 'object' },
  },
});
const env = { LOCAL_KEY: 'sk_local' };

describe('node:http transport headers', () => {
  const send = async (headers: Record<string, string>, body?: string) => {
    const response = await (nodeHttpTransport() as Transport)({
      method: body === undefined ? 'GET' : 'POST',
      url: `${base}/echo`,
      headers,
      body,
      signal: new AbortController().signal,
    });
    const raw = (JSON.parse(response.body) as { rawHeaders: string[] }).rawHeaders;
    const named = (name: string) =>
      raw.filter((_, i) => i % 2 === 1 && raw[i - 1].toLowerCase() === name);
    return { raw, named };
  };

  it('sends Host from the URL and the body length it computes, once each', async () => {
    const { named } = await send({ Accept: 'application/json', 'content-length': '999' }, 'abc');
    expect(named('host')).toEqual([base.replace('http://', '')]);
    expect(named('content-length')).toEqual(['3']);
    expect(named('accept')).toEqual(['application/json']);
  });

  it("keeps a caller's Host, and sends no Content-Length without a body", async () => {
    const { named } = await send({ HOST: 'api.example.test' });
    expect(named('host')).toEqual(['api.example.test']);
    expect(named('content-length')).toEqual([]);
  });
});

it('under Node the default transport is the node:http one', () => {
  expect(isNodeRuntime()).toBe(true);
  expect(nodeHttpTransport()).toBeTypeOf('function');
  expect(defaultTransport()).toBeTypeOf('function');
});

describe.each<[string, () => Transport]>([
  ['node:http', () => nodeHttpTransport() as Transport],
  ['fetch', () => fetchTransport()],
])('%s transport on a real socket', (name, makeTransport) => {
  const client = (options = {}): ApiClient =>
    new ApiClient(api(), { env, transport: makeTransport(), retryBaseDelayMs: 1, ...options });

  it('sends the body with a correct Content-Length and reads headers', async () => {
    const res = await client().request<{ method: string; body: string; contentLength: string }>(
      op('POST', '/echo'),
      {
        body: { name: 'Zoë', tags: ['a', 'b'] },
      },
    );
    expect(res.data).toMatchObject({
      method: 'POST',
      body: 'name=Zo%C3%AB&tags[0]=a&tags[1]=b',
      contentLength: '33',
    });
    expect(res.requestId).toBe('req_local');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('decodes UTF-8 split across chunks', async () => {
    expect(await client().call(op('GET', '/chunked'), {})).toEqual({ name: 'Zoë 😀' });
  });

  it('reuses kept-alive connections', async () => {
    const c = client();
    await c.call(op('GET', '/warm'), {});
    const before = connections;
    for (let i = 0; i < 5; i++) await c.call(op('GET', '/echo'), {});
    expect(connections - before).toBe(0);
  });

  it('times out a request the server never answers', async () => {
    const error = await client({ timeoutMs: 50, maxRetries: 0 })
      .call(op('GET', '/hang'), {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
  });

  it('retries a connection reset on the first attempt even with maxRetries 0', async () => {
    resetArmed = true;
    const res = await client({ maxRetries: 0 }).call<{ url: string }>(
      op('POST', '/reset-once'),
      {},
    );
    expect(res.url).toBe('/reset-once');
    expect(hits).toBe(2);
  });

  it('a refused connection is an ApiConnectionError', async () => {
    const error = await client({ baseUri: 'http://127.0.0.1:1', maxRetries: 0 })
      .call(op('GET', '/x'), {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect((error as Error).message).toMatch(/ECONNREFUSED|fetch failed/);
    expect(name).toBeTruthy();
  });
});
