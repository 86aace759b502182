/**
 * Writing the output folder, or comparing it (--check). A manifest inside the folder lists the
 * files capgen wrote with a hash of each, so a later run drops the ones whose source is gone (and
 * only those it finds unedited), and never touches files it did not write.
 *
 * Writing is all or nothing: the new tree is staged in a folder beside the output folder (the
 * generated files, plus every file of the old folder that is kept), then swapped in by renaming.
 * Any failure before the swap removes the staging folder and leaves the output folder as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { lstat } from './paths.js';
import {
  memorySink,
  nodeOps,
  sha256,
  stagingFolder,
  OutputStore,
  type FileSink,
  type RunStore,
  type StoredFile,
  type WriteOps,
} from './store.js';

export type { WriteOps } from './store.js';

export const MANIFEST = '.capgen-manifest.json';

export interface Plan {
  added: StoredFile[];
  changed: StoredFile[];
  unchanged: StoredFile[];
  /** Files capgen wrote before, unedited since, that no longer have a source: left out. */
  removed: string[];
  /** Files capgen wrote before that no longer have a source but were edited since: kept. */
  kept: string[];
}

interface Manifest {
  generator: 'capgen';
  note: string;
  files: string[];
  /** SHA-256 of each file as capgen wrote it. */
  sha256: Record<string, string>;
}

