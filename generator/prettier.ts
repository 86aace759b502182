/**
 * prettier, loaded by whichever thread formats: the formatting thread (format-worker.ts), or the
 * main thread when there is none (format-thread.ts).
 */
import * as prettier from 'prettier';
import { PRETTIER_OPTIONS } from './prettier-options.js';

export function prettierFormat(text: string, parser: string): Promise<string> {
  return prettier.format(text, { ...PRETTIER_OPTIONS, parser });
}
