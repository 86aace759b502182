/**
 * End-to-end tests of the generated MCP servers (generated/<cap>/mcp.ts), driven by the MCP SDK's own
 * Client. Stripe is mocked with msw for servers running in this process (msw intercepts the servers'
 * outgoing node:http requests), and with a local fake Stripe for the stdio server, which runs in a
 * child process through `capgen serve`.
 *
 * Golden files: test/golden/mcp/<cap>.tools.json hold each server's tools/list answer. After an
 * intended change, rewrite them with `UPDATE_GOLDEN=1 npx vitest run test/mcp.e2e.test.ts` and review
 * the diff.
 */
import fs from 'node:fs';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { CHECKOUT_SESSIONS_API } from '../generated/checkout-sessions/client.js';
import * as checkoutMcp from '../generated/checkout-sessions/mcp.js';
import { IDENTITY_SESSIONS_API } from '../generated/identity-sessions/client.js';
import * as identityMcp from '../generated/identity-sessions/mcp.js';
import { LINK_LINK_ACCOUNT_SESSIONS_API } from '../generated/link-account-sessions/client.js';
import * as linkMcp from '../generated/link-account-sessions/mcp.js';
import type { McpHttpServerHandle } from '../generated/runtime/node-mcp.js';
import { roundRobinProxy, type RoundRobinProxy } from './helpers/round-robin.js';
import {
  CAPABILITIES,
  captureServerLog,
  closedPort,
  expectedAnnotations,
  linkSession,
  loadCapability,
  plainText,
  ROOT,
  seenFrom,
  startFakeStripe,
  TEST_API_KEY,
  textOf,
  type Cap,
  type FakeStripe,
  type SeenRequest,
} from './helpers/mcp-e2e.js';

type McpModule = typeof linkMcp;
const MODULES: Record<Cap, McpModule> = {
  'checkout-sessions': checkoutMcp,
  'identity-sessions': identityMcp,
  'link-account-sessions': linkMcp,
};
const API_SPECS = {
  'checkout-sessions': CHECKOUT_SESSIONS_API,
  'identity-sessions': IDENTITY_SESSIONS_API,
  'link-account-sessions': LINK_LINK_ACCOUNT_SESSIONS_API,
};
const SPECS = Object.fromEntries(CAPABILITIES.map((cap) => [cap, loadCapability(cap)])) as Record<
  Cap,
  ReturnType<typeof loadCapability>
>;

const LINK_CREATE = 'p-to-launch-financial-connections-authorization';
const LINK_RETRIEVE = 'p-retrieves-details-financial-connections-code-session';
/** Retries stay on (the default count) but do not slow the tests down. */
const FAST_RETRIES = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

// The SDK clients talk to our servers with the fetch that existed before msw patched it, so msw only
// ever sees the servers' upstream (Stripe) traffic.
const realFetch = globalThis.fetch;

// ---------------------------------------------------------------------------------------------------
// Stripe, mocked with msw

const stripe = setupServer();
/** Requests that reached msw for api.stripe.com. */
let stripeSeen: SeenRequest[] = [];
let stripeReply: (request: SeenRequest) => Response = () => HttpResponse.json({ id: 'unset' });

function stripeJson(body: unknown, status = 200): Response {
  return HttpResponse.json(body as Record<string, unknown>, {
    status,
    headers: { 'Request-Id': 'req_msw_1' },
  });
}

// ---------------------------------------------------------------------------------------------------
// Servers under test. main() logs to stderr; the lines are captured (not printed) and checked for secrets.

let serverLog: { lines: string[]; restore: () => void };
const servers: Partial<Record<Cap, McpHttpServerHandle>> = {};
const clients: Partial<Record<Cap, Client>> = {};
const listings: Partial<Record<Cap, Tool[]>> = {};

function newClient(): Client {
  return new Client({ name: 'capgen-e2e', version: '0.0.0' });
}

async function connectHttp(url: string): Promise<Client> {
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: realFetch }));
  return client;
}

function client(cap: Cap): Client {
  const c = clients[cap];
  if (!c) throw new Error(`no client for ${cap}`);
  return c;
}

async function call(
  cap: Cap,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client(cap).callTool({ name, arguments: args })) as CallToolResult;
}