/** The files and the manifest listing them (stored where they are: `sink`). */
export function withManifest(files: StoredFile[], sink: FileSink = memorySink): StoredFile[] {
  const manifest: Manifest = {
    generator: 'capgen',
    note: 'Files written by `npx capgen generate`; it removes those whose source is gone, unless edited since.',
    files: files.map((f) => f.path),
    sha256: Object.fromEntries(files.map((f) => [f.path, f.sha256])),
  };
  return [...files, sink.put(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`)];
}

/** Regular file at `target` (never a link), or undefined. */
function readRegular(target: string): Buffer | undefined {
  const stat = lstat(target);
  return stat?.isFile() ? fs.readFileSync(target) : undefined;
}

/**
 * What writing `files` changes in `outDir`, compared by size and hash (the contents of a stored
 * file are not read back).
 */
export function plan(outDir: string, files: StoredFile[]): Plan {
  const result: Plan = { added: [], changed: [], unchanged: [], removed: [], kept: [] };
  for (const file of files) {
    const target = path.join(outDir, file.path);
    // A file stored as the output folder's own (--check's CheckStore) was compared as it was made.
    if (file.location === path.resolve(target)) {
      result.unchanged.push(file);
      continue;
    }
    const stat = lstat(target);
    if (!stat?.isFile()) result.added.push(file);
    else if (stat.size !== file.size || sha256(fs.readFileSync(target)) !== file.sha256)
      result.changed.push(file);
    else result.unchanged.push(file);
  }
  const wanted = new Set(files.map((f) => f.path));
  const previous = readManifest(outDir);
  for (const [file, hash] of previous) {
    if (wanted.has(file) || !isInside(outDir, file)) continue;
    const existing = readRegular(path.join(outDir, file));
    if (existing === undefined) continue;
    if (hash !== undefined && sha256(existing) === hash) result.removed.push(file);
    else result.kept.push(file);
  }
  result.removed.sort();
  result.kept.sort();
  return result;
}

/** Files the previous run wrote, with their hashes (none for a manifest of an older capgen). */
function readManifest(outDir: string): Map<string, string | undefined> {
  const entries = new Map<string, string | undefined>();
  try {
    const data = JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as Partial<
      Record<keyof Manifest, unknown>
    >;
    const hashes = (data.sha256 && typeof data.sha256 === 'object' ? data.sha256 : {}) as Record<
      string,
      unknown
    >;
    for (const file of Array.isArray(data.files) ? data.files : [])
      if (typeof file === 'string' && file !== MANIFEST) {
        const hash = Object.hasOwn(hashes, file) ? hashes[file] : undefined;
        entries.set(file, typeof hash === 'string' ? hash : undefined);
      }
  } catch {
    // No manifest, or not ours: nothing counts as written by capgen.
  }
  return entries;
}

function isInside(outDir: string, relative: string): boolean {
  const resolved = path.resolve(outDir, relative);
  return resolved.startsWith(path.resolve(outDir) + path.sep);
}

/**
 * Applies a plan: stages the new output folder beside the old one, then swaps it in. Files of the
 * old folder that capgen did not write (or wrote and that were edited since, when their source is
 * gone) are carried over as they are (hard links where possible, else copies), and so are the
 * unchanged ones. On any failure the staging folder is removed and the output folder is left
 * byte-identical; the error is rethrown.
 *
 * With `staged`, the store the files were generated into (OutputStore.staging of `outDir`), that
 * store is the staging folder: its files are not written again. Files elsewhere (in memory) are
 * written with `ops`.
 */
export function apply(
  outDir: string,
  p: Plan,
  { ops = nodeOps, staged: store }: { ops?: WriteOps; staged?: RunStore } = {},
): void {
  // Only a staging store holds files in place; any other (--check's) holds none on disk.
  const staged = store instanceof OutputStore ? store : undefined;
  const parent = path.dirname(path.resolve(outDir));
  const staging = staged?.folder ?? stagingFolder(outDir);
  const inStaging = (file: StoredFile) => file.location === path.join(staging, file.path);
  try {
    if (staged) staged.open();
    else {
      fs.mkdirSync(parent, { recursive: true });
      fs.mkdirSync(staging);
    }
    if (path.dirname(staging) !== parent)
      throw new Error(`the staging folder ${staging} is not beside ${outDir}`);
    const previous = lstat(outDir);
    if (previous?.isDirectory()) fs.chmodSync(staging, previous.mode & 0o7777);
    for (const file of [...p.added, ...p.changed]) {
      if (inStaging(file)) continue;
      const target = path.join(staging, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      ops.writeFile(target, file.contents);
    }
    // An unchanged file stays the very same file (its inode, its modification time).
    for (const file of p.unchanged) if (inStaging(file)) fs.unlinkSync(file.location!);
    if (previous?.isDirectory()) {
      const replaced = new Set([...p.added, ...p.changed].map((f) => f.path));
      const dropped = new Set(p.removed);
      carryOver(outDir, staging, '', (file) => !replaced.has(file) && !dropped.has(file));
    }
    swap(outDir, staging, previous !== undefined, ops);
  } catch (error) {
    if (staged) staged.dispose();
    else fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  staged?.movedTo(outDir);
}

/** Links (or copies) every kept file and folder of `from` into `to`. */
function carryOver(from: string, to: string, prefix: string, keep: (file: string) => boolean) {
  for (const entry of fs.readdirSync(path.join(from, prefix), { withFileTypes: true })) {
    const file = prefix ? `${prefix}/${entry.name}` : entry.name;
    const source = path.join(from, file);
    const target = path.join(to, file);
    if (entry.isDirectory()) {
      const before = fs.existsSync(target);
      carryOver(from, to, file, keep);
      // A folder the user made (empty, or holding kept files) stays; one left empty goes.
      if (!before && !fs.existsSync(target) && fs.readdirSync(source).length === 0)
        fs.mkdirSync(target, { recursive: true, mode: fs.statSync(source).mode & 0o7777 });
    } else if (entry.isFile() && keep(file)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      try {
        fs.linkSync(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
        fs.copyFileSync(source, target);
      }
    } else if (!entry.isFile()) {
      throw new Error(`'${file}' in the output folder is neither a file nor a folder`);
    }
  }
}

/** Renames the staging folder into place; the old folder is moved aside first and removed last. */
function swap(outDir: string, staging: string, exists: boolean, ops: WriteOps): void {
  if (!exists) {
    ops.rename(staging, outDir);
    return;
  }
  const aside = `${staging}-previous`;
  ops.rename(outDir, aside);
  try {
    ops.rename(staging, outDir);
  } catch (error) {
    fs.renameSync(aside, outDir);
    throw error;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/** A short unified diff of one changed file (at most `maxLines` lines). */
export function shortDiff(outDir: string, file: StoredFile, maxLines = 20): string {
  const before = fs.readFileSync(path.join(outDir, file.path), 'utf8');
  const patch = createTwoFilesPatch(
    `a/${file.path}`,
    `b/${file.path}`,
    before,
    file.contents,
    '',
    '',
    { context: 1 },
  );
  const lines = patch
    .split('\n')
    .slice(2)
    .filter((l) => l.length > 0);
  return lines.length > maxLines
    ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more diff lines`].join('\n')
    : lines.join('\n');
}
