/**
 * Shared helpers of the benchmarks in bench/: statistics, result tables, child processes.
 *
 * Every part exports `run(): Promise<PartResult>` and runs itself when executed directly
 * (`npx tsx bench/<part>.ts`); bench/run.ts runs them all.
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository (bench/lib/ is two levels down). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Stripe's full public spec, shared on the benchmark machines; absent on a fresh clone elsewhere. */
export const STRIPE_SPEC = path.resolve(
  ROOT,
  process.env.BENCH_STRIPE_SPEC ?? path.join('..', 'shared', 'stripe', 'spec3.json'),
);

/** A Stripe-shaped test key: never sent anywhere but 127.0.0.1. */
export const BENCH_API_KEY = 'sk_test_bench_0123456789abcdefghijklmnop';

/** One line of a part's table: our figure, the peer's, and ours/peer. */
export interface Row {
  metric: string;
  ours: number;
  peer: number;
  /** Unit printed after both figures, e.g. 'calls/s', 'ms', 'KB'. */
  unit: string;
  /** Name of the peer in this row (the column header holds the part's default). */
  peerName?: string;
  /** Decimals for both figures (default: 0 above 100, 2 below 10, else 1). */
  decimals?: number;
}

export interface Aim {
  text: string;
  met: boolean;
  /** The figure behind the verdict, e.g. '1.12× stripe'. */
  detail: string;
}

export interface PartResult {
  part: string;
  title: string;
  /** How the figures were obtained, one short line. */
  setup: string;
  oursName: string;
  peerName: string;
  rows: Row[];
  aims: Aim[];
  /** Set when the part could not run (e.g. the Stripe spec is absent). */
  skipped?: string;
  notes?: string[];
}

// ---------------------------------------------------------------------------------------------------
// Statistics

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** `rounds` rotations of `items`, so that each item runs in each position (first, ..., last) in turn. */
export function rotations<T>(items: readonly T[], rounds: number): T[][] {
  const out: T[][] = [];
  for (let r = 0; r < rounds; r++) {
    const shift = r % items.length;
    out.push([...items.slice(shift), ...items.slice(0, shift)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Output

function fmt(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) return '-';
  const d = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) < 10 ? 2 : 1);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function table(header: string[], lines: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const cell = (text: string, i: number) =>
    rightAligned[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const sep = widths.map((w) => '-'.repeat(w));
  return [header, sep, ...lines].map((l) => l.map(cell).join('  ').trimEnd()).join('\n');
}

/** The part's table: metric, ours, peer, ours/peer; then the aims. */
export function formatPart(result: PartResult): string {
  const out: string[] = [`\n## ${result.title}`, result.setup];
  if (result.skipped) {
    out.push(`SKIPPED: ${result.skipped}`);
    return out.join('\n');
  }
  const lines = result.rows.map((r) => [
    r.metric,
    `${fmt(r.ours, r.decimals)} ${r.unit}`,
    `${fmt(r.peer, r.decimals)} ${r.unit}${r.peerName ? ` (${r.peerName})` : ''}`,
    Number.isFinite(r.ours / r.peer) ? `${(r.ours / r.peer).toFixed(2)}×` : '-',
  ]);
  out.push(
    table(['metric', result.oursName, result.peerName, 'ratio'], lines, [false, true, true, true]),
  );
  if (result.aims.length > 0) {
    out.push('aims:');
    for (const aim of result.aims)
      out.push(`  [${aim.met ? 'met ' : 'MISS'}] ${aim.text}: ${aim.detail}`);
  }
  for (const note of result.notes ?? []) out.push(`note: ${note}`);
  return out.join('\n');
}

export function machineLine(): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · load average ${load}`;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return (
    process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl)
  );
}

/** Runs a part on its own: prints its table; exit code 0 even when aims are missed (a benchmark, not a test). */
export async function runStandalone(run: () => Promise<PartResult>): Promise<void> {
  console.log(machineLine());
  const result = await run();
  console.log(formatPart(result));
}

// ---------------------------------------------------------------------------------------------------
// Child processes (bench/lib/child.ts), each serving one role on 127.0.0.1:0

export interface ChildServer {
  role: string;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  pid: number;
  /** False once the process has exited (a crash, when the run did not stop it). */
  alive(): boolean;
  /** Sends `message` over IPC and resolves with the child's next message. */
  ask<T>(message: string): Promise<T>;
  stop(): Promise<void>;
}

export interface ChildOptions {
  /** Upstream URL for the roles that call one. */
  upstream?: string;
  /** Where the child's stdout / stderr go; default: inherit. */
  stdout?: 'inherit' | 'ignore';
  stderr?: 'inherit' | 'ignore';
  /** Extra node flags for the child (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** More environment variables for the child. */
  env?: Record<string, string>;
}

const CHILD_SCRIPT = path.join(ROOT, 'bench', 'lib', 'child.ts');
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts bench/lib/child.ts in its own process (tsx loader) serving `role`, and resolves with its
 * address once it listens. The child exits when stopped or when this process goes away.
 */
export function startChild(role: string, options: ChildOptions = {}): Promise<ChildServer> {
  const child = fork(CHILD_SCRIPT, [role], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env, BENCH_UPSTREAM: options.upstream ?? '', BENCH_API_KEY },
    stdio: ['ignore', options.stdout ?? 'inherit', options.stderr ?? 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => live.delete(child));
  return new Promise<ChildServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench child '${role}' did not start within 30 s`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench child '${role}' exited with code ${code} before listening`));
    });
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve({
        role,
        port: message.port,
        url: `http://127.0.0.1:${message.port}`,
        pid: child.pid ?? -1,
        alive: () => child.exitCode === null && child.signalCode === null,
        ask: <T>(message: string) =>
          new Promise<T>((answer) => {
            child.once('message', (reply) => answer(reply as T));
            child.send(message);
          }),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.disconnect();
            const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(force);
          }
        },
      });
    });
  });
}

/** Runs `fn` with the given children started (in parallel) and always stops them. */
export async function withChildren<T>(
  specs: { role: string; options?: ChildOptions }[],
  fn: (servers: ChildServer[]) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(specs.map((s) => startChild(s.role, s.options)));
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
