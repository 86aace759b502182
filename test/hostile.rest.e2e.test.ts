/**
 * The generated REST adapter (generated/checkout-sessions/rest.ts, started with its `main()`) under
 * hostile callers and failing upstreams: one `describe` per row of issue 9, each against a fake
 * upstream on 127.0.0.1. Timeouts and deadlines use small configured values; nothing here asserts
 * wall-clock durations.
 */
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../generated/checkout-sessions/rest.js';
import type { ClientOptions } from '../generated/runtime/client.js';
import type { RestServer } from '../generated/runtime/node-rest.js';
import { runCli, type CliIO } from '../generator/cli.js';
import {
  fakeUpstream,
  json,
  nestedJson,
  rawUpstream,
  type FakeUpstream,
} from './helpers/fake-upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A credential whose variable name would not look secret: it is redacted by value. */
const CREDENTIAL = 'plain-credential-0123456789abcdef';
const FAST: ClientOptions = { apiKey: CREDENTIAL, retryBaseDelayMs: 1, retryMaxDelayMs: 4 };
const SESSIONS = '/v1/v1/checkout/sessions';
const JSON_TYPE = { 'content-type': 'application/json' };

let upstream: FakeUpstream;
const servers: RestServer[] = [];
const stderr: string[] = [];

async function adapter(options: ClientOptions = {}, args = {}): Promise<RestServer> {
  const server = await main(
    { port: 0, address: '127.0.0.1', ...args },
    { ...FAST, baseUri: upstream.url, ...options },
  );
  servers.push(server);
  return server;
}

async function call(server: RestServer, target: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${target}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text || '{}'),
  };
}

beforeAll(async () => {
  upstream = await fakeUpstream();
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // access log
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    stderr.push(args.join(' '));
  });
});
afterEach(async () => {
  upstream.reset();
  stderr.length = 0;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await upstream.close();
});

describe('deeply nested bodies are refused before any work (row 1)', () => {
  it('answers a 60 KB body nested one leaf per level with 400, never calling upstream', async () => {
    const server = await adapter();
    const body = nestedJson(4400);
    expect(body.length).toBeGreaterThan(60_000);
    const answer = await call(server, SESSIONS, { method: 'POST', headers: JSON_TYPE, body });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'invalid_request_error' });
    expect(answer.json.error.message).toMatch(/nested too deeply: more than 32 levels/);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('upstream replies over the size cap (row 2)', () => {
  it('answers 502 with a clear message and keeps serving', async () => {
    upstream.handle((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: 'x'.repeat(200_000) }));
    });
    const server = await adapter({ maxResponseBytes: 64 * 1024 });
    const answer = await call(server, `${SESSIONS}/cs_big`);
    expect(answer.status).toBe(502);
    expect(answer.json.error.message).toMatch(/larger than the 65536-byte limit/);
    expect(upstream.seen).toHaveLength(1); // refused, not retried
    upstream.handle(json(200, { id: 'cs_small' }));
    expect((await call(server, `${SESSIONS}/cs_small`)).status).toBe(200);
  });
});

describe('redirects to another origin are not followed (row 3)', () => {
  it('with the fetch transport, a 307 to a foreign host carries nothing there', async () => {
    const foreign = await fakeUpstream();
    try {
      upstream.handle((_seen, res) => {
        res.writeHead(307, { location: `${foreign.url}/steal` });
        res.end();
      });
      const server = await adapter({ fetch: (input, init) => fetch(input, init) });
      const answer = await call(server, SESSIONS, {
        method: 'POST',
        headers: { ...JSON_TYPE, 'idempotency-key': 'idem-redirect-1' },
        body: JSON.stringify({ mode: 'payment' }),
      });
      expect(foreign.seen).toHaveLength(0);
      expect(answer.status).toBe(502);
      expect(answer.text).not.toContain(foreign.url);
    } finally {
      await foreign.close();
    }
  });

  it('follows a same-origin redirect for GET', async () => {
    upstream.handle((seen, res) => {
      if (seen.url.startsWith('/v1/checkout/sessions/cs_old')) {
        res.writeHead(301, { location: '/v1/checkout/sessions/cs_new' });
        res.end();
      } else json(200, { id: 'cs_new' })(seen, res, undefined as never);
    });
    const server = await adapter({ fetch: (input, init) => fetch(input, init) });
    const answer = await call(server, `${SESSIONS}/cs_old`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: 'cs_new' });
  });
});

describe('credentials are redacted by value (row 4)', () => {
  it('scrubs the upstream credential echoed in an error body, whatever its variable is called', async () => {
    upstream.handle((seen, res) =>
      json(401, {
        error: { type: 'invalid_request_error', message: `Bad key: ${seen.headers.authorization}` },
        echoed: String(seen.headers.authorization),
      })(seen, res, undefined as never),
    );
    const server = await adapter();
    const answer = await call(server, `${SESSIONS}/cs_1`);
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(CREDENTIAL);
    expect(answer.json.error.message).toBe('Bad key: Bearer [REDACTED]');
  });
});

