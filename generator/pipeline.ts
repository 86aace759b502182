/**
 * The whole run, one direction: load → check → model → emit → format. Writing (or comparing, for
 * --check) is the caller's last step, so nothing is written unless every stage succeeded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveConsumes } from './check/imports.js';
import { checkShape } from './check/naftiko.js';
import { builtinSchemas, officialSchemas, type NaftikoSchemas } from './check/naftiko-schema.js';
import { checkSemantics } from './check/semantics.js';
import { readOutputSchemas } from './check/output-schemas.js';
import { runRulesets, loadRulesets, type LoadedRuleset } from './check/spectral.js';
import { readSchemaFiles } from './load/official-schema.js';
import {
  regenerateCommand,
  resolveConfig,
  type ConfigFlags,
  type ResolvedConfig,
} from './config.js';
import { DiagnosticBag } from './diagnostics.js';
import { loadOpenApi, type OpenApiDocument } from './load/openapi.js';
import { readInput, type ReadListener } from './load/read.js';
import { parseSource, type SourceDocument } from './load/source.js';
import {
  buildCapability,
  capabilityId,
  type CheckedCapability,
  type ResolvedOpenApi,
} from './model/build.js';
import { indexConsumedOperations, normalizePath } from './check/references.js';
import { apiFamilies, type ApiFamily } from './model/api-families.js';
import { buildTypeModules } from './model/api-types.js';
import { OpenApiIndex } from './model/openapi-match.js';
import { listenersOf, reportPortConflicts } from './model/ports.js';
import { dereference, subsetDocument, type MatchedOperation } from './model/openapi-subset.js';
import type { CapabilityModel, ProjectModel } from './model/types.js';
import { RESERVED_OUTPUT_NAMES } from './model/names.js';
import { GENERATOR_VERSION } from './version.js';
import { filesUnder, sha256 } from './cache.js';
import { outputFolderProblems, realRoot } from './paths.js';
import { memorySink, StoreError, type RunStore, type StoredFile } from './store.js';

export interface PipelineResult {
  bag: DiagnosticBag;
  config?: ResolvedConfig;
  /** The whole model (validate only: generating keeps one capability's model at a time). */
  project?: ProjectModel;
  /** The generated files, sorted by path: in memory, or in `store`. */
  files?: StoredFile[];
  /**
   * The store the files are in, when one was asked for (PipelineOptions.store): the caller's to
   * swap in (write.ts `apply`) or dispose of. A failed run has removed it already.
   */
  store?: RunStore;
  /** How many capabilities were checked and generated. */
  capabilityCount?: number;
  /** How many of them came from the generation cache, unchanged since an earlier run. */
  cachedCount?: number;
}

export interface PipelineOptions {
  /** Generate files (else check and model only, keeping the model). */
  emit: boolean;
  /**
   * The on-disk generation cache (cache.ts) when generating: 'read' uses what earlier runs stored
   * (`--check`, which writes nothing), 'write' also stores what this run generates.
   */
  cache?: 'read' | 'write';
  /**
   * Where generated files go as they are made, given the output folder (store.ts): on disk, so
   * that memory does not grow with the output. Without it they are kept in memory.
   */
  store?: (outDir: string) => RunStore;
}

export async function runPipeline(
  root: string,
  flags: ConfigFlags,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const bag = new DiagnosticBag();
  const config = await resolveConfig(realRoot(root), flags, bag);
  if (!config) return { bag };
  if (options.emit)
    for (const { file, problem } of outputFolderProblems(config.root, config.out))
      bag.error(file, { line: 1, col: 1 }, problem.rule, problem.message, problem.hint);
  if (bag.hasErrors()) return { bag, config };
  const finish = (result: PipelineResult): PipelineResult => {
    for (const rule of bag.applyRuleSeverities(config.rules))
      bag.warning(
        config.configSource?.file ?? 'capgen.config.yaml',
        config.configSource?.locate(['rules', rule], { key: true }) ?? { line: 1, col: 1 },
        'config/rule-not-lowered',
        `'${rule}' errors stop generation; capgen cannot lower them`,
        `fix what '${rule}' reports, or remove it from 'rules'`,
      );
    if (config.strict) bag.promoteWarnings();
    return bag.hasErrors() ? { bag, config } : result;
  };

  const inputs = await loadInputs(config, flags, bag);
  if (!inputs) return finish({ bag, config });
  if (options.emit) {
    // Emitters and prettier are loaded only when output is wanted (`validate` never needs them).
    const { generateFiles } = await import('./generate.js');
    const store = options.store?.(path.resolve(config.root, config.out));
    let result: PipelineResult | undefined;
    try {
      const generated = await generateFiles(
        config,
        inputs,
        bag,
        options.cache,
        store ?? memorySink,
      );
      result = finish({ bag, config, ...generated, ...(store ? { store } : {}) });
      return result;
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      bag.error(
        config.out,
        { line: 1, col: 1 },
        'io/write-failed',
        `could not write the generated files: ${error.message}`,
        'free disk space or fix the permissions, then run capgen generate again',
      );
      return { bag, config };
    } finally {
      if (store && !result?.files) store.dispose();
    }
  }
  const project = await buildProject(config, inputs, bag);
  return finish(project ? { bag, config, project } : { bag, config });
}

