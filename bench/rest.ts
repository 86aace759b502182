/**
 * Part 3: the generated checkout-sessions REST adapter against a minimal node:http pass-through proxy.
 *
 *   npx tsx bench/rest.ts     (BENCH_ROUNDS=<n> rounds, default 5; BENCH_REST_SECONDS=<s>, default 5)
 *
 * Processes (each its own event loop, so no server shares one with the load generator):
 * - upstream:  fixed ~1 KB list JSON (bench/lib/child.ts 'upstream');
 * - proxy:     node:http in, node:http with a keep-alive http.Agent out, response piped back;
 * - rest:      the generated adapter, `serveRest(createHandler(clientOptions), { log: false })` (the
 *              proxy logs nothing either; the access log of `main()` costs about 2 µs a line);
 * - this process: autocannon (programmatic, 50 connections, 5 s per run), and the clock.
 * The proxy is sent `GET /v1/checkout/sessions?limit=3`, the adapter `GET /v1/v1/checkout/sessions?limit=3`
 * (the route the capability declares); all reach the same upstream. Each round runs every target once,
 * in rotating order; figures are medians over rounds. Latency percentiles are computed from every 2xx
 * response time autocannon reports (floating-point ms), not from its integer-ms histogram. A second,
 * shorter series with one connection gives the unloaded latency. Server CPU per request is read from
 * /proc (Linux).
 */
import autocannon from 'autocannon';
import {
  BENCH_API_KEY,
  isMain,
  median,
  percentile,
  rotations,
  runStandalone,
  startChild,
  withChildren,
  type ChildServer,
  type PartResult,
  type Row,
} from './lib/common.js';
import { cpuMs } from './lib/proc.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_REST_SECONDS ?? 5);
const UNLOADED_SECONDS = Math.max(1, Math.round(SECONDS / 2));
const CONNECTIONS = 50;

export interface Target {
  name: string;
  server: ChildServer;
  url: string;
}

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU ms per request. */
  cpuPerRequest: number;
}

