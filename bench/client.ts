/**
 * Part 1: the generated client against the `stripe` package and bare `fetch`.
 *
 *   npx tsx bench/client.ts          (BENCH_ROUNDS=<n> to change the number of rounds, default 5)
 *
 * Throughput: a fixed-JSON upstream runs in a child process (its own event loop and, mostly, its own
 * core); this process makes `GET /v1/checkout/sessions?limit=3` calls and parses the JSON answer,
 * first one at a time (sequential), then with 32 calls in flight. Each round runs every variant once
 * in each mode, the order rotating from round to round; the figure is the median over the rounds.
 * Every measurement stops at a call count or a time limit, whichever comes first.
 *
 * Bundle size: esbuild bundle + minify (platform node, format esm) of a one-call entry, gzip -9.
 */
import { gzipSync } from 'node:zlib';
import Stripe from 'stripe';
import { build } from 'esbuild';
import { createCheckoutSessionsClient } from '../generated/checkout-sessions/client.js';
import {
  BENCH_API_KEY,
  isMain,
  median,
  ROOT,
  rotations,
  runStandalone,
  withChildren,
  type Aim,
  type PartResult,
  type Row,
} from './lib/common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MODES = [
  { name: 'sequential', concurrency: 1, calls: 1_000, maxMs: 4_000 },
  { name: '32 in flight', concurrency: 32, calls: 4_000, maxMs: 4_000 },
] as const;
const WARMUP_CALLS = 300;

type Call = () => Promise<unknown>;

interface Variant {
  name: string;
  call: Call;
}

