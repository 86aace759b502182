/**
 * Running a command-line tool as a benchmark: wall time, and peak resident memory from
 * `/usr/bin/time -v` when available, else the VmHWM of the process tree polled from /proc.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, STRIPE_SPEC } from './common.js';

/** A run that takes longer than this is killed (and the benchmark fails). */
const RUN_TIMEOUT_MS = 180_000;
const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  wallMs: number;
  peakRssBytes: number;
  /** User + system CPU seconds (from /usr/bin/time; undefined without it): steadier than wall time on a busy machine. */
  cpuSeconds?: number;
}

/** openapi-typescript's CLI script, run with node directly (npx's own start-up is not the peer's). */
export function openapiTypescriptBin(): string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const pkgPath = require.resolve('openapi-typescript/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['openapi-typescript'];
  return path.resolve(path.dirname(pkgPath), bin);
}

export function hasGnuTime(): boolean {
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

/** Runs `node <args>` (in ROOT, or `cwd`); wall time, and peak RSS of the process (tree). */
export function measure(args: string[], cwd = ROOT): Promise<Measurement> {
  const gnuTime = hasGnuTime();
  const [cmd, argv] = gnuTime
    ? [GNU_TIME, ['-v', process.execPath, ...args]]
    : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
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

/**
 * `runs` rounds of a capgen command and of openapi-typescript's CLI on the full Stripe spec, their
 * order swapped every round so neither always goes first, in a temporary folder removed afterwards.
 * `ours` runs the capgen side of round `i` (reading what it wrote if it likes). The folder is
 * inside the project (.tmp/, git-ignored) and holds a copy of the spec, `spec`: capgen reads and
 * writes only inside its project.
 */
export async function againstOpenapiTypescript(
  runs: number,
  ours: (tmp: string, round: number, spec: string) => Promise<Measurement>,
): Promise<{ ours: Measurement[]; theirs: Measurement[]; dtsBytes: number }> {
  const peer = openapiTypescriptBin();
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const tmp = mkdtempSync(path.join(ROOT, '.tmp', 'bench-'));
  const spec = path.join(tmp, 'spec3.json');
  copyFileSync(STRIPE_SPEC, spec);
  const result = { ours: [] as Measurement[], theirs: [] as Measurement[], dtsBytes: 0 };
  const theirs = async (i: number) => {
    const dts = path.join(tmp, `stripe-${i}.d.ts`);
    result.theirs.push(await measure([peer, STRIPE_SPEC, '-o', dts]));
    result.dtsBytes = statSync(dts).size;
  };
  try {
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 1) await theirs(i);
      result.ours.push(await ours(tmp, i, spec));
      if (i % 2 === 0) await theirs(i);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}