/** What every capability is checked and modeled against. */
export interface PipelineInputs {
  documents: OpenApiDocument[];
  schemas: NaftikoSchemas;
  rulesets: LoadedRuleset[];
  /** The APIs the documents describe (model/api-families.ts). */
  families: ApiFamily[];
  /** The command that regenerates the output, for file headers (ProjectModel.regenerate). */
  regenerate: string;
  /** What the output depends on besides capgen and the capability files (the cache's key). */
  fingerprint: unknown;
}

async function loadInputs(
  config: ResolvedConfig,
  flags: ConfigFlags,
  bag: DiagnosticBag,
): Promise<PipelineInputs | undefined> {
  const texts: Array<[string, string]> = [];
  const documents = loadDocuments(config, bag, texts);
  const namedAt = (key: string) => (index: number) => {
    const source = config.configSource;
    return source
      ? { file: source.file, ...source.locate([key, index]) }
      : { file: config[key === 'schema' ? 'schema' : 'rulesets'][index], line: 1, col: 1 };
  };
  const schemaFiles = config.schema.length
    ? readSchemaFiles(config.schema, config.root, bag, namedAt('schema'))
    : undefined;
  const schemas: NaftikoSchemas = schemaFiles ? officialSchemas(schemaFiles) : builtinSchemas();
  const rulesets = await loadRulesets(config.rulesets, config.root, bag, namedAt('rulesets'));
  if (bag.hasErrors()) return undefined;
  const regenerate = regenerateCommand(config, flags);
  const fingerprint = {
    regenerate,
    out: config.out,
    typeDepth: config.typeDepth ?? null,
    // Deploy files (worker.ts, wrangler.jsonc, Kubernetes manifests) are a capability's output.
    targets: config.targets,
    image: config.image,
    openapi: texts.map(([file, text]) => [file, sha256(text)]),
    schema: schemaFiles ? sha256(JSON.stringify(schemaFiles)) : null,
    // A ruleset's custom functions live beside it: its whole folder counts.
    rulesets: config.rulesets.map((file) => {
      const dir = path.dirname(path.resolve(config.root, file));
      return [
        file,
        filesUnder(dir).map((f) => [path.relative(dir, f), sha256(fs.readFileSync(f))]),
      ];
    }),
  };
  return {
    documents,
    schemas,
    rulesets,
    families: apiFamilies(documents),
    regenerate,
    fingerprint,
  };
}

/** Check and model every capability, keeping the whole model (validate). */
async function buildProject(
  config: ResolvedConfig,
  inputs: PipelineInputs,
  bag: DiagnosticBag,
): Promise<ProjectModel | undefined> {
  const { documents, schemas, rulesets, regenerate } = inputs;
  const checked = await loadCapabilities(config, bag, schemas, rulesets);
  bag.applyRuleSeverities(config.rules);
  if (config.strict) bag.promoteWarnings();
  if (bag.hasErrors()) return undefined;
  const index = new OpenApiIndex(documents);
  const capabilities: CapabilityModel[] = [];
  for (const capability of checked)
    capabilities.push(await modelCapability(capability, { config, inputs, index, bag }));
  reportPortConflicts(
    capabilities.flatMap((capability, i) => listenersOf(capability, checked[i].source)),
    bag,
  );
  const typeModules = buildTypeModules(capabilities, documents, config.typeDepth);
  return { capabilities, typeModules, generatorVersion: GENERATOR_VERSION, regenerate };
}

function loadDocuments(
  config: ResolvedConfig,
  bag: DiagnosticBag,
  texts: Array<[string, string]>,
): OpenApiDocument[] {
  const documents: OpenApiDocument[] = [];
  for (const file of config.openapi) {
    const text = readInput(config.root, file, bag);
    if (text !== undefined) texts.push([file, text]);
    const doc = text === undefined ? undefined : loadOpenApi(file, text, bag);
    if (doc) documents.push(doc);
  }
  return documents;
}

async function loadCapabilities(
  config: ResolvedConfig,
  bag: DiagnosticBag,
  schemas: NaftikoSchemas,
  rulesets: LoadedRuleset[],
): Promise<CheckedCapability[]> {
  const checked: CheckedCapability[] = [];
  const ids = new Map<string, string>();
  for (const file of config.capabilities) {
    const text = readInput(config.root, file, bag);
    if (text === undefined || !claimCapabilityId(file, ids, config.out, bag)) continue;
    const capability = await checkCapability(file, text, { config, schemas, rulesets, bag });
    if (capability) checked.push(capability);
  }
  return checked;
}

