import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  InboundAuth,
  JsonSchema,
  JsonValue,
  OperationSpec,
} from '../../templates/runtime/contract.js';
import { serveRest, type RestServer } from '../../templates/runtime/node-rest.js';
import { installSignalHandlers } from '../../templates/runtime/node-signals.js';
import {
  createRestHandler,
  timingSafeEqual,
  type Invoke,
  type RestAdapterSpec,
  type RestRoute,
} from '../../templates/runtime/rest.js';

// ---------------------------------------------------------------------------------------------------
// Fixture: a Stripe-like capability

const op = (id: string, method: OperationSpec['method'], path: string): OperationSpec => ({
  id: `sessions.${id}`,
  method,
  path,
  params: [],
});

const expand: JsonSchema = { type: 'array', items: { type: 'string', maxLength: 5000 } };
const created: JsonSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        gt: { type: 'integer' },
        gte: { type: 'integer' },
        lt: { type: 'integer' },
        lte: { type: 'integer' },
      },
      additionalProperties: false,
    },
    { type: 'integer' },
  ],
};
const sessionBody: JsonSchema = {
  type: 'object',
  properties: {
    mode: { type: 'string', enum: ['payment', 'setup', 'subscription'] },
    account_holder: {
      type: 'object',
      properties: { type: { type: 'string', enum: ['company', 'individual'] } },
      required: ['type'],
    },
    line_items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { price: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
      },
    },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['mode'],
};

const routes: RestRoute[] = [
  {
    path: '/v1/v1/checkout/sessions',
    method: 'GET',
    operationName: 'getcheckoutsessions',
    inputs: [
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 100 },
      },
      { name: 'expand', in: 'query', required: false, schema: expand },
      { name: 'created', in: 'query', required: false, schema: created },
      {
        name: 'customer_details',
        in: 'query',
        required: false,
        schema: {
          type: 'object',
          properties: { email: { type: 'string' }, name: { type: 'string' } },
          required: ['email'],
        },
      },
      { name: 'livemode', in: 'query', required: false, schema: { type: 'boolean' } },
      {
        name: 'status',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['open', 'complete', 'expired'] },
      },
      { name: 'body', in: 'body', required: false, schema: { type: 'object' } },
    ],
    call: op('list', 'GET', '/v1/checkout/sessions'),
    with: {
      limit: { input: 'limit' },
      expand: { input: 'expand' },
      created: { input: 'created' },
      customer_details: { input: 'customer_details' },
      livemode: { input: 'livemode' },
      status: { input: 'status' },
      body: { input: 'body' },
    },
  },
  {
    path: '/v1/v1/checkout/sessions',
    method: 'POST',
    operationName: 'postcheckoutsessions',
    inputs: [{ name: 'body', in: 'body', required: true, schema: sessionBody }],
    call: op('create', 'POST', '/v1/checkout/sessions'),
    with: { body: { input: 'body' }, source: { literal: 'rest' } },
  },
  {
    path: '/v1/v1/checkout/sessions/{session}',
    method: 'GET',
    operationName: 'getcheckoutsessionssession',
    inputs: [
      { name: 'session', in: 'path', required: true, schema: { type: 'string', maxLength: 66 } },
      { name: 'expand', in: 'query', required: false, schema: expand },
    ],
    call: op('retrieve', 'GET', '/v1/checkout/sessions/{session}'),
    with: { session: { input: 'session' }, expand: { input: 'expand' } },
  },
  {
    path: '/v1/v1/checkout/sessions/{session}/expire',
    method: 'POST',
    operationName: 'postcheckoutsessionssessionexpire',
    inputs: [{ name: 'session', in: 'path', required: true, schema: { type: 'string' } }],
    call: op('expire', 'POST', '/v1/checkout/sessions/{session}/expire'),
    with: { session: { input: 'session' } },
  },
  {
    path: '/v1/v1/checkout/sessions/{session}/summary',
    method: 'GET',
    operationName: 'summary',
    inputs: [{ name: 'session', in: 'path', required: true, schema: { type: 'string' } }],
    call: op('retrieve', 'GET', '/v1/checkout/sessions/{session}'),
    with: { session: { input: 'session' } },
    output: [
      {
        kind: 'object',
        properties: {
          id: { kind: 'path', path: '$.id' },
          email: { kind: 'path', path: '$.customer_details.email' },
          country: { kind: 'path', path: "$['customer_details']['address']['country']" },
          source: { kind: 'value', value: 'stripe' },
        },
      },
    ],
  },
  {
    path: '/v1/v1/checkout/sessions/{session}/line-items',
    method: 'GET',
    operationName: 'getcheckoutsessionssessionlineitems',
    inputs: [{ name: 'session', in: 'path', required: true, schema: { type: 'string' } }],
    call: op('lineItems', 'GET', '/v1/checkout/sessions/{session}/line_items'),
    with: { session: { input: 'session' } },
    output: [
      {
        kind: 'array',
        path: '$.data',
        items: {
          kind: 'object',
          properties: {
            id: { kind: 'path', path: '$.id' },
            price: { kind: 'path', path: '$.price.id' },
          },
        },
      },
    ],
  },
  {
    path: '/v1/items/{id}',
    method: 'DELETE',
    operationName: 'deleteitem',
    inputs: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
    call: op('deleteItem', 'DELETE', '/v1/items/{id}'),
    with: { id: { input: 'id' } },
  },
  {
    path: '/v1/search',
    method: 'GET',
    operationName: 'search',
    inputs: [
      {
        name: 'query',
        in: 'query',
        required: true,
        schema: { type: 'string', minLength: 1, maxLength: 20 },
      },
    ],
    call: op('search', 'GET', '/v1/search'),
    with: { query: { input: 'query' } },
  },
];

