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
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { isMain, median, ROOT, runStandalone, STRIPE_SPEC, type PartResult } from './lib/common.js';

const RUNS = Number(process.env.BENCH_GENERATE_RUNS ?? 3);
/** A run that takes longer than this is killed (and the benchmark fails). */
const RUN_TIMEOUT_MS = 180_000;
const GNU_TIME = '/usr/bin/time';

interface Measurement {
  wallMs: number;
  peakRssBytes: number;
  /** User + system CPU seconds (from /usr/bin/time; undefined without it): steadier than wall time on a busy machine. */
  cpuSeconds?: number;
}

function openapiTypescriptBin(): string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const pkgPath = require.resolve('openapi-typescript/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['openapi-typescript'];
  return path.resolve(path.dirname(pkgPath), bin);
}

function hasGnuTime(): boolean {
  return process.platform === 'linux' && existsSync(GNU_TIME);
}

/** Peak VmHWM (bytes) over a process and its descendants, read from /proc; 0 where unavailable. */
function treeHwm(rootPid: number): number {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return 0;
  }
  const parent = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  let peak = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== rootPid) p = parent.get(p);
    if (p !== rootPid) continue;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // gone
    }
  }
  return peak;
}

/** Runs `node <args>` in ROOT; wall time, and peak RSS of the process (tree). */
function measure(args: string[]): Promise<Measurement> {
  const gnuTime = hasGnuTime();
  const [cmd, argv] = gnuTime
    ? [GNU_TIME, ['-v', process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 1_000_000) stderr = stderr.slice(-200_000); // keep the tail (time's report)
    });
    let polled = 0;
    const poll = gnuTime
      ? undefined
      : setInterval(() => (polled = Math.max(polled, treeHwm(child.pid ?? -1))), 10);
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      clearTimeout(kill);
      if (poll) clearInterval(poll);
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`));
        return;
      }
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      resolve({
        wallMs,
        peakRssBytes: m ? Number(m[1]) * 1024 : polled,
        ...(user && system ? { cpuSeconds: Number(user[1]) + Number(system[1]) } : {}),
      });
    });
  });
}

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
  const peerBin = openapiTypescriptBin();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'capgen-bench-generate-'));
  try {
    const ours: Measurement[] = [];
    const theirs: Measurement[] = [];
    let oursBytes = 0;
    let theirsBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const out = path.join(tmp, `gen-${i}`);
      const dts = path.join(tmp, `stripe-${i}.d.ts`);
      const runOurs = async () => {
        ours.push(
          await measure(['bin/capgen.js', 'generate', '--out', out, '--openapi', STRIPE_SPEC]),
        );
        oursBytes = typesBytes(out);
      };
      const runTheirs = async () => {
        theirs.push(await measure([peerBin, STRIPE_SPEC, '-o', dts]));
        theirsBytes = statSync(dts).size;
      };
      if (i % 2 === 0) {
        await runOurs();
        await runTheirs();
      } else {
        await runTheirs();
        await runOurs();
      }
    }
    const wallOurs = median(ours.map((m) => m.wallMs)) / 1000;
    const wallTheirs = median(theirs.map((m) => m.wallMs)) / 1000;
    const rssOurs = median(ours.map((m) => m.peakRssBytes)) / 2 ** 20;
    const rssTheirs = median(theirs.map((m) => m.peakRssBytes)) / 2 ** 20;
    const cpu = (ms: Measurement[]) =>
      ms.every((m) => m.cpuSeconds !== undefined)
        ? median(ms.map((m) => m.cpuSeconds!))
        : undefined;
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
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
