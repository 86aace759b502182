/**
 * Where prettier runs. Formatting is a large stage of a run, so when the machine has a second core
 * and the run many capabilities, it runs on a worker thread while the main thread checks, models
 * and emits the next ones (generate.ts keeps four in flight). The main thread then loads none of
 * prettier's parsers.
 *
 * The thread exists only in the JavaScript build (dist/format-worker.js): the TypeScript sources
 * (tests, a checkout without a build) format on the main thread, and so does a one-core machine or
 * `CAPGEN_FORMAT_THREADS=0`. Both give the same bytes: the thread runs the same prettier with the
 * same options (test/threads.test.ts compares them).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { heapCapMb, ranOutOfMemory } from './worker-limits.js';

export interface FormatRequest {
  id: number;
  text: string;
  parser: string;
}

export type FormatReply = { id: number; text: string } | { id: number; error: string };

export interface Formatter {
  /** `text` formatted by prettier with capgen's options and the given parser. */
  format(text: string, parser: string): Promise<string>;
  /** Stops the thread, if any (pending formats are rejected). */
  close(): Promise<void>;
}

/** The build's worker, beside the module that holds this code (both in dist/). */
const WORKER = new URL('./format-worker.js', import.meta.url);

/**
 * How many capabilities a run must have for a thread to pay: on Stripe's full spec a thread took
 * 62 capabilities from 6.1 s to 5.3 s of wall time for 30 MB more, but left 3 capabilities at
 * 1.7 s for 40 MB more (bench/README.md, section 8d).
 */
const THREAD_FROM = 8;

/**
 * Whether formatting gets its own thread: `CAPGEN_FORMAT_THREADS` (0 or 1) when set, else when the
 * machine has at least two cores and the run enough capabilities.
 */
function wantsThread(capabilities: number): boolean {
  const setting = process.env.CAPGEN_FORMAT_THREADS;
  if (setting !== undefined && setting !== '') return setting !== '0';
  return capabilities >= THREAD_FROM && availableParallelism() > 1;
}

/** The formatter for a run of `capabilities` capabilities. */
export function createFormatter(capabilities: number): Formatter {
  const fromSources = import.meta.url.endsWith('.ts');
  return !fromSources && wantsThread(capabilities) ? threadFormatter() : localFormatter();
}

function localFormatter(): Formatter {
  let prettier: Promise<typeof import('./prettier.js')> | undefined;
  return {
    format: async (text, parser) =>
      (await (prettier ??= import('./prettier.js'))).prettierFormat(text, parser),
    close: async () => {},
  };
}

/**
 * The formatting thread's old generation is capped, like the generate thread's, so that V8
 * collects it before it grows to several times its live data (generate-thread.ts), and its young
 * generation is 8 MB: prettier's allocations die young, and the default let the thread's heap reach
 * 70 MB for 12 MB of live data. A file prettier needs more for makes it run out of memory: that
 * file and the ones after it are formatted on the calling thread.
 */
const FORMAT_HEAP_MB = 256;

/** The cap: FORMAT_HEAP_MB, or `CAPGEN_FORMAT_HEAP_MB` (a number of megabytes) when set. */
const formatHeapMb = (): number => heapCapMb('CAPGEN_FORMAT_HEAP_MB', FORMAT_HEAP_MB);

interface Pending {
  text: string;
  parser: string;
  resolve(text: string): void;
  reject(error: Error): void;
}

function threadFormatter(): Formatter {
  let worker: Worker | undefined;
  let fallback: Formatter | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const formatLocally = () => {
    fallback ??= localFormatter();
    for (const { text, parser, resolve, reject } of pending.values())
      fallback.format(text, parser).then(resolve, reject);
    pending.clear();
  };
  const start = (): Worker => {
    const thread = new Worker(WORKER, {
      resourceLimits: { maxOldGenerationSizeMb: formatHeapMb(), maxYoungGenerationSizeMb: 8 },
    });
    thread.on('message', (reply: FormatReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('error' in reply)
        waiter?.reject(new Error(`capgen bug: prettier failed: ${reply.error}`));
      else waiter?.resolve(reply.text);
    });
    thread.on('error', (error: Error & { code?: string }) => {
      if (ranOutOfMemory(error)) formatLocally();
      else failAll(error);
    });
    thread.on('exit', (code) => {
      worker = undefined;
      if (pending.size) failAll(new Error(`capgen bug: the formatting thread exited (${code})`));
    });
    return thread;
  };
  return {
    format(text, parser) {
      if (fallback) return fallback.format(text, parser);
      worker ??= start();
      const id = nextId++;
      const thread = worker;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { text, parser, resolve, reject });
        thread.postMessage({ id, text, parser } satisfies FormatRequest);
      });
    },
    async close() {
      const thread = worker;
      worker = undefined;
      if (thread) await thread.terminate();
    },
  };
}