const SECRET = 'sk_test_51SuperSecretValue0123456789';
const INBOUND = 'inbound-token-0123456789';
const env: Record<string, string | undefined> = {
  STRIPE_API_KEY: SECRET,
  REST_TOKEN: INBOUND,
  REST_USER: 'ops',
  REST_PASSWORD: 'p4ss:word',
};

// ---------------------------------------------------------------------------------------------------
// Fake upstream

interface Call {
  op: OperationSpec;
  params: Record<string, unknown>;
  signal: AbortSignal | undefined;
}
let calls: Call[] = [];
type Behaviour = (
  op: OperationSpec,
  params: Record<string, unknown>,
  ctx: { signal?: AbortSignal },
) => Promise<{ data: JsonValue; status: number; requestId?: string }>;
const echo: Behaviour = async (o, params) => ({
  data: { op: o.id, params: params as JsonValue },
  status: 200,
  requestId: 'req_echo',
});
let behaviour: Behaviour = echo;
const invoke: Invoke = (o, params, ctx) => {
  calls.push({ op: o, params, signal: ctx.signal });
  return behaviour(o, params, ctx);
};
// The upstream credential, which the adapter scrubs from what it answers and logs.
invoke.secrets = () => [SECRET];

class FakeApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly raw: unknown,
    readonly requestId?: string,
  ) {
    super(`Upstream error ${status}`);
  }
}
const namedError = (name: string, message: string, extra: Record<string, unknown> = {}): Error => {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, extra);
};

afterEach(() => {
  calls = [];
  behaviour = echo;
});

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body, text };
}

const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** A raw node:http request: the path is sent exactly as given (fetch would normalize `..`). */
function rawRequest(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks?: string[] },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? undefined : JSON.parse(text),
          }),
        );
      },
    );
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

const spec: RestAdapterSpec = { namespace: 'checkout-sessions-rest', routes, maxBodyBytes: 4096 };

// ---------------------------------------------------------------------------------------------------

