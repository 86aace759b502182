/**
 * Where inputs come from and where output goes: defaults, an optional capgen.config.yaml, and CLI
 * flags, in that order of precedence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { DiagnosticBag } from './diagnostics.js';
import { checkShape } from './check/shape.js';
import { parseSource, type SourceDocument } from './load/source.js';
import { inputFileProblem, lstat, outsideProblem, toPosix } from './paths.js';

export { toPosix };

export interface ResolvedConfig {
  root: string;
  /** OpenAPI documents, relative to root. */
  openapi: string[];
  /** Capability files, relative to root. */
  capabilities: string[];
  out: string;
  strict: boolean;
  /** How many $ref hops of response types are typed in detail (deeper objects stay opaque JSON). */
  typeDepth: number;
}

export interface ConfigFlags {
  config?: string;
  out?: string;
  openapi?: string[];
  strict?: boolean;
}

const CONFIG_FILE = 'capgen.config.yaml';
const SPEC_EXTENSIONS = /\.(ya?ml|json)$/i;

const configShape = {
  kind: 'object' as const,
  name: 'capgen config',
  fields: {
    openapi: { shape: { kind: 'array' as const, items: { kind: 'string' as const } } },
    capabilities: { shape: { kind: 'array' as const, items: { kind: 'string' as const } } },
    out: { shape: { kind: 'string' as const } },
    strict: { shape: { kind: 'boolean' as const } },
    typeDepth: { shape: { kind: 'integer' as const, min: 1, max: 10 } },
  },
};

export async function resolveConfig(
  root: string,
  flags: ConfigFlags,
  bag: DiagnosticBag,
): Promise<ResolvedConfig | undefined> {
  // lstat, so that a config file that is a dangling link is reported rather than ignored.
  const configPath =
    flags.config ?? (lstat(path.join(root, CONFIG_FILE)) ? CONFIG_FILE : undefined);
  let fromFile: {
    openapi?: string[];
    capabilities?: string[];
    out?: string;
    strict?: boolean;
    typeDepth?: number;
  } = {};
  if (configPath) {
    const absolute = path.resolve(root, configPath);
    const problem = inputFileProblem(root, configPath);
    if (problem) {
      if (problem === 'missing')
        bag.error(
          configPath,
          { line: 1, col: 1 },
          'io/not-found',
          `config file '${configPath}' does not exist`,
          'check the --config path',
        );
      else bag.error(configPath, { line: 1, col: 1 }, problem.rule, problem.message, problem.hint);
      return undefined;
    }
    const before = bag.errorCount;
    const source = parseSource(configPath, fs.readFileSync(absolute, 'utf8'), bag);
    if (bag.errorCount === before) checkShape(source, bag, configShape, source.data ?? {}, []);
    if (bag.errorCount === before) checkConfigPaths(root, source, bag);
    if (bag.errorCount > before) return undefined;
    fromFile = (source.data ?? {}) as typeof fromFile;
  }
  const base = configPath ? path.dirname(path.resolve(root, configPath)) : root;
  const rel = (p: string) => toPosix(path.relative(root, path.resolve(base, p)));
  const expand = async (patterns: string[]) =>
    [...new Set(await expandOrKeep(patterns.map(rel), root))].sort(); // literal paths kept, so a missing file is reported
  let openapi = fromFile.openapi ? await expandOrKeep(fromFile.openapi.map(rel), root) : undefined;
  let capabilities = fromFile.capabilities ? await expand(fromFile.capabilities) : undefined;
  if (!openapi || !capabilities) {
    const discovered = discoverSpecs(root, 'specs');
    openapi ??= discovered.openapi;
    capabilities ??= discovered.capabilities;
  }
  for (const extra of [...(flags.openapi ?? []), ...(flags.out ? [flags.out] : [])]) {
    const problem = outsideProblem(root, extra);
    if (problem) bag.error(extra, { line: 1, col: 1 }, problem.rule, problem.message, problem.hint);
  }
  if (bag.hasErrors()) return undefined;
  for (const extra of flags.openapi ?? []) {
    const p = toPosix(path.relative(root, path.resolve(root, extra)));
    if (!openapi.includes(p)) openapi = [...openapi, p];
  }
  if (!capabilities.length) {
    bag.error(
      configPath ?? 'specs',
      { line: 1, col: 1 },
      'io/no-capabilities',
      'no capability files found',
      configPath
        ? "check the 'capabilities' globs"
        : 'put Naftiko capability YAML files under specs/ or write a capgen.config.yaml',
    );
    return undefined;
  }
  return {
    root,
    openapi,
    capabilities,
    // Relative to the project root, so nothing machine-specific reaches generated files.
    out: flags.out
      ? toPosix(path.relative(root, path.resolve(root, flags.out))) || '.'
      : fromFile.out
        ? rel(fromFile.out)
        : 'generated',
    strict: flags.strict ?? fromFile.strict ?? false,
    typeDepth: fromFile.typeDepth ?? 2,
  };
}

/** Literal paths are kept even when missing (so the loader reports them); globs are expanded. */
async function expandOrKeep(patterns: string[], root: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    // Links are not followed: a linked folder could lead anywhere.
    if (/[*?[{]/.test(p))
      out.push(...(await glob([p], { cwd: root, followSymbolicLinks: false })).map(toPosix).sort());
    else out.push(p);
  }
  return out;
}

/** Without a config: every YAML/JSON file in specs/ is an OpenAPI document or a capability, by its first key. */
function discoverSpecs(root: string, dir: string): { openapi: string[]; capabilities: string[] } {
  const openapi: string[] = [];
  const capabilities: string[] = [];
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return { openapi, capabilities };
  for (const entry of fs
    .readdirSync(absolute, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = entry.name;
    if (!SPEC_EXTENSIONS.test(name)) continue;
    const file = `${dir}/${name}`;
    // Only regular files inside the project are read; anything else is listed, for the loader to
    // report (a linked specs/ folder leads outside).
    if (!entry.isFile() || inputFileProblem(root, file)) {
      capabilities.push(file);
      continue;
    }
    const head = fs.readFileSync(path.join(absolute, name), 'utf8').slice(0, 4096);
    if (/^\s*["']?(openapi|swagger)["']?\s*:/m.test(head)) openapi.push(file);
    else capabilities.push(file);
  }
  return { openapi, capabilities };
}

/** Paths a config file names (a glob by the part before its first wildcard) lie inside the project. */
function checkConfigPaths(root: string, source: SourceDocument, bag: DiagnosticBag): void {
  const data = (source.data ?? {}) as { openapi?: string[]; capabilities?: string[]; out?: string };
  const base = path.dirname(path.resolve(root, source.file));
  const entries: Array<[Array<string | number>, string]> = [
    ...(data.openapi ?? []).map((p, i): [Array<string | number>, string] => [['openapi', i], p]),
    ...(data.capabilities ?? []).map((p, i): [Array<string | number>, string] => [
      ['capabilities', i],
      p,
    ]),
    ...(data.out === undefined ? [] : [[['out'], data.out] as [Array<string | number>, string]]),
  ];
  for (const [at, p] of entries) {
    const problem = outsideProblem(root, p.split(/[*?[{]/)[0] || '.', base, p);
    if (problem)
      bag.error(source.file, source.locate(at), problem.rule, problem.message, problem.hint);
  }
}