function tool(cap: Cap, name: string): Tool {
  const found = listings[cap]?.find((t) => t.name === name);
  if (!found) throw new Error(`tools/list of ${cap} has no tool ${name}`);
  return found;
}

beforeAll(async () => {
  serverLog = captureServerLog();
  vi.stubEnv('STRIPE_API_KEY', TEST_API_KEY);
  stripe.listen({
    onUnhandledRequest(request, print) {
      // Loopback traffic (the closed-port upstream) goes through for real; anything else is a bug.
      if (new URL(request.url).hostname !== '127.0.0.1') print.error();
    },
  });
  stripe.use(
    http.all('https://api.stripe.com/*', async ({ request }) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => (headers[key] = value));
      const seen = seenFrom(request.method, new URL(request.url), headers, await request.text());
      stripeSeen.push(seen);
      return stripeReply(seen);
    }),
  );

  for (const cap of CAPABILITIES) {
    const handle = await MODULES[cap].main({ port: 0 }, FAST_RETRIES);
    if (!handle) throw new Error(`main() of ${cap} did not start an HTTP server`);
    servers[cap] = handle;
    clients[cap] = await connectHttp(handle.url);
    listings[cap] = (await client(cap).listTools()).tools;
  }
});

beforeEach(() => {
  stripeSeen = [];
  stripeReply = () => stripeJson({ id: 'unset' });
});

afterAll(async () => {
  for (const cap of CAPABILITIES) {
    await clients[cap]?.close();
    await servers[cap]?.close();
  }
  stripe.close();
  vi.unstubAllEnvs();
  serverLog.restore();
});

// ---------------------------------------------------------------------------------------------------
// Initialisation and tools/list