describe.each([
  { mode: 'node fast path', fastPath: true },
  { mode: 'web Request/Response conversion', fastPath: false },
])('REST adapter over HTTP ($mode)', ({ fastPath }) => {
  let server: RestServer;
  let base: string;
  const logLines: string[] = [];
  const errorLines: string[] = [];

  beforeAll(async () => {
    server = await serveRest(
      createRestHandler(spec, invoke, { env, log: (line) => errorLines.push(line) }),
      {
        port: 0,
        host: '127.0.0.1',
        log: (line) => logLines.push(line),
        fastPath,
      },
    );
    base = server.url;
  });
  afterAll(() => server.close());

  describe('routing', () => {
    it('answers /healthz', async () => {
      const answer = await call(base, '/healthz');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ok' });
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await call(base, '/healthz', { method: 'POST' })).status).toBe(405);
    });

    it('answers 404 for unknown paths, in Stripe error shape', async () => {
      const answer = await call(base, '/v1/nope');
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({
        error: {
          type: 'invalid_request_error',
          message: 'Unrecognized request URL (GET: /v1/nope).',
        },
      });
      expect((await call(base, '/v1/v1/checkout/sessions/')).status).toBe(404); // empty placeholder segment
      expect(
        (await call(base, '/v1/v1/checkout/sessions/cs_1/expire/more', { method: 'POST' })).status,
      ).toBe(404);
      expect(calls).toHaveLength(0);
    });

    it('answers 405 with Allow for a known path and another method', async () => {
      const answer = await call(base, '/v1/v1/checkout/sessions', { method: 'DELETE' });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, POST');
      expect(answer.body.error.type).toBe('invalid_request_error');
      const templated = await call(base, '/v1/v1/checkout/sessions/cs_1', { method: 'PUT' });
      expect(templated.status).toBe(405);
      expect(templated.headers.get('allow')).toBe('GET');
      expect(calls).toHaveLength(0);
    });

    it('calls the bound upstream operation with the route inputs', async () => {
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_123?expand[]=line_items');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-upstream-request-id')).toBe('req_echo');
      expect(calls).toHaveLength(1);
      expect(calls[0].op.id).toBe('sessions.retrieve');
      expect(calls[0].params).toEqual({ session: 'cs_123', expand: ['line_items'] });
      expect(calls[0].signal).toBeInstanceOf(AbortSignal);
    });

    it('delivers encoded path segments as single decoded values', async () => {
      for (const [segment, decoded] of [
        ['a%2Fb', 'a/b'],
        ['..%2F..%2Fv1%2Fcustomers', '../../v1/customers'],
        ['a%3Fb', 'a?b'],
        ['a%23b', 'a#b'],
        ['caf%C3%A9', 'café'],
        ['100%25', '100%'],
      ]) {
        calls = [];
        const answer = await call(base, `/v1/v1/checkout/sessions/${segment}`);
        expect(answer.status, segment).toBe(200);
        expect(calls[0].params.session, segment).toBe(decoded);
      }
    });

    it('rejects undecodable and dot-segment path parameters', async () => {
      const malformed = await call(base, '/v1/v1/checkout/sessions/%E0%A4%A');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.param).toBe('session');
      // The web conversion path normalizes dot segments (WHATWG URL) before routing: 404 instead.
      const dots = await rawRequest(base, { path: '/v1/v1/checkout/sessions/..' });
      expect(dots.status).toBe(fastPath ? 400 : 404);
      if (fastPath) expect(dots.body.error.param).toBe('session');
      const encodedDots = await rawRequest(base, {
        path: '/v1/v1/checkout/sessions/%2e%2e/expire',
        method: 'POST',
      });
      expect(encodedDots.status).toBe(fastPath ? 400 : 404);
      expect(calls).toHaveLength(0);
    });

    it('types path parameters', async () => {
      expect((await call(base, '/v1/items/42', { method: 'DELETE' })).status).toBe(200);
      expect(calls[0].params).toEqual({ id: 42 });
      const bad = await call(base, '/v1/items/forty-two', { method: 'DELETE' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toEqual({
        type: 'invalid_request_error',
        message: 'Invalid id: expected an integer, got "forty-two".',
        param: 'id',
      });
    });

    it('checks path parameter constraints', async () => {
      const answer = await call(base, `/v1/v1/checkout/sessions/${'x'.repeat(67)}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe('session');
    });
  });

  describe('query parameters', () => {
    const list = '/v1/v1/checkout/sessions';

    it('types scalars', async () => {
      const answer = await call(base, `${list}?limit=3&livemode=false&status=open`);
      expect(answer.status).toBe(200);
      expect(calls[0].params).toEqual({ limit: 3, livemode: false, status: 'open' });
    });

    it('reads arrays in bracket, indexed and repeated forms', async () => {
      for (const query of [
        'expand[]=a&expand[]=b',
        'expand[0]=a&expand[1]=b',
        'expand=a&expand=b',
        'expand%5B%5D=a&expand%5B%5D=b',
      ]) {
        calls = [];
        expect((await call(base, `${list}?${query}`)).status, query).toBe(200);
        expect(calls[0].params.expand, query).toEqual(['a', 'b']);
      }
    });

    it('reads nested objects and anyOf parameters', async () => {
      expect(
        (
          await call(
            base,
            `${list}?created[gte]=100&created[lt]=200&customer_details[email]=a%40b.co`,
          )
        ).status,
      ).toBe(200);
      expect(calls[0].params).toEqual({
        created: { gte: 100, lt: 200 },
        customer_details: { email: 'a@b.co' },
      });
      calls = [];
      expect((await call(base, `${list}?created=1700000000`)).status).toBe(200);
      expect(calls[0].params).toEqual({ created: 1700000000 });
    });

    it('rejects mistyped values, naming the parameter', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['limit=abc', 'limit', /Invalid limit: expected an integer, got "abc"/],
        ['limit=2.5', 'limit', /expected an integer/],
        ['limit=0', 'limit', /must be at least 1/],
        ['limit=1&limit=2', 'limit', /given 2 times/],
        ['livemode=yes', 'livemode', /boolean/],
        ['status=paid', 'status', /must be one of "open", "complete", "expired"/],
        ['created[gte]=soon', 'created[gte]', /expected an integer/],
        ['created[since]=1', 'created[since]', /Received unknown parameter: created\[since\]/],
        [
          'customer_details[name]=Ann',
          'customer_details[email]',
          /Missing required param: customer_details\[email\]/,
        ],
        [
          'customer_details=x',
          'customer_details',
          /pass its fields as customer_details\[field\]=value/,
        ],
        ['expand[]=a&expand[0]=b', 'expand', /not both/],
        [
          'bogus=1',
          'bogus',
          /Received unknown parameter: bogus\. Known query parameters: limit, expand/,
        ],
      ];
      for (const [query, param, message] of cases) {
        const answer = await call(base, `${list}?${query}`);
        expect(answer.status, query).toBe(400);
        expect(answer.body.error.type, query).toBe('invalid_request_error');
        expect(answer.body.error.param, query).toBe(param);
        expect(answer.body.error.message, query).toMatch(message);
      }
      expect(calls).toHaveLength(0);
    });

    it('rejects a malformed query string', async () => {
      const answer = await call(base, `${list}?limit=%E0%A4%A`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/Malformed percent-encoding/);
    });

    it('requires required parameters and checks their constraints', async () => {
      const missing = await call(base, '/v1/search');
      expect(missing.status).toBe(400);
      expect(missing.body.error).toEqual({
        type: 'invalid_request_error',
        message: 'Missing required param: query.',
        param: 'query',
      });
      expect((await call(base, '/v1/search?query=')).body.error.message).toMatch(
        /at least 1 characters/,
      );
      expect((await call(base, `/v1/search?query=${'q'.repeat(21)}`)).body.error.message).toMatch(
        /at most 20 characters/,
      );
      expect(calls).toHaveLength(0);
      expect((await call(base, '/v1/search?query=hello+world')).status).toBe(200);
      expect(calls[0].params).toEqual({ query: 'hello world' });
    });
  });

  describe('JSON body', () => {
    const create = '/v1/v1/checkout/sessions';

    it('passes a valid body, with literal bindings', async () => {
      const body = {
        mode: 'payment',
        line_items: [{ price: 'price_1', quantity: 2 }],
        metadata: { order: '42' },
      };
      const answer = await call(base, create, postJson(body));
      expect(answer.status).toBe(200);
      expect(calls[0].op.id).toBe('sessions.create');
      expect(calls[0].params).toEqual({ body, source: 'rest' });
    });

    it('accepts a JSON content type with parameters or a +json suffix', async () => {
      for (const type of [
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/merge-patch+json',
      ]) {
        const answer = await call(base, create, {
          method: 'POST',
          headers: { 'content-type': type },
          body: '{"mode":"setup"}',
        });
        expect(answer.status, type).toBe(200);
      }
    });

    it('validates the body against its schema, naming nested parameters', async () => {
      const cases: Array<[unknown, string, RegExp]> = [
        [
          { mode: 'payment', account_holder: { type: 'robot' } },
          'account_holder[type]',
          /Invalid account_holder\[type\]: must be one of "company", "individual"/,
        ],
        [
          { mode: 'payment', account_holder: {} },
          'account_holder[type]',
          /Missing required param: account_holder\[type\]/,
        ],
        [
          { mode: 'payment', line_items: [{ quantity: 0 }] },
          'line_items[0][quantity]',
          /must be at least 1/,
        ],
        [{ mode: 'payment', metadata: { a: 1 } }, 'metadata[a]', /expected a string/],
        [{ line_items: [] }, 'mode', /Missing required param: mode/],
        [[1, 2], 'body', /^Invalid request body: expected an object, got an array\.$/],
      ];
      for (const [body, param, message] of cases) {
        const answer = await call(base, create, postJson(body));
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.error.param, JSON.stringify(body)).toBe(param);
        expect(answer.body.error.message, JSON.stringify(body)).toMatch(message);
      }
      expect(calls).toHaveLength(0);
    });

    it('rejects malformed JSON', async () => {
      const answer = await call(base, create, postJson('{"mode": "payment",'));
      expect(answer.status).toBe(400);
      expect(answer.body.error.type).toBe('invalid_request_error');
      expect(answer.body.error.message).toMatch(/^Invalid JSON in the request body/);
    });

    it('requires a required body', async () => {
      const answer = await call(base, create, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe('body');
      expect(answer.body.error.message).toMatch(/Missing required param: body/);
    });

    it('answers 415 for a non-JSON body', async () => {
      const form = await call(base, create, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'mode=payment',
      });
      expect(form.status).toBe(415);
      expect(form.body.error.message).toMatch(/Content-Type: application\/json/);
      const text = await call(base, create, { method: 'POST', body: 'hello' }); // fetch labels strings text/plain
      expect(text.status).toBe(415);
      expect(calls).toHaveLength(0);
    });

    it('needs a JSON content type on a body-less POST (no cross-site simple request gets through)', async () => {
      const bare = await call(base, '/v1/v1/checkout/sessions/cs_1/expire', { method: 'POST' });
      expect(bare.status).toBe(415);
      expect(bare.body.error.message).toMatch(/^Missing Content-Type: POST, PUT and PATCH/);
      expect(calls).toHaveLength(0);
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_1/expire', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBe(200);
      expect(calls[0].params).toEqual({ session: 'cs_1' });
    });

    it('answers 413 for a body over the limit, declared or streamed', async () => {
      const big = JSON.stringify({ mode: 'payment', metadata: { blob: 'x'.repeat(5000) } });
      const declared = await call(base, create, postJson(big));
      expect(declared.status).toBe(413);
      expect(declared.body.error.message).toMatch(/4096-byte limit/);
      const chunked = await rawRequest(base, {
        method: 'POST',
        path: create,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: [big.slice(0, 3000), big.slice(3000)],
      });
      expect(chunked.status).toBe(413);
      expect(calls).toHaveLength(0);
    });

    it('reads a chunked body within the limit', async () => {
      const answer = await rawRequest(base, {
        method: 'POST',
        path: create,
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        chunks: ['{"mode":', '"setup"}'],
      });
      expect(answer.status).toBe(200);
      expect(calls[0].params.body).toEqual({ mode: 'setup' });
    });

    it('rejects a body on a route that takes none, except an empty object', async () => {
      const answer = await call(
        base,
        '/v1/v1/checkout/sessions/cs_1/expire',
        postJson({ at_period_end: true }),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/does not take a request body/);
      expect((await call(base, '/v1/v1/checkout/sessions/cs_1/expire', postJson({}))).status).toBe(
        200,
      );
    });

    it.runIf(fastPath)('accepts a JSON body on a GET route that declares one', async () => {
      const answer = await rawRequest(base, {
        path: '/v1/v1/checkout/sessions?limit=1',
        headers: { 'content-type': 'application/json', 'content-length': '14' },
        chunks: ['{"extra":true}'],
      });
      expect(answer.status).toBe(200);
      expect(calls[0].params).toEqual({ limit: 1, body: { extra: true } });
    });
  });

  describe('output', () => {
    it('applies object mappings', async () => {
      behaviour = async () => ({
        data: {
          id: 'cs_9',
          customer_details: { email: 'e@x.io', address: { country: 'DE' } },
          other: 1,
        },
        status: 200,
        requestId: 'req_sum',
      });
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_9/summary');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ id: 'cs_9', email: 'e@x.io', country: 'DE', source: 'stripe' });
    });

    it('applies array mappings', async () => {
      behaviour = async () => ({
        data: {
          object: 'list',
          data: [
            { id: 'li_1', price: { id: 'p1' } },
            { id: 'li_2', price: { id: 'p2' } },
          ],
          has_more: false,
        },
        status: 200,
      });
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_9/line-items');
      expect(answer.body).toEqual([
        { id: 'li_1', price: 'p1' },
        { id: 'li_2', price: 'p2' },
      ]);
      expect(answer.headers.get('x-upstream-request-id')).toBeNull();
    });

    it('returns the upstream body as is without mappings', async () => {
      behaviour = async () => ({
        data: { id: 'cs_1', nested: { list: [1, null, 'x'] } },
        status: 200,
      });
      expect((await call(base, '/v1/v1/checkout/sessions/cs_1')).body).toEqual({
        id: 'cs_1',
        nested: { list: [1, null, 'x'] },
      });
    });
  });

  describe('upstream errors', () => {
    it('passes an ApiError through with its status, body and request id', async () => {
      const raw = {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: 'No such checkout.session: cs_x',
          param: 'session',
        },
      };
      behaviour = async () => {
        throw new FakeApiError(404, raw, 'req_missing');
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_x');
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(raw);
      expect(answer.headers.get('x-upstream-request-id')).toBe('req_missing');
    });

    it('passes a raw string body through and redacts secrets from it', async () => {
      behaviour = async () => {
        throw new FakeApiError(
          401,
          JSON.stringify({
            error: {
              type: 'invalid_request_error',
              message: `Invalid API Key provided: ${SECRET}`,
            },
          }),
        );
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_x');
      expect(answer.status).toBe(401);
      expect(answer.text).not.toContain(SECRET);
      expect(answer.body.error.message).toBe('Invalid API Key provided: [REDACTED]');
    });

    it('rebuilds the Stripe shape when the raw body is unusable', async () => {
      behaviour = async () => {
        throw Object.assign(new FakeApiError(429, '<html>busy</html>'), {
          type: 'rate_limit_error',
          code: 'rate_limit',
        });
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_x');
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual({
        error: { type: 'rate_limit_error', message: '<html>busy</html>', code: 'rate_limit' },
      });
    });

    it('answers 502 for connection errors and 504 for timeouts', async () => {
      behaviour = async () => {
        throw namedError(
          'ApiConnectionError',
          `connect ECONNREFUSED https://api.stripe.com/?key=${SECRET}`,
        );
      };
      const refused = await call(base, '/v1/v1/checkout/sessions/cs_1');
      expect(refused.status).toBe(502);
      expect(refused.body.error.type).toBe('api_connection_error');
      expect(refused.text).not.toContain(SECRET);
      behaviour = async () => {
        throw namedError('ApiTimeoutError', 'timed out after 80000 ms');
      };
      const slow = await call(base, '/v1/v1/checkout/sessions/cs_1');
      expect(slow.status).toBe(504);
      expect(slow.body.error.type).toBe('api_connection_error');
      expect(slow.body.error.message).toMatch(/did not answer in time/);
    });

    it('answers 500 naming the variable for missing credentials', async () => {
      behaviour = async () => {
        throw namedError('MissingCredentialsError', 'Set STRIPE_API_KEY', {
          envVar: 'STRIPE_API_KEY',
        });
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_1');
      expect(answer.status).toBe(500);
      expect(answer.body.error.type).toBe('api_error');
      expect(answer.body.error.message).toMatch(/STRIPE_API_KEY environment variable/);
      expect(answer.text).not.toContain(SECRET);
    });

    it('answers 400 for a client ParameterError', async () => {
      behaviour = async () => {
        throw namedError('ParameterError', 'Missing required path parameter: session', {
          param: 'session',
        });
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_1');
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        type: 'invalid_request_error',
        message: 'Missing required path parameter: session',
        param: 'session',
      });
    });

    it('answers 502 when an ApiError carries a non-error status (unparsable 2xx body)', async () => {
      behaviour = async () => {
        throw new FakeApiError(200, '<html>not json</html>');
      };
      expect((await call(base, '/v1/v1/checkout/sessions/cs_1')).status).toBe(502);
    });

    it('answers 500 api_error for anything else, without stack or secret', async () => {
      errorLines.length = 0;
      behaviour = async () => {
        throw new TypeError(`boom with ${SECRET}`);
      };
      const answer = await call(base, '/v1/v1/checkout/sessions/cs_1');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: {
          type: 'api_error',
          message: 'An unexpected error occurred while calling the upstream API.',
        },
      });
      expect(answer.text).not.toMatch(/boom|at |\.ts/);
      expect(errorLines.join('\n')).toContain('boom with [REDACTED]');
      expect(errorLines.join('\n')).not.toContain(SECRET);
    });
  });

  describe('concurrency', () => {
    it('answers 200 concurrent requests, each with its own result', async () => {
      behaviour = async (_op, params) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        return {
          data: { echoed: params.session as string },
          status: 200,
          requestId: `req_${params.session as string}`,
        };
      };
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => call(base, `/v1/v1/checkout/sessions/cs_${i}`)),
      );
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ echoed: `cs_${i}` });
        expect(answer.headers.get('x-upstream-request-id')).toBe(`req_cs_${i}`);
      });
      expect(calls).toHaveLength(200);
    });
  });

  describe('access log', () => {
    it('logs method, path without query, status, duration and upstream request id', async () => {
      logLines.length = 0;
      behaviour = async () => ({ data: {}, status: 200, requestId: 'req_logged' });
      await call(base, `/v1/v1/checkout/sessions/cs_log?expand[]=secretish`, {
        headers: { authorization: `Bearer ${INBOUND}` },
      });
      await call(base, '/v1/nope');
      expect(logLines).toHaveLength(2);
      expect(logLines[0]).toMatch(
        /^time=\d{4}-\d\d-\d\dT[\d:.]+Z method=GET path=\/v1\/v1\/checkout\/sessions\/cs_log status=200 duration_ms=\d+\.\d\d upstream_request_id=req_logged$/,
      );
      expect(logLines[1]).toMatch(
        /method=GET path=\/v1\/nope status=404 .* upstream_request_id=-$/,
      );
      const all = logLines.join('\n');
      expect(all).not.toContain('secretish');
      expect(all).not.toContain(INBOUND);
    });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('inbound authentication', () => {
  const servers: RestServer[] = [];
  const start = async (
    auth: InboundAuth,
    log?: (line: string) => void,
    serverEnv = env,
  ): Promise<string> => {
    const server = await serveRest(
      createRestHandler({ ...spec, auth }, invoke, { env: serverEnv }),
      { port: 0, host: '127.0.0.1', log: log ?? false },
    );
    servers.push(server);
    return server.url;
  };
  afterAll(() => Promise.all(servers.map((s) => s.close())));
  const path = '/v1/v1/checkout/sessions/cs_1';

  it('redacts the inbound credential by value from upstream errors, whatever its variable is called', async () => {
    const caller = 'caller-pass-0123456789';
    const base = await start({ type: 'bearer', token: [{ env: 'CALLER_VALUE' }] }, undefined, {
      CALLER_VALUE: caller,
    });
    behaviour = async () => {
      throw new FakeApiError(400, {
        error: { type: 'invalid_request_error', message: `saw ${caller}` },
      });
    };
    const answer = await call(base, path, { headers: { authorization: `Bearer ${caller}` } });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(caller);
    expect(answer.body.error.message).toBe('saw [REDACTED]');
  });

  it('checks bearer tokens and leaves /healthz open', async () => {
    const base = await start({ type: 'bearer', token: [{ env: 'REST_TOKEN' }] });
    const none = await call(base, path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="checkout-sessions-rest"');
    expect(none.body.error.type).toBe('invalid_request_error');
    const wrong = await call(base, path, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(
      'Bearer realm="checkout-sessions-rest", error="invalid_token"',
    );
    expect(
      (await call(base, path, { headers: { authorization: `Bearer ${INBOUND}x` } })).status,
    ).toBe(401);
    expect(
      (await call(base, path, { headers: { authorization: `Basic ${INBOUND}` } })).status,
    ).toBe(401);
    expect(
      (await call(base, path, { headers: { authorization: `Bearer ${INBOUND}` } })).status,
    ).toBe(200);
    expect(
      (await call(base, path, { headers: { authorization: `bearer ${INBOUND}` } })).status,
    ).toBe(200);
    expect((await call(base, '/healthz')).status).toBe(200);
    // Unauthenticated callers learn nothing about routes.
    expect((await call(base, '/v1/nope')).status).toBe(401);
    expect(calls).toHaveLength(2);
  });

  it('checks API keys in a header', async () => {
    const base = await start({
      type: 'apikey',
      key: 'X-Api-Key',
      value: [{ literal: 'k-' }, { env: 'REST_TOKEN' }],
      placement: 'header',
    });
    const none = await call(base, path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(
      'ApiKey realm="checkout-sessions-rest", in="header", name="X-Api-Key"',
    );
    expect(none.body.error.message).toMatch(/X-Api-Key/);
    expect((await call(base, path, { headers: { 'x-api-key': INBOUND } })).status).toBe(401);
    expect((await call(base, path, { headers: { 'x-api-key': `k-${INBOUND}` } })).status).toBe(200);
  });

  it('checks API keys in the query string, which is neither an input nor logged', async () => {
    const lines: string[] = [];
    const base = await start(
      { type: 'apikey', key: 'api_key', value: [{ env: 'REST_TOKEN' }], placement: 'query' },
      (line) => lines.push(line),
    );
    expect((await call(base, `${path}?api_key=wrong`)).status).toBe(401);
    const ok = await call(base, `${path}?api_key=${INBOUND}&expand[]=x`);
    expect(ok.status).toBe(200);
    expect(calls[0].params).toEqual({ session: 'cs_1', expand: ['x'] });
    expect(lines.join('\n')).not.toContain(INBOUND);
    expect(lines).toHaveLength(2);
  });

  it('checks basic credentials', async () => {
    const base = await start({
      type: 'basic',
      username: [{ env: 'REST_USER' }],
      password: [{ env: 'REST_PASSWORD' }],
    });
    const basic = (user: string, pass: string) => ({
      headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
    });
    const none = await call(base, path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(
      'Basic realm="checkout-sessions-rest", charset="UTF-8"',
    );
    expect((await call(base, path, basic('ops', 'wrong'))).status).toBe(401);
    expect((await call(base, path, basic('other', 'p4ss:word'))).status).toBe(401);
    expect((await call(base, path, { headers: { authorization: 'Basic !!!' } })).status).toBe(401);
    expect((await call(base, path, basic('ops', 'p4ss:word'))).status).toBe(200);
  });

  it('fails closed, naming the variable, when the secret is not configured', async () => {
    const base = await start({ type: 'bearer', token: [{ env: 'UNSET_TOKEN' }] }, undefined, {
      ...env,
      UNSET_TOKEN: '',
    });
    const answer = await call(base, path, { headers: { authorization: 'Bearer ' } });
    expect(answer.status).toBe(500);
    expect(answer.body.error.message).toMatch(/UNSET_TOKEN environment variable/);
    expect(calls).toHaveLength(0);
  });

  it('reads secrets at request time', async () => {
    const live: Record<string, string | undefined> = { ROTATING: 'first-token' };
    const base = await start({ type: 'bearer', token: [{ env: 'ROTATING' }] }, undefined, live);
    expect(
      (await call(base, path, { headers: { authorization: 'Bearer first-token' } })).status,
    ).toBe(200);
    live.ROTATING = 'second-token';
    expect(
      (await call(base, path, { headers: { authorization: 'Bearer first-token' } })).status,
    ).toBe(401);
    expect(
      (await call(base, path, { headers: { authorization: 'Bearer second-token' } })).status,
    ).toBe(200);
  });

  it('compares in constant time over the expected length', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abd', 'abc')).toBe(false);
    expect(timingSafeEqual('ab', 'abc')).toBe(false);
    expect(timingSafeEqual('abcd', 'abc')).toBe(false);
    expect(timingSafeEqual('', 'abc')).toBe(false);
    expect(timingSafeEqual('é', 'é')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('server lifecycle', () => {
  it('finishes in-flight requests on close, refusing new connections', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    behaviour = async () => {
      arrived();
      await released;
      return { data: { done: true }, status: 200 };
    };
    const lines: string[] = [];
    const server = await serveRest(createRestHandler(spec, invoke, { env }), {
      port: 0,
      host: '127.0.0.1',
      log: (l) => lines.push(l),
    });
    const inFlight = call(server.url, '/v1/v1/checkout/sessions/cs_slow');
    await arrival;

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    release();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ done: true });
    await closing;
    expect(closed).toBe(true);
    expect(server.close()).toBe(server.close()); // idempotent
    expect(lines.some((l) => l.includes('path=/v1/v1/checkout/sessions/cs_slow status=200'))).toBe(
      true,
    );
  });

  it('does not start new work arriving on an open keep-alive connection during shutdown', async () => {
    const { connect } = await import('node:net');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    behaviour = async () => {
      arrived();
      await released;
      return { data: { first: true }, status: 200 };
    };
    const server = await serveRest(createRestHandler(spec, invoke, { env }), {
      port: 0,
      host: '127.0.0.1',
      log: false,
    });
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const request = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`;

    socket.write(request('/v1/v1/checkout/sessions/cs_first'));
    await arrival;
    const closing = server.close();
    socket.write(request('/v1/v1/checkout/sessions/cs_second')); // same connection, after shutdown began
    await new Promise((resolve) => setTimeout(resolve, 30));
    release();
    await ended;
    await closing;

    expect(received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received).toContain('{"first":true}');
    // The second request is refused (503) or dropped with the connection, never sent upstream.
    expect(received).not.toMatch(/HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 200/);
    expect(calls.map((c) => c.params.session)).toEqual(['cs_first']);
  });

  it('shuts down on SIGTERM via installSignalHandlers', async () => {
    const server = await serveRest(createRestHandler(spec, invoke, { env }), {
      port: 0,
      host: '127.0.0.1',
      log: false,
    });
    const lines: string[] = [];
    const uninstall = installSignalHandlers(server, {
      exit: false,
      log: (l) => lines.push(l),
      signals: ['SIGTERM'],
    });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await expect.poll(() => lines.includes('Server closed.'), { timeout: 2000 }).toBe(true);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      expect(lines[0]).toMatch(/SIGTERM received/);
    } finally {
      uninstall();
    }
  });

  it('hides upstream request ids from callers with upstreamRequestIds: log-only, but logs them', async () => {
    behaviour = async () => ({ data: {}, status: 200, requestId: 'req_hidden' });
    const lines: string[] = [];
    const server = await serveRest(createRestHandler(spec, invoke, { env }), {
      port: 0,
      host: '127.0.0.1',
      log: (l) => lines.push(l),
      upstreamRequestIds: 'log-only',
    });
    try {
      const answer = await call(server.url, '/v1/v1/checkout/sessions/cs_1');
      expect(answer.headers.get('x-upstream-request-id')).toBeNull();
      expect(lines[0]).toContain('upstream_request_id=req_hidden');
    } finally {
      await server.close();
    }
  });
});

describe('web-standard handler', () => {
  const handler = createRestHandler(spec, invoke, { env });

  it('answers Requests directly', async () => {
    const health = await handler(new Request('https://edge.example/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const created = await handler(
      new Request('https://edge.example/v1/v1/checkout/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"mode":"payment"}',
      }),
    );
    expect(created.status).toBe(200);
    expect(created.headers.get('x-upstream-request-id')).toBe('req_echo');
    expect(calls[0].params).toEqual({ body: { mode: 'payment' }, source: 'rest' });

    const encoded = await handler(
      new Request('https://edge.example/v1/v1/checkout/sessions/a%2Fb?expand[]=x#fragment'),
    );
    expect(encoded.status).toBe(200);
    expect(calls[1].params).toEqual({ session: 'a/b', expand: ['x'] });
  });

  it('enforces the body limit on streamed bodies', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        controller.close();
      },
    });
    const answer = await handler(
      new Request('https://edge.example/v1/v1/checkout/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(answer.status).toBe(413);
  });

  it('rejects duplicate routes at construction', () => {
    expect(() =>
      createRestHandler({ namespace: 'x', routes: [routes[0], routes[0]] }, invoke),
    ).toThrow(/Duplicate REST route: GET/);
  });

  it('lets a route claim /healthz', async () => {
    const claimed = createRestHandler(
      {
        namespace: 'x',
        routes: [{ ...routes[6], path: '/healthz', method: 'GET', inputs: [], with: {} }],
      },
      invoke,
    );
    const answer = await claimed(new Request('http://x/healthz'));
    expect(await answer.json()).toEqual({ op: 'sessions.deleteItem', params: {} });
  });
});
