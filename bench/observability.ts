/**
 * Part: what observability costs the REST adapter. The generated checkout-sessions adapter with
 * observability off (the runtime's OpenTelemetry hooks present, no SDK: what every capability
 * without a control adapter runs) against the same adapter with it on (the SDK as a control port
 * starts it: a SERVER and a CLIENT span per request, three instruments, spans kept for /traces).
 * Server CPU per request is the steady figure. Then, in this process, the hooks themselves when
 * off: `observeInbound` + `startUpstreamSpan` around a trivial async function, against calling it
 * directly.
 *
 *   npx tsx bench/observability.ts   (BENCH_ROUNDS, BENCH_REST_SECONDS as for bench/rest.ts)
 */
import {
  isMain,
  median,
  rotations,
  runStandalone,
  startChild,
  withChildren,
  type PartResult,
  type Row,
} from './lib/common.js';
import { check, load, type Sample, type Target } from './rest.js';
import { observeInbound, startUpstreamSpan } from '../generated/runtime/telemetry.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_REST_SECONDS ?? 5);
const CONNECTIONS = 50;
const HOOK_CALLS = 1_000_000;

/** ns per call of `run`, best of five batches. */
async function nsPerCall(run: () => Promise<unknown>): Promise<number> {
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const started = performance.now();
    for (let i = 0; i < HOOK_CALLS / 5; i++) await run();
    batches.push(((performance.now() - started) * 1e6) / (HOOK_CALLS / 5));
  }
  return Math.min(...batches);
}

export async function run(): Promise<PartResult> {
  const upstream = await startChild('upstream');
  try {
    return await withChildren(
      [
        { role: 'rest', options: { upstream: upstream.url } },
        { role: 'rest-observed', options: { upstream: upstream.url } },
      ],
      async ([off, on]) => {
        const path = '/v1/v1/checkout/sessions?limit=3';
        const targets: Target[] = [
          { name: 'off', server: off, url: `${off.url}${path}` },
          { name: 'on', server: on, url: `${on.url}${path}` },
        ];
        for (const t of targets) await check(t);
        for (const t of targets) await load(t, CONNECTIONS, 1); // warm-up
        const series: Record<string, Sample[]> = { off: [], on: [] };
        for (const order of rotations(targets, ROUNDS))
          for (const t of order) series[t.name].push(await load(t, CONNECTIONS, SECONDS));
        const med = (name: string, key: keyof Sample) => median(series[name].map((s) => s[key]));

        const body = () => Promise.resolve({ status: 200 });
        const header = () => undefined;
        const direct = await nsPerCall(body);
        const hooked = await nsPerCall(() => {
          startUpstreamSpan('op', 'GET', 'http://x')?.end(200);
          return observeInbound('rest', 'GET', header, body);
        });

        const row = (metric: string, key: keyof Sample, unit: string, decimals?: number): Row => ({
          metric,
          ours: med('off', key),
          peer: med('on', key),
          unit,
          decimals,
        });
        const cpuOff = med('off', 'cpuPerRequest');
        const cpuOn = med('on', 'cpuPerRequest');
        const hookCost = (hooked - direct) / 1e6; // ms per request
        return {
          part: 'observability',
          title: 'REST adapter with observability off vs on (OpenTelemetry SDK, spans and metrics)',
          setup: `autocannon in this process, upstream and both adapters (serveRest, access log off) in their own child processes; c=${CONNECTIONS} for ${SECONDS} s per run, ${ROUNDS} interleaved rounds, medians. Hooks: ${HOOK_CALLS} calls in this process, best of 5 batches.`,
          oursName: 'off',
          peerName: 'on',
          rows: [
            row(`requests/s, c=${CONNECTIONS}`, 'rps', 'req/s'),
            row(`p50, c=${CONNECTIONS}`, 'p50', 'ms', 2),
            row(`server CPU per request, c=${CONNECTIONS}`, 'cpuPerRequest', 'ms', 3),
            {
              metric: 'hooks off (observeInbound + startUpstreamSpan) vs a direct call',
              ours: hooked,
              peer: direct,
              peerName: 'direct',
              unit: 'ns/call',
              decimals: 1,
            },
          ],
          aims: [
            {
              text: 'disabled observability costs < 1% of the server CPU per request',
              met: hookCost < 0.01 * cpuOff,
              detail: `hooks off add ${(hookCost * 1e6).toFixed(0)} ns to ${(cpuOff * 1e6).toFixed(0)} ns of CPU per request (${((100 * hookCost) / cpuOff).toFixed(3)}%)`,
            },
          ],
          notes: [
            `observability on costs ${(((cpuOn - cpuOff) / cpuOff) * 100).toFixed(0)}% more CPU per request (${((cpuOn - cpuOff) * 1000).toFixed(0)} µs)`,
            `requests/s per round: off ${series.off.map((s) => Math.round(s.rps)).join('/')}, on ${series.on.map((s) => Math.round(s.rps)).join('/')}`,
          ],
        };
      },
    );
  } finally {
    await upstream.stop();
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
