/**
 * Where inputs come from and where output goes: defaults, an optional capgen.config.yaml, and CLI
 * flags, in that order of precedence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { DiagnosticBag, type RuleSeverities } from './diagnostics.js';
import type { ExplainingValidator } from './check/schema-explain.js';
import { ownValidator } from './check/schema-precompiled.js';
import { reportSchemaIssues } from './check/schema-report.js';
import { parseSource, type SourceDocument } from './load/source.js';
import { inputFileProblem, lstat, outsideProblem, toPosix } from './paths.js';
import {
  checkTargets,
  DEFAULT_IMAGE,
  IMAGE_PATTERN,
  TARGETS,
  type Target,
} from './model/deploy.js';

export { toPosix };

export interface ResolvedConfig {
  root: string;
  /** OpenAPI documents, relative to root. */
  openapi: string[];
  /** Capability files, relative to root. */
  capabilities: string[];
  out: string;
  strict: boolean;
  /**
   * When set, how many `$ref` hops from an operation are typed in detail (deeper objects stay
   * opaque JSON objects); unset, every reachable schema is typed.
   */
  typeDepth?: number;
  /** Official Naftiko JSON Schema files or folders (relative to root); empty: capgen's own schema. */
  schema: string[];
  /** Spectral rulesets run on every capability file (relative to root). */
  rulesets: string[];
  /** Severity overrides by rule id. */
  rules: RuleSeverities;
  /** What to generate besides the client: `node` (always) and the deploy targets, in TARGETS order. */
  targets: Target[];
  /** The container image the Kubernetes manifests run. */
  image: string;
  /** The config file, when one was read (for positions of its entries). */
  configSource?: SourceDocument;
}

export interface ConfigFlags {
  config?: string;
  out?: string;
  openapi?: string[];
  strict?: boolean;
  schema?: string[];
  ruleset?: string[];
}

const CONFIG_FILE = 'capgen.config.yaml';
const SPEC_EXTENSIONS = /\.(ya?ml|json)$/i;

const stringList = { type: 'array', items: { type: 'string' } };
/** capgen.config.yaml's schema (precompiled by the build: schema-precompile.ts). */
export const CONFIG_SCHEMA = {
  $id: 'https://capgen.invalid/config.json',
  type: 'object',
  properties: {
    openapi: stringList,
    capabilities: stringList,
    out: { type: 'string' },
    strict: { type: 'boolean' },
    typeDepth: { type: 'integer', minimum: 1, maximum: 10 },
    schema: { anyOf: [{ type: 'string' }, stringList] },
    rulesets: stringList,
    rules: {
      type: 'object',
      additionalProperties: { type: 'string', enum: ['off', 'info', 'warning', 'error'] },
    },
    targets: { type: 'array', items: { type: 'string', enum: TARGETS }, uniqueItems: true },
    image: { type: 'string', pattern: IMAGE_PATTERN.source },
  },
  additionalProperties: false,
};
/** The name of the config schema's precompiled validators. */
export const CONFIG_VALIDATORS = 'config';
let configValidator: ExplainingValidator | undefined;

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
    schema?: string | string[];
    rulesets?: string[];
    rules?: RuleSeverities;
    targets?: Target[];
    image?: string;
  } = {};
  let configSource: SourceDocument | undefined;
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
    if (bag.errorCount === before) {
      configValidator ??= ownValidator(CONFIG_VALIDATORS, () => CONFIG_SCHEMA);
      reportSchemaIssues(source, bag, configValidator.validate(source.data ?? {}));
    }
    if (bag.errorCount === before) checkConfigPaths(root, source, bag);
    if (bag.errorCount > before) return undefined;
    fromFile = (source.data ?? {}) as typeof fromFile;
    configSource = source;
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
  const named = [
    ...(flags.openapi ?? []),
    ...(flags.out ? [flags.out] : []),
    ...(flags.schema ?? []),
    ...(flags.ruleset ?? []),
  ];
  for (const extra of named) {
    const problem = outsideProblem(root, extra);
    if (problem) bag.error(extra, { line: 1, col: 1 }, problem.rule, problem.message, problem.hint);
  }
  if (bag.hasErrors()) return undefined;
  const fromCwd = (p: string) => toPosix(path.relative(root, path.resolve(root, p)));
  for (const extra of flags.openapi ?? []) {
    const p = fromCwd(extra);
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
  // Relative to the project root, so nothing machine-specific reaches generated files.
  const out = flags.out
    ? toPosix(path.relative(root, path.resolve(root, flags.out))) || '.'
    : fromFile.out
      ? rel(fromFile.out)
      : 'generated';
  const targets = TARGETS.filter((t) => t === 'node' || fromFile.targets?.includes(t));
  if (!checkTargets(targets, out, configPath ?? CONFIG_FILE, configSource, bag)) return undefined;
  return {
    root,
    openapi,
    capabilities,
    out,
    strict: flags.strict ?? fromFile.strict ?? false,
    ...(fromFile.typeDepth === undefined ? {} : { typeDepth: fromFile.typeDepth }),
    schema: flags.schema?.length
      ? flags.schema.map(fromCwd)
      : [fromFile.schema ?? []].flat().map(rel),
    rulesets: flags.ruleset?.length
      ? flags.ruleset.map(fromCwd)
      : (fromFile.rulesets ?? []).map(rel),
    rules: fromFile.rules ?? {},
    targets,
    image: fromFile.image ?? DEFAULT_IMAGE,
    configSource,
  };
}

