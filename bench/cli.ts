/**
 * Part 5: the command line itself: start-up, and `capgen import` on the full Stripe spec.
 *
 *   npx tsx bench/cli.ts      (BENCH_STARTUP_RUNS=<n> runs per variant, default 15;
 *                              BENCH_IMPORT_RUNS=<n>, default 3)
 *
 * Start-up: `node bin/capgen.js --version` (the JavaScript build in dist/; the part runs
 * `npm run build` first so the build is current) against `node -e 0` (Node's own start-up, the
 * floor), openapi-typescript's CLI `--version` (a peer code generator), and capgen's TypeScript
 * sources run through tsx (what bin/capgen.js did before the build, and still does in a checkout
 * whose build is stale). Variants interleaved in rotating order; medians.
 *
 * Import: `node bin/capgen.js import --openapi spec3.json --out specs` in an empty temporary
 * project, against openapi-typescript's CLI on the same spec (the peer that reads the same
 * document and writes one file from it). Alternating runs; medians of wall time and peak RSS; the
 * size of what each writes, and the operations the import covers.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  isMain,
  median,
  ROOT,
  rotations,
  runStandalone,
  STRIPE_SPEC,
  type Aim,
  type PartResult,
  type Row,
} from './lib/common.js';
import {
  againstOpenapiTypescript,
  hasGnuTime,
  measure,
  openapiTypescriptBin,
  type Measurement,
} from './lib/measure.js';

const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 3);
/** The issue's aim for `capgen --version`, in seconds. */
const STARTUP_AIM_S = 0.15;
/** `node -e 0` on this project's machine when nothing else runs. */
const NODE_QUIET_S = 0.05;

type Variant = 'capgen' | 'node' | 'openapi-typescript' | 'capgen via tsx';

async function startup(): Promise<{ rows: Row[]; aims: Aim[]; notes: string[] }> {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  const peer = openapiTypescriptBin();
  const commands: Record<Variant, string[]> = {
    capgen: ['bin/capgen.js', '--version'],
    node: ['-e', '0'],
    'openapi-typescript': [peer, '--version'],
    'capgen via tsx': [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { runCli } = await import('./generator/cli.ts'); process.exitCode = await runCli(['--version']);",
    ],
  };
  const times: Record<Variant, number[]> = {
    capgen: [],
    node: [],
    'openapi-typescript': [],
    'capgen via tsx': [],
  };
  const rss: Record<Variant, number[]> = {
    capgen: [],
    node: [],
    'openapi-typescript': [],
    'capgen via tsx': [],
  };
  for (const order of rotations(Object.keys(commands) as Variant[], STARTUP_RUNS)) {
    for (const variant of order) {
      const m = await measure(commands[variant]);
      times[variant].push(m.wallMs / 1000);
      rss[variant].push(m.peakRssBytes / 2 ** 20);
    }
  }
  const t = (v: Variant) => median(times[v]);
  const r = (v: Variant) => median(rss[v]);
  return {
    rows: [
      {
        metric: '--version, wall',
        ours: t('capgen'),
        peer: t('node'),
        unit: 's',
        peerName: 'node -e 0',
        decimals: 3,
      },
      {
        metric: '--version, wall',
        ours: t('capgen'),
        peer: t('openapi-typescript'),
        unit: 's',
        peerName: 'openapi-typescript --version',
        decimals: 3,
      },
      {
        metric: '--version, wall',
        ours: t('capgen'),
        peer: t('capgen via tsx'),
        unit: 's',
        peerName: 'capgen sources via tsx (before)',
        decimals: 3,
      },
      {
        metric: '--version, peak RSS',
        ours: r('capgen'),
        peer: r('node'),
        unit: 'MB',
        peerName: 'node -e 0',
        decimals: 0,
      },
    ],
    aims: [
      {
        // The same aim with Node's own start-up (about 0.05 s on a quiet machine) taken off, which
        // does not move with the load of a shared machine the way the absolute figure does.
        text: `capgen --version adds ≤ ${(STARTUP_AIM_S - NODE_QUIET_S).toFixed(2)} s to node's start-up`,
        met: t('capgen') - t('node') <= STARTUP_AIM_S - NODE_QUIET_S,
        detail: `+${(t('capgen') - t('node')).toFixed(3)} s`,
      },
      {
        text: `capgen --version ≤ ${STARTUP_AIM_S} s`,
        met: t('capgen') <= STARTUP_AIM_S,
        detail: `${t('capgen').toFixed(3)} s; node -e 0 ${t('node').toFixed(3)} s in the same run (${(t('capgen') / t('node')).toFixed(2)}×)`,
      },
    ],
    notes: [
      `start-up medians of ${STARTUP_RUNS} interleaved runs: ${(Object.keys(times) as Variant[]).map((v) => `${v} ${t(v).toFixed(3)} s`).join(', ')}`,
    ],
  };
}

