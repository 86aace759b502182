/**
 * Where generated files go as they are produced. A run's output can be larger than what is worth
 * keeping in memory (Stripe's 62 capabilities: 17 MB of text, which V8 would hold at a multiple of
 * that), so a run of the CLI spills each file to disk as soon as it is formatted (OutputStore) and
 * keeps only its path, SHA-256 and size; its contents are read back when asked for (a short diff).
 *
 * A write run stores straight into the staging folder beside the output folder (write.ts swaps it
 * in), so no second copy is made; the store is removed when the run fails. --check writes nothing
 * anywhere: each file is compared with the output folder's as it is made, and only those that
 * differ are kept (CheckStore). The programmatic API keeps files in memory unless it asks for a
 * store (memorySink).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { announceStaging } from './generate-thread.js';
import type { GeneratedFile } from './emit/index.js';
import { lstat } from './paths.js';

/** A generated file, known by its path, hash and size; `contents` may be read from disk. */
export interface StoredFile extends GeneratedFile {
  readonly sha256: string;
  /** Its size in bytes (UTF-8). */
  readonly size: number;
  /** Where its stored copy is on disk; absent for a file held in memory. */
  readonly location?: string;
}

/** Takes each generated file as it is produced. */
export interface FileSink {
  put(file: string, contents: string): StoredFile;
}

/** Where a run of the CLI generates into; `dispose` removes what it wrote (none for --check). */
export interface RunStore extends FileSink {
  dispose(): void;
}

export const sha256 = (contents: string | Buffer): string =>
  createHash('sha256').update(contents).digest('hex');

/** Keeps every file in memory (the programmatic API's default; small projects, tests). */
export const memorySink: FileSink = {
  put: (file, contents) => ({
    path: file,
    contents,
    sha256: sha256(contents),
    size: Buffer.byteLength(contents),
  }),
};

/**
 * The file-system calls that write output, replaceable so that a test can make one of them fail (a
 * full disk on the fifth file, a refused rename) and check that nothing changed.
 */
export interface WriteOps {
  writeFile(file: string, contents: string): void;
  rename(from: string, to: string): void;
}

export const nodeOps: WriteOps = {
  writeFile: (file, contents) => fs.writeFileSync(file, contents),
  rename: (from, to) => fs.renameSync(from, to),
};

/** A fresh staging folder's name for `outDir`: beside it, so that a rename can swap it in. */
export function stagingFolder(outDir: string): string {
  const resolved = path.resolve(outDir);
  const folder = path.join(
    path.dirname(resolved),
    `.${path.basename(resolved)}.capgen-${randomUUID()}`,
  );
  announceStaging(folder);
  return folder;
}

/** A store that could not be written (a full disk, permissions): the run fails, nothing written. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Generated files on disk, in a folder of their own (created on the first file). */
export class OutputStore implements RunStore {
  private created = false;
  /** The first folder on the way to the store that this run created (removed with it). */
  private createdParent: string | undefined;
  private current: string;

  private constructor(
    folder: string,
    private readonly ops: Pick<WriteOps, 'writeFile'>,
  ) {
    this.current = folder;
  }

  /** A store that is the staging folder of `outDir` (write.ts `apply` swaps it in). */
  static staging(outDir: string, ops: Pick<WriteOps, 'writeFile'> = nodeOps): OutputStore {
    return new OutputStore(stagingFolder(outDir), ops);
  }

  /** Where the files are: the store's folder, or the output folder once it was swapped in. */
  get folder(): string {
    return this.current;
  }

  /** Creates the folder when it does not exist yet. */
  open(): void {
    if (this.created) return;
    try {
      this.createdParent = fs.mkdirSync(path.dirname(this.current), { recursive: true });
      fs.mkdirSync(this.current);
    } catch (error) {
      throw storeError(this.current, error);
    }
    this.created = true;
  }

  put(file: string, contents: string): StoredFile {
    this.open();
    const target = inside(this.current, file);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      this.ops.writeFile(target, contents);
    } catch (error) {
      throw storeError(file, error);
    }
    return new DiskFile(this, file, sha256(contents), Buffer.byteLength(contents));
  }

  /** The folder was renamed to `to` (the output folder): it is no longer the store's to remove. */
  movedTo(to: string): void {
    this.current = path.resolve(to);
    this.created = false;
    this.createdParent = undefined;
  }

  /** Removes the folder and everything in it (and the folders made on the way to it). */
  dispose(): void {
    if (!this.created) return;
    fs.rmSync(this.createdParent ?? this.current, { recursive: true, force: true });
    this.created = false;
    this.createdParent = undefined;
  }
}

class DiskFile implements StoredFile {
  constructor(
    private readonly store: OutputStore,
    readonly path: string,
    readonly sha256: string,
    readonly size: number,
  ) {}

  get location(): string {
    return path.join(this.store.folder, this.path);
  }

  get contents(): string {
    return fs.readFileSync(this.location, 'utf8');
  }
}

/**
 * --check's store: nothing is written. A file the output folder holds as it is (a regular file,
 * same bytes) is kept as its path, hash and size, its contents being the output folder's; one that
 * differs or is missing is kept in memory, for the diff. An up-to-date tree costs no memory.
 */
export class CheckStore implements RunStore {
  private readonly outDir: string;

  constructor(outDir: string) {
    this.outDir = path.resolve(outDir);
  }

  put(file: string, contents: string): StoredFile {
    const target = inside(this.outDir, file);
    const size = Buffer.byteLength(contents);
    const existing = lstat(target);
    if (
      existing?.isFile() &&
      existing.size === size &&
      fs.readFileSync(target, 'utf8') === contents
    )
      return new SameFile(target, file, sha256(contents), size);
    return memorySink.put(file, contents);
  }

  dispose(): void {}
}

/**
 * A generated file the output folder already holds, byte for byte: its stored copy (`location`) is
 * the output folder's own file, which write.ts `plan` therefore counts as unchanged.
 */
class SameFile implements StoredFile {
  constructor(
    readonly location: string,
    readonly path: string,
    readonly sha256: string,
    readonly size: number,
  ) {}

  get contents(): string {
    return fs.readFileSync(this.location, 'utf8');
  }
}

/** Where `file` goes in `folder`; a path that would leave it is a bug of the generator. */
function inside(folder: string, file: string): string {
  const target = path.resolve(folder, file);
  if (!target.startsWith(folder + path.sep))
    throw new Error(`generated file '${file}' would be outside the output folder`);
  return target;
}

function storeError(file: string, error: unknown): StoreError {
  const { message, code } = error as NodeJS.ErrnoException;
  return new StoreError(`could not store ${file}: ${message ?? String(error)}`, code);
}
