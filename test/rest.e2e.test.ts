/**
 * End-to-end tests of the generated REST adapters (generated/<cap>/rest.ts), over real HTTP.
 *
 * Each adapter is started with its generated `main()` on 127.0.0.1, port 0. Its upstream calls to
 * https://api.stripe.com are answered by msw (which intercepts the adapter client's node:http
 * requests; calls to the adapter itself, on 127.0.0.1, are bypassed). Some tests use a real local
 * "wire" server instead (CHECKOUT_SESSIONS_BASE_URI) to see the exact bytes of the request target.
 *
 * Also covered: validation (each answered in Stripe's error shape with no upstream call), upstream
 * failures, path injection, concurrency, graceful shutdown, environment overrides in a child process
 * (`capgen serve`), inbound auth on a capability fixture generated in-process, and that the Stripe
 * key never reaches a caller or the access log.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as checkout from '../generated/checkout-sessions/rest.js';
import * as identity from '../generated/identity-sessions/rest.js';
import * as link from '../generated/link-account-sessions/rest.js';
import type { ClientOptions } from '../generated/runtime/client.js';
import type { RestServer } from '../generated/runtime/node-rest.js';
import type { RestAdapterSpec } from '../generated/runtime/rest.js';
import {
  AUTH_TOKEN_ENV,
  generateAuthFixture,
  type AuthFixture,
} from './fixtures/rest-auth-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The upstream Stripe key: must never reach a caller or a log line. */
const KEY = 'sk_test_capgenE2E_0123456789abcdefghijKLMN';
/** What a caller might send in Authorization; the adapter must not forward it upstream. */
const CALLER_AUTH = 'Bearer caller_token_must_not_be_forwarded';
/** Retries stay on (2, as by default) but fast. */
const FAST: ClientOptions = { maxRetries: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 4 };

type Cap = 'checkout' | 'identity' | 'link';
const MODULES = { checkout, identity, link } as const;

// ---------------------------------------------------------------------------------------------------
// Upstream: msw in front of https://api.stripe.com

interface Upstream {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

type Reply = (request: Upstream, n: number) => Response | Promise<Response>;

/** Default upstream answer: a small object echoing what was asked. */
const echo: Reply = (u, n) =>
  HttpResponse.json(
    { id: `obj_${n}`, object: 'echo', method: u.method, path: u.url.pathname },
    { headers: { 'Request-Id': `req_e2e_${n}` } },
  );

/** Requests that reached the Stripe mock. */
let upstream: Upstream[] = [];
/** Every outgoing request msw saw that is not to a loopback address (handled or not). */
let outgoing: string[] = [];
let reply: Reply = echo;

const LOOPBACK = new Set(['127.0.0.1', '127.0.0.2', 'localhost', '[::1]']);

const mock = setupServer(
  http.all('https://api.stripe.com/*', async ({ request }) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const seen: Upstream = {
      method: request.method,
      url: new URL(request.url),
      headers,
      body: await request.text(),
    };
    upstream.push(seen);
    return reply(seen, upstream.length - 1);
  }),
);

// ---------------------------------------------------------------------------------------------------
// A real local upstream, for the exact request target on the wire

