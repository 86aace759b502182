/**
 * Writing the output folder, or comparing it (--check). A manifest inside the folder lists the
 * files capgen wrote, so a later run removes the ones whose source is gone and never touches files
 * it did not write, nor anything outside the folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { GeneratedFile } from './emit/index.js';

export const MANIFEST = '.capgen-manifest.json';

export interface Plan {
  added: GeneratedFile[];
  changed: GeneratedFile[];
  unchanged: GeneratedFile[];
  /** Paths capgen wrote before and that no longer have a source. */
  removed: string[];
}

export function withManifest(files: GeneratedFile[]): GeneratedFile[] {
  const manifest = {
    generator: 'capgen',
    note: 'Files written by `npx capgen generate`; it removes those whose source is gone.',
    files: files.map((f) => f.path),
  };
  return [...files, { path: MANIFEST, contents: `${JSON.stringify(manifest, null, 2)}\n` }];
}

export function plan(outDir: string, files: GeneratedFile[]): Plan {
  const result: Plan = { added: [], changed: [], unchanged: [], removed: [] };
  for (const file of files) {
    const target = path.join(outDir, file.path);
    if (!fs.existsSync(target)) result.added.push(file);
    else if (fs.readFileSync(target, 'utf8') !== file.contents) result.changed.push(file);
    else result.unchanged.push(file);
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const previous of readManifest(outDir)) {
    if (
      !wanted.has(previous) &&
      isInside(outDir, previous) &&
      fs.existsSync(path.join(outDir, previous))
    )
      result.removed.push(previous);
  }
  result.removed.sort();
  return result;
}

function readManifest(outDir: string): string[] {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as {
      files?: unknown;
    };
    return Array.isArray(data.files)
      ? data.files.filter((f): f is string => typeof f === 'string')
      : [];
  } catch {
    return [];
  }
}

function isInside(outDir: string, relative: string): boolean {
  const resolved = path.resolve(outDir, relative);
  return resolved.startsWith(path.resolve(outDir) + path.sep);
}

/**
 * Applies a plan in two phases: every new content is first written beside its target as a
 * temporary file; only when all of them are written are they renamed into place (renames are
 * atomic per file) and the stale files removed. A failure in the first phase removes the
 * temporary files and leaves the folder as it was.
 */
export function apply(outDir: string, p: Plan): void {
  const pending = [...p.added, ...p.changed];
  const temps: Array<[string, string]> = [];
  try {
    for (const file of pending) {
      const target = path.join(outDir, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const temp = `${target}.capgen-${process.pid}.tmp`;
      fs.writeFileSync(temp, file.contents);
      temps.push([temp, target]);
    }
  } catch (error) {
    for (const [temp] of temps) fs.rmSync(temp, { force: true });
    throw error;
  }
  for (const [temp, target] of temps) fs.renameSync(temp, target);
  for (const stale of p.removed) {
    fs.rmSync(path.join(outDir, stale), { force: true });
    removeEmptyParents(outDir, path.dirname(path.join(outDir, stale)));
  }
}

function removeEmptyParents(outDir: string, dir: string): void {
  const root = path.resolve(outDir);
  let current = path.resolve(dir);
  while (
    current.startsWith(root + path.sep) &&
    fs.existsSync(current) &&
    fs.readdirSync(current).length === 0
  ) {
    fs.rmdirSync(current);
    current = path.dirname(current);
  }
}

/** A short unified diff of one changed file (at most `maxLines` lines). */
export function shortDiff(outDir: string, file: GeneratedFile, maxLines = 20): string {
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
