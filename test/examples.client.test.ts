/**
 * Runs examples/client.ts as a user would (node --import tsx examples/client.ts) against a local
 * fake Stripe on 127.0.0.1, so the example keeps compiling, running and printing what it promises.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExample as runExampleFile } from './helpers/process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = 'sk_test_example_client_0123456789';
const BAD_KEY = 'sk_test_revoked_client_9876543210';

const SESSIONS = Array.from({ length: 7 }, (_, i) => ({
  id: `cs_test_example_${i + 1}`,
  object: 'checkout.session',
  status: i % 2 ? 'complete' : 'open',
  amount_total: 1000 * (i + 1) + 50,
  currency: 'eur',
}));

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

let fake: Server;
let fakeUrl: string;
const seen: Seen[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const runExample = (env: Record<string, string>): Promise<Run> => runExampleFile('client.ts', env);

let ok: Run;
let rejected: Run;
let noKey: Run;

beforeAll(async () => {
  fake = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_example_401' });
      res.end(
        JSON.stringify({
          error: {
            type: 'invalid_request_error',
            message: 'Invalid API Key provided: sk_test_****3210',
          },
        }),
      );
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/v1/checkout/sessions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            type: 'invalid_request_error',
            message: `Unrecognized request URL (${req.method}: ${url.pathname})`,
          },
        }),
      );
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? '10');
    const after = url.searchParams.get('starting_after');
    const start = after ? SESSIONS.findIndex((s) => s.id === after) + 1 : 0;
    const data = SESSIONS.slice(start, start + limit);
    res.writeHead(200, {
      'content-type': 'application/json',
      'request-id': `req_example_from_${start}`,
    });
    res.end(
      JSON.stringify({
        object: 'list',
        url: '/v1/checkout/sessions',
        has_more: start + limit < SESSIONS.length,
        data,
      }),
    );
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  // The three runs in parallel: each one pays for its own TypeScript loader start-up.
  [ok, rejected, noKey] = await Promise.all([
    runExample({ STRIPE_API_KEY: KEY, CHECKOUT_SESSIONS_BASE_URI: fakeUrl }),
    runExample({ STRIPE_API_KEY: BAD_KEY, CHECKOUT_SESSIONS_BASE_URI: fakeUrl }),
    runExample({ CHECKOUT_SESSIONS_BASE_URI: fakeUrl }),
  ]);
}, 30_000);

afterAll(async () => {
  fake.closeAllConnections();
  await new Promise<void>((resolve) => fake.close(() => resolve()));
});

describe('examples/client.ts', () => {
  it('lists one page of 3, then auto-paginates over every session and exits 0', () => {
    expect(ok.code, `stdout:\n${ok.stdout}\nstderr:\n${ok.stderr}`).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trimEnd().split('\n')).toEqual([
      'first page: 3 session(s), has_more=true (HTTP 200, request req_example_from_0)',
      '  cs_test_example_1 open 10.50 EUR',
      '  cs_test_example_2 complete 20.50 EUR',
      '  cs_test_example_3 open 30.50 EUR',
      '  cs_test_example_4 complete 40.50 EUR',
      '  cs_test_example_5 open 50.50 EUR',
      '  cs_test_example_6 complete 60.50 EUR',
      '  cs_test_example_7 open 70.50 EUR',
      'total: 7 session(s)',
    ]);
    // What the fake Stripe received from this run: the page, then three pages of auto-pagination.
    expect(
      seen.filter((s) => s.authorization === `Bearer ${KEY}`).map((s) => `${s.method} ${s.url}`),
    ).toEqual([
      'GET /v1/checkout/sessions?limit=3',
      'GET /v1/checkout/sessions?limit=3',
      'GET /v1/checkout/sessions?limit=3&starting_after=cs_test_example_3',
      'GET /v1/checkout/sessions?limit=3&starting_after=cs_test_example_6',
    ]);
    expect(ok.stdout + ok.stderr).not.toContain(KEY);
  });

  it('prints the Stripe error (status, type, code, request id) and exits 1', () => {
    expect(rejected.code, `stdout:\n${rejected.stdout}\nstderr:\n${rejected.stderr}`).toBe(1);
    expect(rejected.stdout).toBe('');
    expect(rejected.stderr.trim()).toBe(
      'Stripe error 401 invalid_request_error/no_code: Invalid API Key provided: sk_test_****3210 (request req_example_401)',
    );
    // A 401 is not retried.
    expect(seen.filter((s) => s.authorization === `Bearer ${BAD_KEY}`)).toHaveLength(1);
  });

  it('asks for STRIPE_API_KEY and sends nothing when it is unset', () => {
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('Set STRIPE_API_KEY');
    expect(seen.filter((s) => s.authorization === undefined)).toEqual([]);
  });
});
