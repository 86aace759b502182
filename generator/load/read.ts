/** Reading an input file named by the user; a missing one is a diagnostic, not an exception. */
import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticBag } from '../diagnostics.js';

export function readInput(
  root: string,
  file: string,
  bag: DiagnosticBag,
  hint = 'check the path in capgen.config.yaml or on the command line',
): string | undefined {
  const absolute = path.resolve(root, file);
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isFile()) {
    bag.error(file, { line: 1, col: 1 }, 'io/not-found', `file '${file}' does not exist`, hint);
    return undefined;
  }
  return fs.readFileSync(absolute, 'utf8');
}
