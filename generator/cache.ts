/**
 * The generation cache: what a capability produced (its formatted files, its diagnostics and the
 * named types it reaches), kept on disk under the content hash of everything it was made from, so
 * that a re-run (or `--check`) after a one-file change regenerates one capability.
 *
 * An entry is used only when its key matches: capgen's version and code, the output folder, type
 * depth, deploy targets and image, every OpenAPI document, schema and ruleset, the capability file
 * and each file it imports or reads (consumes documents, avro and protobuf schema files, a skill's
 * instruction files; recorded with their hashes, and a path looked at that was absent as absent).
 * A file that does not parse, does not match the expected shape, names a path outside its
 * capability's folder and its Kubernetes manifest, or whose content hash does not match is ignored
 * (and overwritten), never trusted. The same inputs give the same bytes with or without it.
 *
 * It lives in `node_modules/.cache/capgen/` when the project has a node_modules folder, else in
 * `.capgen-cache/` (which holds a `.gitignore` of its own); never through a symbolic link.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Diagnostic } from './diagnostics.js';
import type { GeneratedFile } from './emit/index.js';
import type { SharedNeeds } from './emit/shared.js';
import { KUBERNETES_FOLDER } from './model/names.js';
import type { Listener } from './model/ports.js';
import { OPTIONAL_RUNTIME } from './model/runtime-modules.js';
import { PACKAGE_ROOT } from './package-root.js';
import { lstat } from './paths.js';
import { GENERATOR_VERSION } from './version.js';

const FORMAT = 'capgen-cache/1';
/** An entry larger than this is not read (a cache file is never a reason to run out of memory). */
const MAX_ENTRY_BYTES = 256 * 2 ** 20;

export const sha256 = (text: string | Buffer): string =>
  createHash('sha256').update(text).digest('hex');

/** A file a capability read besides itself (an imported consumes document), with its hash. */
export interface Dependency {
  file: string;
  /** Its content hash, or ABSENT: it was looked for and was not there (or not readable). */
  sha256: string;
}

/** The `sha256` of a dependency that was absent. */
export const ABSENT = 'absent';

export interface CapabilityOutput {
  files: GeneratedFile[];
  /** Everything its checks and model reported, before rule severities and --strict. */
  diagnostics: Diagnostic[];
  /** The `$ref`s its types refer to, by shared module path (TypeModules.attach). */
  roots: Record<string, string[]>;
  /** What it asks of the files the project shares (the runtime's optional modules, the image). */
  needs: SharedNeeds;
  /** Its servers' ports, for the check that spans every capability (model/ports.ts). */
  listeners: Listener[];
}

interface Entry<T> {
  format: typeof FORMAT;
  key: string;
  deps: Dependency[];
  /** SHA-256 of the payload's JSON text (the file's lines after the first). */
  integrity: string;
  payload: T;
}

export class GenerationCache {
  /**
   * Entries this run stored, by name: each written at once to a temporary file of the cache folder
   * (so that no more than one payload is in memory), and renamed into place once the run has
   * succeeded (a failing run changes nothing on disk).
   */
  private readonly pending = new Map<string, string>();
  /** Whether the folder was made (or found), or could not be (storing does nothing then). */
  private state: 'unknown' | 'ready' | 'unusable' = 'unknown';
  /** The first folder on the way to the cache that this run created (removed by discard). */
  private createdFolder: string | undefined;

  private constructor(
    private readonly root: string,
    private readonly dir: string,
    /** Hash of everything every entry depends on. */
    private readonly base: string,
    private readonly mode: 'read' | 'write',
  ) {}

  /**
   * The project's cache, or undefined when it cannot be used (its folder, or a folder on the way
   * to it, is a link or not a folder). `inputs` is what all output depends on besides capgen itself.
   * In 'read' mode (--check, which writes nothing) storing does nothing.
   */
  static open(
    root: string,
    inputs: unknown,
    mode: 'read' | 'write' = 'write',
  ): GenerationCache | undefined {
    const modules = path.join(root, 'node_modules');
    const dir = lstat(modules)?.isDirectory()
      ? path.join(modules, '.cache', 'capgen')
      : path.join(root, '.capgen-cache');
    if (!usableDirectory(root, dir)) return undefined;
    const base = sha256(JSON.stringify([FORMAT, fingerprint(), inputs]));
    return new GenerationCache(root, dir, base, mode);
  }

  /** Puts what this run stored in place (and a .gitignore, in .capgen-cache); failures are ignored. */
  flush(): void {
    try {
      if (this.pending.size && path.basename(this.dir) === '.capgen-cache') {
        const ignore = path.join(this.dir, '.gitignore');
        if (!lstat(ignore)) writeAtomically(this.dir, ignore, '# capgen generation cache\n*\n');
      }
      for (const [name, temporary] of this.pending) {
        fs.renameSync(temporary, path.join(this.dir, name));
        this.pending.delete(name);
      }
      this.createdFolder = undefined;
    } catch {
      // A cache that cannot be written (read-only, full disk) only makes the next run slower.
    }
    this.discard();
  }