/** Bytes and files of the YAML the import wrote. */
function treeSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    bytes += statSync(path.join(dir, name)).size;
    files++;
  }
  return { bytes, files };
}

async function importSpec(): Promise<{ rows: Row[]; aims: Aim[]; notes: string[] }> {
  const bin = path.join(ROOT, 'bin/capgen.js');
  let written = { bytes: 0, files: 0 };
  let operations = 0;
  const { ours, theirs, dtsBytes } = await againstOpenapiTypescript(
    IMPORT_RUNS,
    async (tmp, i, spec) => {
      // The project folder is the working directory: import reads and writes only inside it, so
      // the spec is copied in (before the measured run).
      const project = path.join(tmp, `project-${i}`);
      mkdirSync(project, { recursive: true });
      copyFileSync(spec, path.join(project, 'spec3.json'));
      const m = await measure(
        [bin, 'import', '--openapi', 'spec3.json', '--out', 'specs'],
        project,
      );
      written = treeSize(path.join(project, 'specs'));
      operations = countOperations(path.join(project, 'specs'));
      return m;
    },
  );
  const wall = (ms: Measurement[]) => median(ms.map((m) => m.wallMs)) / 1000;
  const peak = (ms: Measurement[]) => median(ms.map((m) => m.peakRssBytes)) / 2 ** 20;
  return {
    rows: [
      {
        metric: 'import full spec, wall',
        ours: wall(ours),
        peer: wall(theirs),
        unit: 's',
        peerName: 'openapi-typescript',
        decimals: 2,
      },
      {
        metric: 'import full spec, peak RSS',
        ours: peak(ours),
        peer: peak(theirs),
        unit: 'MB',
        peerName: 'openapi-typescript',
        decimals: 0,
      },
      {
        metric: `output (${written.files} capability files vs 1 .d.ts)`,
        ours: written.bytes / 1024,
        peer: dtsBytes / 1024,
        unit: 'KB',
        peerName: 'openapi-typescript',
        decimals: 0,
      },
    ],
    aims: [
      {
        text: "import the full spec in no more than openapi-typescript's time on it",
        met: wall(ours) <= wall(theirs),
        detail: `${(wall(ours) / wall(theirs)).toFixed(2)}× (${wall(ours).toFixed(2)} s)`,
      },
      {
        text: 'every operation of the spec imported',
        met: operations === countSpecOperations(),
        detail: `${operations} of ${countSpecOperations()}`,
      },
    ],
    notes: [],
  };
}

/** Consumed operations in the imported files (`- name:` entries followed by a `method:` line). */
function countOperations(dir: string): number {
  let count = 0;
  for (const name of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const consumes = text.slice(text.indexOf('  consumes:'), text.indexOf('  exposes:'));
    count += (consumes.match(/^ {14}method: /gm) ?? []).length;
  }
  return count;
}

function countSpecOperations(): number {
  const spec = JSON.parse(readFileSync(STRIPE_SPEC, 'utf8')) as { paths: Record<string, object> };
  const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);
  return Object.values(spec.paths).reduce(
    (n, item) => n + Object.keys(item).filter((m) => methods.has(m)).length,
    0,
  );
}

export async function run(): Promise<PartResult> {
  const base = {
    part: 'cli',
    title: 'Command line: start-up, and capgen import on the full Stripe spec',
    setup: `node bin/capgen.js --version vs node -e 0, openapi-typescript --version and capgen's sources via tsx (${STARTUP_RUNS} interleaved runs each); capgen import --openapi spec3.json vs openapi-typescript spec3.json (${IMPORT_RUNS} alternating runs); medians; peak RSS via ${hasGnuTime() ? '/usr/bin/time -v' : '/proc VmHWM polling'}.`,
    oursName: 'capgen',
    peerName: 'peer',
  };
  const first = await startup();
  if (!existsSync(STRIPE_SPEC)) {
    console.log(`notice: the import half is skipped: ${STRIPE_SPEC} is absent`);
    return { ...base, ...first };
  }
  const second = await importSpec();
  return {
    ...base,
    rows: [...first.rows, ...second.rows],
    aims: [...first.aims, ...second.aims],
    notes: [...first.notes, ...second.notes],
  };
}

if (isMain(import.meta.url)) await runStandalone(run);
