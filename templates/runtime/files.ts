/**
 * Files under a folder, read at run time: the files of MCP static resources, file-based prompts and
 * the skill catalog's folders. Every path a caller names is relative to a root the capability
 * declares (a `file:///` location) and is checked segment by segment before anything is opened:
 * letters, digits, `.`, `_` and `-` only, never `.` or `..`, never a dot file; symbolic links are
 * refused wherever they are met below the root (and the file itself is opened with O_NOFOLLOW);
 * sizes are capped before the bytes are read.
 *
 * Node's fs is looked up at run time (`process.getBuiltinModule`), so this module also loads where
 * there is no file system (an edge runtime); there, reading fails with a `FileAccessError`.
 */

/** Why a file could not be served: `refused` (a bad or unsafe path), `not-found`, `too-large`, `unavailable`. */
export class FileAccessError extends Error {
  constructor(
    message: string,
    readonly reason: 'refused' | 'not-found' | 'too-large' | 'unavailable',
  ) {
    super(message);
    this.name = 'FileAccessError';
  }
}

/** Largest file served whole (a resource, a prompt file, a skill file): 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Most files listed under one folder, and how deep the listing goes. */
export const DEFAULT_MAX_LISTED_FILES = 1000;
export const DEFAULT_MAX_LIST_DEPTH = 8;

/** A path segment that may be served: no `.`/`..`, no dot file, nothing but `[A-Za-z0-9._-]`. */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export function isSafeSegment(segment: string): boolean {
  return SAFE_SEGMENT.test(segment) && segment.length <= 255;
}

interface Stats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}
interface DirEntry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}
interface FileHandle {
  stat(): Promise<Stats>;
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}
interface NodeFs {
  constants: { O_RDONLY: number; O_NOFOLLOW?: number };
  promises: {
    lstat(path: string): Promise<Stats>;
    stat(path: string): Promise<Stats>;
    readdir(path: string, options: { withFileTypes: true }): Promise<DirEntry[]>;
    open(path: string, flags: number): Promise<FileHandle>;
  };
}

function nodeFs(): NodeFs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs?.promises)
    throw new FileAccessError('files cannot be read here (no file system)', 'unavailable');
  return fs;
}

/** The folder or file a `file:///` URI names. */
export function fileUriPath(uri: string): string {
  return decodeURIComponent(new URL(uri).pathname);
}

const join = (root: string, segments: readonly string[]): string =>
  [root.replace(/\/+$/, ''), ...segments].join('/');

async function lstatOrUndefined(fs: NodeFs, path: string): Promise<Stats | undefined> {
  try {
    return await fs.promises.lstat(path);
  } catch {
    return undefined;
  }
}

/** The root folder, which must exist (it may itself be a link: the operator chose it). */
async function rootFolder(fs: NodeFs, root: string): Promise<void> {
  const stats = await fs.promises.stat(root).catch(() => undefined);
  if (!stats?.isDirectory()) throw new FileAccessError('the folder is not there', 'not-found');
}

/**
 * Reads `segments` (already checked with `isSafeSegment`) under `root`: every folder on the way
 * must be a real folder and the file a regular file, none of them a link, at most `maxBytes` long.
 */
export async function readUnder(
  root: string,
  segments: readonly string[],
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<Uint8Array> {
  if (segments.length === 0 || !segments.every(isSafeSegment))
    throw new FileAccessError('the path is not a safe relative path', 'refused');
  const fs = nodeFs();
  await rootFolder(fs, root);
  for (let i = 1; i < segments.length; i++) {
    const stats = await lstatOrUndefined(fs, join(root, segments.slice(0, i)));
    if (!stats) throw new FileAccessError('no such file', 'not-found');
    if (stats.isSymbolicLink())
      throw new FileAccessError('the path goes through a link', 'refused');
    if (!stats.isDirectory()) throw new FileAccessError('no such file', 'not-found');
  }
  return readRegularFile(fs, join(root, segments), maxBytes);
}

/** Reads one file named by the capability (a prompt's `location`): a regular file, not a link. */
export async function readFileAt(
  path: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<Uint8Array> {
  return readRegularFile(nodeFs(), path, maxBytes);
}

async function readRegularFile(fs: NodeFs, path: string, maxBytes: number): Promise<Uint8Array> {
  const stats = await lstatOrUndefined(fs, path);
  if (!stats) throw new FileAccessError('no such file', 'not-found');
  if (stats.isSymbolicLink()) throw new FileAccessError('the file is a link', 'refused');
  if (stats.isDirectory()) throw new FileAccessError('it is a folder, not a file', 'refused');
  if (!stats.isFile()) throw new FileAccessError('it is not a regular file', 'refused');
  const handle = await fs.promises
    .open(path, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0))
    .catch(() => {
      throw new FileAccessError('the file cannot be opened', 'refused');
    });
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw new FileAccessError('it is not a regular file', 'refused');
    if (opened.size > maxBytes)
      throw new FileAccessError(`the file is larger than ${maxBytes} bytes`, 'too-large');
    // One byte more than allowed, so a file that grew since fstat is caught too.
    const buffer = new Uint8Array(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes)
        throw new FileAccessError(`the file is larger than ${maxBytes} bytes`, 'too-large');
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

export interface ListedFile {
  /** Relative path, `/`-separated, every segment safe. */
  path: string;
  size: number;
}

/**
 * The regular files under `root`, sorted by path: links, dot files and names `readUnder` would
 * refuse are left out, as is anything deeper than `maxDepth` or past the first `maxFiles`.
 */
export async function listFiles(
  root: string,
  limits: { maxFiles?: number; maxDepth?: number } = {},
): Promise<{ files: ListedFile[]; truncated: boolean }> {
  const maxFiles = limits.maxFiles ?? DEFAULT_MAX_LISTED_FILES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_LIST_DEPTH;
  const fs = nodeFs();
  await rootFolder(fs, root);
  const files: ListedFile[] = [];
  let truncated = false;
  const walk = async (segments: string[]): Promise<void> => {
    const entries = await fs.promises
      .readdir(join(root, segments), { withFileTypes: true })
      .catch(() => [] as DirEntry[]);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length > maxFiles) return;
      if (!isSafeSegment(entry.name)) continue;
      const path = [...segments, entry.name];
      // Dirent types come from lstat: a link is neither a file nor a directory here.
      if (entry.isDirectory()) {
        if (path.length < maxDepth) await walk(path);
        else truncated = true;
      } else if (entry.isFile()) {
        const stats = await lstatOrUndefined(fs, join(root, path));
        if (stats?.isFile()) files.push({ path: path.join('/'), size: stats.size });
      }
    }
  };
  await walk([]);
  if (files.length > maxFiles) return { files: files.slice(0, maxFiles), truncated: true };
  return { files, truncated };
}

const MIME_TYPES: Record<string, string> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  txt: 'text/plain',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  ts: 'text/x-typescript',
  py: 'text/x-python',
  sh: 'text/x-shellscript',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

/** The media type a file name's extension stands for, if it is a known one. */
export function mimeTypeOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? MIME_TYPES[name.slice(dot + 1).toLowerCase()] : undefined;
}

/** Whether content of this media type is text (served as text when it is valid UTF-8). */
export function isTextType(mimeType: string): boolean {
  const type = mimeType.split(';')[0].trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/(json|yaml|xml|javascript|x-yaml)$/.test(type) ||
    /\+(json|xml|yaml)$/.test(type)
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text when they are valid UTF-8, else undefined. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
