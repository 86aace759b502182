/**
 * The heap caps of capgen's worker threads (generate-thread.ts, format-thread.ts): a default each,
 * which an environment variable may change, and how a thread that went past its cap is recognized.
 */

/** `variable` as a whole number of megabytes when it is one, else `fallback`. */
export function heapCapMb(variable: string, fallback: number): number {
  const setting = Number(process.env[variable]);
  return Number.isInteger(setting) && setting > 0 ? setting : fallback;
}

/** Whether a worker's `error` event says it ran out of memory under its cap. */
export const ranOutOfMemory = (error: Error & { code?: string }): boolean =>
  error.code === 'ERR_WORKER_OUT_OF_MEMORY';
