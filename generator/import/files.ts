/**
 * The files `capgen import` writes: YAML from the `yaml` serializer (names from the OpenAPI
 * document never meet string concatenation), a header comment recording the hash of the content,
 * and writing that is all-or-nothing, stays inside the output folder and never replaces a file
 * that was edited since the import wrote it (unless forced).
 *
 * The output folder must be inside the project root, and no part of it, nor any file written,
 * may be a symbolic link (the checks of ../paths.ts). (`capgen generate` has its own writer in
 * ../write.ts: it replaces a whole folder, where import adds files to one the user edits.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { isWithin, lstat, outsideProblem } from '../paths.js';

export interface ImportFile {
  /** Relative to the output folder. */
  path: string;
  contents: string;
}

const HASH_LINE = /^# capgen-import-sha256: ([0-9a-f]{64})$/m;
const UNHASHED = '0'.repeat(64);

/**
 * The YAML text of a document, under a header that names its source and records the hash of the
 * whole file (computed with the hash itself written as zeros), so that an edit anywhere, comments
 * included, shows.
 */
export function renderFile(document: unknown, source: string, command: string): string {
  const body = stringify(document, {
    aliasDuplicateObjects: false,
    // Quote what YAML 1.1 parsers (the Naftiko engine's among them) would read as another type.
    compat: 'yaml-1.1',
    lineWidth: 100,
    minContentWidth: 40,
  });
  const text = [
    `# Imported from ${source} by \`${command}\`.`,
    '# Edit it freely: a later import replaces this file only while it is unedited, or with --force.',
    `# capgen-import-sha256: ${UNHASHED}`,
    body,
  ].join('\n');
  return text.replace(UNHASHED, hash(text));
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** True when the text is an imported file exactly as the import wrote it. */
export function isPristine(text: string): boolean {
  const match = HASH_LINE.exec(text);
  if (!match) return false;
  const unhashed =
    text.slice(0, match.index) +
    match[0].replace(match[1], UNHASHED) +
    text.slice(match.index + match[0].length);
  return hash(unhashed) === match[1];
}

export interface ImportPlan {
  outDir: string;
  added: ImportFile[];
  changed: ImportFile[];
  unchanged: ImportFile[];
  /** Files that would be replaced but were edited by hand (or not written by capgen import). */
  edited: ImportFile[];
}

export class UnsafeOutputError extends Error {
  override name = 'UnsafeOutputError';
}

/** What writing these files would do. Throws UnsafeOutputError for a folder or file it must not touch. */
export function planImport(root: string, out: string, files: ImportFile[]): ImportPlan {
  const outDir = safeOutputDir(root, out);
  const result: ImportPlan = { outDir, added: [], changed: [], unchanged: [], edited: [] };
  for (const file of files) {
    const target = path.join(outDir, file.path);
    const stat = lstat(target);
    if (!stat) result.added.push(file);
    else if (!stat.isFile())
      throw new UnsafeOutputError(
        `${path.relative(root, target)} exists and is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; capgen import writes only regular files`,
      );
    else {
      const existing = fs.readFileSync(target, 'utf8');
      if (existing === file.contents) result.unchanged.push(file);
      else if (isPristine(existing)) result.changed.push(file);
      else result.edited.push(file);
    }
  }
  return result;
}

/**
 * Writes every new or changed file (and, with `force`, the edited ones): each is first written to
 * a temporary file beside its target, and only when all are written are they renamed into place.
 * A failure before the renames removes the temporary files and leaves the folder as it was.
 */
export function applyImport(plan: ImportPlan, force: boolean): void {
  const pending = [...plan.added, ...plan.changed, ...(force ? plan.edited : [])];
  const temps: Array<[string, string]> = [];
  try {
    fs.mkdirSync(plan.outDir, { recursive: true });
    for (const file of pending) {
      const target = path.join(plan.outDir, file.path);
      const temp = `${target}.capgen-import-${process.pid}.tmp`;
      fs.rmSync(temp, { force: true }); // left by a crashed run; a symbolic link goes, not its target
      // 'wx' refuses an existing path, a symbolic link included.
      fs.writeFileSync(temp, file.contents, { flag: 'wx' });
      temps.push([temp, target]);
    }
  } catch (error) {
    for (const [temp] of temps) fs.rmSync(temp, { force: true });
    throw error;
  }
  for (const [temp, target] of temps) fs.renameSync(temp, target);
}

/** The absolute output folder, when it is inside the root and reached through no symbolic link. */
function safeOutputDir(root: string, out: string): string {
  const absoluteRoot = path.resolve(root);
  const outDir = path.resolve(absoluteRoot, out);
  const relative = path.relative(absoluteRoot, outDir);
  if (!isWithin(absoluteRoot, outDir))
    throw new UnsafeOutputError(
      `the output folder '${out}' is outside the project (${absoluteRoot}); capgen import writes only inside it`,
    );
  let current = absoluteRoot;
  for (const part of relative ? relative.split(path.sep) : []) {
    current = path.join(current, part);
    const stat = lstat(current);
    if (!stat) break;
    if (stat.isSymbolicLink() || !stat.isDirectory())
      throw new UnsafeOutputError(
        `${path.relative(absoluteRoot, current)} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; the output folder must be a plain folder inside the project`,
      );
  }
  // The project folder itself may be reached through a link; what lies under it may not lead out.
  const outside = outsideProblem(absoluteRoot, out);
  if (outside)
    throw new UnsafeOutputError(`${outside.message}; capgen import writes only inside it`);
  return outDir;
}
