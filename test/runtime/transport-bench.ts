/**
 * Throughput measurement behind the transport choice in templates/runtime/transport.ts.
 *
 *   npx tsx test/runtime/transport-bench.ts [calls] [concurrency...]
 *
 * Starts a local HTTP server on 127.0.0.1 (in a child process) answering every request with a ~1 KB Stripe-like JSON
 * object, then issues a bounded number of GET calls through: the raw fetch transport, the raw
 * node:http keep-alive transport, the full ApiClient on each transport, and (reference) the
 * `stripe` package's own node:http client. Prints calls/s for each. Not part of the test suite.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { ApiClient } from '../../templates/runtime/client.js';
import type { ApiSpec, OperationSpec } from '../../templates/runtime/contract.js';
import {
  fetchTransport,
  nodeHttpTransport,
  type Transport,
} from '../../templates/runtime/transport.js';

const CALLS = Number(process.argv[2] ?? 3000);
const CONCURRENCIES = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [1, 8];

const payload = JSON.stringify({
  id: 'cus_123',
  object: 'customer',
  address: null,
  balance: 0,
  created: 1700000000,
  currency: 'usd',
  description: 'A benchmark customer with a reasonably sized body',
  email: 'jenny.rosen@example.com',
  invoice_prefix: 'ABCD1234',
  invoice_settings: { custom_fields: null, default_payment_method: null, footer: null },
  livemode: false,
  metadata: { order_id: '6735', plan: 'pro', region: 'eu-west-1' },
  name: 'Jenny Rosen',
  phone: null,
  preferred_locales: ['en'],
  shipping: null,
  tax_exempt: 'none',
  test_clock: null,
  padding: 'x'.repeat(400),
});

// The server runs in a child process so that it does not share the client's event loop.
if (process.env.TRANSPORT_BENCH_SERVER === '1') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_bench' });
      res.end(payload);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
  await new Promise(() => {}); // serve until the parent disconnects
}
const child = fork(fileURLToPath(import.meta.url), [], {
  env: { ...process.env, TRANSPORT_BENCH_SERVER: '1' },
  execArgv: process.execArgv,
});
const port = await new Promise<number>((resolve) =>
  child.once('message', (m) => resolve(Number(m))),
);
const base = `http://127.0.0.1:${port}`;

async function measure(
  label: string,
  concurrency: number,
  once: () => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < 200; i++) await once(); // warm-up
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < CALLS) {
      next++;
      await once();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label.padEnd(34)} c=${String(concurrency).padEnd(3)} ${(CALLS / seconds).toFixed(0).padStart(6)} calls/s`,
  );
}

const rawCall = (transport: Transport) => () =>
  transport({
    method: 'GET',
    url: `${base}/v1/customers/cus_123`,
    headers: { Accept: 'application/json', Authorization: 'Bearer sk_test_bench' },
    signal: new AbortController().signal,
  }).then((r) => JSON.parse(r.body) as unknown);

const api: ApiSpec = {
  namespace: 'bench',
  baseUri: base,
  baseUriEnv: 'BENCH_BASE_URI',
  auth: { type: 'bearer', token: [{ env: 'BENCH_KEY' }] },
  version: { header: 'Stripe-Version', value: '2025-01-01' },
};
const op: OperationSpec = {
  id: 'bench.retrieve',
  method: 'GET',
  path: '/v1/customers/{customer}',
  params: [{ name: 'customer', in: 'path', required: true, schema: { type: 'string' } }],
};
const env = { BENCH_KEY: 'sk_test_bench' };
const nodeTransport = nodeHttpTransport();
if (!nodeTransport) throw new Error('node:http transport unavailable');
const clientFetch = new ApiClient(api, { env, transport: fetchTransport() });
const clientNode = new ApiClient(api, { env, transport: nodeTransport });
const stripe = new Stripe('sk_test_bench', {
  host: '127.0.0.1',
  port,
  protocol: 'http',
  maxNetworkRetries: 0,
});

for (const c of CONCURRENCIES) {
  await measure('transport: fetch (undici)', c, rawCall(fetchTransport()));
  await measure('transport: node:http keep-alive', c, rawCall(nodeTransport));
  await measure('ApiClient over fetch', c, () => clientFetch.call(op, { customer: 'cus_123' }));
  await measure('ApiClient over node:http', c, () => clientNode.call(op, { customer: 'cus_123' }));
  await measure('stripe package (reference)', c, () => stripe.customers.retrieve('cus_123'));
}
child.kill();
process.exit(0);