/**
 * The command that regenerates the output of a run: `npx capgen generate` with the options that
 * change what it writes (`--config`, `--openapi`, `--out`), their paths relative to the project
 * root, so the same inputs give the same headers from any working directory; a config file found
 * by default is named, not passed.
 */
export function regenerateCommand(config: ResolvedConfig, flags: ConfigFlags): string {
  const fromRoot = (p: string) => toPosix(path.relative(config.root, path.resolve(config.root, p)));
  const args = ['npx', 'capgen', 'generate'];
  if (flags.config) args.push('--config', fromRoot(flags.config));
  for (const file of flags.openapi ?? []) args.push('--openapi', fromRoot(file));
  if (flags.out) args.push('--out', config.out);
  const command = args.map(shellWord).join(' ');
  return config.configSource && !flags.config
    ? `${command} (settings: ${config.configSource.file})`
    : command;
}

/** A word as a POSIX shell reads it: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
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

/**
 * Without a config: every YAML/JSON file under specs/ (subfolders included, such as the ones
 * `capgen import --out specs/<api>` writes) is an OpenAPI document or a capability, by its first key.
 */
function discoverSpecs(root: string, dir: string): { openapi: string[]; capabilities: string[] } {
  const openapi: string[] = [];
  const capabilities: string[] = [];
  const visit = (relative: string) => {
    const absolute = path.join(root, relative);
    for (const entry of fs
      .readdirSync(absolute, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = `${relative}/${entry.name}`;
      // A linked folder is not entered: it could lead anywhere.
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') visit(file);
        continue;
      }
      if (!SPEC_EXTENSIONS.test(entry.name)) continue;
      // Only regular files inside the project are read; anything else is listed, for the loader
      // to report (a link, or a linked specs/ folder that leads outside).
      if (!entry.isFile() || inputFileProblem(root, file)) capabilities.push(file);
      else if (isOpenApi(path.join(absolute, entry.name))) openapi.push(file);
      else capabilities.push(file);
    }
  };
  if (fs.existsSync(path.join(root, dir))) visit(dir);
  return { openapi, capabilities };
}

/**
 * OpenAPI documents start with `openapi:` (or `swagger:`); a JSON one may name it last, after all
 * its components (Stripe's spec3.json does), so JSON is parsed when its head does not tell.
 */
function isOpenApi(file: string): boolean {
  const text = fs.readFileSync(file, 'utf8');
  if (/^\s*["']?(openapi|swagger)["']?\s*:/m.test(text.slice(0, 4096))) return true;
  if (!file.toLowerCase().endsWith('.json')) return false;
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null && ('openapi' in data || 'swagger' in data);
  } catch {
    return false; // read as a capability, whose loader reports the syntax error with its position
  }
}

type ConfigEntry = [Array<string | number>, string];

/**
 * Paths a config file names (a glob by the part before its first wildcard) lie inside the project:
 * inputs, the output folder, schemas and rulesets.
 */
function checkConfigPaths(root: string, source: SourceDocument, bag: DiagnosticBag): void {
  const data = (source.data ?? {}) as {
    openapi?: string[];
    capabilities?: string[];
    out?: string;
    schema?: string | string[];
    rulesets?: string[];
  };
  const base = path.dirname(path.resolve(root, source.file));
  const list = (key: string, paths: string[] | undefined): ConfigEntry[] =>
    (paths ?? []).map((p, i) => [[key, i], p]);
  const entries: ConfigEntry[] = [
    ...list('openapi', data.openapi),
    ...list('capabilities', data.capabilities),
    ...list('rulesets', data.rulesets),
    ...(typeof data.schema === 'string' ? [[['schema'], data.schema] as ConfigEntry] : []),
    ...list('schema', Array.isArray(data.schema) ? data.schema : undefined),
    ...(data.out === undefined ? [] : [[['out'], data.out] as ConfigEntry]),
  ];
  for (const [at, p] of entries) {
    const problem = outsideProblem(root, p.split(/[*?[{]/)[0] || '.', base, p);
    if (problem)
      bag.error(source.file, source.locate(at), problem.rule, problem.message, problem.hint);
  }
}
