import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiClient,
  type ClientOptions,
  type ResponseInfo,
} from '../../templates/runtime/client.js';
import type { ApiSpec, OperationSpec } from '../../templates/runtime/contract.js';
import {
  ApiConnectionError,
  ApiError,
  ApiTimeoutError,
  MissingCredentialsError,
  ParameterError,
} from '../../templates/runtime/errors.js';
import {
  fetchTransport,
  nodeHttpTransport,
  type Transport,
} from '../../templates/runtime/transport.js';

// ---------------------------------------------------------------------------------------------
// fixtures

const KEY = 'sk_test_51SECRETkeyVALUE0123456789';

const stripeApi: ApiSpec = {
  namespace: 'stripe',
  baseUri: 'https://api.stripe.com',
  baseUriEnv: 'STRIPE_BASE_URI',
  auth: { type: 'bearer', token: [{ env: 'STRIPE_SECRET_KEY' }] },
  version: { header: 'Stripe-Version', value: '2025-08-27.basil' },
};

const createSession: OperationSpec = {
  id: 'stripe.createCheckoutSession',
  method: 'POST',
  path: '/v1/checkout/sessions',
  params: [],
  body: {
    required: false,
    mediaType: 'application/x-www-form-urlencoded',
    schema: { type: 'object' },
  },
};

const getSession: OperationSpec = {
  id: 'stripe.getCheckoutSession',
  method: 'GET',
  path: '/v1/checkout/sessions/{session}',
  params: [
    { name: 'session', in: 'path', required: true, schema: { type: 'string' } },
    {
      name: 'expand',
      in: 'query',
      required: false,
      schema: { type: 'array', items: { type: 'string' } },
    },
  ],
  // A body on a GET must never be sent.
  body: {
    required: false,
    mediaType: 'application/x-www-form-urlencoded',
    schema: { type: 'object' },
  },
};

const listCustomers: OperationSpec = {
  id: 'stripe.listCustomers',
  method: 'GET',
  path: '/v1/customers',
  params: [
    { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
    { name: 'starting_after', in: 'query', required: false, schema: { type: 'string' } },
    { name: 'created', in: 'query', required: false, schema: { type: 'object' } },
  ],
  pagination: { cursorParam: 'starting_after' },
};

const deleteCustomer: OperationSpec = {
  id: 'stripe.deleteCustomer',
  method: 'DELETE',
  path: '/v1/customers/{customer}',
  params: [{ name: 'customer', in: 'path', required: true, schema: { type: 'string' } }],
  body: {
    required: false,
    mediaType: 'application/x-www-form-urlencoded',
    schema: { type: 'object' },
  },
};

const jsonOp: OperationSpec = {
  id: 'other.createThing',
  method: 'PUT',
  path: '/things/{id}',
  params: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    { name: 'X-Trace', in: 'header', required: false, schema: { type: 'string' } },
  ],
  body: { required: true, mediaType: 'application/json', schema: { type: 'object' } },
};

const env = { STRIPE_SECRET_KEY: KEY };

// ---------------------------------------------------------------------------------------------
// msw

