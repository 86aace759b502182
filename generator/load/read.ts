/**
 * Reading an input file named by the user (pipeline and capgen import): a regular file inside the
 * project, never read through a link (paths.ts). A missing file, or one elsewhere, is a
 * diagnostic, not an exception.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticBag } from '../diagnostics.js';
import { inputFileProblem } from '../paths.js';

/**
 * Hears each file a capability's checks or model read besides the capability file itself (the
 * generation cache records them as its dependencies). `contents` undefined: a file that was looked
 * for and is absent or unreadable, whose appearing would change the output (a candidate path).
 */
export type ReadListener = (file: string, contents: string | Buffer | undefined) => void;

export function readInput(
  root: string,
  file: string,
  bag: DiagnosticBag,
  hint = 'check the path in capgen.config.yaml or on the command line',
): string | undefined {
  const problem = inputFileProblem(root, file);
  if (problem === 'missing')
    bag.error(file, { line: 1, col: 1 }, 'io/not-found', `file '${file}' does not exist`, hint);
  else if (problem)
    bag.error(file, { line: 1, col: 1 }, problem.rule, problem.message, problem.hint);
  return problem ? undefined : fs.readFileSync(path.resolve(root, file), 'utf8');
}
