/**
 * `capgen generate` (and `--check`) runs on a worker thread whose old generation is capped, which
 * is how capgen keeps its peak memory near what it holds rather than what V8 lets it grow to.
 *
 * V8 sizes a heap's growth between full collections by the heap's maximum: with the main thread's
 * default maximum (about 4 GB on a 64-bit machine), it lets the heap reach about four times its
 * live data before collecting; under a cap of a few hundred megabytes, much less. Generation keeps
 * little alive (about 36 MB for every capability of Stripe's full spec) but allocates a lot, so on
 * that corpus of 62 capabilities the cap (with the smaller young generations of this thread and
 * the formatting one) takes peak memory from about 350 MB to about 240 MB, for about 15% more CPU
 * and 0.5 s more (bench/README.md, section 8e). Worker `resourceLimits` are Node's supported way to
 * set it; V8 flags set at run time do not change a running heap.
 *
 * A run that needs more than the cap (a document many times the size of Stripe's) makes the thread
 * run out of memory: the staging folder it was writing is removed and the run is done again on the
 * main thread, without a cap. Small runs stay on the main thread (THREAD_FROM);
 * `CAPGEN_GENERATE_THREAD=1` or `0` decides instead.
 *
 * The thread exists only in the JavaScript build (dist/generate-worker.js); the TypeScript sources
 * (tests, a checkout without a build) run on the main thread, like a run that is given its own
 * output functions (tests again).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { heapCapMb, ranOutOfMemory } from './worker-limits.js';

/** The cap, in megabytes, of the thread's old generation (bench/README.md, section 8e). */
export const GENERATE_HEAP_MB = 512;

/**
 * The thread's young generation, in megabytes: smaller than V8's default, which on the Stripe
 * corpus let the thread hold about 25 MB more, for a little less collection work (bench/README.md,
 * section 8e).
 */
const GENERATE_YOUNG_MB = 32;

/** The cap: GENERATE_HEAP_MB, or `CAPGEN_GENERATE_HEAP_MB` (a number of megabytes) when set. */
export const generateHeapMb = (): number => heapCapMb('CAPGEN_GENERATE_HEAP_MB', GENERATE_HEAP_MB);

export interface GenerateThreadData {
  capgenGenerateThread: true;
  argv: string[];
  cwd: string;
  color: boolean;
}

/**
 * What the thread tells the main thread, in order: its output (one channel for both streams, so
 * that warnings and the summary keep their order), the staging folders it makes, its exit code.
 */
type ThreadMessage =
  { stdout: string } | { stderr: string } | { staging: string } | { code: number };

/**
 * Called by store.ts for each staging folder it makes: on the generate thread, the main thread is
 * told, so that it can remove the folder if the thread runs out of memory before finishing.
 */
export function announceStaging(folder: string): void {
  if (!isMainThread && (workerData as GenerateThreadData | undefined)?.capgenGenerateThread)
    parentPort?.postMessage({ staging: folder } satisfies ThreadMessage);
}

/** The thread's output functions, and its last word: the command's exit code. */
export const threadOutput = {
  stdout: (text: string) => parentPort?.postMessage({ stdout: text } satisfies ThreadMessage),
  stderr: (text: string) => parentPort?.postMessage({ stderr: text } satisfies ThreadMessage),
  exit: (code: number) => parentPort?.postMessage({ code } satisfies ThreadMessage),
};

const WORKER = new URL('./generate-worker.js', import.meta.url);

/**
 * How many capability and OpenAPI files under specs/ make a run large enough for the thread to pay:
 * on Stripe's full spec it took 62 capabilities from about 350 MB to about 240 MB, but gave 3
 * capabilities 0.1 s more for 4 MB less (more frequent collections under the cap).
 */
const THREAD_FROM = 8;

/**
 * Whether this command line runs on the capped thread: `generate`, from the JavaScript build, when
 * `CAPGEN_GENERATE_THREAD` says so (1 or 0), else when specs/ holds at least THREAD_FROM spec files.
 */
export function wantsGenerateThread(argv: readonly string[], cwd: string): boolean {
  if (import.meta.url.endsWith('.ts') || !isMainThread) return false;
  if (commandOf(argv) !== 'generate') return false;
  if (argv.includes('--help') || argv.includes('-h')) return false;
  const setting = process.env.CAPGEN_GENERATE_THREAD;
  if (setting === '0' || setting === '1') return setting === '1';
  return countSpecFiles(path.join(cwd, 'specs'), THREAD_FROM) >= THREAD_FROM;
}

/** The command: the first word that is not an option (`capgen --verbose generate` too). */
export const commandOf = (argv: readonly string[]): string | undefined =>
  argv.find((a) => !a.startsWith('-'));

/** YAML and JSON files under `dir` (not through links), counted up to `enough`. */
function countSpecFiles(dir: string, enough: number): number {
  let count = 0;
  const visit = (folder: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (count >= enough) return;
      if (entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name)) count++;
      else if (entry.isDirectory() && depth < 4 && !entry.name.startsWith('.'))
        visit(path.join(folder, entry.name), depth + 1);
    }
  };
  visit(dir, 0);
  return count;
}

/**
 * Runs the command line on the capped thread, its output written by `output`. Resolves to the exit
 * code, or to undefined when the thread ran out of memory (the staging folders it made are
 * removed: the caller runs the command again); rejects when the thread failed otherwise.
 */
export function runOnGenerateThread(
  data: Omit<GenerateThreadData, 'capgenGenerateThread'>,
  output: { stdout(text: string): void; stderr(text: string): void },
): Promise<number | undefined> {
  const staging: string[] = [];
  // Output is passed on once the thread has finished: a run done again after running out of
  // memory says everything once.
  const said: Array<{ stdout: string } | { stderr: string }> = [];
  return new Promise((resolve, reject) => {
    let code: number | undefined;
    let outOfMemory = false;
    const thread = new Worker(WORKER, {
      workerData: { ...data, capgenGenerateThread: true } satisfies GenerateThreadData,
      resourceLimits: {
        maxOldGenerationSizeMb: generateHeapMb(),
        maxYoungGenerationSizeMb: GENERATE_YOUNG_MB,
      },
    });
    thread.on('message', (message: ThreadMessage) => {
      if ('staging' in message) staging.push(message.staging);
      else if ('code' in message) code = message.code;
      else said.push(message);
    });
    thread.on('error', (error: Error & { code?: string }) => {
      if (ranOutOfMemory(error)) outOfMemory = true;
      else reject(error);
    });
    thread.on('exit', () => {
      if (outOfMemory) {
        for (const folder of staging) fs.rmSync(folder, { recursive: true, force: true });
        return resolve(undefined);
      }
      if (code === undefined) return reject(new Error('capgen bug: the generate thread stopped'));
      for (const m of said) {
        if ('stdout' in m) output.stdout(m.stdout);
        else output.stderr(m.stderr);
      }
      resolve(code);
    });
  });
}
