/**
 * Two instances of a generated REST adapter (generated/link-account-sessions/rest.ts, started with
 * its `main()`) behind a round-robin load balancer, as a Kubernetes Service spreads requests over
 * the Deployment's pods: one client's requests, reads, writes and refusals alike, are served
 * interchangeably, because the adapter keeps no state between requests
 * (test/mcp.e2e.test.ts shows the same for the MCP server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generated/link-account-sessions/rest.js';
import type { RestServer } from '../../generated/runtime/node-rest.js';
import { startFakeUpstream, type RecordingUpstream } from '../helpers/fake-upstream.js';
import { roundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin.js';

const KEY = 'sk_test_round_robin_0123456789';
const SESSIONS = '/v1/v1/link-account-sessions';

let upstream: RecordingUpstream;
let instances: RestServer[] = [];
let proxy: RoundRobinProxy;

beforeAll(async () => {
  upstream = await startFakeUpstream((request) => ({
    json: {
      id: request.method === 'POST' ? 'fcsess_new' : request.url.pathname.split('/').pop(),
      object: 'financial_connections.session',
    },
  }));
  const log = process.stderr.write;
  process.stderr.write = () => true; // the instances' start-up and access lines
  try {
    instances = [
      await main({ port: 0, baseUri: upstream.url }, { apiKey: KEY, maxRetries: 0 }),
      await main({ port: 0, baseUri: upstream.url }, { apiKey: KEY, maxRetries: 0 }),
    ];
  } finally {
    process.stderr.write = log;
  }
  proxy = await roundRobinProxy(instances.map((i) => i.url));
});

afterAll(async () => {
  await proxy?.close();
  for (const instance of instances) await instance.close();
  await upstream?.close();
});

describe('two REST adapter instances behind a round-robin load balancer', () => {
  it('serve one client’s requests interchangeably, with the same answers', async () => {
    const ids = ['fcsess_a', 'fcsess_b', 'fcsess_c', 'fcsess_d'];
    const answers: Array<{ status: number; body: unknown }> = [];
    const call = async (path: string, init?: RequestInit) => {
      const response = await fetch(`${proxy.url}${path}`, init);
      answers.push({ status: response.status, body: await response.json() });
    };
    for (const id of ids) await call(`${SESSIONS}/${id}?expand[]=accounts`);
    await call(SESSIONS, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'rr-key-1' },
      body: JSON.stringify({
        account_holder: { type: 'customer', customer: 'cus_1' },
        permissions: ['balances'],
      }),
    });
    // The same refusal from either instance, before any upstream call.
    await call(`${SESSIONS}/fcsess_a?unknown=1`);
    await call(`${SESSIONS}/fcsess_a?unknown=1`);

    expect(answers.slice(0, 4)).toEqual(
      ids.map((id) => ({
        status: 200,
        body: { id, object: 'financial_connections.session' },
      })),
    );
    expect(answers[4]).toEqual({
      status: 200,
      body: { id: 'fcsess_new', object: 'financial_connections.session' },
    });
    expect(answers[5].status).toBe(400);
    expect(answers[6]).toEqual(answers[5]);

    // Requests alternated between the instances; each instance served reads, and the refusal.
    expect(proxy.routed.map(([index]) => index)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(proxy.routed[5][1]).toBe(proxy.routed[6][1]);
    // The upstream saw every accepted request once, in order, the write with the caller's key.
    expect(upstream.seen.map((s) => `${s.method} ${s.url.pathname}`)).toEqual([
      ...ids.map((id) => `GET /v1/link_account_sessions/${id}`),
      'POST /v1/link_account_sessions',
    ]);
    expect(upstream.seen[4].headers['idempotency-key']).toBe('rr-key-1');
    expect(new Set(upstream.seen.map((s) => s.headers.authorization))).toEqual(
      new Set([`Bearer ${KEY}`]),
    );
  });
});
