/**
 * Part 7: generation at scale. Every capability `capgen import` writes from Stripe's full spec
 * (62 files, 468 operations, REST + MCP each), against hey-api and openapi-typescript on the same
 * spec, in the same run.
 *
 *   npx tsx bench/corpus.ts        (BENCH_CORPUS_RUNS=<n> rounds, default 3)
 *
 * In a temporary project (inside the repository, since capgen reads only inside its project)
 * holding a copy of the spec: `capgen import --openapi specs/spec3.json --out specs/stripe`, then
 * rounds, in rotating order, of
 * - cold: `capgen generate --strict` with no cache and no output folder;
 * - one capability changed: a line appended to one capability file (a comment: its hash changes,
 *   its output does not), then `generate --strict`, then the same again with `--check`;
 * - `openapi-ts -i specs/spec3.json -o <dir>` (@hey-api/openapi-ts, its default SDK and types);
 * - `openapi-typescript specs/spec3.json -o <file>`.
 * Then peak RSS against the number of capabilities, cold: the first 50 files, all 62, and 100
 * (the 62 plus 38 of them again under other names). Wall and CPU time and peak RSS from
 * `/usr/bin/time -v` (bench/lib/measure.ts); medians.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  isMain,
  median,
  ROOT,
  runStandalone,
  STRIPE_SPEC,
  type PartResult,
  type Row,
} from './lib/common.js';
import { hasGnuTime, measure, openapiTypescriptBin, type Measurement } from './lib/measure.js';

const RUNS = Number(process.env.BENCH_CORPUS_RUNS ?? 3);
const CAPGEN = path.join(ROOT, 'bin', 'capgen.js');

function heyApiBin(): string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return path.join(
    path.dirname(require.resolve('@hey-api/openapi-ts/package.json')),
    'bin',
    'run.js',
  );
}

const seconds = (ms: Measurement[]) => median(ms.map((m) => m.wallMs)) / 1000;
const megabytes = (ms: Measurement[]) => median(ms.map((m) => m.peakRssBytes)) / 2 ** 20;
const cpu = (ms: Measurement[]) =>
  ms.every((m) => m.cpuSeconds !== undefined) ? median(ms.map((m) => m.cpuSeconds!)) : undefined;

export async function run(): Promise<PartResult> {
  const base = {
    part: 'corpus',
    title: "Generation at scale: every capability imported from Stripe's full spec",
    setup: `capgen import (62 files, 468 operations), then generate --strict cold and after editing one file, against @hey-api/openapi-ts and openapi-typescript on the same spec; ${RUNS} rotating rounds, medians; ${hasGnuTime() ? '/usr/bin/time -v' : '/proc VmHWM polling, no CPU time'}.`,
    oursName: 'capgen',
    peerName: 'hey-api',
  };
  if (!existsSync(STRIPE_SPEC)) {
    const skipped = `${STRIPE_SPEC} is absent (the full Stripe spec lives in ../shared on the benchmark machines)`;
    console.log(`notice: corpus benchmark skipped: ${skipped}`);
    return { ...base, rows: [], aims: [], skipped };
  }
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const project = mkdtempSync(path.join(ROOT, '.tmp', 'bench-corpus-'));
  try {
    return { ...base, ...(await measureAll(project)) };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

async function measureAll(project: string): Promise<Pick<PartResult, 'rows' | 'aims' | 'notes'>> {
  mkdirSync(path.join(project, 'specs'));
  copyFileSync(STRIPE_SPEC, path.join(project, 'specs', 'spec3.json'));
  const capgen = (...args: string[]) => measure([CAPGEN, ...args], project);
  const imported = await capgen('import', '--openapi', 'specs/spec3.json', '--out', 'specs/stripe');
  const files = readdirSync(path.join(project, 'specs', 'stripe')).sort();
  const reset = () => {
    for (const dir of ['generated', '.capgen-cache', 'hey-api', 'ot'])
      rmSync(path.join(project, dir), { recursive: true, force: true });
  };
  const m = { cold: [] as Measurement[], warm: [] as Measurement[], check: [] as Measurement[] };
  const peers = { hey: [] as Measurement[], ot: [] as Measurement[] };
  const steps: Record<string, () => Promise<void>> = {
    capgen: async () => {
      reset();
      m.cold.push(await capgen('generate', '--strict'));
      appendFileSync(
        path.join(project, 'specs', 'stripe', files[0]),
        `# edited ${m.warm.length}\n`,
      );
      m.warm.push(await capgen('generate', '--strict'));
      appendFileSync(
        path.join(project, 'specs', 'stripe', files[1]),
        `# edited ${m.check.length}\n`,
      );
      m.check.push(await capgen('generate', '--strict', '--check'));
    },
    hey: async () => {
      peers.hey.push(
        await measure([heyApiBin(), '-i', './specs/spec3.json', '-o', 'hey-api'], project),
      );
    },
    ot: async () => {
      peers.ot.push(
        await measure(
          [openapiTypescriptBin(), 'specs/spec3.json', '-o', 'ot/stripe.d.ts'],
          project,
        ),
      );
    },
  };
  const order = Object.keys(steps);
  for (let round = 0; round < RUNS; round++)
    for (let i = 0; i < order.length; i++) await steps[order[(i + round) % order.length]]();

  // Peak RSS against the number of capabilities, each cold.
  mkdirSync(path.join(project, 'specs', 'copies'));
  for (const [i, file] of files.slice(0, 38).entries())
    copyFileSync(
      path.join(project, 'specs', 'stripe', file),
      path.join(project, 'specs', 'copies', `copy-${i}-${file}`),
    );
  const scale: Array<[string, number, Measurement]> = [];
  for (const [label, list] of [
    ['50', files.slice(0, 50).map((f) => `specs/stripe/${f}`)],
    [String(files.length), files.map((f) => `specs/stripe/${f}`)],
    ['100', [...files.map((f) => `specs/stripe/${f}`), 'specs/copies/*.yaml']],
  ] as const) {
    reset();
    writeFileSync(
      path.join(project, 'scale.config.yaml'),
      `openapi: [specs/spec3.json]\ncapabilities: [${list.join(', ')}]\nstrict: true\n`,
    );
    scale.push([
      label,
      list.length,
      await capgen('generate', '--config', 'scale.config.yaml', '--no-cache'),
    ]);
  }
  return report(imported, m, peers, scale, files.length);
}

function report(
  imported: Measurement,
  m: { cold: Measurement[]; warm: Measurement[]; check: Measurement[] },
  peers: { hey: Measurement[]; ot: Measurement[] },
  scale: Array<[string, number, Measurement]>,
  count: number,
): Pick<PartResult, 'rows' | 'aims' | 'notes'> {
  const [coldCpu, heyCpu, otCpu] = [cpu(m.cold), cpu(peers.hey), cpu(peers.ot)];
  const cpuRows: Row[] =
    coldCpu !== undefined && heyCpu !== undefined && otCpu !== undefined
      ? [
          { metric: 'cold, CPU time', ours: coldCpu, peer: heyCpu, unit: 's', decimals: 2 },
          {
            metric: 'cold, CPU time',
            ours: coldCpu,
            peer: otCpu,
            unit: 's',
            peerName: 'openapi-typescript',
            decimals: 2,
          },
        ]
      : [];
  const rss = scale.map(
    ([label, , measurement]) => [label, measurement.peakRssBytes / 2 ** 20] as const,
  );
  const rss50 = rss[0][1];
  const rss100 = rss[2][1];
  const rows: Row[] = [
    {
      metric: `cold, ${count} capabilities, wall`,
      ours: seconds(m.cold),
      peer: seconds(peers.hey),
      unit: 's',
      decimals: 2,
    },
    ...cpuRows,
    {
      metric: 'cold, peak RSS',
      ours: megabytes(m.cold),
      peer: megabytes(peers.hey),
      unit: 'MB',
      decimals: 0,
    },
    {
      metric: `cold, ${count} capabilities, wall`,
      ours: seconds(m.cold),
      peer: seconds(peers.ot),
      unit: 's',
      peerName: 'openapi-typescript',
      decimals: 2,
    },
    {
      metric: 'cold, peak RSS',
      ours: megabytes(m.cold),
      peer: megabytes(peers.ot),
      unit: 'MB',
      peerName: 'openapi-typescript',
      decimals: 0,
    },
    {
      metric: 'one capability changed: generate, wall',
      ours: seconds(m.warm),
      peer: seconds(peers.hey),
      unit: 's',
      decimals: 2,
    },
    {
      metric: 'one capability changed: generate --check, wall',
      ours: seconds(m.check),
      peer: seconds(peers.hey),
      unit: 's',
      decimals: 2,
    },
    ...rss.map(([label, mb]) => ({
      metric: `peak RSS, ${label} capabilities (cold)`,
      ours: mb,
      peer: megabytes(peers.hey),
      unit: 'MB',
      decimals: 0,
    })),
    {
      metric: 'capgen import of the spec, wall',
      ours: imported.wallMs / 1000,
      peer: seconds(peers.ot),
      unit: 's',
      peerName: 'openapi-typescript',
      decimals: 2,
    },
  ];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return {
    rows,
    aims: [
      {
        text: "cold: half hey-api's time (≤ 0.50×)",
        met: seconds(m.cold) <= 0.5 * seconds(peers.hey),
        detail: `${ratio(seconds(m.cold), seconds(peers.hey))} wall${coldCpu !== undefined && heyCpu !== undefined ? `, ${ratio(coldCpu, heyCpu)} CPU` : ''}`,
      },
      {
        text: "cold: half hey-api's peak RSS (≤ 0.50×)",
        met: megabytes(m.cold) <= 0.5 * megabytes(peers.hey),
        detail: ratio(megabytes(m.cold), megabytes(peers.hey)),
      },
      {
        text: 'one capability changed: generate ≤ 2 s',
        met: seconds(m.warm) <= 2,
        detail: wallAndCpu(m.warm),
      },
      {
        text: 'one capability changed: generate --check ≤ 2 s',
        met: seconds(m.check) <= 2,
        detail: wallAndCpu(m.check),
      },
      {
        text: 'peak RSS flat as capabilities grow (100 within 1.25× of 50)',
        met: rss100 <= 1.25 * rss50,
        detail: `${rss.map(([l, mb]) => `${l}: ${Math.round(mb)} MB`).join(', ')} (${ratio(rss100, rss50)})`,
      },
    ],
    notes: [
      `runs (wall/CPU/peak RSS): capgen cold ${list(m.cold)}; one changed ${list(m.warm)}; --check ${list(m.check)}; hey-api ${list(peers.hey)}; openapi-typescript ${list(peers.ot)}`,
    ],
  };
}

const list = (ms: Measurement[]) =>
  ms
    .map(
      (x) =>
        `${(x.wallMs / 1000).toFixed(1)} s/${x.cpuSeconds?.toFixed(1) ?? '?'} s/${Math.round(x.peakRssBytes / 2 ** 20)} MB`,
    )
    .join(', ');

/** Wall time, and CPU time (what a loaded machine changes least) when measured. */
const wallAndCpu = (ms: Measurement[]) =>
  `${seconds(ms).toFixed(2)} s wall${cpu(ms) === undefined ? '' : `, ${cpu(ms)!.toFixed(2)} s CPU`}`;

if (isMain(import.meta.url)) await runStandalone(run);