  /** Drops what this run stored and did not flush (the folder too, when this run made it). */
  discard(): void {
    for (const temporary of this.pending.values()) fs.rmSync(temporary, { force: true });
    this.pending.clear();
    if (this.createdFolder) fs.rmSync(this.createdFolder, { recursive: true, force: true });
    this.createdFolder = undefined;
  }

  /** Where the entries are (for messages and tests). */
  get folder(): string {
    return this.dir;
  }

  /**
   * The output of capability `id` from `file` (its text `text`), when an earlier run stored it for
   * these very inputs; `current` gives the hash of a file it read now (ABSENT: absent, unreadable).
   */
  lookupCapability(
    id: string,
    file: string,
    text: string,
    current: (file: string) => string,
  ): CapabilityOutput | undefined {
    const entry = this.read(`capability-${sha256(file)}`, this.key('capability', file, text));
    if (!entry || !entry.deps.every((d) => current(d.file) === d.sha256)) return undefined;
    return validCapabilityOutput(entry.payload, id);
  }

  storeCapability(file: string, text: string, deps: Dependency[], output: CapabilityOutput): void {
    this.write(`capability-${sha256(file)}`, this.key('capability', file, text), deps, output);
  }

  /** A shared types module's formatted text, for these roots (all capabilities' together). */
  lookupModule(modulePath: string, roots: readonly string[]): string | undefined {
    const entry = this.read(`module-${sha256(modulePath)}`, this.key('module', modulePath, roots));
    return entry && typeof entry.payload === 'string' ? entry.payload : undefined;
  }

  storeModule(modulePath: string, roots: readonly string[], contents: string): void {
    this.write(`module-${sha256(modulePath)}`, this.key('module', modulePath, roots), [], contents);
  }

  private key(...parts: unknown[]): string {
    return sha256(JSON.stringify([this.base, ...parts]));
  }

  private read(name: string, key: string): Entry<unknown> | undefined {
    const file = path.join(this.dir, `${name}.json`);
    try {
      const stat = lstat(file);
      if (!stat?.isFile() || stat.size > MAX_ENTRY_BYTES) return undefined;
      // First line: the entry's header; the rest: its payload, whose hash the header holds.
      const text = fs.readFileSync(file, 'utf8');
      const newline = text.indexOf('\n');
      const header = JSON.parse(text.slice(0, newline)) as unknown;
      if (!isRecord(header) || header.format !== FORMAT || header.key !== key) return undefined;
      const deps = header.deps;
      if (
        !Array.isArray(deps) ||
        !deps.every(
          (d) => isRecord(d) && typeof d.file === 'string' && typeof d.sha256 === 'string',
        )
      )
        return undefined;
      const payload = text.slice(newline + 1);
      if (newline < 0 || header.integrity !== sha256(payload)) return undefined;
      return { ...(header as Omit<Entry<unknown>, 'payload'>), payload: JSON.parse(payload) };
    } catch {
      return undefined; // unreadable or not JSON: as if absent
    }
  }

  private write(name: string, key: string, deps: Dependency[], payload: unknown): void {
    if (this.mode === 'read' || this.state === 'unusable') return;
    if (this.state === 'unknown') {
      const made = ensureDirectory(this.root, this.dir);
      this.state = made === false ? 'unusable' : 'ready';
      if (made === false) return;
      this.createdFolder = made || undefined;
    }
    const text = JSON.stringify(payload);
    const header = { format: FORMAT, key, deps, integrity: sha256(text) };
    const temporary = path.join(this.dir, `.${randomUUID()}.tmp`);
    try {
      fs.writeFileSync(temporary, `${JSON.stringify(header)}\n${text}`, { flag: 'wx' });
      const previous = this.pending.get(`${name}.json`);
      if (previous) fs.rmSync(previous, { force: true });
      this.pending.set(`${name}.json`, temporary);
    } catch {
      fs.rmSync(temporary, { force: true }); // a full disk only makes the next run slower
    }
  }
}