function variants(upstream: string): Variant[] {
  const port = Number(new URL(upstream).port);
  const capgen = createCheckoutSessionsClient({
    apiKey: BENCH_API_KEY,
    baseUri: upstream,
    maxRetries: 0,
  });
  const capgenFetch = createCheckoutSessionsClient({
    apiKey: BENCH_API_KEY,
    baseUri: upstream,
    maxRetries: 0,
    fetch: (input, init) => fetch(input, init),
  });
  const stripe = new Stripe(BENCH_API_KEY, {
    host: '127.0.0.1',
    port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const url = `${upstream}/v1/checkout/sessions?limit=3`;
  const auth = { authorization: `Bearer ${BENCH_API_KEY}` };
  return [
    { name: 'capgen', call: () => capgen.getCheckoutSessions({ limit: 3 }) },
    { name: 'stripe', call: () => stripe.checkout.sessions.list({ limit: 3 }) },
    { name: 'fetch', call: () => fetch(url, { headers: auth }).then((r) => r.json()) },
    { name: 'capgen (fetch transport)', call: () => capgenFetch.getCheckoutSessions({ limit: 3 }) },
  ];
}

/** Calls/s of `call` with `concurrency` in flight, stopping after `calls` calls or `maxMs`. */
async function measure(
  call: Call,
  concurrency: number,
  calls: number,
  maxMs: number,
): Promise<number> {
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + maxMs;
  const worker = async () => {
    while (started < calls && performance.now() < deadline) {
      started++;
      await call();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - t0) / 1000);
}

async function checkAnswer(v: Variant): Promise<void> {
  const answer = (await v.call()) as { data?: unknown[] };
  if (!Array.isArray(answer?.data) || answer.data.length !== 3) {
    throw new Error(`${v.name}: unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
  }
}

export async function throughput(): Promise<Record<string, Record<string, number>>> {
  return withChildren([{ role: 'upstream' }], async ([upstream]) => {
    const list = variants(upstream.url);
    for (const v of list) await checkAnswer(v);
    for (const mode of MODES)
      for (const v of list) await measure(v.call, mode.concurrency, WARMUP_CALLS, 2_000);

    const samples: Record<string, Record<string, number[]>> = {};
    for (const order of rotations(list, ROUNDS)) {
      for (const mode of MODES) {
        for (const v of order) {
          const rate = await measure(v.call, mode.concurrency, mode.calls, mode.maxMs);
          ((samples[mode.name] ??= {})[v.name] ??= []).push(rate);
        }
      }
    }
    const medians: Record<string, Record<string, number>> = {};
    for (const [mode, byVariant] of Object.entries(samples)) {
      medians[mode] = {};
      for (const [name, rates] of Object.entries(byVariant)) medians[mode][name] = median(rates);
    }
    return medians;
  });
}

/** Minified and gzipped size of a one-call entry. */
export async function bundleSize(entry: string): Promise<{ minified: number; gzip: number }> {
  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'bench-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const CAPGEN_ENTRY = `
import { createCheckoutSessionsClient } from './generated/checkout-sessions/client.js';
const client = createCheckoutSessionsClient({ apiKey: process.env.STRIPE_API_KEY });
console.log(await client.getCheckoutSessions({ limit: 3 }));
`;
const STRIPE_ENTRY = `
import Stripe from 'stripe';
const stripe = new Stripe(process.env.STRIPE_API_KEY ?? '');
console.log(await stripe.checkout.sessions.list({ limit: 3 }));
`;

export async function run(): Promise<PartResult> {
  const rates = await throughput();
  const [ours, theirs] = await Promise.all([bundleSize(CAPGEN_ENTRY), bundleSize(STRIPE_ENTRY)]);

  const rows: Row[] = [];
  const aims: Aim[] = [];
  const vsStripe: string[] = [];
  const vsFetch: string[] = [];
  let beatsStripe = true;
  let nearFetch = true;
  for (const mode of MODES) {
    const r = rates[mode.name];
    rows.push({
      metric: `${mode.name}: capgen vs stripe`,
      ours: r.capgen,
      peer: r.stripe,
      unit: 'calls/s',
      peerName: 'stripe',
    });
    rows.push({
      metric: `${mode.name}: capgen vs bare fetch`,
      ours: r.capgen,
      peer: r.fetch,
      unit: 'calls/s',
      peerName: 'fetch',
    });
    rows.push({
      metric: `${mode.name}: capgen with fetch transport vs bare fetch`,
      ours: r['capgen (fetch transport)'],
      peer: r.fetch,
      unit: 'calls/s',
      peerName: 'fetch',
    });
    beatsStripe &&= r.capgen >= r.stripe;
    nearFetch &&= r.capgen >= 0.9 * r.fetch;
    vsStripe.push(`${mode.name} ${(r.capgen / r.stripe).toFixed(2)}×`);
    vsFetch.push(`${mode.name} ${(r.capgen / r.fetch).toFixed(2)}×`);
  }
  rows.push({
    metric: 'bundle, minified (one call)',
    ours: ours.minified / 1024,
    peer: theirs.minified / 1024,
    unit: 'KB',
    peerName: 'stripe',
    decimals: 1,
  });
  rows.push({
    metric: 'bundle, minified + gzip -9',
    ours: ours.gzip / 1024,
    peer: theirs.gzip / 1024,
    unit: 'KB',
    peerName: 'stripe',
    decimals: 1,
  });

  aims.push({ text: "throughput ≥ stripe's", met: beatsStripe, detail: vsStripe.join(', ') });
  aims.push({
    text: 'throughput within 10% of bare fetch (≥ 0.90×)',
    met: nearFetch,
    detail: vsFetch.join(', '),
  });
  const minRatio = ours.minified / theirs.minified;
  const gzRatio = ours.gzip / theirs.gzip;
  aims.push({
    text: "bundle (minified) under a tenth of stripe's",
    met: minRatio < 0.1,
    detail: `${minRatio.toFixed(3)}×`,
  });
  aims.push({
    text: "bundle (minified + gzip) under a tenth of stripe's",
    met: gzRatio < 0.1,
    detail: `${gzRatio.toFixed(3)}×`,
  });

  return {
    part: 'client',
    title: 'Client: calls/s and bundle size (generated checkout-sessions client)',
    setup: `GET /v1/checkout/sessions?limit=3 → ~1 KB JSON from a node:http upstream in a child process; medians of ${ROUNDS} interleaved rounds (sequential: ≤ ${MODES[0].calls} calls, 32 in flight: ≤ ${MODES[1].calls} calls, ≤ 4 s each). Bundle: esbuild --bundle --minify --platform=node --format=esm of a one-call entry.`,
    oursName: 'capgen',
    peerName: 'peer',
    rows,
    aims,
  };
}

if (isMain(import.meta.url)) await runStandalone(run);