describe('cross-site requests and DNS rebinding (row 6)', () => {
  it('refuses a POST with no Content-Type (a CORS simple request) before the upstream', async () => {
    const server = await adapter();
    const answer = await call(server, `${SESSIONS}/cs_1/expire`, { method: 'POST' });
    expect(answer.status).toBe(415);
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses a foreign Origin with 403, accepts a loopback one', async () => {
    const server = await adapter();
    const foreign = await call(server, `${SESSIONS}/cs_1`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
    const local = await call(server, `${SESSIONS}/cs_1`, {
      headers: { origin: 'http://localhost:3000' },
    });
    expect(local.status).toBe(200);
  });

  it('refuses a foreign Host on a loopback-bound server (DNS rebinding)', async () => {
    const server = await adapter();
    const answer = await rawGet(server, `${SESSIONS}/cs_1`, 'evil.example:8080');
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('one deadline per call, Retry-After capped (row 7)', () => {
  it('a hanging upstream gets 504 once the deadline passes, with no retry after it', async () => {
    upstream.handle(() => undefined); // never answers
    const server = await adapter({ deadlineMs: 150, timeoutMs: 60_000 });
    const answer = await call(server, `${SESSIONS}/cs_hang`);
    expect(answer.status).toBe(504);
    expect(answer.json.error.type).toBe('api_connection_error');
    expect(upstream.seen).toHaveLength(1);
  });

  it('a 503 asking for Retry-After: 3600 is answered at once, with the header passed on', async () => {
    upstream.handle(
      json(503, { error: { type: 'api_error', message: 'later' } }, { 'retry-after': '3600' }),
    );
    const server = await adapter();
    const answer = await call(server, `${SESSIONS}/cs_busy`);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('3600');
    expect(upstream.seen).toHaveLength(1);
  });
});

describe("the caller's Idempotency-Key reaches the upstream (row 8)", () => {
  it('a caller retrying after a 502 reuses its key upstream: no duplicate POST', async () => {
    let resets = 0;
    upstream.handle((seen, res, req) => {
      if (resets++ < 2)
        req.socket.destroy(); // the first call fails (and its one retry)
      else json(200, { id: 'cs_once' })(seen, res, req);
    });
    const server = await adapter({ maxRetries: 1 });
    const init = {
      method: 'POST',
      headers: { ...JSON_TYPE, 'idempotency-key': 'caller-key-42' },
      body: JSON.stringify({ mode: 'payment' }),
    };
    expect((await call(server, SESSIONS, init)).status).toBe(502);
    expect((await call(server, SESSIONS, init)).status).toBe(200);
    expect(upstream.seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(upstream.seen.map((s) => s.headers['idempotency-key']))).toEqual(
      new Set(['caller-key-42']),
    );
  });

  it('refuses an Idempotency-Key that is not visible ASCII of at most 255 characters', async () => {
    const server = await adapter();
    const answer = await call(server, SESSIONS, {
      method: 'POST',
      headers: { ...JSON_TYPE, 'idempotency-key': 'k'.repeat(256) },
    });
    expect(answer.status).toBe(400);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('deep bracket nesting in the query (row 9)', () => {
  it('answers 400, with no stack trace logged', async () => {
    const server = await adapter();
    const answer = await call(server, `${SESSIONS}?customer${'[a]'.repeat(2000)}=1`);
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toMatch(/nested too deeply/);
    expect(stderr.join('')).not.toMatch(/internal error|RangeError|\n\s+at /);
  });
});

describe("a query string past Node's 16 KB header limit", () => {
  it('answers 431', async () => {
    const server = await adapter();
    const answer = await fetch(`${server.url}${SESSIONS}?customer=${'x'.repeat(20_000)}`);
    expect(answer.status).toBe(431);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('malformed upstream headers (row 10)', () => {
  it('answers 502 at once (no retries) without naming the upstream address', async () => {
    const raw = await rawUpstream(
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Bad: a\u0000b\r\nContent-Length: 2\r\n\r\n{}',
    );
    try {
      const server = await adapter({ baseUri: raw.url });
      const answer = await call(server, `${SESSIONS}/cs_1`);
      expect(answer.status).toBe(502);
      expect(answer.json.error.message).toMatch(/malformed HTTP response/);
      expect(answer.text).not.toContain(raw.url.replace('http://', ''));
      expect(raw.hits()).toBe(1);
    } finally {
      await raw.close();
    }
  });
});

describe('start-up and client misbehaviour (row 11)', () => {
  it('a client aborting mid-upload is logged as 499, without a stack or an internal error', async () => {
    const server = await adapter();
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${SESSIONS} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"mode":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stderr.join('')).not.toMatch(/internal error|\n\s+at /);
    expect((await call(server, `${SESSIONS}/cs_1`)).status).toBe(200);
  });

  it('a bad --base-uri stops the start with a hint, not a server answering 500s', async () => {
    await expect(adapter({ baseUri: 'not a url' })).rejects.toMatchObject({
      name: 'ConfigurationError',
      hint: expect.stringMatching(/--base-uri.*CHECKOUT_SESSIONS_BASE_URI/),
    });
    const result = await cli([
      'serve',
      'checkout-sessions',
      '--rest',
      '--port',
      '0',
      '--base-uri',
      'not a url',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Invalid base URI/);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('a port in use names the flag and the environment variable, exit 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = await cli(['serve', 'checkout-sessions', '--rest', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/already in use/);
      expect(result.stderr).toMatch(/--port or CHECKOUT_SESSIONS_REST_PORT/);
      expect(result.stderr).not.toMatch(/internal error|Please report/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('announces the address it bound (0.0.0.0), and warns at start when the key is unset', async () => {
    const saved = process.env.STRIPE_API_KEY;
    delete process.env.STRIPE_API_KEY;
    try {
      const server = await adapter({ apiKey: undefined }, { address: '0.0.0.0' });
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      expect(stderr.join('')).toMatch(/warning: .*STRIPE_API_KEY is not set/);
    } finally {
      if (saved !== undefined) process.env.STRIPE_API_KEY = saved;
    }
  });
});

/** A GET with a chosen Host header, over a raw socket; the response head and body as text. */
function rawGet(server: RestServer, target: string, host: string): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let err = '';
  const io: CliIO = { cwd: ROOT, color: false, stdout: () => undefined, stderr: (t) => (err += t) };
  const code = await runCli(argv, io);
  return { code, stderr: err };
}