describe.each(CAPABILITIES)('%s over Streamable HTTP: initialize and tools/list', (cap) => {
  const spec = SPECS[cap];

  it('listens on loopback at /mcp on the requested (free) port', () => {
    expect(servers[cap]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(servers[cap]?.url).not.toContain(':9090/');
  });

  it('initialize: instructions are the exposes description, the name is the exposes namespace', () => {
    expect(client(cap).getInstructions()).toBe(plainText(spec.mcp.description));
    expect(client(cap).getInstructions()).not.toMatch(/<[a-z]+>/);
    expect(client(cap).getServerVersion()).toEqual({ name: spec.mcp.namespace, version: '0.1.0' });
    expect(client(cap).getServerCapabilities()?.tools).toBeDefined();
  });

  it('tools/list: one tool per spec tool, with the spec names, titles, descriptions and annotations', () => {
    const tools = listings[cap] ?? [];
    expect(tools.map((t) => t.name)).toEqual(spec.mcp.tools.map((t) => t.name));
    for (const specTool of spec.mcp.tools) {
      const listed = tool(cap, specTool.name);
      expect(listed.title, specTool.name).toBe(specTool.label);
      expect(listed.annotations?.title, specTool.name).toBe(specTool.label);
      expect(listed.description, specTool.name).toBe(plainText(specTool.description));
      expect(listed.annotations, specTool.name).toEqual(expectedAnnotations(specTool.hints));
      expect(listed.inputSchema.type).toBe('object');
      expect(listed.inputSchema.additionalProperties, specTool.name).toBe(false);
    }
  });

  it(`tools/list matches test/golden/mcp/${cap}.tools.json`, () => {
    const file = `${ROOT}/test/golden/mcp/${cap}.tools.json`;
    const actual = listings[cap];
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.mkdirSync(`${ROOT}/test/golden/mcp`, { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    }
    if (!fs.existsSync(file)) {
      throw new Error(
        `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/mcp.e2e.test.ts and review it`,
      );
    }
    expect(actual).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });

  it('path parameters (from the consumed path templates) are required strings', () => {
    let count = 0;
    for (const specTool of spec.mcp.tools) {
      const listed = tool(cap, specTool.name);
      for (const [, name] of spec.operations[specTool.call].path.matchAll(/\{(\w+)\}/g)) {
        count++;
        expect(listed.inputSchema.properties?.[name], `${specTool.name}.${name}`).toMatchObject({
          type: 'string',
        });
        expect(listed.inputSchema.required, `${specTool.name}.${name}`).toContain(name);
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('the base URI variable follows the consumes namespace', () => {
    expect(API_SPECS[cap].baseUriEnv).toBe(spec.baseUriEnv);
  });
});

describe('input schemas: key facts', () => {
  it('link create: body is a structured object (never an opaque string) with the OpenAPI fields', () => {
    const schema = tool('link-account-sessions', LINK_CREATE).inputSchema;
    expect(schema.required).toEqual(['body']);
    const body = schema.properties?.body as Record<string, any>;
    expect(body.type).toBe('object');
    expect(Object.keys(body.properties).sort()).toEqual(
      ['account_holder', 'expand', 'filters', 'permissions', 'prefetch', 'return_url'].sort(),
    );
    expect([...body.required].sort()).toEqual(['account_holder', 'permissions']);

    const holder = body.properties.account_holder;
    expect(holder).toMatchObject({
      type: 'object',
      description: 'The account holder to link accounts for.',
      required: ['type'],
    });
    expect(holder.properties.type).toMatchObject({ type: 'string', enum: ['account', 'customer'] });
    expect(holder.properties.customer).toMatchObject({ type: 'string' });
    expect(holder.properties.account).toMatchObject({ type: 'string' });

    expect(body.properties.permissions).toMatchObject({
      type: 'array',
      items: { type: 'string', enum: ['balances', 'ownership', 'payment_method', 'transactions'] },
    });
    expect(body.properties.permissions.description).toMatch(/data features/);
    expect(body.properties.filters).toMatchObject({
      type: 'object',
      required: ['countries'],
      properties: { countries: { type: 'array', items: { type: 'string' } } },
    });
    expect(body.properties.filters.description).toMatch(/Filters to restrict/);
    expect(body.properties.prefetch).toMatchObject({
      type: 'array',
      items: { type: 'string', enum: ['balances', 'ownership', 'transactions'] },
    });
    expect(body.properties.prefetch.description).toMatch(/retrieve upon account creation/);
    expect(body.properties.return_url).toMatchObject({ type: 'string' });
    expect(body.properties.return_url.description).toMatch(/webview/);
  });

  it('limit is an integer from 1 to 100 on every list tool', () => {
    for (const [cap, name] of [
      ['checkout-sessions', 'stripe-get-checkout-sessions'],
      ['checkout-sessions', 'stripe-get-checkout-sessions-session-2'],
      ['identity-sessions', 'stripe-get-identity-verification-sessions'],
    ] as const) {
      expect(tool(cap, name).inputSchema.properties?.limit, name).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: 100,
      });
    }
  });

  it('link tools have an output schema (the response type is known); checkout and identity do not', () => {
    for (const name of [LINK_CREATE, LINK_RETRIEVE]) {
      expect(tool('link-account-sessions', name).outputSchema).toMatchObject({
        type: 'object',
        required: expect.arrayContaining(['id', 'object', 'client_secret']),
      });
    }
    for (const cap of ['checkout-sessions', 'identity-sessions'] as const) {
      for (const t of listings[cap] ?? []) expect(t.outputSchema, t.name).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// tools/call for every tool

interface CallCase {
  cap: Cap;
  tool: string;
  args: Record<string, unknown>;
  method: 'GET' | 'POST';
  path: string;
  query?: Array<[string, string]>;
  form?: Array<[string, string]>;
  response: Record<string, unknown>;
}

const list = (url: string, data: unknown[]) => ({ object: 'list', data, has_more: false, url });

const CALLS: CallCase[] = [
  {
    cap: 'checkout-sessions',
    tool: 'stripe-get-checkout-sessions',
    args: {
      limit: 3,
      status: 'open',
      customer: 'cus_1',
      expand: ['data.customer'],
      customer_details: { email: 'a@example.com' },
    },
    method: 'GET',
    path: '/v1/checkout/sessions',
    query: [
      ['customer', 'cus_1'],
      ['customer_details[email]', 'a@example.com'],
      ['expand[0]', 'data.customer'],
      ['limit', '3'],
      ['status', 'open'],
    ],
    response: list('/v1/checkout/sessions', [
      { id: 'cs_test_1', object: 'checkout.session', status: 'open' },
    ]),
  },
  {
    cap: 'checkout-sessions',
    tool: 'stripe-post-checkout-sessions',
    args: {
      body: {
        mode: 'payment',
        success_url: 'https://example.com/ok?session={CHECKOUT_SESSION_ID}',
        line_items: [{ price: 'price_1', quantity: 2 }],
        metadata: { order: '42' },
      },
    },
    method: 'POST',
    path: '/v1/checkout/sessions',
    form: [
      ['line_items[0][price]', 'price_1'],
      ['line_items[0][quantity]', '2'],
      ['metadata[order]', '42'],
      ['mode', 'payment'],
      ['success_url', 'https://example.com/ok?session={CHECKOUT_SESSION_ID}'],
    ],
    response: {
      id: 'cs_test_new',
      object: 'checkout.session',
      mode: 'payment',
      url: 'https://checkout.stripe.com/c/pay/cs_test_new',
    },
  },
  {
    cap: 'checkout-sessions',
    tool: 'stripe-get-checkout-sessions-session',
    args: { session: 'cs_test_a1', expand: ['line_items'] },
    method: 'GET',
    path: '/v1/checkout/sessions/cs_test_a1',
    query: [['expand[0]', 'line_items']],
    response: { id: 'cs_test_a1', object: 'checkout.session', status: 'complete' },
  },
  {
    cap: 'checkout-sessions',
    tool: 'stripe-post-checkout-sessions-session',
    args: { session: 'cs_test_a1' },
    method: 'POST',
    path: '/v1/checkout/sessions/cs_test_a1/expire',
    response: { id: 'cs_test_a1', object: 'checkout.session', status: 'expired' },
  },
  {
    cap: 'checkout-sessions',
    tool: 'stripe-get-checkout-sessions-session-2',
    args: { session: 'cs_test_a1', limit: 2, starting_after: 'li_1' },
    method: 'GET',
    path: '/v1/checkout/sessions/cs_test_a1/line_items',
    query: [
      ['limit', '2'],
      ['starting_after', 'li_1'],
    ],
    response: list('/v1/checkout/sessions/cs_test_a1/line_items', [
      { id: 'li_2', object: 'item', quantity: 1 },
    ]),
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-get-identity-verification-sessions',
    args: { status: 'verified', limit: 5 },
    method: 'GET',
    path: '/v1/identity/verification_sessions',
    query: [
      ['limit', '5'],
      ['status', 'verified'],
    ],
    response: list('/v1/identity/verification_sessions', [
      { id: 'vs_1', object: 'identity.verification_session' },
    ]),
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-post-identity-verification-sessions',
    args: {
      body: {
        type: 'document',
        metadata: { user_id: 'u_1' },
        options: { document: { require_matching_selfie: true } },
      },
    },
    method: 'POST',
    path: '/v1/identity/verification_sessions',
    form: [
      ['metadata[user_id]', 'u_1'],
      ['options[document][require_matching_selfie]', 'true'],
      ['type', 'document'],
    ],
    response: {
      id: 'vs_new',
      object: 'identity.verification_session',
      status: 'requires_input',
      type: 'document',
    },
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-get-identity-verification-sessions-2',
    args: { session: 'vs_1' },
    method: 'GET',
    path: '/v1/identity/verification_sessions/vs_1',
    response: { id: 'vs_1', object: 'identity.verification_session', status: 'verified' },
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-post-identity-verification-sessions-2',
    args: { session: 'vs_1', body: { type: 'id_number' } },
    method: 'POST',
    path: '/v1/identity/verification_sessions/vs_1',
    form: [['type', 'id_number']],
    response: { id: 'vs_1', object: 'identity.verification_session', type: 'id_number' },
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-post-identity-verification-sessions-3',
    args: { session: 'vs_1' },
    method: 'POST',
    path: '/v1/identity/verification_sessions/vs_1/cancel',
    response: { id: 'vs_1', object: 'identity.verification_session', status: 'canceled' },
  },
  {
    cap: 'identity-sessions',
    tool: 'stripe-post-identity-verification-sessions-4',
    args: { session: 'vs_1' },
    method: 'POST',
    path: '/v1/identity/verification_sessions/vs_1/redact',
    response: {
      id: 'vs_1',
      object: 'identity.verification_session',
      redaction: { status: 'processing' },
    },
  },
  {
    cap: 'link-account-sessions',
    tool: LINK_CREATE,
    args: {
      body: {
        account_holder: { type: 'customer', customer: 'cus_PfVgYQ3b9MX7Zn' },
        permissions: ['balances', 'payment_method'],
        filters: { countries: ['US'] },
        prefetch: ['balances'],
        return_url: 'https://example.com/return',
      },
    },
    method: 'POST',
    path: '/v1/link_account_sessions',
    form: [
      ['account_holder[customer]', 'cus_PfVgYQ3b9MX7Zn'],
      ['account_holder[type]', 'customer'],
      ['filters[countries][0]', 'US'],
      ['permissions[0]', 'balances'],
      ['permissions[1]', 'payment_method'],
      ['prefetch[0]', 'balances'],
      ['return_url', 'https://example.com/return'],
    ],
    response: linkSession('fcsess_created'),
  },
  {
    cap: 'link-account-sessions',
    tool: LINK_RETRIEVE,
    args: { session: 'fcsess_1Nc0ixLkdIwHu7ix', expand: ['accounts'] },
    method: 'GET',
    path: '/v1/link_account_sessions/fcsess_1Nc0ixLkdIwHu7ix',
    query: [['expand[0]', 'accounts']],
    response: linkSession(),
  },
];

const sorted = (pairs: Array<[string, string]>) =>
  [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('tools/call: every tool of the three capabilities', () => {
  it('covers all 13 tools', () => {
    const all = CAPABILITIES.flatMap((cap) => SPECS[cap].mcp.tools.map((t) => `${cap}/${t.name}`));
    expect(all).toHaveLength(13);
    expect(CALLS.map((c) => `${c.cap}/${c.tool}`).sort()).toEqual([...all].sort());
  });

  it.each(CALLS)('$cap $tool → $method $path', async (c) => {
    // The expected request follows the spec: the consumed operation's method and path template.
    const op = SPECS[c.cap].operations[SPECS[c.cap].mcp.tools.find((t) => t.name === c.tool)!.call];
    expect(c.method).toBe(op.method);
    expect(c.path).toBe(op.path.replace(/\{(\w+)\}/g, (_m, name: string) => String(c.args[name])));

    stripeReply = () => stripeJson(c.response);
    const result = await call(c.cap, c.tool, c.args);

    expect(result.isError, textOf(result)).toBeFalsy();
    expect(stripeSeen).toHaveLength(1);
    const seen = stripeSeen[0];
    expect(seen.method).toBe(c.method);
    expect(seen.path).toBe(c.path);
    expect(sorted(seen.query)).toEqual(sorted(c.query ?? []));
    expect(sorted(seen.form)).toEqual(sorted(c.form ?? []));
    expect(seen.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    if (c.method === 'POST') {
      expect(seen.headers['idempotency-key']).toMatch(/\S{16,}/);
      if (c.form)
        expect(seen.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    }
    if (c.cap === 'link-account-sessions')
      expect(seen.headers['stripe-version']).toBe('2023-10-16');

    expect(result.structuredContent).toEqual(c.response);
    expect(result.content).toHaveLength(1);
    expect(result.content[0].type).toBe('text');
    expect(textOf(result)).toBe(JSON.stringify(c.response));
    // For link tools the SDK client has already checked structuredContent against the outputSchema
    // (it rejects the call otherwise; see the next test).
    expect(tool(c.cap, c.tool).outputSchema !== undefined).toBe(c.cap === 'link-account-sessions');
  });

  it('the SDK client really validates structuredContent against the link output schema', async () => {
    const { client_secret: _omitted, ...incomplete } = linkSession();
    stripeReply = () => stripeJson(incomplete);
    await expect(
      call('link-account-sessions', LINK_RETRIEVE, { session: 'fcsess_1' }),
    ).rejects.toThrow(/Structured content does not match the tool's output schema/);
  });

  it('path parameters are percent-encoded, so an argument cannot change the upstream path', async () => {
    stripeReply = () => stripeJson({ id: 'vs_x' });
    const result = await call('identity-sessions', 'stripe-get-identity-verification-sessions-2', {
      session: '../customers/cus_1',
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(stripeSeen).toHaveLength(1);
    expect(stripeSeen[0].path).toBe('/v1/identity/verification_sessions/..%2Fcustomers%2Fcus_1');
  });
});

// ---------------------------------------------------------------------------------------------------
// Failures

describe('invalid arguments never reach Stripe', () => {
  const cases: Array<{
    what: string;
    cap: Cap;
    tool: string;
    args: Record<string, unknown>;
    names: string[];
  }> = [
    {
      what: 'wrong type',
      cap: 'checkout-sessions',
      tool: 'stripe-get-checkout-sessions',
      args: { limit: 'ten' },
      names: ['limit'],
    },
    {
      what: 'below minimum',
      cap: 'checkout-sessions',
      tool: 'stripe-get-checkout-sessions',
      args: { limit: 0 },
      names: ['limit'],
    },
    {
      what: 'above maximum',
      cap: 'identity-sessions',
      tool: 'stripe-get-identity-verification-sessions',
      args: { limit: 101 },
      names: ['limit'],
    },
    {
      what: 'missing required path parameter',
      cap: 'checkout-sessions',
      tool: 'stripe-get-checkout-sessions-session',
      args: {},
      names: ['session'],
    },
    {
      what: 'path parameter of the wrong type',
      cap: 'identity-sessions',
      tool: 'stripe-get-identity-verification-sessions-2',
      args: { session: 42 },
      names: ['session'],
    },
    {
      what: 'unknown property',
      cap: 'checkout-sessions',
      tool: 'stripe-get-checkout-sessions-session',
      args: { session: 'cs_1', sesion: 'typo' },
      names: ['sesion'],
    },
    {
      what: 'missing required body',
      cap: 'link-account-sessions',
      tool: LINK_CREATE,
      args: {},
      names: ['body'],
    },
    {
      what: 'nested enum violation',
      cap: 'link-account-sessions',
      tool: LINK_CREATE,
      args: { body: { account_holder: { type: 'bank' }, permissions: ['balances'] } },
      names: ['body[account_holder][type]'],
    },
    {
      what: 'several problems at once',
      cap: 'link-account-sessions',
      tool: LINK_CREATE,
      args: { body: { permissions: 'balances' } },
      names: ['body[account_holder]', 'body[permissions]'],
    },
    {
      what: 'body that is a string',
      cap: 'identity-sessions',
      tool: 'stripe-post-identity-verification-sessions',
      args: { body: 'type=document' },
      names: ['body'],
    },
  ];

  it.each(cases)('$what ($tool)', async (c) => {
    const result = await call(c.cap, c.tool, c.args);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    const text = textOf(result);
    expect(text).toContain(`Invalid arguments for tool ${c.tool}`);
    for (const name of c.names) expect(text).toContain(name);
    expect(stripeSeen).toEqual([]);
  });

  it('an unknown tool is a protocol error naming the available tools', async () => {
    await expect(call('checkout-sessions', 'no-such-tool', {})).rejects.toThrow(
      /Unknown tool.*stripe-get-checkout-sessions/s,
    );
    expect(stripeSeen).toEqual([]);
  });
});

describe('upstream failures become isError results', () => {
  it('Stripe 404 → isError with status, type, code and message; not retried', async () => {
    const error = {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'session',
      message: "No such financial connections session: 'fcsess_missing'",
    };
    stripeReply = () => stripeJson({ error }, 404);
    const result = await call('link-account-sessions', LINK_RETRIEVE, {
      session: 'fcsess_missing',
    });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    const text = textOf(result);
    expect(text).toContain('HTTP 404');
    expect(text).toContain(error.message);
    const details = JSON.parse(text.trim().split('\n').pop() ?? '{}') as {
      error: Record<string, unknown>;
    };
    expect(details.error).toMatchObject({
      status: 404,
      type: error.type,
      code: error.code,
      message: error.message,
      retryable: false,
    });
    expect(stripeSeen).toHaveLength(1);
  });

  it('Stripe 400 with a param → isError naming the parameter', async () => {
    stripeReply = () =>
      stripeJson(
        {
          error: { type: 'invalid_request_error', param: 'return_url', message: 'Not a valid URL' },
        },
        400,
      );
    const result = await call('link-account-sessions', LINK_CREATE, {
      body: {
        account_holder: { type: 'customer', customer: 'cus_1' },
        permissions: ['balances'],
        return_url: 'nope',
      },
    });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain('HTTP 400');
    expect(text).toContain('invalid_request_error');
    expect(text).toContain('Not a valid URL');
    expect(text).toContain('return_url');
  });

  it('the server keeps serving after errors', async () => {
    stripeReply = () => stripeJson(linkSession());
    const result = await call('link-account-sessions', LINK_RETRIEVE, {
      session: 'fcsess_1Nc0ixLkdIwHu7ix',
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual(linkSession());
    expect((await client('link-account-sessions').listTools()).tools).toHaveLength(2);
  });

  it('upstream down (base URI at a closed port, from <NS>_BASE_URI) → isError about the connection', async () => {
    const port = await closedPort();
    const variable = SPECS['checkout-sessions'].baseUriEnv;
    vi.stubEnv(variable, `http://127.0.0.1:${port}`);
    const handle = await checkoutMcp.main({ port: 0 }, FAST_RETRIES);
    if (!handle) throw new Error('no HTTP server');
    const down = await connectHttp(handle.url);
    try {
      const result = (await down.callTool({
        name: 'stripe-get-checkout-sessions',
        arguments: { limit: 1 },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/connect/i);
      expect(textOf(result)).toContain('GET /v1/checkout/sessions');
      expect(stripeSeen).toEqual([]); // it did not fall back to api.stripe.com
      // Still serving: listing and argument checks work, and so does the next call.
      expect((await down.listTools()).tools).toHaveLength(5);
      const again = (await down.callTool({
        name: 'stripe-get-checkout-sessions-session',
        arguments: { session: 'cs_1' },
      })) as CallToolResult;
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/connect/i);
    } finally {
      await down.close();
      await handle.close();
      vi.stubEnv(variable, undefined);
    }
  });

  it('no secret reaches the server log', () => {
    expect(serverLog.lines.length).toBeGreaterThan(0);
    expect(serverLog.lines.join('')).not.toContain(TEST_API_KEY);
  });
});

// ---------------------------------------------------------------------------------------------------
// The handle main() returns

describe('main() handle', () => {
  it('close() stops the server', async () => {
    const handle = (await linkMcp.main({ port: 0 }))!;
    await handle.close();
    await expect(realFetch(handle.url, { method: 'POST' })).rejects.toThrow();
  });

  // Regression test: main() installs SIGTERM/SIGINT handlers; if close() left them behind, a program that
  // starts and stops servers (tests, a host app) would accumulate them, and a later SIGTERM would re-close
  // the closed servers and call process.exit, overriding the host's own shutdown.
  it('close() also removes the SIGTERM/SIGINT listeners main() installed', async () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    const handle = (await linkMcp.main({ port: 0 }))!;
    await handle.close();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------
// Origin (DNS-rebinding protection)

describe('Origin header', () => {
  const post = (origin?: string) =>
    realFetch(servers['link-account-sessions']!.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        ...(origin ? { Origin: origin } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} }),
    });

  it('a foreign Origin gets 403', async () => {
    const response = await post('https://evil.example');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('https://evil.example');
  });

  it('a localhost-lookalike Origin gets 403', async () => {
    expect((await post('http://localhost.evil.example')).status).toBe(403);
  });

  it('no Origin (a non-browser client) is allowed', async () => {
    const response = await post();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(
      2,
    );
  });

  it('a localhost Origin is allowed, with CORS headers', async () => {
    const response = await post('http://localhost:5173');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(((await response.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(
      2,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Two instances behind a round-robin proxy (stateless Streamable HTTP needs no sticky sessions)

describe('two instances behind a round-robin proxy', () => {
  let instances: McpHttpServerHandle[] = [];
  let proxy: RoundRobinProxy;
  let proxyUrl: string;
  /** [instance, JSON-RPC method (or HTTP method when there is no body)] per proxied request. */
  let routed: Array<[number, string]> = [];

  beforeAll(async () => {
    instances = [
      (await linkMcp.main({ port: 0 }, FAST_RETRIES))!,
      (await linkMcp.main({ port: 0 }, FAST_RETRIES))!,
    ];
    proxy = await roundRobinProxy(
      instances.map((i) => i.url),
      {
        fetch: realFetch,
        label: (req, body) => {
          try {
            return (JSON.parse(body.toString('utf8')) as { method?: string }).method ?? '';
          } catch {
            return req.method ?? 'GET'; // not JSON (GET, DELETE)
          }
        },
      },
    );
    routed = proxy.routed;
    proxyUrl = `${proxy.url}/mcp`;
  });

  afterAll(async () => {
    await proxy.close();
    for (const instance of instances) await instance.close();
  });

  it('one client session: requests alternate between the instances and all succeed', async () => {
    stripeReply = (seen) => stripeJson(linkSession(seen.path.split('/').pop()));
    const c = await connectHttp(proxyUrl);
    try {
      expect(c.getServerVersion()?.name).toBe(SPECS['link-account-sessions'].mcp.namespace);
      expect((await c.listTools()).tools.map((t) => t.name)).toEqual([LINK_CREATE, LINK_RETRIEVE]);
      const ids = ['fcsess_a', 'fcsess_b', 'fcsess_c', 'fcsess_d', 'fcsess_e', 'fcsess_f'];
      for (const id of ids) {
        const result = (await c.callTool({
          name: LINK_RETRIEVE,
          arguments: { session: id },
        })) as CallToolResult;
        expect(result.isError, textOf(result)).toBeFalsy();
        expect(result.structuredContent).toEqual(linkSession(id));
      }
      expect(stripeSeen.map((s) => s.path)).toEqual(
        ids.map((id) => `/v1/link_account_sessions/${id}`),
      );
    } finally {
      await c.close();
    }

    const perInstance = [0, 1].map((i) => routed.filter(([index]) => index === i).length);
    expect(perInstance[0]).toBeGreaterThan(0);
    expect(perInstance[1]).toBeGreaterThan(0);
    expect(Math.abs(perInstance[0] - perInstance[1])).toBeLessThanOrEqual(1);
    expect(routed.map(([, method]) => method)).toContain('initialize');
    // Consecutive requests went to different instances, tools/call included.
    for (let i = 1; i < routed.length; i++) expect(routed[i][0]).not.toBe(routed[i - 1][0]);
    const callInstances = routed
      .filter(([, method]) => method === 'tools/call')
      .map(([index]) => index);
    expect(callInstances).toHaveLength(6);
    expect(new Set(callInstances)).toEqual(new Set([0, 1]));
  });
});

// ---------------------------------------------------------------------------------------------------
// stdio, through `capgen serve`

describe('link-account-sessions over stdio (capgen serve --mcp --stdio)', () => {
  let fake: FakeStripe;
  let c: Client;
  let stderr = '';

  beforeAll(async () => {
    fake = await startFakeStripe();
    const transport = new StdioClientTransport({
      command: 'node',
      args: ['bin/capgen.js', 'serve', 'link-account-sessions', '--mcp', '--stdio'],
      cwd: ROOT,
      env: { STRIPE_API_KEY: TEST_API_KEY, [SPECS['link-account-sessions'].baseUriEnv]: fake.url },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    c = newClient();
    await c.connect(transport);
  });

  afterAll(async () => {
    await c?.close();
    await fake?.close();
  });

  it('initialize', () => {
    expect(c.getServerVersion()).toEqual({
      name: SPECS['link-account-sessions'].mcp.namespace,
      version: '0.1.0',
    });
    expect(c.getInstructions()).toBe(plainText(SPECS['link-account-sessions'].mcp.description));
  });

  it('tools/list is the same as over HTTP', async () => {
    expect((await c.listTools()).tools).toEqual(listings['link-account-sessions']);
  });

  it('tools/call reaches the upstream named by the <NS>_BASE_URI variable', async () => {
    const args = CALLS.find((x) => x.tool === LINK_CREATE)!;
    const result = (await c.callTool({
      name: LINK_CREATE,
      arguments: args.args,
    })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/link_account_sessions' });
    expect(sorted(fake.requests[0].form)).toEqual(sorted(args.form!));
    expect(fake.requests[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(result.structuredContent).toEqual(linkSession());
    expect(textOf(result)).toBe(JSON.stringify(linkSession()));
  });

  it('logs go to stderr, without secrets', () => {
    expect(stderr).toContain('serving on stdio');
    expect(stderr).not.toContain(TEST_API_KEY);
  });
});