interface Seen {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

const server = setupServer();
let seen: Seen[] = [];
let started = 0;

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:start', () => {
    started++;
  });
});
beforeEach(() => {
  seen = [];
  started = 0;
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function record(request: Request): Promise<Seen> {
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  const entry = {
    method: request.method,
    url: new URL(request.url),
    headers,
    body: await request.text(),
  };
  seen.push(entry);
  return entry;
}

/** Answers everything with `reply(request, n)` (n = 0-based request count) and records it. */
function respond(reply: (s: Seen, n: number) => Response | Promise<Response>): void {
  server.use(
    http.all('*', async ({ request }) => {
      const s = await record(request);
      return reply(s, seen.length - 1);
    }),
  );
}

const ok = (body: unknown = { id: 'obj_1' }, init?: ResponseInit): Response =>
  HttpResponse.json(body as Record<string, unknown>, {
    headers: { 'Request-Id': 'req_123' },
    ...init,
  });

const stripeError = (
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response =>
  HttpResponse.json({ error }, { status, headers: { 'Request-Id': 'req_err', ...headers } });

const fast: ClientOptions = { env, retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

// Request-shape tests run over both transports: the default node:http one and fetch.
const transports: Array<[string, () => Transport]> = [
  ['node:http', () => nodeHttpTransport() as Transport],
  ['fetch', () => fetchTransport()],
];

describe.each(transports)('request shape over %s', (_name, makeTransport) => {
  const client = (options: ClientOptions = {}): ApiClient =>
    new ApiClient(stripeApi, { ...fast, transport: makeTransport(), ...options });

  it('sends a form POST with the exact method, path, headers and body', async () => {
    respond(() => ok({ id: 'cs_1', object: 'checkout.session' }));
    const res = await client().request<{ id: string }>(createSession, {
      body: {
        mode: 'payment',
        line_items: [{ price: 'price_1', quantity: 2 }],
        metadata: { order: "o'1 (x)" },
        expand: ['customer'],
        unset: null,
        skipped: undefined,
        allow_promotion_codes: true,
      },
    });
    expect(res).toMatchObject({ data: { id: 'cs_1' }, status: 200, requestId: 'req_123' });
    expect(res.headers['content-type']).toContain('application/json');

    expect(seen).toHaveLength(1);
    const s = seen[0];
    expect(s.method).toBe('POST');
    expect(s.url.origin + s.url.pathname).toBe('https://api.stripe.com/v1/checkout/sessions');
    expect(s.url.search).toBe('');
    expect(s.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(s.headers['stripe-version']).toBe('2025-08-27.basil');
    expect(s.headers.accept).toBe('application/json');
    expect(s.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(s.headers['user-agent']).toMatch(
      /^capgen\/\d+\.\d+\.\d+ \(runtime; node\/20\.\d+\.\d+\)$/,
    );
    expect(s.headers['idempotency-key']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(s.body).toBe(
      'mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=2' +
        '&metadata[order]=o%271%20%28x%29&expand[0]=customer&unset=&allow_promotion_codes=true',
    );
    expect(Object.fromEntries(new URLSearchParams(s.body))).toEqual({
      mode: 'payment',
      'line_items[0][price]': 'price_1',
      'line_items[0][quantity]': '2',
      'metadata[order]': "o'1 (x)",
      'expand[0]': 'customer',
      unset: '',
      allow_promotion_codes: 'true',
    });
  });

  it('sends query params Stripe-encoded and never a body on GET', async () => {
    respond(() => ok());
    await client().call(getSession, {
      session: 'cs_test_1',
      expand: ['line_items', 'customer'],
      body: { a: 1 },
    });
    const s = seen[0];
    expect(s.method).toBe('GET');
    expect(s.url.pathname).toBe('/v1/checkout/sessions/cs_test_1');
    expect(s.url.search).toBe('?expand[0]=line_items&expand[1]=customer');
    expect(s.body).toBe('');
    expect(s.headers['content-type']).toBeUndefined();
    expect(s.headers['idempotency-key']).toBeUndefined();
  });

  it('never sends a body on DELETE, but keys it', async () => {
    respond(() => ok({ id: 'cus_1', deleted: true }));
    await client().call(deleteCustomer, { customer: 'cus_1', body: { a: 1 } });
    expect(seen[0].method).toBe('DELETE');
    expect(seen[0].body).toBe('');
    expect(seen[0].headers['content-type']).toBeUndefined();
    expect(seen[0].headers['idempotency-key']).toBeDefined();
  });

  it.each([
    ['../../v1/customers', '/v1/checkout/sessions/..%2F..%2Fv1%2Fcustomers'],
    ['a?b#c', '/v1/checkout/sessions/a%3Fb%23c'],
    ['a/b', '/v1/checkout/sessions/a%2Fb'],
    ['%2E%2E', '/v1/checkout/sessions/%252E%252E'],
    ['...', '/v1/checkout/sessions/...'],
    ['ünï code', '/v1/checkout/sessions/%C3%BCn%C3%AF%20code'],
  ])('keeps path value %j inside its segment', async (value, pathname) => {
    respond(() => ok());
    await client().call(getSession, { session: value });
    expect(seen[0].url.pathname).toBe(pathname);
    expect(seen[0].url.search).toBe('');
  });

  it('sends JSON bodies and header params', async () => {
    const api: ApiSpec = { ...stripeApi, baseUri: 'https://example.test/api/', version: undefined };
    respond(() => ok());
    await new ApiClient(api, { ...fast, transport: makeTransport() }).call(jsonOp, {
      id: 't1',
      'X-Trace': 'abc',
      body: { name: 'x', when: 1, nested: { list: [1, 2] } },
    });
    const s = seen[0];
    expect(s.method).toBe('PUT');
    expect(s.url.href).toBe('https://example.test/api/things/t1');
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['x-trace']).toBe('abc');
    expect(s.headers['stripe-version']).toBeUndefined();
    expect(JSON.parse(s.body)).toEqual({ name: 'x', when: 1, nested: { list: [1, 2] } });
  });

  it('retries a 500 then succeeds, reusing the same Idempotency-Key', async () => {
    respond((_s, n) => (n === 0 ? stripeError(500, { type: 'api_error', message: 'boom' }) : ok()));
    const res = await client().request(createSession, { body: { mode: 'payment' } });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(seen[0].headers['idempotency-key']).toBeTruthy();
    expect(seen[1].headers['idempotency-key']).toBe(seen[0].headers['idempotency-key']);
    expect(seen[1].body).toBe(seen[0].body);
  });

  it('retries network errors with the same key', async () => {
    respond((_s, n) => (n === 0 ? HttpResponse.error() : ok()));
    await client().call(createSession, {});
    expect(seen).toHaveLength(2);
    expect(seen[1].headers['idempotency-key']).toBe(seen[0].headers['idempotency-key']);
  });
});

// ---------------------------------------------------------------------------------------------
// the rest uses the default transport (node:http under Node)

const client = (options: ClientOptions = {}, api: ApiSpec = stripeApi): ApiClient =>
  new ApiClient(api, { ...fast, ...options });

describe('auth', () => {
  it('bearer from env', async () => {
    respond(() => ok());
    await client().call(listCustomers, {});
    expect(seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('apiKey option wins over the env template', async () => {
    respond(() => ok());
    await client({ apiKey: 'sk_test_other', env: {} }).call(listCustomers, {});
    expect(seen[0].headers.authorization).toBe('Bearer sk_test_other');
  });

  it('apikey in a header, with template literals', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: {
        type: 'apikey',
        key: 'X-Api-Key',
        value: [{ literal: 'k-' }, { env: 'K' }],
        placement: 'header',
      },
    };
    respond(() => ok());
    await client({ env: { K: 'abc123' } }, api).call(listCustomers, { limit: 3 });
    expect(seen[0].headers['x-api-key']).toBe('k-abc123');
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('apikey in the query string', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: { type: 'apikey', key: 'api_key', value: [{ env: 'K' }], placement: 'query' },
    };
    respond(() => ok());
    await client({ env: { K: 'a b&c' } }, api).call(listCustomers, { limit: 3 });
    expect(seen[0].url.search).toBe('?limit=3&api_key=a%20b%26c');
    expect(seen[0].url.searchParams.get('api_key')).toBe('a b&c');
  });

  it('basic from username and password templates', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: { type: 'basic', username: [{ env: 'U' }], password: [{ env: 'P' }] },
    };
    respond(() => ok());
    await client({ env: { U: 'user', P: 'pä:ss' } }, api).call(listCustomers, {});
    expect(seen[0].headers.authorization).toBe(
      'Basic ' + Buffer.from('user:pä:ss').toString('base64'),
    );
  });

  it('basic with apiKey: key as username, empty password (sk_...:)', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: { type: 'basic', username: [{ env: 'U' }], password: [{ env: 'P' }] },
    };
    respond(() => ok());
    await client({ apiKey: KEY, env: {} }, api).call(listCustomers, {});
    expect(seen[0].headers.authorization).toBe(
      'Basic ' + Buffer.from(`${KEY}:`).toString('base64'),
    );
  });

  it('none sends no credentials', async () => {
    respond(() => ok());
    await client({ env: {} }, { ...stripeApi, auth: { type: 'none' } }).call(listCustomers, {});
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('reads process.env by default, at call time', async () => {
    respond(() => ok());
    const c = new ApiClient(stripeApi, { retryBaseDelayMs: 1 });
    const previous = process.env.STRIPE_SECRET_KEY;
    process.env.STRIPE_SECRET_KEY = 'sk_test_from_process_env';
    try {
      await c.call(listCustomers, {});
    } finally {
      if (previous === undefined) delete process.env.STRIPE_SECRET_KEY;
      else process.env.STRIPE_SECRET_KEY = previous;
    }
    expect(seen[0].headers.authorization).toBe('Bearer sk_test_from_process_env');
  });

  it('a missing env var fails before any request and names the variable', async () => {
    respond(() => ok());
    for (const e of [{}, { STRIPE_SECRET_KEY: '' }]) {
      const error = await client({ env: e })
        .call(listCustomers, {})
        .catch((x: unknown) => x);
      expect(error).toBeInstanceOf(MissingCredentialsError);
      expect((error as MissingCredentialsError).envVar).toBe('STRIPE_SECRET_KEY');
      expect((error as Error).message).toContain('STRIPE_SECRET_KEY');
    }
    expect(started).toBe(0);
    expect(seen).toHaveLength(0);
  });
});

describe('base URI and headers', () => {
  it('env var overrides api.baseUri, joined without double slashes', async () => {
    respond(() => ok());
    await client({ env: { ...env, STRIPE_BASE_URI: 'http://localhost:12111/mock/' } }).call(
      getSession,
      { session: 'cs_1' },
    );
    expect(seen[0].url.href).toBe('http://localhost:12111/mock/v1/checkout/sessions/cs_1');
  });

  it('options.baseUri wins over the env var', async () => {
    respond(() => ok());
    await client({
      baseUri: 'https://proxy.test',
      env: { ...env, STRIPE_BASE_URI: 'http://localhost:1' },
    }).call(getSession, { session: 'cs_1' });
    expect(seen[0].url.href).toBe('https://proxy.test/v1/checkout/sessions/cs_1');
  });

  it('apiVersion, userAgent, custom headers and a caller idempotency key', async () => {
    respond(() => ok());
    await client({
      apiVersion: '2020-08-27',
      userAgent: 'my-app/1',
      headers: { 'X-Client': 'c', 'Stripe-Account': 'acct_1' },
    }).call(createSession, {}, { idempotencyKey: 'idem-1', headers: { 'x-client': 'per-call' } });
    const h = seen[0].headers;
    expect(h['stripe-version']).toBe('2020-08-27');
    expect(h['user-agent']).toBe('my-app/1');
    expect(h['x-client']).toBe('per-call');
    expect(h['stripe-account']).toBe('acct_1');
    expect(h['idempotency-key']).toBe('idem-1');
    expect(seen[0].body).toBe('');
    expect(h['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('a missing or dot-segment path param is an error, not a request', async () => {
    respond(() => ok());
    for (const params of [
      {},
      { session: '' },
      { session: null },
      { session: '..' },
      { session: '.' },
      { session: { a: 1 } },
    ]) {
      await expect(client().call(getSession, params)).rejects.toBeInstanceOf(ParameterError);
    }
    expect(started).toBe(0);
  });

  it('reports each response to onResponse without headers or credentials', async () => {
    respond((_s, n) => (n === 0 ? stripeError(503, { type: 'api_error' }) : ok()));
    const infos: ResponseInfo[] = [];
    await client({ onResponse: (i) => infos.push(i) }).call(getSession, {
      session: 'cs 1',
      expand: ['x'],
    });
    expect(infos).toHaveLength(2);
    expect(infos[0]).toMatchObject({
      operationId: 'stripe.getCheckoutSession',
      method: 'GET',
      path: '/v1/checkout/sessions/cs%201',
      status: 503,
      requestId: 'req_err',
      attempt: 0,
    });
    expect(infos[1]).toMatchObject({ status: 200, requestId: 'req_123', attempt: 1 });
    expect(infos[1].durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(infos)).not.toContain(KEY);
    expect(Object.keys(infos[0]).sort()).toEqual([
      'attempt',
      'durationMs',
      'method',
      'operationId',
      'path',
      'requestId',
      'status',
    ]);
  });
});

describe('errors and retries', () => {
  it('400 is not retried and maps Stripe error fields', async () => {
    respond(() =>
      stripeError(400, {
        type: 'invalid_request_error',
        code: 'parameter_missing',
        param: 'mode',
        message: 'Missing mode',
      }),
    );
    const error = (await client()
      .call(createSession, {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param: 'mode',
      message: 'Missing mode',
      requestId: 'req_err',
    });
    expect(error.raw).toEqual({ error: expect.objectContaining({ code: 'parameter_missing' }) });
    expect(error.headers['request-id']).toBe('req_err');
    expect(seen).toHaveLength(1);
  });

  it('non-JSON error bodies give a status-based message; X-Request-Id is read', async () => {
    respond(
      () => new HttpResponse('Bad Gateway', { status: 502, headers: { 'X-Request-Id': 'xr_1' } }),
    );
    const error = (await client({ maxRetries: 0 })
      .call(listCustomers, {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toBe('HTTP 502 from GET /v1/customers: Bad Gateway');
    expect(error.raw).toBe('Bad Gateway');
    expect(error.requestId).toBe('xr_1');
  });

  it('gives up after maxRetries (default 2: three attempts)', async () => {
    respond(() => stripeError(500, { type: 'api_error', message: 'down' }));
    await expect(client().call(createSession, {})).rejects.toMatchObject({
      status: 500,
      message: 'down',
    });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.headers['idempotency-key'])).size).toBe(1);
  });

  it('per-call maxRetries', async () => {
    respond(() => stripeError(500, { type: 'api_error' }));
    await expect(client().call(createSession, {}, { maxRetries: 0 })).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(seen).toHaveLength(1);
  });

  it('429 is retried; Retry-After is honoured', async () => {
    respond((_s, n) =>
      n === 0
        ? stripeError(
            429,
            { type: 'invalid_request_error', code: 'rate_limit' },
            { 'Retry-After': '0.2' },
          )
        : ok(),
    );
    const t0 = performance.now();
    await client().call(listCustomers, {});
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(seen).toHaveLength(2);
  });

  it('a Retry-After over maxRetryAfterMs is not waited for: the error comes back at once', async () => {
    respond((_s, n) =>
      n === 0 ? stripeError(503, { type: 'api_error' }, { 'Retry-After': '3600' }) : ok(),
    );
    const error = (await client({ maxRetryAfterMs: 20 })
      .call(listCustomers, {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(503);
    expect(error.headers['retry-after']).toBe('3600');
    expect(seen).toHaveLength(1);
  });

  it('409 lock_timeout is retried, other 409s are not', async () => {
    respond((_s, n) =>
      n === 0 ? stripeError(409, { type: 'invalid_request_error', code: 'lock_timeout' }) : ok(),
    );
    await client().call(createSession, {});
    expect(seen).toHaveLength(2);

    seen = [];
    respond(() => stripeError(409, { type: 'idempotency_error', code: 'idempotency_key_in_use' }));
    await expect(client().call(createSession, {})).rejects.toMatchObject({ status: 409 });
    expect(seen).toHaveLength(1);
  });

  it('Stripe-Should-Retry: false forbids a retry, true forces one', async () => {
    respond(() => stripeError(500, { type: 'api_error' }, { 'Stripe-Should-Retry': 'false' }));
    await expect(client().call(createSession, {})).rejects.toMatchObject({ status: 500 });
    expect(seen).toHaveLength(1);

    seen = [];
    respond((_s, n) =>
      n === 0
        ? stripeError(400, { type: 'invalid_request_error' }, { 'Stripe-Should-Retry': 'true' })
        : ok(),
    );
    await client().call(createSession, {});
    expect(seen).toHaveLength(2);
  });

  it('a network failure exhausting retries is an ApiConnectionError', async () => {
    respond(() => HttpResponse.error());
    const error = await client()
      .call(listCustomers, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    expect(error).not.toBeInstanceOf(ApiTimeoutError);
    expect(seen).toHaveLength(3);
  });

  it('times out (per attempt) with ApiTimeoutError', async () => {
    respond(async () => {
      await delay(2000);
      return ok();
    });
    const t0 = performance.now();
    const error = await client({ timeoutMs: 60, maxRetries: 0 })
      .call(listCustomers, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiTimeoutError);
    expect((error as ApiTimeoutError).timeoutMs).toBe(60);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
  });

  it('per-call timeoutMs; timed-out attempts are retried', async () => {
    respond(async (_s, n) => {
      if (n === 0) await delay(2000);
      return ok();
    });
    await client({ timeoutMs: 10_000 }).call(listCustomers, {}, { timeoutMs: 60 });
    expect(seen).toHaveLength(2);
  });

  it('the caller AbortSignal aborts with its reason and is not retried', async () => {
    respond(async () => {
      await delay(2000);
      return ok();
    });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 30);
    const t0 = performance.now();
    await expect(client().call(listCustomers, {}, { signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing; abort during backoff stops retries', async () => {
    respond(() => stripeError(500, { type: 'api_error' }));
    await expect(
      client().call(listCustomers, {}, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(started).toBe(0);

    const controller = new AbortController();
    const pending = client({ retryBaseDelayMs: 5000, retryMaxDelayMs: 5000 }).call(
      listCustomers,
      {},
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
  });
});

describe('credentials never leak into errors', () => {
  const everything = (e: unknown): string => {
    const parts: string[] = [];
    let current: unknown = e;
    for (let i = 0; i < 10 && current; i++) {
      const err = current as Error & Record<string, unknown>;
      parts.push(
        String(err.message),
        String(err.stack),
        JSON.stringify({ ...err, raw: undefined }),
      );
      current = err.cause;
    }
    return parts.join('\n');
  };

  it('upstream messages echoing the key are redacted, the raw body too', async () => {
    respond(() =>
      stripeError(401, {
        type: 'invalid_request_error',
        message: `Invalid API Key provided: ${KEY}`,
        param: KEY,
      }),
    );
    const error = (await client()
      .call(listCustomers, {})
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('Invalid API Key provided: [REDACTED]');
    expect(everything(error)).not.toContain(KEY);
    expect(JSON.stringify(error.raw)).not.toContain(KEY);
    expect(error.raw).toMatchObject({ error: { param: '[REDACTED]' } });
  });

  it('transport errors mentioning the URL (key in query) are redacted through the cause chain', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: { type: 'apikey', key: 'key', value: [{ env: 'K' }], placement: 'query' },
    };
    const secret = 'qk_SECRET/+=value';
    const failingFetch = async (input: Request | string | URL): Promise<Response> => {
      const url = String(input);
      throw new TypeError(`fetch failed: ${url}`, {
        cause: Object.assign(new Error(`connect ECONNREFUSED for ${decodeURIComponent(url)}`), {
          code: 'ECONNREFUSED',
        }),
      });
    };
    const error = await client({ env: { K: secret }, fetch: failingFetch, maxRetries: 1 }, api)
      .call(listCustomers, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiConnectionError);
    const text = everything(error);
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
  });

  it('missing-credential errors carry no value', async () => {
    const api: ApiSpec = {
      ...stripeApi,
      auth: { type: 'basic', username: [{ env: 'U' }], password: [{ env: 'P' }] },
    };
    const error = await client({ env: { U: KEY } }, api)
      .call(listCustomers, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect((error as Error).message).toContain(' P ');
    expect(everything(error)).not.toContain(KEY);
  });
});

describe('paginate', () => {
  it('walks three pages passing the last id as the cursor', async () => {
    const pages: Record<string, { data: Array<{ id: string }>; has_more: boolean }> = {
      '': { data: [{ id: 'cus_1' }, { id: 'cus_2' }], has_more: true },
      cus_2: { data: [{ id: 'cus_3' }, { id: 'cus_4' }], has_more: true },
      cus_4: { data: [{ id: 'cus_5' }], has_more: false },
    };
    respond((s) =>
      ok({
        object: 'list',
        url: '/v1/customers',
        ...pages[s.url.searchParams.get('starting_after') ?? ''],
      }),
    );
    const ids: string[] = [];
    for await (const c of client().paginate<{ id: string }>(listCustomers, {
      limit: 2,
      created: { gte: 5 },
    }))
      ids.push(c.id);
    expect(ids).toEqual(['cus_1', 'cus_2', 'cus_3', 'cus_4', 'cus_5']);
    expect(seen.map((s) => s.url.search)).toEqual([
      '?limit=2&created[gte]=5',
      '?limit=2&starting_after=cus_2&created[gte]=5',
      '?limit=2&starting_after=cus_4&created[gte]=5',
    ]);
  });

  it('stops on an empty page and fetches lazily', async () => {
    respond(() => ok({ object: 'list', data: [], has_more: true }));
    const items: unknown[] = [];
    for await (const item of client().paginate(listCustomers, {})) items.push(item);
    expect(items).toEqual([]);
    expect(seen).toHaveLength(1);

    seen = [];
    respond(() => ok({ object: 'list', data: [{ id: 'a' }, { id: 'b' }], has_more: true }));
    for await (const item of client().paginate<{ id: string }>(listCustomers, {})) {
      expect(item.id).toBe('a');
      break;
    }
    expect(seen).toHaveLength(1);
  });

  it('refuses operations without pagination', async () => {
    const it = client().paginate(createSession, {});
    await expect(it.next()).rejects.toThrow(/not paginated/);
  });
});

describe('error classes', () => {
  it('have stable names and a common base class', async () => {
    const { CapgenError } = await import('../../templates/runtime/errors.js');
    const samples: Array<[Error, string]> = [
      [new ApiError({ status: 400, message: 'm', raw: null, headers: {} }), 'ApiError'],
      [new ApiConnectionError('m'), 'ApiConnectionError'],
      [new ApiTimeoutError('m', { timeoutMs: 1 }), 'ApiTimeoutError'],
      [new MissingCredentialsError('X', 'ns'), 'MissingCredentialsError'],
      [new ParameterError('m', 'p'), 'ParameterError'],
    ];
    for (const [error, name] of samples) {
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(CapgenError);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
    }
    expect(new ApiTimeoutError('m', { timeoutMs: 1 })).toBeInstanceOf(ApiConnectionError);
  });
});