interface WireRequest {
  method: string;
  target: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let wire: Server;
let wireUrl: string;
let wireSeen: WireRequest[] = [];

function startWire(): Promise<void> {
  wire = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      wireSeen.push({
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        body,
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'request-id': `req_wire_${wireSeen.length}`,
      });
      res.end(JSON.stringify({ id: 'wire_obj', object: 'echo', target: req.url }));
    });
  });
  return new Promise<void>((resolve) => wire.listen(0, '127.0.0.1', () => resolve())).then(() => {
    wireUrl = `http://127.0.0.1:${(wire.address() as AddressInfo).port}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// Captured output: the access log (stdout) and everything the adapters write to stderr

const accessLog: string[] = [];
const errorOutput: string[] = [];
/** Every status line, header and body any caller received, for the key-leak check. */
const exposed: string[] = [];

function captureOutput(): void {
  const out = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('time=')) {
      accessLog.push(text);
      return true;
    }
    return (out as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    errorOutput.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stderr.write);
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errorOutput.push(args.map(String).join(' '));
  });
}

// ---------------------------------------------------------------------------------------------------
// Calling the adapters

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

function record(status: number, headers: Record<string, string>, text: string): Answer {
  exposed.push(`${status} ${JSON.stringify(headers)} ${text}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

async function call(base: string, target: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${target}`, init);
  const text = await response.text();
  return record(response.status, Object.fromEntries(response.headers), text);
}

const JSON_TYPE = { 'content-type': 'application/json' };
/** POST, PUT and PATCH must say they are JSON, with or without a body. */
const typeOf = (method: string): Record<string, string> => (method === 'GET' ? {} : JSON_TYPE);

const jsonInit = (
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/**
 * Sends one request over a raw socket, so the request target reaches the adapter byte for byte
 * (fetch and URL would normalize `..`, `%2E%2E`, `#`).
 */
function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = text.slice(0, split).split('\r\n');
      const parsedHeaders: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        parsedHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve(record(Number(statusLine.split(' ')[1]), parsedHeaders, text.slice(split + 4)));
      socket.destroy();
    });
    const lines = [
      `${method} ${target} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Connection: close',
    ];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (body !== '' || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

/** Form body (or query string) as decoded `key=value` text, in order: what Stripe will read. */
function decodeForm(text: string): string {
  if (text === '') return '';
  const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
  return text
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? decode(pair) : `${decode(pair.slice(0, eq))}=${decode(pair.slice(eq + 1))}`;
    })
    .join('&');
}

const queryPairs = (url: URL): string[][] =>
  [...url.searchParams].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

async function freePort(host = '127.0.0.1'): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Asserts a Stripe-shaped error and that no request left for Stripe. */
function expectStripeError(answer: Answer, status: number, type: string, param?: string): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.json).toEqual({
    error: expect.objectContaining({ type, message: expect.any(String) }),
  });
  if (param === undefined) expect(answer.json.error).not.toHaveProperty('param');
  else expect(answer.json.error.param).toBe(param);
}

function expectNoUpstreamCall(): void {
  expect(upstream).toEqual([]);
  expect(outgoing).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------
// Lifecycle

const adapters = {} as Record<Cap, RestServer>;
/** checkout-sessions with a 150 ms upstream timeout and no retries. */
let impatient: RestServer;
const savedEnv: Record<string, string | undefined> = {};
const ENV_NAMES = [
  'STRIPE_API_KEY',
  'CHECKOUT_SESSIONS_BASE_URI',
  'IDENTITY_SESSIONS_BASE_URI',
  'LINK_LINK_ACCOUNT_SESSIONS_BASE_URI',
  'CHECKOUT_SESSIONS_REST_PORT',
  'CHECKOUT_SESSIONS_REST_ADDRESS',
  'ADAPTER_TOKEN',
];

beforeAll(async () => {
  for (const name of ENV_NAMES) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
  process.env.STRIPE_API_KEY = KEY;
  captureOutput();
  mock.listen({ onUnhandledRequest: 'bypass' });
  mock.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (!LOOPBACK.has(url.hostname)) outgoing.push(`${request.method} ${request.url}`);
  });
  await startWire();
  for (const cap of Object.keys(MODULES) as Cap[]) {
    adapters[cap] = await MODULES[cap].main({ port: 0, address: '127.0.0.1' }, FAST);
  }
  impatient = await checkout.main(
    { port: 0, address: '127.0.0.1' },
    { timeoutMs: 150, maxRetries: 0 },
  );
});

beforeEach(() => {
  upstream = [];
  outgoing = [];
  wireSeen = [];
  reply = echo;
});

afterAll(async () => {
  await Promise.all([...Object.values(adapters), impatient].map((s) => s?.close()));
  wire?.closeAllConnections();
  await new Promise<void>((resolve) => (wire ? wire.close(() => resolve()) : resolve()));
  mock.close();
  vi.restoreAllMocks();
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

// ---------------------------------------------------------------------------------------------------
// Every exposed operation

interface OperationCase {
  cap: Cap;
  /** Route as declared in REST_ADAPTER, for the coverage check. */
  route: string;
  method: string;
  /** Target sent to the adapter (path and query). */
  target: string;
  body?: unknown;
  expected: {
    method: string;
    path: string;
    /** Decoded query pairs Stripe reads, sorted by name. */
    query: string[][];
    /** Decoded form body, in order; '' for an empty form. Absent for GET. */
    form?: string;
  };
}

const OPERATIONS: OperationCase[] = [
  // checkout-sessions
  {
    cap: 'checkout',
    route: 'GET /v1/v1/checkout/sessions',
    method: 'GET',
    target:
      '/v1/v1/checkout/sessions?limit=3&customer=cus_1&expand[]=data.line_items&expand[]=data.customer&status=open',
    expected: {
      method: 'GET',
      path: '/v1/checkout/sessions',
      query: [
        ['customer', 'cus_1'],
        ['expand[0]', 'data.line_items'],
        ['expand[1]', 'data.customer'],
        ['limit', '3'],
        ['status', 'open'],
      ],
    },
  },
  {
    cap: 'checkout',
    route: 'POST /v1/v1/checkout/sessions',
    method: 'POST',
    target: '/v1/v1/checkout/sessions',
    body: {
      mode: 'payment',
      success_url: 'https://example.com/ok?session={CHECKOUT_SESSION_ID}',
      line_items: [
        { price: 'price_1', quantity: 2 },
        { price: 'price_2', quantity: 1 },
      ],
      metadata: { order: '42 & more' },
      automatic_tax: { enabled: true },
    },
    expected: {
      method: 'POST',
      path: '/v1/checkout/sessions',
      query: [],
      form:
        'mode=payment&success_url=https://example.com/ok?session={CHECKOUT_SESSION_ID}' +
        '&line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2&line_items[1][quantity]=1' +
        '&metadata[order]=42 & more&automatic_tax[enabled]=true',
    },
  },
  {
    cap: 'checkout',
    route: 'GET /v1/v1/checkout/sessions/{session}',
    method: 'GET',
    target: '/v1/v1/checkout/sessions/cs_test_a1?expand[0]=line_items',
    expected: {
      method: 'GET',
      path: '/v1/checkout/sessions/cs_test_a1',
      query: [['expand[0]', 'line_items']],
    },
  },
  {
    cap: 'checkout',
    route: 'POST /v1/v1/checkout/sessions/{session}/expire',
    method: 'POST',
    target: '/v1/v1/checkout/sessions/cs_test_a1/expire',
    expected: {
      method: 'POST',
      path: '/v1/checkout/sessions/cs_test_a1/expire',
      query: [],
      form: '',
    },
  },
  {
    cap: 'checkout',
    route: 'GET /v1/v1/checkout/sessions/{session}/line-items',
    method: 'GET',
    target: '/v1/v1/checkout/sessions/cs_test_a1/line-items?limit=5&starting_after=li_9',
    expected: {
      method: 'GET',
      path: '/v1/checkout/sessions/cs_test_a1/line_items',
      query: [
        ['limit', '5'],
        ['starting_after', 'li_9'],
      ],
    },
  },
  // identity-sessions
  {
    cap: 'identity',
    route: 'GET /v1/v1/identity/verification-sessions',
    method: 'GET',
    target: '/v1/v1/identity/verification-sessions?status=verified&limit=10&ending_before=vs_0',
    expected: {
      method: 'GET',
      path: '/v1/identity/verification_sessions',
      query: [
        ['ending_before', 'vs_0'],
        ['limit', '10'],
        ['status', 'verified'],
      ],
    },
  },
  {
    cap: 'identity',
    route: 'POST /v1/v1/identity/verification-sessions',
    method: 'POST',
    target: '/v1/v1/identity/verification-sessions',
    body: {
      type: 'document',
      metadata: { user_id: 'u_1' },
      options: { document: { require_matching_selfie: true, allowed_types: ['passport'] } },
    },
    expected: {
      method: 'POST',
      path: '/v1/identity/verification_sessions',
      query: [],
      form: 'type=document&metadata[user_id]=u_1&options[document][require_matching_selfie]=true&options[document][allowed_types][0]=passport',
    },
  },
  {
    cap: 'identity',
    route: 'GET /v1/v1/identity/verification-sessions/{session}',
    method: 'GET',
    target: '/v1/v1/identity/verification-sessions/vs_1?expand[]=verified_outputs',
    expected: {
      method: 'GET',
      path: '/v1/identity/verification_sessions/vs_1',
      query: [['expand[0]', 'verified_outputs']],
    },
  },
  {
    cap: 'identity',
    route: 'POST /v1/v1/identity/verification-sessions/{session}',
    method: 'POST',
    target: '/v1/v1/identity/verification-sessions/vs_1',
    // An empty string unsets a metadata key on Stripe; non-ASCII travels as UTF-8.
    body: { metadata: { note: 'Zoë: 2nd try €', old: '' }, type: 'id_number' },
    expected: {
      method: 'POST',
      path: '/v1/identity/verification_sessions/vs_1',
      query: [],
      form: 'metadata[note]=Zoë: 2nd try €&metadata[old]=&type=id_number',
    },
  },
  {
    cap: 'identity',
    route: 'POST /v1/v1/identity/verification-sessions/{session}/cancel',
    method: 'POST',
    target: '/v1/v1/identity/verification-sessions/vs_1/cancel',
    expected: {
      method: 'POST',
      path: '/v1/identity/verification_sessions/vs_1/cancel',
      query: [],
      form: '',
    },
  },
  {
    cap: 'identity',
    route: 'POST /v1/v1/identity/verification-sessions/{session}/redact',
    method: 'POST',
    target: '/v1/v1/identity/verification-sessions/vs_1/redact',
    body: {},
    expected: {
      method: 'POST',
      path: '/v1/identity/verification_sessions/vs_1/redact',
      query: [],
      form: '',
    },
  },
  // link-account-sessions
  {
    cap: 'link',
    route: 'POST /v1/v1/link-account-sessions',
    method: 'POST',
    target: '/v1/v1/link-account-sessions',
    body: {
      account_holder: { type: 'customer', customer: 'cus_1' },
      permissions: ['balances'],
      filters: { countries: ['US'] },
    },
    expected: {
      method: 'POST',
      path: '/v1/link_account_sessions',
      query: [],
      form: 'account_holder[type]=customer&account_holder[customer]=cus_1&permissions[0]=balances&filters[countries][0]=US',
    },
  },
  {
    cap: 'link',
    route: 'GET /v1/v1/link-account-sessions/{session}',
    method: 'GET',
    target: '/v1/v1/link-account-sessions/fcsess_1?expand[]=accounts',
    expected: {
      method: 'GET',
      path: '/v1/link_account_sessions/fcsess_1',
      query: [['expand[0]', 'accounts']],
    },
  },
];

describe('every exposed operation, over HTTP', () => {
  it('the cases cover every route of the three REST_ADAPTERs (13)', () => {
    const declared = (Object.keys(MODULES) as Cap[]).flatMap((cap) =>
      (MODULES[cap].REST_ADAPTER as RestAdapterSpec).routes.map(
        (r) => `${cap} ${r.method} ${r.path}`,
      ),
    );
    expect(declared).toHaveLength(13);
    expect(OPERATIONS.map((c) => `${c.cap} ${c.route}`).sort()).toEqual(declared.sort());
  });

  it.each(OPERATIONS)('$cap $method $target', async (c) => {
    const headers: Record<string, string> = { authorization: CALLER_AUTH };
    // POST says it is JSON even without a body (the adapter's CSRF guard).
    if (c.method === 'POST') headers['content-type'] = 'application/json';
    const init: RequestInit =
      c.body === undefined ? { method: c.method, headers } : jsonInit(c.method, c.body, headers);
    const answer = await call(adapters[c.cap].url, c.target, init);

    // What Stripe received.
    expect(upstream, JSON.stringify(answer.json)).toHaveLength(1);
    const [seen] = upstream;
    expect(seen.method).toBe(c.expected.method);
    expect(seen.url.origin).toBe('https://api.stripe.com');
    expect(seen.url.pathname).toBe(c.expected.path);
    expect(queryPairs(seen.url)).toEqual(c.expected.query);
    expect(seen.headers.authorization).toBe(`Bearer ${KEY}`);
    if (c.cap === 'link') expect(seen.headers['stripe-version']).toBe('2023-10-16');
    if (c.expected.form === undefined) {
      expect(seen.body).toBe('');
      expect(seen.headers['idempotency-key']).toBeUndefined();
    } else {
      expect(seen.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(decodeForm(seen.body)).toBe(c.expected.form);
      expect(seen.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    }

    // What the caller got: Stripe's body as is (output mapping `$.`), its request id.
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.json).toEqual({
      id: 'obj_0',
      object: 'echo',
      method: c.expected.method,
      path: c.expected.path,
    });
    expect(answer.headers['x-upstream-request-id']).toBe('req_e2e_0');
  });

  it('writes one access-log line per request, with the upstream request id and without the query string', async () => {
    const before = accessLog.length;
    await call(adapters.checkout.url, '/v1/v1/checkout/sessions/cs_log_1?expand[]=customer');
    await expect.poll(() => accessLog.length).toBe(before + 1);
    const line = accessLog[before];
    expect(line).toMatch(
      /^time=\S+ method=GET path=\/v1\/v1\/checkout\/sessions\/cs_log_1 status=200 duration_ms=[\d.]+ upstream_request_id=req_e2e_0\n$/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Query forms

describe('query strings', () => {
  it.each<[string, string[][]]>([
    ['limit=3', [['limit', '3']]],
    [
      'expand[]=a&expand[]=b',
      [
        ['expand[0]', 'a'],
        ['expand[1]', 'b'],
      ],
    ],
    [
      'expand%5B%5D=a&expand%5B%5D=b',
      [
        ['expand[0]', 'a'],
        ['expand[1]', 'b'],
      ],
    ],
    ['expand[0]=a', [['expand[0]', 'a']]],
    [
      'expand[1]=b&expand[0]=a',
      [
        ['expand[0]', 'a'],
        ['expand[1]', 'b'],
      ],
    ],
    [
      'expand=a&expand=b',
      [
        ['expand[0]', 'a'],
        ['expand[1]', 'b'],
      ],
    ],
    ['customer=a+b%2Bc', [['customer', 'a b+c']]],
    ['customer=%26limit%3D100%23x', [['customer', '&limit=100#x']]],
    ['customer_details[email]=jo%40example.com', [['customer_details[email]', 'jo@example.com']]],
    ['created=1700000000', [['created', '1700000000']]],
  ])('GET /v1/v1/checkout/sessions?%s', async (query, expected) => {
    const answer = await call(adapters.checkout.url, `/v1/v1/checkout/sessions?${query}`);
    expect(answer.status, answer.text).toBe(200);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].url.pathname).toBe('/v1/checkout/sessions');
    expect(queryPairs(upstream[0].url)).toEqual(expected);
  });

  // Stripe's range filter `created[gte]=1` needs `created` to be an object or integer; the bundled
  // checkout-sessions.yaml declares it `type: string` and no bundled OpenAPI document covers
  // Checkout, so the adapter answers with a clear 400 naming the parameter (with Stripe's full spec
  // the schema is anyOf [range object, integer] and the form is accepted: test/runtime/rest.test.ts).
  it('created[gte]=1 is refused as the capability declares created a string', async () => {
    const answer = await call(
      adapters.checkout.url,
      '/v1/v1/checkout/sessions?created[gte]=1&created[lt]=9',
    );
    expect(answer.status, answer.text).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({
      error: { type: 'invalid_request_error', param: 'created' },
    });
    expect(upstream).toHaveLength(0);
  });

  it('a query value cannot add upstream parameters (encoded & = # stay inside the value)', async () => {
    await call(
      adapters.checkout.url,
      '/v1/v1/checkout/sessions/cs_1/line-items?starting_after=li_1%26limit%3D100',
    );
    expect(upstream).toHaveLength(1);
    expect(upstream[0].url.search).toBe('?starting_after=li_1%26limit%3D100');
  });
});

// ---------------------------------------------------------------------------------------------------
// Validation: answered by the adapter, never forwarded

describe('validation (Stripe error shape, no upstream call)', () => {
  interface ValidationCase {
    name: string;
    cap: Cap;
    method: string;
    target: string;
    init?: RequestInit;
    status: number;
    param?: string;
    message: RegExp;
    allow?: string;
  }

  const link = '/v1/v1/link-account-sessions';
  const VALIDATION: ValidationCase[] = [
    {
      name: 'unknown route',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/customers',
      status: 404,
      message: /^Unrecognized request URL \(GET: \/v1\/customers\)\.$/,
    },
    {
      name: 'the upstream path is not a route',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/checkout/sessions',
      status: 404,
      message: /Unrecognized request URL/,
    },
    {
      name: 'unknown sub-resource',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions/cs_1/refunds',
      status: 404,
      message: /Unrecognized request URL/,
    },
    {
      name: 'empty path parameter',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions//line-items',
      status: 404,
      message: /Unrecognized request URL/,
    },
    {
      name: 'wrong method',
      cap: 'checkout',
      method: 'DELETE',
      target: '/v1/v1/checkout/sessions',
      status: 405,
      message: /DELETE is not allowed/,
      allow: 'GET, POST',
    },
    {
      name: 'wrong method on a templated path',
      cap: 'link',
      method: 'PUT',
      target: `${link}/fcsess_1`,
      status: 405,
      message: /PUT is not allowed/,
      allow: 'GET',
    },
    {
      name: 'GET on a POST-only path',
      cap: 'link',
      method: 'GET',
      target: link,
      status: 405,
      message: /GET is not allowed/,
      allow: 'POST',
    },
    {
      name: 'missing required body',
      cap: 'link',
      method: 'POST',
      target: link,
      init: { method: 'POST', headers: JSON_TYPE },
      status: 400,
      param: 'body',
      message: /^Missing required param: body\./,
    },
    {
      name: 'missing required body (identity)',
      cap: 'identity',
      method: 'POST',
      target: '/v1/v1/identity/verification-sessions',
      init: { method: 'POST', headers: JSON_TYPE },
      status: 400,
      param: 'body',
      message: /Missing required param: body/,
    },
    {
      name: 'missing required property',
      cap: 'link',
      method: 'POST',
      target: link,
      init: jsonInit('POST', { permissions: ['balances'] }),
      status: 400,
      param: 'account_holder',
      message: /Missing required param: account_holder/,
    },
    {
      name: 'enum violation, nested',
      cap: 'link',
      method: 'POST',
      target: link,
      init: jsonInit('POST', { account_holder: { type: 'bank' }, permissions: ['balances'] }),
      status: 400,
      param: 'account_holder[type]',
      message: /must be one of "account", "customer"/,
    },
    {
      name: 'enum violation in an array',
      cap: 'link',
      method: 'POST',
      target: link,
      init: jsonInit('POST', { account_holder: { type: 'customer' }, permissions: ['everything'] }),
      status: 400,
      param: 'permissions[0]',
      message: /must be one of/,
    },
    {
      name: 'mistyped property',
      cap: 'link',
      method: 'POST',
      target: link,
      init: jsonInit('POST', { account_holder: { type: 'customer' }, permissions: 'balances' }),
      status: 400,
      param: 'permissions',
      message: /expected an array/,
    },
    {
      name: 'body of the wrong type',
      cap: 'checkout',
      method: 'POST',
      target: '/v1/v1/checkout/sessions',
      init: jsonInit('POST', [1, 2]),
      status: 400,
      param: 'body',
      message: /expected an object, got an array/,
    },
    {
      name: 'malformed JSON',
      cap: 'checkout',
      method: 'POST',
      target: '/v1/v1/checkout/sessions',
      init: jsonInit('POST', '{"mode": "payment",'),
      status: 400,
      message: /^Invalid JSON in the request body/,
    },
    {
      name: 'form-encoded body',
      cap: 'checkout',
      method: 'POST',
      target: '/v1/v1/checkout/sessions',
      init: {
        method: 'POST',
        body: 'mode=payment',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      status: 415,
      message: /Unsupported request body type "application\/x-www-form-urlencoded"/,
    },
    {
      name: 'text body',
      cap: 'identity',
      method: 'POST',
      target: '/v1/v1/identity/verification-sessions',
      init: {
        method: 'POST',
        body: '{"type":"document"}',
        headers: { 'content-type': 'text/plain' },
      },
      status: 415,
      message: /Unsupported request body type "text\/plain"/,
    },
    {
      name: 'mistyped integer',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions?limit=abc',
      status: 400,
      param: 'limit',
      message: /^Invalid limit: expected an integer, got "abc"\.$/,
    },
    {
      name: 'integer below minimum',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions/cs_1/line-items?limit=0',
      status: 400,
      param: 'limit',
      message: /at least 1/,
    },
    {
      name: 'integer above maximum',
      cap: 'identity',
      method: 'GET',
      target: '/v1/v1/identity/verification-sessions?limit=101',
      status: 400,
      param: 'limit',
      message: /at most 100/,
    },
    {
      name: 'scalar given twice',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions?limit=3&limit=4',
      status: 400,
      param: 'limit',
      message: /given 2 times/,
    },
    {
      name: 'unknown query parameter',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions/cs_1?api_key=x',
      status: 400,
      param: 'api_key',
      message: /^Received unknown parameter: api_key\./,
    },
    {
      name: 'malformed query escape',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions?customer=%ZZ',
      status: 400,
      message: /Malformed percent-encoding/,
    },
    {
      name: 'malformed path escape',
      cap: 'checkout',
      method: 'GET',
      target: '/v1/v1/checkout/sessions/%ZZ',
      status: 400,
      param: 'session',
      message: /malformed percent-encoding/,
    },
  ];

  it.each(VALIDATION)('$name: $method $target -> $status', async (c) => {
    const answer = await rawOrFetch(c);
    expectStripeError(answer, c.status, 'invalid_request_error', c.param);
    expect(answer.json.error.message).toMatch(c.message);
    if (c.allow !== undefined) expect(answer.headers.allow).toBe(c.allow);
    expectNoUpstreamCall();
  });

  async function rawOrFetch(c: ValidationCase): Promise<Answer> {
    // fetch would normalize `//`; send those raw.
    if (c.target.includes('//')) return rawRequest(adapters[c.cap].url, c.method, c.target);
    return call(adapters[c.cap].url, c.target, c.init ?? { method: c.method });
  }

  it('body over 1 MiB (declared length): 413', async () => {
    const body = JSON.stringify({ mode: 'payment', metadata: { blob: 'x'.repeat(1024 * 1024) } });
    const answer = await call(
      adapters.checkout.url,
      '/v1/v1/checkout/sessions',
      jsonInit('POST', body),
    );
    expectStripeError(answer, 413, 'invalid_request_error');
    expect(answer.json.error.message).toMatch(/larger than the 1048576-byte limit/);
    expectNoUpstreamCall();
  });

  it('body over 1 MiB (chunked, no length): 413', async () => {
    const chunk = new TextEncoder().encode(`"${'y'.repeat(64 * 1024)}",`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"metadata":{"k":['));
        if (sent > 20) {
          controller.enqueue(new TextEncoder().encode('"z"]}}'));
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const answer = await call(adapters.checkout.url, '/v1/v1/checkout/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expectStripeError(answer, 413, 'invalid_request_error');
    expectNoUpstreamCall();
  });

  it('a body just under 1 MiB is accepted and forwarded', async () => {
    const body = JSON.stringify({
      mode: 'payment',
      metadata: { blob: 'x'.repeat(1024 * 1024 - 64) },
    });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(1024 * 1024);
    const answer = await call(
      adapters.checkout.url,
      '/v1/v1/checkout/sessions',
      jsonInit('POST', body),
    );
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(upstream).toHaveLength(1);
  });

  it('an empty JSON body on an optional-body route sends an empty form', async () => {
    const answer = await call(
      adapters.checkout.url,
      '/v1/v1/checkout/sessions/cs_1/expire',
      jsonInit('POST', '{}'),
    );
    expect(answer.status).toBe(200);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].body).toBe('');
  });

  it('missing upstream key: 500 api_error naming the variable, no upstream call', async () => {
    delete process.env.STRIPE_API_KEY;
    try {
      const answer = await call(
        adapters.identity.url,
        '/v1/v1/identity/verification-sessions/vs_1',
      );
      expectStripeError(answer, 500, 'api_error');
      expect(answer.json.error.message).toMatch(/set the STRIPE_API_KEY environment variable/);
      expectNoUpstreamCall();
    } finally {
      process.env.STRIPE_API_KEY = KEY;
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Upstream failures

describe('upstream failures', () => {
  it('4xx: Stripe status and error body pass through unchanged, not retried', async () => {
    const stripeBody = {
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: "No such checkout.session: 'cs_missing'",
        param: 'session',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
      },
    };
    reply = () =>
      HttpResponse.json(stripeBody, { status: 404, headers: { 'Request-Id': 'req_404' } });
    const answer = await call(adapters.checkout.url, '/v1/v1/checkout/sessions/cs_missing');
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(stripeBody);
    expect(answer.headers['x-upstream-request-id']).toBe('req_404');
    expect(upstream).toHaveLength(1);
  });

  it('400 card-style error on a POST passes through', async () => {
    const stripeBody = {
      error: {
        type: 'invalid_request_error',
        message: 'Invalid country',
        param: 'filters[countries][0]',
      },
    };
    reply = () => HttpResponse.json(stripeBody, { status: 400 });
    const answer = await call(
      adapters.link.url,
      '/v1/v1/link-account-sessions',
      jsonInit('POST', {
        account_holder: { type: 'customer', customer: 'cus_1' },
        permissions: ['balances'],
        filters: { countries: ['XX'] },
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(stripeBody);
    expect(upstream).toHaveLength(1);
  });

  it('5xx: retried (maxRetries 2, same idempotency key), then the last error passes through', async () => {
    const stripeBody = {
      error: { type: 'api_error', message: 'Something went wrong on our end.' },
    };
    reply = (_u, n) =>
      HttpResponse.json(stripeBody, { status: 500, headers: { 'Request-Id': `req_500_${n}` } });
    const answer = await call(
      adapters.identity.url,
      '/v1/v1/identity/verification-sessions/vs_1/cancel',
      { method: 'POST', headers: JSON_TYPE },
    );
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual(stripeBody);
    expect(upstream).toHaveLength(3);
    const keys = new Set(upstream.map((u) => u.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('5xx then success: the caller sees only the success', async () => {
    reply = (u, n) =>
      n === 0
        ? HttpResponse.json({ error: { type: 'api_error', message: 'busy' } }, { status: 503 })
        : echo(u, n);
    const answer = await call(adapters.checkout.url, '/v1/v1/checkout/sessions/cs_retry');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: 'obj_1', path: '/v1/checkout/sessions/cs_retry' });
    expect(upstream).toHaveLength(2);
  });

  it('an upstream error that echoes the key is redacted', async () => {
    reply = () =>
      HttpResponse.json(
        { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${KEY}` } },
        { status: 401 },
      );
    const answer = await call(adapters.checkout.url, '/v1/v1/checkout/sessions');
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(KEY);
    expect(answer.json.error.message).toBe('Invalid API Key provided: [REDACTED]');
  });

  it('timeout: 504 api_connection_error, promptly', async () => {
    reply = async (u, n) => {
      await delay(1_500);
      return echo(u, n);
    };
    const started = performance.now();
    const answer = await call(impatient.url, '/v1/v1/checkout/sessions/cs_slow');
    const elapsed = performance.now() - started;
    expectStripeError(answer, 504, 'api_connection_error');
    expect(answer.json.error.message).toMatch(/did not answer in time/);
    expect(elapsed).toBeLessThan(1_000);
    expect(upstream).toHaveLength(1);
  });

  it('connection refused: 502 api_connection_error', async () => {
    const closed = await freePort();
    process.env.CHECKOUT_SESSIONS_BASE_URI = `http://127.0.0.1:${closed}`;
    try {
      const answer = await call(adapters.checkout.url, '/v1/v1/checkout/sessions/cs_1');
      expectStripeError(answer, 502, 'api_connection_error');
      expect(answer.json.error.message).toMatch(/Could not reach the upstream API/);
      expect(upstream).toEqual([]);
    } finally {
      delete process.env.CHECKOUT_SESSIONS_BASE_URI;
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Path injection: {session} stays one segment under /v1/checkout/sessions/

describe('path parameters cannot leave their segment', () => {
  const SAFE: Array<[string, string, string]> = [
    // [method, target sent to the adapter, exact upstream path]
    [
      'GET',
      '/v1/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers',
      '/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers',
    ],
    [
      'GET',
      '/v1/v1/checkout/sessions/..%2f..%2fv1%2fcustomers/line-items',
      '/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers/line_items',
    ],
    [
      'POST',
      '/v1/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers/expire',
      '/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers/expire',
    ],
    ['GET', '/v1/v1/checkout/sessions/a%3Fb', '/v1/checkout/sessions/a%3Fb'],
    [
      'GET',
      '/v1/v1/checkout/sessions/cs_1%3Fexpand%5B%5D%3Dcustomer',
      '/v1/checkout/sessions/cs_1%3Fexpand%5B%5D%3Dcustomer',
    ],
    ['GET', '/v1/v1/checkout/sessions/a%23b', '/v1/checkout/sessions/a%23b'],
    ['GET', '/v1/v1/checkout/sessions/%2F', '/v1/checkout/sessions/%2F'],
    ['GET', '/v1/v1/checkout/sessions/%2F/line-items', '/v1/checkout/sessions/%2F/line_items'],
    ['GET', '/v1/v1/checkout/sessions/..%5C..%5Cv1', '/v1/checkout/sessions/..%5C..%5Cv1'],
    ['GET', '/v1/v1/checkout/sessions/a%252Fb', '/v1/checkout/sessions/a%252Fb'],
    ['GET', '/v1/v1/checkout/sessions/%2E%2E%2F', '/v1/checkout/sessions/..%2F'],
    ['GET', '/v1/v1/checkout/sessions/...', '/v1/checkout/sessions/...'],
    ['GET', '/v1/v1/checkout/sessions/a%20b', '/v1/checkout/sessions/a%20b'],
    ['GET', '/v1/v1/checkout/sessions/%E2%82%AC', '/v1/checkout/sessions/%E2%82%AC'],
  ];
  const REFUSED: Array<[string, string, number]> = [
    ['GET', '/v1/v1/checkout/sessions/..', 400],
    ['GET', '/v1/v1/checkout/sessions/.', 400],
    ['GET', '/v1/v1/checkout/sessions/%2E%2E', 400],
    ['GET', '/v1/v1/checkout/sessions/.%2e', 400],
    ['GET', '/v1/v1/checkout/sessions/../line-items', 400],
    ['POST', '/v1/v1/checkout/sessions/%2e%2e/expire', 400],
    ['GET', '/v1/v1/checkout/sessions/../../../v1/customers', 404],
    ['GET', '/v1/v1/checkout/sessions/cs_1/../../../customers', 404],
  ];

  describe('as msw sees it', () => {
    it.each(SAFE)('%s %s -> %s', async (method, target, expectedPath) => {
      const answer = await rawRequest(adapters.checkout.url, method, target, typeOf(method));
      expect(answer.status, answer.text).toBe(200);
      expect(upstream).toHaveLength(1);
      expect(upstream[0].url.origin).toBe('https://api.stripe.com');
      expect(upstream[0].url.pathname).toBe(expectedPath);
      expect(upstream[0].url.search).toBe('');
      expect(answer.json.path).toBe(expectedPath);
    });

    it.each(REFUSED)('%s %s -> %i, nothing sent', async (method, target, status) => {
      const answer = await rawRequest(adapters.checkout.url, method, target);
      expectStripeError(
        answer,
        status,
        'invalid_request_error',
        status === 400 ? 'session' : undefined,
      );
      expectNoUpstreamCall();
    });
  });

  describe('on the wire (a real upstream server)', () => {
    beforeAll(() => {
      process.env.CHECKOUT_SESSIONS_BASE_URI = wireUrl;
    });
    afterAll(() => {
      delete process.env.CHECKOUT_SESSIONS_BASE_URI;
    });

    it.each(SAFE)('%s %s -> %s', async (method, target, expectedPath) => {
      const answer = await rawRequest(adapters.checkout.url, method, target, typeOf(method));
      expect(answer.status, answer.text).toBe(200);
      expect(wireSeen).toHaveLength(1);
      expect(wireSeen[0].method).toBe(method);
      expect(wireSeen[0].target).toBe(expectedPath);
    });

    it.each(REFUSED)('%s %s -> %i, nothing sent', async (method, target, status) => {
      const answer = await rawRequest(adapters.checkout.url, method, target);
      expect(answer.status).toBe(status);
      expect(wireSeen).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Load, health, shutdown

describe('server behaviour', () => {
  it('200 concurrent requests on one adapter are all answered with their own session', async () => {
    reply = async (u) => {
      const session = decodeURIComponent(u.url.pathname.split('/').pop() ?? '');
      await delay(Number(session.split('_').pop()) % 7);
      return HttpResponse.json(
        { id: session, object: 'checkout.session' },
        { headers: { 'Request-Id': `req_${session}` } },
      );
    };
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(adapters.checkout.url, `/v1/v1/checkout/sessions/cs_conc_${i}`),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ id: `cs_conc_${i}`, object: 'checkout.session' });
      expect(answer.headers['x-upstream-request-id']).toBe(`req_cs_conc_${i}`);
    });
    expect(upstream).toHaveLength(200);
    expect(new Set(upstream.map((u) => u.url.pathname)).size).toBe(200);
  });

  it('GET /healthz answers without calling upstream; other methods get 405', async () => {
    const ok = await call(adapters.link.url, '/healthz');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: 'ok' });
    const head = await call(adapters.link.url, '/healthz', { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await call(adapters.link.url, '/healthz', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expectNoUpstreamCall();
  });

  it('graceful shutdown: the in-flight request completes, new connections are refused', async () => {
    const server = await checkout.main({ port: 0, address: '127.0.0.1' }, FAST);
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    reply = async (u, n) => {
      arrived();
      await released;
      return echo(u, n);
    };
    const inFlight = call(server.url, '/v1/v1/checkout/sessions/cs_inflight');
    await arrival;

    let closedAt = 0;
    const closing = server.close().then(() => (closedAt = performance.now()));
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    expect(closedAt).toBe(0); // still waiting for the in-flight request

    const releasedAt = performance.now();
    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ path: '/v1/checkout/sessions/cs_inflight' });
    expect(answer.headers.connection).toBe('close');
    await closing;
    expect(closedAt).toBeGreaterThanOrEqual(releasedAt);
  });
});

// ---------------------------------------------------------------------------------------------------
// `capgen serve` in a child process: environment overrides and signal handling

describe('capgen serve checkout-sessions --rest (child process)', () => {
  it('listens on CHECKOUT_SESSIONS_REST_ADDRESS:CHECKOUT_SESSIONS_REST_PORT, serves, exits 0 on SIGTERM', async () => {
    const address = '127.0.0.2';
    const port = await freePort(address);
    const child = spawn(
      process.execPath,
      ['bin/capgen.js', 'serve', 'checkout-sessions', '--rest'],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          STRIPE_API_KEY: KEY,
          CHECKOUT_SESSIONS_BASE_URI: wireUrl,
          CHECKOUT_SESSIONS_REST_PORT: String(port),
          CHECKOUT_SESSIONS_REST_ADDRESS: address,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const match = /checkout-sessions-rest listening on (http:\/\/\S+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        void exited.then(({ code }) => reject(new Error(`exited early (${code}): ${stderr}`)));
      });
      expect(url).toBe(`http://${address}:${port}`);

      const answer = await call(url, '/v1/v1/checkout/sessions/cs_child?expand[]=line_items');
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json).toEqual({
        id: 'wire_obj',
        object: 'echo',
        target: '/v1/checkout/sessions/cs_child?expand[0]=line_items',
      });
      expect(wireSeen).toHaveLength(1);
      expect(wireSeen[0].headers.authorization).toBe(`Bearer ${KEY}`);

      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(stderr).toContain(
        'SIGTERM received: finishing in-flight requests, then shutting down.',
      );
      expect(stderr).toContain('Server closed.');
      expect(stdout).toMatch(
        /method=GET path=\/v1\/v1\/checkout\/sessions\/cs_child status=200 .*upstream_request_id=req_wire_1/,
      );
      expect(stdout + stderr).not.toContain(KEY);
    } finally {
      clearTimeout(kill);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 25_000);
});

// ---------------------------------------------------------------------------------------------------
// Inbound auth: a fixture capability with bearer auth on its rest exposes block, generated in-process

describe('inbound bearer auth (generated fixture)', () => {
  const TOKEN = 'adapter-token-e2e-0123456789';
  let fixture: AuthFixture | undefined;
  let server: RestServer;

  beforeAll(async () => {
    fixture = await generateAuthFixture();
    const entry = path.join(fixture.capabilityDir, 'rest.ts');
    const generated = (await import(pathToFileURL(entry).href)) as typeof link;
    expect(generated.REST_ADAPTER.auth).toEqual({
      type: 'bearer',
      token: [{ env: AUTH_TOKEN_ENV }],
    });
    process.env[AUTH_TOKEN_ENV] = TOKEN;
    server = await generated.main({ port: 0, address: '127.0.0.1' }, FAST);
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    delete process.env[AUTH_TOKEN_ENV];
    fixture?.cleanup();
  });

  const target = '/v1/v1/link-account-sessions/fcsess_auth';

  it('401 without a token, with a Bearer challenge, nothing sent upstream', async () => {
    const answer = await call(server.url, target);
    expectStripeError(answer, 401, 'invalid_request_error');
    expect(answer.headers['www-authenticate']).toBe(
      'Bearer realm="link-link-account-sessions-rest"',
    );
    expectNoUpstreamCall();
  });

  it('401 with a wrong token', async () => {
    const answer = await call(server.url, target, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expectStripeError(answer, 401, 'invalid_request_error');
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    expectNoUpstreamCall();
  });

  it('401 comes before validation (an invalid request does not reveal the schema)', async () => {
    const answer = await call(
      server.url,
      '/v1/v1/link-account-sessions',
      jsonInit('POST', { account_holder: { type: 'nope' } }),
    );
    expect(answer.status).toBe(401);
    expectNoUpstreamCall();
  });

  it('200 with the token; Stripe gets the server key, not the caller token', async () => {
    const answer = await call(server.url, target, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(upstream).toHaveLength(1);
    expect(upstream[0].url.pathname).toBe('/v1/link_account_sessions/fcsess_auth');
    expect(upstream[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(answer.text).not.toContain(TOKEN);
  });

  it('/healthz stays open', async () => {
    expect((await call(server.url, '/healthz')).status).toBe(200);
  });

  it('fails closed (500) when the token variable is unset', async () => {
    delete process.env[AUTH_TOKEN_ENV];
    try {
      const answer = await call(server.url, target, {
        headers: { authorization: 'Bearer anything' },
      });
      expectStripeError(answer, 500, 'api_error');
      expect(answer.json.error.message).toMatch(/ADAPTER_TOKEN/);
      expectNoUpstreamCall();
    } finally {
      process.env[AUTH_TOKEN_ENV] = TOKEN;
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Runs last (tests in a file run in order): nothing above leaked the key.

describe('secrets', () => {
  it('the Stripe key never appeared in a response (status, headers, body), the access log or stderr', async () => {
    // Some traffic of its own, so this holds when run alone too: a success, a local error, an upstream error.
    await call(adapters.checkout.url, '/v1/v1/checkout/sessions/cs_secret');
    await call(adapters.link.url, '/v1/v1/link-account-sessions', { method: 'POST' });
    reply = () =>
      HttpResponse.json(
        { error: { type: 'authentication_error', message: `Invalid API Key provided: ${KEY}` } },
        { status: 401 },
      );
    await call(adapters.identity.url, '/v1/v1/identity/verification-sessions');
    await expect.poll(() => accessLog.length).toBeGreaterThanOrEqual(3);

    expect(exposed.length).toBeGreaterThanOrEqual(3);
    for (const text of exposed) expect(text).not.toContain(KEY);
    for (const line of accessLog) expect(line).not.toContain(KEY);
    for (const line of errorOutput) expect(line).not.toContain(KEY);
    // The access log has no query strings (they can carry personal data).
    for (const line of accessLog) expect(line).not.toMatch(/path=\S*\?/);
    // No request in this file hit an adapter bug (those are logged as internal/unexpected errors).
    expect(
      errorOutput.filter((line) => /internal error|unexpected error|failed to/.test(line)),
    ).toEqual([]);
  });
});
