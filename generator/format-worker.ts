/**
 * The formatting thread's entry point (dist/format-worker.js): formats the texts the main thread
 * sends, one after the other, and answers each by its id. See format-thread.ts.
 */
import { parentPort } from 'node:worker_threads';
import { prettierFormat } from './prettier.js';
import type { FormatReply, FormatRequest } from './format-thread.js';

const port = parentPort!;
port.on('message', ({ id, text, parser }: FormatRequest) => {
  prettierFormat(text, parser).then(
    (formatted): void => port.postMessage({ id, text: formatted } satisfies FormatReply),
    (error: unknown): void =>
      port.postMessage({
        id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies FormatReply),
  );
});
