/**
 * Throughput and latency of the REST adapter against a minimal node:http pass-through proxy.
 *
 *   npx tsx test/runtime/rest-bench.ts [seconds=5] [concurrency=32]
 *
 * Three processes: a fake upstream answering every request with a ~1 KB Stripe-like JSON object, a
 * load generator (keep-alive node:http client, fixed concurrency), and this process, which serves in
 * turn each variant under test on 127.0.0.1:
 *
 * - proxy: minimal pass-through (node:http in, node:http keep-alive agent out, response piped back);
 * - adapter: serveRest fast path; invoke = node:http keep-alive GET + JSON.parse (what a client does);
 * - adapter (web conversion): the same handler served through Request/Response conversion;
 * - direct variants (no upstream: invoke answers from memory, the proxy answers a fixed body) isolate
 *   the per-request cost of the adapter itself.
 *
 * Prints medians over interleaved rounds (REST_BENCH_ROUNDS, default 3) of requests/s, this
 * process's CPU time per request (steadier than throughput on a shared machine), p50 and p99 latency,
 * and the comparison with the reference. REST_BENCH_ONLY=<text> runs only
 * the variants whose label contains the text (plus the references, unless REST_BENCH_NO_REFERENCE is
 * set). Not part of the test suite.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { JsonValue } from '../../templates/runtime/contract.js';
import { serveRest, type RestServer } from '../../templates/runtime/node-rest.js';
import {
  createRestHandler,
  type Invoke,
  type RestAdapterSpec,
} from '../../templates/runtime/rest.js';

const SECONDS = Number(process.argv[2] ?? 5);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const PATH = '/v1/v1/checkout/sessions/cs_test_a1b2c3?expand[]=line_items';
const self = fileURLToPath(import.meta.url);

const payload = JSON.stringify({
  id: 'cs_test_a1b2c3',
  object: 'checkout.session',
  amount_subtotal: 2000,
  amount_total: 2000,
  created: 1700000000,
  currency: 'usd',
  customer_details: {
    email: 'jenny.rosen@example.com',
    name: 'Jenny Rosen',
    address: { country: 'US' },
  },
  livemode: false,
  metadata: { order_id: '6735', plan: 'pro', region: 'eu-west-1' },
  mode: 'payment',
  payment_status: 'paid',
  status: 'complete',
  url: null,
  padding: 'x'.repeat(600),
});

// ---------------------------------------------------------------------------------------------------
// Child roles

if (process.env.REST_BENCH_ROLE === 'upstream') {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_bench' });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
  await new Promise(() => {});
}

if (process.env.REST_BENCH_ROLE === 'loader') {
  process.on('message', async (message: { url: string; seconds: number; concurrency: number }) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: message.concurrency });
    const target = new URL(message.url);
    const latencies: number[] = [];
    let errors = 0;
    const deadline = performance.now() + message.seconds * 1000;
    const once = () =>
      new Promise<void>((resolve) => {
        const started = performance.now();
        const req = http.get(
          {
            host: target.hostname,
            port: target.port,
            path: target.pathname + target.search,
            agent,
          },
          (res) => {
            res.on('data', () => {});
            res.on('end', () => {
              if (res.statusCode === 200) latencies.push(performance.now() - started);
              else errors++;
              resolve();
            });
          },
        );
        req.on('error', () => {
          errors++;
          resolve();
        });
      });
    const worker = async () => {
      while (performance.now() < deadline) await once();
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: message.concurrency }, worker));
    const elapsed = (performance.now() - started) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
    process.send?.({ rps: latencies.length / elapsed, p50: pct(0.5), p99: pct(0.99), errors });
  });
  process.on('disconnect', () => process.exit(0));
  await new Promise(() => {});
}

// ---------------------------------------------------------------------------------------------------
// Main: variants under test

const start = (role: string) =>
  fork(self, [], { env: { ...process.env, REST_BENCH_ROLE: role }, execArgv: process.execArgv });
const upstreamProcess = start('upstream');
const upstreamPort = await new Promise<number>((resolve) =>
  upstreamProcess.once('message', (m) => resolve(Number(m))),
);
const loader = start('loader');

interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs?: number;
}
const load = (url: string, seconds: number) =>
  new Promise<Result>((resolve) => {
    loader.once('message', (m) => resolve(m as Result));
    loader.send({ url, seconds, concurrency: CONCURRENCY });
  });

const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A minimal pass-through proxy: the baseline. */
function proxyServer(direct: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (direct) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(payload);
      return;
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path: req.url,
        method: req.method,
        headers: { accept: 'application/json' },
        agent: upstreamAgent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

/** What an API client does per call, minus retries: a keep-alive GET and JSON.parse. */
const upstreamInvoke: Invoke = (op, params, ctx) =>
  new Promise((resolve, reject) => {
    const path =
      op.path.replace('{session}', encodeURIComponent(String(params.session))) +
      '?expand[0]=line_items';
    const req = http.get(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path,
        agent: upstreamAgent,
        headers: { authorization: 'Bearer sk_test_bench' },
        signal: ctx.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            data: JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonValue,
            status: res.statusCode ?? 200,
            requestId: res.headers['request-id'] as string,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
const parsedPayload = JSON.parse(payload) as JsonValue;
const memoryInvoke: Invoke = async () => ({
  data: parsedPayload,
  status: 200,
  requestId: 'req_bench',
});

const spec: RestAdapterSpec = {
  namespace: 'bench',
  routes: [
    {
      path: '/v1/v1/checkout/sessions/{session}',
      method: 'GET',
      operationName: 'getcheckoutsessionssession',
      inputs: [
        {
          name: 'session',
          in: 'path',
          required: true,
          schema: { type: 'string', maxLength: 5000 },
        },
        {
          name: 'expand',
          in: 'query',
          required: false,
          schema: { type: 'array', items: { type: 'string', maxLength: 5000 } },
        },
      ],
      call: {
        id: 'checkout.retrieve',
        method: 'GET',
        path: '/v1/checkout/sessions/{session}',
        params: [],
      },
      with: { session: { input: 'session' }, expand: { input: 'expand' } },
      output: [{ kind: 'path', path: '$.' }],
    },
  ],
};

const adapter = (invoke: Invoke, fastPath: boolean): Promise<RestServer> =>
  serveRest(createRestHandler(spec, invoke, { env: {} }), {
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    fastPath,
  });

const variants: Array<[string, () => Promise<{ url: string; close(): Promise<void> }>]> = [
  ['proxy (pass-through)', () => proxyServer(false)],
  ['adapter (node fast path)', () => adapter(upstreamInvoke, true)],
  ['adapter (web conversion)', () => adapter(upstreamInvoke, false)],
  ['direct: fixed body, no upstream', () => proxyServer(true)],
  ['direct: adapter fast path', () => adapter(memoryInvoke, true)],
  ['direct: adapter web conversion', () => adapter(memoryInvoke, false)],
];

const ROUNDS = Number(process.env.REST_BENCH_ROUNDS ?? 3);
const only = process.env.REST_BENCH_ONLY; // run only the variants whose label contains this
const selected = variants.filter(([label]) => {
  const isReference = label.startsWith('proxy') || label.startsWith('direct: fixed');
  return (
    only === undefined ||
    label.includes(only) ||
    (isReference && process.env.REST_BENCH_NO_REFERENCE === undefined)
  );
});
console.log(
  `${SECONDS}s per variant x ${ROUNDS} interleaved rounds (medians), concurrency ${CONCURRENCY}, ${payload.length}-byte JSON body, node ${process.version}`,
);
const results = new Map<string, Result[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, make] of selected) {
    const server = await make();
    await load(`${server.url}${PATH}`, 1); // warm-up
    const cpuBefore = process.cpuUsage();
    const result = await load(`${server.url}${PATH}`, SECONDS);
    const cpu = process.cpuUsage(cpuBefore);
    // Server-process CPU per request: robust to noise from other processes sharing the machine.
    result.cpuUs = (cpu.user + cpu.system) / (result.rps * SECONDS);
    await server.close();
    results.set(label, [...(results.get(label) ?? []), result]);
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = (label: string) => {
  const runs = results.get(label) ?? [];
  return {
    rps: median(runs.map((r) => r.rps)),
    cpuUs: median(runs.map((r) => r.cpuUs ?? 0)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
};
for (const [label] of selected) {
  const result = summary(label);
  const referenceLabel = label.startsWith('direct')
    ? 'direct: fixed body, no upstream'
    : 'proxy (pass-through)';
  const reference =
    results.has(referenceLabel) && referenceLabel !== label ? summary(referenceLabel) : undefined;
  const ratio =
    reference === undefined
      ? ''
      : `| ${((result.rps / reference.rps) * 100).toFixed(0)}% rps, +${(result.cpuUs - reference.cpuUs).toFixed(0)} µs cpu, p99 ${result.p99 - reference.p99 >= 0 ? '+' : ''}${(result.p99 - reference.p99).toFixed(2)} ms`;
  console.log(
    `${label.padEnd(32)} ${result.rps.toFixed(0).padStart(6)} req/s  cpu ${result.cpuUs.toFixed(0).padStart(4)} µs/req  p50 ${result.p50.toFixed(2).padStart(6)} ms  p99 ${result.p99.toFixed(2).padStart(6)} ms  errors ${result.errors} ${ratio}`,
  );
}
upstreamProcess.kill();
loader.kill();
process.exit(0);
