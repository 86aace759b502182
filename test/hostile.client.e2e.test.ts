/**
 * The generated client (generated/checkout-sessions/client.ts) under hostile inputs and upstreams:
 * what it is asked to encode, what it is sent back, on both transports. Fake upstream on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  createCheckoutSessionsClient,
  type ClientOptions,
} from '../generated/checkout-sessions/client.js';
import { fakeUpstream, json, type FakeUpstream } from './helpers/fake-upstream.js';

const CREDENTIAL = 'plain-credential-0123456789abcdef';
let upstream: FakeUpstream;

const client = (options: ClientOptions = {}) =>
  createCheckoutSessionsClient({
    apiKey: CREDENTIAL,
    baseUri: upstream.url,
    retryBaseDelayMs: 1,
    ...options,
  });

const TRANSPORTS: Array<[string, ClientOptions]> = [
  ['node:http', {}],
  ['fetch', { fetch: (input, init) => fetch(input, init) }],
];

beforeAll(async () => {
  upstream = await fakeUpstream();
});
afterEach(() => upstream.reset());
afterAll(() => upstream.close());

describe('encoding limits (row 1)', () => {
  it('refuses a body nested 5000 levels deep with a ParameterError, before sending', async () => {
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) body = { a: 'x', b: body };
    await expect(client().postCheckoutSessions({ body } as never)).rejects.toMatchObject({
      name: 'ParameterError',
      param: 'body',
    });
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses a circular body instead of overflowing the stack', async () => {
    const body: Record<string, unknown> = { mode: 'payment' };
    body.self = body;
    await expect(client().postCheckoutSessions({ body } as never)).rejects.toMatchObject({
      name: 'ParameterError',
    });
    expect(upstream.seen).toHaveLength(0);
  });
});

describe.each(TRANSPORTS)('what the upstream sends back (%s transport)', (_name, transport) => {
  it('refuses a body over maxResponseBytes without retrying (row 2)', async () => {
    upstream.handle((_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // No Content-Length: the limit is enforced while streaming.
      res.write(JSON.stringify({ data: 'x'.repeat(50_000) }).slice(0, 25_000));
      res.end('x'.repeat(25_000));
    });
    await expect(
      client({ ...transport, maxResponseBytes: 10_000 }).getCheckoutSessionsSession({
        session: 'cs_big',
      }),
    ).rejects.toMatchObject({ name: 'InvalidResponseError', limit: 10_000 });
    expect(upstream.seen).toHaveLength(1);
  });

  it('never follows a redirect to another origin (row 3)', async () => {
    const foreign = await fakeUpstream();
    try {
      upstream.handle((_seen, res) => {
        res.writeHead(308, { location: `${foreign.url}/v1/checkout/sessions` });
        res.end();
      });
      const error = await client(transport)
        .postCheckoutSessions({ body: { mode: 'payment' } } as never, { idempotencyKey: 'k-1' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(308);
      expect(foreign.seen).toHaveLength(0);
    } finally {
      await foreign.close();
    }
  });

  it('scrubs its credential from a 2xx answer that echoes it (row 4)', async () => {
    upstream.handle((seen, res, req) =>
      json(200, { id: 'cs_1', echoed: seen.headers.authorization })(seen, res, req),
    );
    const data = await client(transport).getCheckoutSessionsSession({ session: 'cs_1' });
    expect(JSON.stringify(data)).not.toContain(CREDENTIAL);
    expect(data).toMatchObject({ echoed: 'Bearer [REDACTED]' });
  });
});
