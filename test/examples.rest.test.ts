/**
 * Runs examples/rest.ts as a user would (node --import tsx examples/rest.ts) against a local fake
 * Stripe, so the example keeps compiling, running and printing what its comments promise.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample as runExampleFile } from './helpers/process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_test_example_0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

let fake: Server;
let fakeUrl: string;
const seen: Seen[] = [];

beforeAll(async () => {
  fake = createServer((req: IncomingMessage, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_example' });
    res.end(
      JSON.stringify({
        object: 'list',
        url: '/v1/checkout/sessions',
        has_more: false,
        data: [
          { id: 'cs_test_example_1', object: 'checkout.session', status: 'open' },
          { id: 'cs_test_example_2', object: 'checkout.session', status: 'complete' },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
});

afterAll(async () => {
  fake.closeAllConnections();
  await new Promise<void>((resolve) => fake.close(() => resolve()));
});

const runExample = (env: Record<string, string>) => runExampleFile('rest.ts', env, [], 15_000);

describe('examples/rest.ts', () => {
  it('starts the adapter on the port from the environment, calls it once, prints the result and exits 0', async () => {
    const { code, stdout, stderr } = await runExample({
      STRIPE_API_KEY: KEY,
      CHECKOUT_SESSIONS_REST_PORT: '0',
      CHECKOUT_SESSIONS_BASE_URI: fakeUrl,
    });
    expect(stderr).toMatch(/checkout-sessions-rest listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
    expect(stdout).toContain('GET /v1/v1/checkout/sessions?limit=3 -> 200');
    expect(stdout).toMatch(/^ {2}cs_test_example_1 open$/m);
    expect(stdout).toMatch(/^ {2}cs_test_example_2 complete$/m);
    // One access-log line for the call, with the upstream request id.
    expect(stdout).toMatch(
      /method=GET path=\/v1\/v1\/checkout\/sessions status=200 .*upstream_request_id=req_example/,
    );
    // What Stripe (the fake) received.
    expect(seen).toEqual([
      { method: 'GET', url: '/v1/checkout/sessions?limit=3', authorization: `Bearer ${KEY}` },
    ]);
    expect(stdout + stderr).not.toContain(KEY);
  }, 20_000);

  it('prints the Stripe-shaped error and exits 1 when the adapter has no upstream key', async () => {
    seen.length = 0;
    const { code, stdout } = await runExample({
      CHECKOUT_SESSIONS_REST_PORT: '0',
      CHECKOUT_SESSIONS_BASE_URI: fakeUrl,
    });
    expect(code).toBe(1);
    expect(stdout).toContain('GET /v1/v1/checkout/sessions?limit=3 -> 500');
    expect(stdout).toMatch(/api_error: .*STRIPE_API_KEY/);
    expect(seen).toEqual([]);
  }, 20_000);
});