/** One autocannon run; throws on errors or non-2xx answers. Bounded by duration (+10 s safety stop). */
export async function load(target: Target, connections: number, seconds: number): Promise<Sample> {
  const latencies: number[] = [];
  const cpuBefore = cpuMs(target.server.pid);
  const instance = autocannon({
    url: target.url,
    connections,
    duration: seconds,
    timeout: 10,
    headers: { authorization: `Bearer ${BENCH_API_KEY}` },
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const safety = setTimeout(() => instance.stop(), (seconds + 10) * 1000);
  const result = await instance;
  clearTimeout(safety);
  const cpu = cpuMs(target.server.pid) - cpuBefore;
  if (result.errors > 0 || result.non2xx > 0 || latencies.length === 0) {
    throw new Error(
      `${target.name}: ${result.errors} errors, ${result.non2xx} non-2xx answers, ${latencies.length} 2xx`,
    );
  }
  return {
    rps: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuPerRequest: cpu / latencies.length,
  };
}

export async function check(target: Target): Promise<void> {
  const response = await fetch(target.url, {
    headers: { authorization: `Bearer ${BENCH_API_KEY}` },
  });
  const body = (await response.json()) as { data?: unknown[] };
  if (response.status !== 200 || body.data?.length !== 3) {
    throw new Error(`${target.name}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}

type Series = Record<string, Sample[]>;

function med(series: Series, name: string, key: keyof Sample): number {
  return median(series[name].map((s) => s[key]));
}

export async function run(): Promise<PartResult> {
  const upstream = await startChild('upstream');
  try {
    return await withChildren(
      [
        { role: 'proxy', options: { upstream: upstream.url } },
        { role: 'rest', options: { upstream: upstream.url } },
      ],
      async ([proxy, rest]) => {
        const targets: Target[] = [
          { name: 'proxy', server: proxy, url: `${proxy.url}/v1/checkout/sessions?limit=3` },
          { name: 'rest', server: rest, url: `${rest.url}/v1/v1/checkout/sessions?limit=3` },
        ];
        for (const t of targets) await check(t);
        for (const t of targets) await load(t, CONNECTIONS, 1); // warm-up (JIT, sockets)

        const loaded: Series = { proxy: [], rest: [] };
        const unloaded: Series = { proxy: [], rest: [] };
        for (const order of rotations(targets, ROUNDS)) {
          for (const t of order) loaded[t.name].push(await load(t, CONNECTIONS, SECONDS));
        }
        for (const order of rotations(targets, ROUNDS)) {
          for (const t of order) unloaded[t.name].push(await load(t, 1, UNLOADED_SECONDS));
        }

        const row = (
          metric: string,
          series: Series,
          key: keyof Sample,
          unit: string,
          decimals?: number,
        ): Row => ({
          metric,
          ours: med(series, 'rest', key),
          peer: med(series, 'proxy', key),
          unit,
          decimals,
        });
        const rows: Row[] = [
          row(`requests/s, c=${CONNECTIONS}`, loaded, 'rps', 'req/s'),
          row(`p50, c=${CONNECTIONS}`, loaded, 'p50', 'ms', 2),
          row(`p99, c=${CONNECTIONS}`, loaded, 'p99', 'ms', 2),
          row('p50, c=1', unloaded, 'p50', 'ms', 3),
          row('p99, c=1', unloaded, 'p99', 'ms', 3),
          row(`server CPU per request, c=${CONNECTIONS}`, loaded, 'cpuPerRequest', 'ms', 3),
        ];
        const rps = med(loaded, 'rest', 'rps');
        const proxyRps = med(loaded, 'proxy', 'rps');
        const cpuRatio =
          med(loaded, 'rest', 'cpuPerRequest') / med(loaded, 'proxy', 'cpuPerRequest');
        const cpuPerRound = loaded.rest.map((s, i) =>
          (s.cpuPerRequest / loaded.proxy[i].cpuPerRequest).toFixed(2),
        );
        const addedP99 = med(loaded, 'rest', 'p99') - med(loaded, 'proxy', 'p99');
        const paired = loaded.rest.map((s, i) => (s.rps / loaded.proxy[i].rps).toFixed(2));
        const p99s = (name: string) => unloaded[name].map((x) => x.p99.toFixed(2)).join('/');
        const perRound = (name: string) => loaded[name].map((s) => Math.round(s.rps)).join('/');
        return {
          part: 'rest',
          title:
            'REST adapter: GET /v1/v1/checkout/sessions?limit=3 vs node:http pass-through proxy',
          setup: `autocannon in this process; upstream, proxy and adapter (serveRest, access log off) each in their own child process; c=${CONNECTIONS} for ${SECONDS} s and c=1 for ${UNLOADED_SECONDS} s per run, ${ROUNDS} interleaved rounds, medians.`,
          oursName: 'adapter',
          peerName: 'proxy',
          rows,
          aims: [
            {
              text: "server CPU per request ≤ 1.3× the proxy's",
              met: cpuRatio <= 1.3,
              detail: `${cpuRatio.toFixed(2)}×`,
            },
            {
              text: "≥ 80% of the proxy's throughput",
              met: rps >= 0.8 * proxyRps,
              detail: `${((100 * rps) / proxyRps).toFixed(0)}%`,
            },
            {
              text: `< 2 ms added at p99 (c=${CONNECTIONS})`,
              met: addedP99 < 2,
              detail: `${addedP99.toFixed(2)} ms added`,
            },
          ],
          notes: [
            `requests/s per round (c=${CONNECTIONS}): proxy ${perRound('proxy')}, adapter ${perRound('rest')}; adapter/proxy per round ${paired.join(', ')}`,
            `server CPU per request, adapter/proxy per round (c=${CONNECTIONS}): ${cpuPerRound.join(', ')}`,
            `p99 per round (c=1, ms): proxy ${p99s('proxy')}, adapter ${p99s('rest')}`,
          ],
        };
      },
    );
  } finally {
    await upstream.stop();
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
