/**
 * The generated MCP server (generated/checkout-sessions/mcp.ts, started with its `main()` over
 * Streamable HTTP) under hostile callers and failing upstreams: the rows of issue 9 that concern it,
 * each against a fake upstream on 127.0.0.1, with raw JSON-RPC requests.
 */
import net, { type AddressInfo } from 'node:net';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../generated/checkout-sessions/mcp.js';
import type { ClientOptions } from '../generated/runtime/client.js';
import type { McpHttpServerHandle } from '../generated/runtime/node-mcp.js';
import {
  fakeUpstream,
  json,
  nestedJson,
  rawUpstream,
  type FakeUpstream,
} from './helpers/fake-upstream.js';

const CREDENTIAL = 'plain-credential-0123456789abcdef';
const FAST: ClientOptions = { apiKey: CREDENTIAL, retryBaseDelayMs: 1, retryMaxDelayMs: 4 };

let upstream: FakeUpstream;
const servers: McpHttpServerHandle[] = [];

async function mcp(options: ClientOptions = {}): Promise<McpHttpServerHandle> {
  const server = await main(
    { port: 0, address: '127.0.0.1' },
    { ...FAST, baseUri: upstream.url, ...options },
  );
  if (server === undefined) throw new Error('expected an HTTP server');
  servers.push(server);
  return server;
}

let nextId = 0;

/** POSTs one JSON-RPC message (or a raw body) and returns status and parsed answer. */
async function rpc(server: McpHttpServerHandle, message: unknown, raw?: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
    },
    body: raw ?? JSON.stringify(message),
  });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) };
}

const toolCall = (name: string, args: unknown, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: ++nextId,
  method: 'tools/call',
  params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) },
});

const resultText = (answer: { json: { result: { content: Array<{ text: string }> } } }): string =>
  answer.json.result.content.map((c) => c.text).join('\n');

beforeAll(async () => {
  upstream = await fakeUpstream();
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(async () => {
  upstream.reset();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await upstream.close();
});

describe('deeply nested arguments (row 1)', () => {
  it('answers a 48 KB argument nested one leaf per level with a tool error, never calling upstream', async () => {
    const server = await mcp();
    const body = nestedJson(3500);
    expect(body.length).toBeGreaterThan(48_000);
    const raw = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"stripe-post-checkout-sessions","arguments":{"body":${body}}}}`;
    const answer = await rpc(server, undefined, raw);
    expect(answer.text).toMatch(/nested too deeply/);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('credentials are redacted by value (row 4)', () => {
  it('scrubs the upstream credential echoed in an error, whatever its variable is called', async () => {
    upstream.handle((seen, res, req) =>
      json(400, {
        error: {
          type: 'invalid_request_error',
          message: `Bad key ${seen.headers.authorization}`,
          param: String(seen.headers.authorization),
        },
      })(seen, res, req),
    );
    const server = await mcp();
    const answer = await rpc(
      server,
      toolCall('stripe-get-checkout-sessions-session', { session: 'cs_1' }),
    );
    expect(answer.json.result.isError).toBe(true);
    expect(answer.text).not.toContain(CREDENTIAL);
    expect(resultText(answer)).toContain('[REDACTED]');
  });
});

describe('graceful shutdown (row 5)', () => {
  it('answers every in-flight call after close() begins, then stops', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.handle((seen, res, req) => {
      void released.then(() => json(200, { id: 'cs_late' })(seen, res, req));
    });
    const server = await mcp();
    const inFlight = Array.from({ length: 20 }, () =>
      rpc(server, toolCall('stripe-get-checkout-sessions-session', { session: 'cs_late' })),
    );
    await vi.waitFor(() => expect(upstream.seen).toHaveLength(20));
    const closed = servers.pop()!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const answers = await Promise.all(inFlight);
    await closed;
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.every((a) => a.json.result.structuredContent.id === 'cs_late')).toBe(true);
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
  });
});

describe("the caller's idempotency key (row 8)", () => {
  it('passes _meta.idempotencyKey to the upstream POST, on every retry', async () => {
    let failures = 0;
    upstream.handle((seen, res, req) =>
      failures++ < 1
        ? json(500, { error: { type: 'api_error', message: 'retry me' } })(seen, res, req)
        : json(200, { id: 'cs_created' })(seen, res, req),
    );
    const server = await mcp();
    const answer = await rpc(
      server,
      toolCall(
        'stripe-post-checkout-sessions',
        { body: { mode: 'payment' } },
        { idempotencyKey: 'agent-key-7' },
      ),
    );
    expect(answer.json.result.isError).toBeFalsy();
    expect(upstream.seen.map((s) => s.headers['idempotency-key'])).toEqual([
      'agent-key-7',
      'agent-key-7',
    ]);
  });
});

describe('malformed upstream headers (row 10)', () => {
  it('reports a refused answer at once, without the upstream address', async () => {
    const raw = await rawUpstream(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Bad: a\r\u0000b\r\nContent-Length: 2\r\n\r\n{}',
    );
    try {
      const server = await mcp({ baseUri: raw.url });
      const answer = await rpc(
        server,
        toolCall('stripe-get-checkout-sessions-session', { session: 'cs_1' }),
      );
      expect(answer.json.result.isError).toBe(true);
      expect(resultText(answer)).toMatch(/malformed HTTP response/);
      expect(answer.text).not.toContain(raw.url.replace('http://', ''));
      expect(raw.hits()).toBe(1);
    } finally {
      await raw.close();
    }
  });
});

describe('start-up (row 11)', () => {
  it('a port in use is a ConfigurationError naming the flag and the environment variable', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(
        main({ port, address: '127.0.0.1' }, { ...FAST, baseUri: upstream.url }),
      ).rejects.toMatchObject({
        name: 'ConfigurationError',
        hint: expect.stringMatching(/--port or CHECKOUT_SESSIONS_MCP_PORT/),
      });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('body size', () => {
  it('answers 413 past 4 MiB', async () => {
    const server = await mcp();
    const answer = await rpc(
      server,
      toolCall('stripe-post-checkout-sessions', { body: { blob: 'x'.repeat(4 * 1024 * 1024) } }),
    );
    expect(answer.status).toBe(413);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('JSON-RPC batches (row 12)', () => {
  it('refuses a batch of 100 tool calls without calling upstream', async () => {
    const server = await mcp();
    const batch = Array.from({ length: 100 }, () =>
      toolCall('stripe-post-checkout-sessions', { body: { mode: 'payment' } }),
    );
    const answer = await rpc(server, batch);
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe(-32600);
    expect(answer.json.error.message).toMatch(/batches are not accepted/);
    expect(upstream.seen).toHaveLength(0);
  });
});