/** The payload as a capability's output, when it has exactly that shape; else undefined. */
function validCapabilityOutput(payload: unknown, id: string): CapabilityOutput | undefined {
  if (!isRecord(payload)) return undefined;
  const { files, diagnostics, roots, needs, listeners } = payload;
  const prefix = `${id}/`;
  const validPath = (p: unknown) =>
    typeof p === 'string' &&
    (p === `${KUBERNETES_FOLDER}/${id}.yaml` ||
      (p.startsWith(prefix) &&
        p
          .slice(prefix.length)
          .split('/')
          .every((segment) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(segment))));
  if (
    !Array.isArray(files) ||
    !files.every((f) => isRecord(f) && validPath(f.path) && typeof f.contents === 'string') ||
    new Set(files.map((f) => (f as GeneratedFile).path)).size !== files.length
  )
    return undefined;
  if (!Array.isArray(diagnostics) || !diagnostics.every(isDiagnostic)) return undefined;
  if (
    !isRecord(roots) ||
    !Object.entries(roots).every(
      ([module, refs]) =>
        /^types\/[A-Za-z0-9_][A-Za-z0-9_.-]*\.ts$/.test(module) &&
        Array.isArray(refs) &&
        refs.every((r) => typeof r === 'string'),
    )
  )
    return undefined;
  if (
    !isRecord(needs) ||
    typeof needs.server !== 'boolean' ||
    !Array.isArray(needs.runtimeModules) ||
    !needs.runtimeModules.every((m) => typeof m === 'string' && Object.hasOwn(OPTIONAL_RUNTIME, m))
  )
    return undefined;
  if (!Array.isArray(listeners) || !listeners.every(isListener)) return undefined;
  return {
    files: files.map((f) => ({ path: f.path as string, contents: f.contents as string })),
    diagnostics: diagnostics.map((d) => ({ ...d })),
    roots: roots as Record<string, string[]>,
    needs: { runtimeModules: needs.runtimeModules as string[], server: needs.server },
    listeners: listeners.map((l) => ({ ...l, at: { ...l.at } })),
  };
}

const position = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 1;

function isListener(l: unknown): l is Listener {
  return (
    isRecord(l) &&
    (l.kind === 'REST adapter' || l.kind === 'MCP server') &&
    typeof l.namespace === 'string' &&
    Number.isSafeInteger(l.port) &&
    typeof l.address === 'string' &&
    typeof l.portEnv === 'string' &&
    typeof l.file === 'string' &&
    isRecord(l.at) &&
    position(l.at.line) &&
    position(l.at.col) &&
    Object.keys(l).length === 7 &&
    Object.keys(l.at).length === 2
  );
}

function isDiagnostic(d: unknown): d is Diagnostic {
  return (
    isRecord(d) &&
    typeof d.file === 'string' &&
    position(d.line) &&
    position(d.col) &&
    (d.severity === 'error' || d.severity === 'warning' || d.severity === 'info') &&
    typeof d.rule === 'string' &&
    typeof d.message === 'string' &&
    (d.hint === undefined || typeof d.hint === 'string') &&
    (d.advisory === undefined || typeof d.advisory === 'boolean') &&
    (d.verboseOnly === undefined || typeof d.verboseOnly === 'boolean') &&
    Object.keys(d).every((k) =>
      [
        'file',
        'line',
        'col',
        'severity',
        'rule',
        'message',
        'hint',
        'advisory',
        'verboseOnly',
      ].includes(k),
    )
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** False when a part of `dir` (under `root`) exists as anything but a folder (a link, a file). */
function usableDirectory(root: string, dir: string): boolean {
  let current = root;
  for (const part of path.relative(root, dir).split(path.sep)) {
    current = path.join(current, part);
    const stat = lstat(current);
    if (!stat) return true;
    if (!stat.isDirectory()) return false;
  }
  return true;
}

/**
 * Creates `dir` under `root` as needed: the first folder it created ('' when it existed), or false
 * when a part of it exists as anything but a folder or cannot be made.
 */
function ensureDirectory(root: string, dir: string): string | false {
  let current = root;
  let created = '';
  for (const part of path.relative(root, dir).split(path.sep)) {
    current = path.join(current, part);
    const stat = lstat(current);
    if (stat && !stat.isDirectory()) return false;
    if (!stat) {
      try {
        fs.mkdirSync(current);
      } catch {
        return false;
      }
      if (!lstat(current)?.isDirectory()) return false;
      created ||= current;
    }
  }
  return created;
}

/** Writes a file by renaming a fresh temporary file over it, so a reader never sees half of it. */
function writeAtomically(dir: string, file: string, contents: string): void {
  const temporary = path.join(dir, `.${randomUUID()}.tmp`);
  try {
    fs.writeFileSync(temporary, contents, { flag: 'wx' });
    fs.renameSync(temporary, file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

let cachedFingerprint: string | undefined;

/**
 * What capgen's output depends on besides its inputs: its version, its code (the build, or the
 * sources when they run), its templates, and the versions of the packages that shape the output.
 */
function fingerprint(): string {
  if (cachedFingerprint) return cachedFingerprint;
  const hash = createHash('sha256').update(GENERATOR_VERSION);
  const code = path.dirname(fileURLToPath(import.meta.url));
  for (const dir of [code, path.join(PACKAGE_ROOT, 'templates')])
    for (const file of filesUnder(dir)) hash.update(file).update(fs.readFileSync(file));
  const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
  for (const name of [
    'prettier',
    'openapi-typescript',
    'typescript',
    'handlebars',
    'yaml',
    'htmlparser2',
    '@apidevtools/json-schema-ref-parser',
    'ajv',
  ]) {
    try {
      hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
    } catch {
      hash.update(`${name}@?`); // a package that hides its package.json: its version cannot matter more
    }
  }
  return (cachedFingerprint = hash.digest('hex'));
}

/** Files under a folder, sorted, skipping links. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out;
}
