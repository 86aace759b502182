/**
 * Part 2: generation from the full Stripe spec, against openapi-typescript.
 *
 *   npx tsx bench/generate.ts        (BENCH_GENERATE_RUNS=<n> to change the number of runs, default 3)
 *
 * Runs, alternately, `node bin/capgen.js generate --out <tmp>/gen --openapi <spec3.json>` (the three
 * capabilities of specs/, with the full spec) and openapi-typescript's CLI on the same spec
 * (`node <its bin> <spec3.json> -o <tmp>/stripe.d.ts`: `npx openapi-typescript` without npx's own
 * start-up, so the peer is not charged for it). Wall time is measured here; peak memory is the
 * child's maximum resident set size from `/usr/bin/time -v` when available, else the VmHWM of the
 * process tree polled from /proc every 10 ms. Reports medians, and the bytes of the generated
 * types (each capability's types.ts and the shared types/<api>.ts) against openapi-typescript's
 * output.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMain, median, runStandalone, STRIPE_SPEC, type PartResult } from './lib/common.js';
import { againstOpenapiTypescript, hasGnuTime, measure, type Measurement } from './lib/measure.js';

const RUNS = Number(process.env.BENCH_GENERATE_RUNS ?? 3);

/** Bytes of every generated type: each capability's types.ts and the shared types/<api>.ts. */
function typesBytes(dir: string, inTypes = false): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(entry.parentPath ?? dir, entry.name);
    if (entry.isDirectory()) total += typesBytes(file, entry.name === 'types');
    else if (entry.name === 'types.ts' || (inTypes && entry.name.endsWith('.ts')))
      total += statSync(file).size;
  }
  return total;
}

export async function run(): Promise<PartResult> {
  const base = {
    part: 'generate',
    title: 'Generation: full Stripe spec (capgen generate vs openapi-typescript)',
    setup: `node bin/capgen.js generate --out <tmp> --openapi spec3.json (3 capabilities) vs node <openapi-typescript bin> spec3.json -o <tmp>/stripe.d.ts; ${RUNS} alternating runs each, medians; peak RSS via ${hasGnuTime() ? '/usr/bin/time -v' : '/proc VmHWM polling'}.`,
    oursName: 'capgen',
    peerName: 'openapi-typescript',
  };
  if (!existsSync(STRIPE_SPEC)) {
    const skipped = `${STRIPE_SPEC} is absent (the full Stripe spec lives in ../shared on the benchmark machines)`;
    console.log(`notice: generation benchmark skipped: ${skipped}`);
    return { ...base, rows: [], aims: [], skipped };
  }
  let oursBytes = 0;
  const {
    ours,
    theirs,
    dtsBytes: theirsBytes,
  } = await againstOpenapiTypescript(RUNS, async (tmp, i, spec) => {
    const out = path.join(tmp, `gen-${i}`);
    const m = await measure(['bin/capgen.js', 'generate', '--out', out, '--openapi', spec]);
    oursBytes = typesBytes(out);
    return m;
  });
  const wallOurs = median(ours.map((m) => m.wallMs)) / 1000;
  const wallTheirs = median(theirs.map((m) => m.wallMs)) / 1000;
  const rssOurs = median(ours.map((m) => m.peakRssBytes)) / 2 ** 20;
  const rssTheirs = median(theirs.map((m) => m.peakRssBytes)) / 2 ** 20;
  const cpu = (ms: Measurement[]) =>
    ms.every((m) => m.cpuSeconds !== undefined) ? median(ms.map((m) => m.cpuSeconds!)) : undefined;
  const [cpuOurs, cpuTheirs] = [cpu(ours), cpu(theirs)];
  const list = (ms: Measurement[]) =>
    ms
      .map((m) => `${(m.wallMs / 1000).toFixed(1)} s/${Math.round(m.peakRssBytes / 2 ** 20)} MB`)
      .join(', ');
  return {
    ...base,
    rows: [
      { metric: 'wall time', ours: wallOurs, peer: wallTheirs, unit: 's', decimals: 2 },
      ...(cpuOurs !== undefined && cpuTheirs !== undefined
        ? [
            {
              metric: 'CPU time (user + sys)',
              ours: cpuOurs,
              peer: cpuTheirs,
              unit: 's',
              decimals: 2,
            },
          ]
        : []),
      { metric: 'peak RSS', ours: rssOurs, peer: rssTheirs, unit: 'MB', decimals: 0 },
      {
        metric: 'types emitted (types.ts + types/*.ts vs stripe.d.ts)',
        ours: oursBytes / 1024,
        peer: theirsBytes / 1024,
        unit: 'KB',
        decimals: 0,
      },
    ],
    aims: [
      {
        text: "half openapi-typescript's time (≤ 0.50×)",
        met: wallOurs <= 0.5 * wallTheirs,
        detail: `${(wallOurs / wallTheirs).toFixed(2)}×`,
      },
      {
        text: "half openapi-typescript's memory (≤ 0.50×)",
        met: rssOurs <= 0.5 * rssTheirs,
        detail: `${(rssOurs / rssTheirs).toFixed(2)}×`,
      },
      {
        text: 'types under 25% of its size (every schema the capabilities reach, full depth)',
        met: oursBytes < 0.25 * theirsBytes,
        detail: `${((100 * oursBytes) / theirsBytes).toFixed(1)}%`,
      },
    ],
    notes: [`runs (wall/peak RSS): capgen ${list(ours)}; openapi-typescript ${list(theirs)}`],
  };
}

if (isMain(import.meta.url)) await runStandalone(run);