/**
 * The output folder a capability file names, when no other file of the run names it and it is not
 * reserved (else an error, and false).
 */
export function claimCapabilityId(
  file: string,
  ids: Map<string, string>,
  out: string,
  bag: DiagnosticBag,
): boolean {
  const id = capabilityId(file);
  const reserved = RESERVED_OUTPUT_NAMES.get(id);
  if (reserved) {
    bag.error(
      file,
      { line: 1, col: 1 },
      'naftiko/reserved-name',
      `capability '${id}' would be generated into ${out}/${id}/, which holds ${reserved}`,
      'rename the file: the file name names the output folder',
    );
    return false;
  }
  const taken = ids.get(id);
  if (taken) {
    bag.error(
      file,
      { line: 1, col: 1 },
      'naftiko/duplicate-name',
      `capability '${id}' (the output folder ${out}/${id}/) comes from both ${taken} and ${file}`,
      'rename one of the files: the file name names the output folder',
    );
    return false;
  }
  ids.set(id, file);
  return true;
}

export interface CheckContext {
  config: ResolvedConfig;
  schemas: NaftikoSchemas;
  rulesets: LoadedRuleset[];
  bag: DiagnosticBag;
  /** Hears each file the capability reads besides itself (imported documents, schema files). */
  onRead?: ReadListener;
}

/** Parses and checks one capability file (its text given); undefined when it has errors. */
export async function checkCapability(
  file: string,
  text: string,
  { config, schemas, rulesets, bag, onRead }: CheckContext,
): Promise<CheckedCapability | undefined> {
  const read = (imported: string): SourceDocument | undefined => {
    const importedText = readInput(config.root, imported, bag);
    if (importedText === undefined) return undefined;
    onRead?.(imported, importedText);
    const source = parseSource(imported, importedText, bag);
    return source.data === undefined ? undefined : source;
  };
  const source = parseSource(file, text, bag);
  if (source.data === undefined) return undefined;
  await runRulesets(rulesets, source, text, bag);
  const before = bag.errorCount;
  const doc = checkShape(source, bag, schemas);
  if (!doc) return undefined;
  const sites = resolveConsumes(source, doc, { root: config.root, schemas, bag, read });
  if (bag.errorCount > before) return undefined;
  checkSemantics(source, bag, doc, sites);
  const outputSchemas = readOutputSchemas(sites, config.root, bag, onRead);
  return bag.errorCount === before ? { source, doc, sites, outputSchemas } : undefined;
}

/** The model of one checked capability. */
export async function modelCapability(
  capability: CheckedCapability,
  {
    config,
    inputs,
    index,
    bag,
    onRead,
  }: {
    config: ResolvedConfig;
    inputs: PipelineInputs;
    index: OpenApiIndex;
    bag: DiagnosticBag;
    onRead?: ReadListener;
  },
): Promise<CapabilityModel> {
  return buildCapability(capability, {
    index,
    resolved: await resolveOpenApi(capability, index),
    bag,
    root: config.root,
    regenerate: inputs.regenerate,
    families: inputs.families,
    ...(onRead ? { onRead } : {}),
  });
}

/**
 * `$ref` hops of the run-time JSON Schemas (request validation, MCP output schemas) resolved in
 * detail; those schemas are cut further where they are used. TypeScript types are not cut (see
 * model/api-types.ts).
 */
const RUNTIME_SCHEMA_DEPTH = 2;

/** Each matched operation of a capability, dereferenced within its subset of the document. */
async function resolveOpenApi(
  capability: CheckedCapability,
  index: OpenApiIndex,
): Promise<Map<string, ResolvedOpenApi>> {
  const matches = new Map<string, MatchedOperation>();
  for (const [key, ref] of indexConsumedOperations(capability.sites)) {
    const match = index.match(
      ref.operation.method,
      ref.consumes.baseUri,
      normalizePath(ref.resource.path),
    );
    if (match) matches.set(key, match);
  }
  const byDoc = new Map<OpenApiDocument, Array<[string, MatchedOperation]>>();
  for (const entry of matches) byDoc.set(entry[1].doc, [...(byDoc.get(entry[1].doc) ?? []), entry]);
  const operations = new Map<string, ResolvedOpenApi>();
  for (const [doc, entries] of byDoc) {
    const subset = subsetDocument(
      doc.data,
      entries.map(([, m]) => m),
      RUNTIME_SCHEMA_DEPTH,
      doc.danglingRefs,
    );
    const dereferenced = await dereference(subset);
    for (const [key, match] of entries) {
      operations.set(key, {
        match,
        operation: dereferenced.paths[match.path][match.method] as Record<string, unknown>,
      });
    }
  }
  return operations;
}
