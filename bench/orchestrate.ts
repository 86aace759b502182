/**
 * Part: what an orchestration adds over calling the client yourself.
 *
 *   npx tsx bench/orchestrate.ts     (BENCH_ROUNDS=<n>, default 5)
 *
 * A two-step plan (call `GET /v1/checkout/sessions?limit=3`, then the same operation with `limit`
 * and `starting_after` taken from the first answer through a `{{step.field}}` template) run by the orchestration
 * interpreter, against its peer: the same two calls made directly on the generated client, one
 * after the other. The fixed-JSON upstream runs in a child process. Each round measures both,
 * alternating which goes first, sequentially; the figure is the median over rounds of the median
 * latency per run, and the aim is the difference.
 */
import {
  createCheckoutSessionsClient,
  GET_CHECKOUT_SESSIONS_OPERATION,
} from '../generated/checkout-sessions/client.js';
import { orchestration } from '../generated/runtime/orchestrate.js';
import {
  BENCH_API_KEY,
  isMain,
  median,
  runStandalone,
  withChildren,
  type PartResult,
} from './lib/common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = 400;
const WARMUP = 100;

const twoSteps = orchestration<Record<string, never>, unknown>({
  label: 'bench two-step',
  steps: [
    {
      kind: 'call',
      name: 'first',
      call: GET_CHECKOUT_SESSIONS_OPERATION,
      with: { limit: { literal: 3 } },
    },
    {
      kind: 'call',
      name: 'second',
      call: GET_CHECKOUT_SESSIONS_OPERATION,
      with: {
        limit: { literal: 3 },
        starting_after: {
          template: [{ step: 'first', path: '$.data[0].id', ref: 'first.data[0].id' }],
        },
      },
    },
  ],
});

async function latency(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

export async function run(): Promise<PartResult> {
  return withChildren([{ role: 'upstream' }], async ([upstream]) => {
    const client = createCheckoutSessionsClient({
      apiKey: BENCH_API_KEY,
      baseUri: upstream.url,
      maxRetries: 0,
    });
    const direct = async () => {
      const first = await client.getCheckoutSessions({ limit: 3 });
      const id = (first as unknown as { data: Array<{ id: string }> }).data[0].id;
      await client.getCheckoutSessions({ limit: 3, starting_after: id });
    };
    const orchestrated = () => twoSteps({}, client);
    const ours: number[] = [];
    const peer: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        ours.push(await latency(orchestrated));
        peer.push(await latency(direct));
      } else {
        peer.push(await latency(direct));
        ours.push(await latency(orchestrated));
      }
    }
    const o = median(ours);
    const p = median(peer);
    const added = (o - p) * 1000;
    return {
      part: 'orchestrate',
      title: 'Two-step orchestration vs two direct client calls',
      setup: `${ROUNDS} rounds × ${RUNS} sequential runs (after ${WARMUP} warm-up), fixed-JSON upstream in a child process`,
      oursName: 'orchestration',
      peerName: 'two client calls',
      rows: [{ metric: 'latency per run, p50', ours: o, peer: p, unit: 'ms', decimals: 3 }],
      aims: [
        {
          text: 'added latency < 0.1 ms per run',
          met: added < 100,
          detail: `${added.toFixed(0)} µs`,
        },
      ],
    };
  });
}

if (isMain(import.meta.url)) await runStandalone(run);
