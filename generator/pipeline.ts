/**
 * The whole run, one direction: load → check → model → emit → format. Writing (or comparing, for
 * --check) is the caller's last step, so nothing is written unless every stage succeeded.
 */
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
import type { GeneratedFile } from './emit/index.js';
import { loadOpenApi, type OpenApiDocument } from './load/openapi.js';
import { readInput } from './load/read.js';
import { parseSource, type SourceDocument } from './load/source.js';
import {
  buildCapability,
  capabilityId,
  type CheckedCapability,
  type ResolvedOpenApi,
} from './model/build.js';
import { indexConsumedOperations, normalizePath } from './check/references.js';
import { apiFamilies } from './model/api-families.js';
import { buildTypeModules } from './model/api-types.js';
import { OpenApiIndex } from './model/openapi-match.js';
import { reportPortConflicts } from './model/ports.js';
import { dereference, subsetDocument, type MatchedOperation } from './model/openapi-subset.js';
import type { CapabilityModel, ProjectModel } from './model/types.js';
import { RESERVED_OUTPUT_NAMES } from './model/names.js';
import { GENERATOR_VERSION } from './version.js';
import { outputFolderProblems, realRoot } from './paths.js';

export interface PipelineResult {
  bag: DiagnosticBag;
  config?: ResolvedConfig;
  project?: ProjectModel;
  files?: GeneratedFile[];
}

export async function runPipeline(
  root: string,
  flags: ConfigFlags,
  options: { emit: boolean },
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

  const project = await buildProject(config, bag, regenerateCommand(config, flags));
  if (!project) return finish({ bag, config });
  if (!options.emit) return finish({ bag, config, project });
  if (config.strict && bag.items.some((d) => d.severity !== 'info'))
    return finish({ bag, config, project });

  // Emitters and prettier are loaded only when output is wanted (`validate` never needs them).
  const [{ emitProject }, { formatFiles }] = await Promise.all([
    import('./emit/index.js'),
    import('./format.js'),
  ]);
  const files = await formatFiles(emitProject(project, config));
  return finish({ bag, config, project, files });
}

/**
 * Load, check and model. The loaded OpenAPI documents (the whole Stripe spec can be one) are only
 * referenced in here, so they can be collected before emitting loads its own heavy modules.
 */
async function buildProject(
  config: ResolvedConfig,
  bag: DiagnosticBag,
  regenerate: string,
): Promise<ProjectModel | undefined> {
  const documents = loadDocuments(config, bag);
  const namedAt = (key: string) => (index: number) => {
    const source = config.configSource;
    return source
      ? { file: source.file, ...source.locate([key, index]) }
      : { file: config[key === 'schema' ? 'schema' : 'rulesets'][index], line: 1, col: 1 };
  };
  const schemas: NaftikoSchemas = config.schema.length
    ? officialSchemas(readSchemaFiles(config.schema, config.root, bag, namedAt('schema')))
    : builtinSchemas();
  const rulesets = await loadRulesets(config.rulesets, config.root, bag, namedAt('rulesets'));
  if (bag.hasErrors()) return undefined;
  const checked = await loadCapabilities(config, bag, schemas, rulesets);
  bag.applyRuleSeverities(config.rules);
  if (config.strict) bag.promoteWarnings();
  if (bag.hasErrors()) return undefined;
  const index = new OpenApiIndex(documents);
  const families = apiFamilies(documents);
  const capabilities: CapabilityModel[] = [];
  for (const capability of checked) {
    capabilities.push(
      buildCapability(capability, {
        index,
        resolved: await resolveOpenApi(capability, index),
        bag,
        root: config.root,
        regenerate,
        families,
      }),
    );
  }
  reportPortConflicts(
    capabilities.map((capability, i) => ({ capability, source: checked[i].source })),
    bag,
  );
  const typeModules = buildTypeModules(capabilities, documents, config.typeDepth);
  return { capabilities, typeModules, generatorVersion: GENERATOR_VERSION, regenerate };
}

function loadDocuments(config: ResolvedConfig, bag: DiagnosticBag): OpenApiDocument[] {
  const documents: OpenApiDocument[] = [];
  for (const file of config.openapi) {
    const text = readInput(config.root, file, bag);
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
  const read = (file: string): SourceDocument | undefined => {
    const text = readInput(config.root, file, bag);
    if (text === undefined) return undefined;
    const source = parseSource(file, text, bag);
    return source.data === undefined ? undefined : source;
  };
  for (const file of config.capabilities) {
    const text = readInput(config.root, file, bag);
    if (text === undefined) continue;
    const source = parseSource(file, text, bag);
    if (source.data === undefined) continue;
    await runRulesets(rulesets, source, text, bag);
    const id = capabilityId(file);
    const reserved = RESERVED_OUTPUT_NAMES.get(id);
    if (reserved) {
      bag.error(
        file,
        { line: 1, col: 1 },
        'naftiko/reserved-name',
        `capability '${id}' would be generated into ${config.out}/${id}/, which holds ${reserved}`,
        'rename the file: the file name names the output folder',
      );
      continue;
    }
    const taken = ids.get(id);
    if (taken) {
      bag.error(
        file,
        { line: 1, col: 1 },
        'naftiko/duplicate-name',
        `capability '${id}' (the output folder ${config.out}/${id}/) comes from both ${taken} and ${file}`,
        'rename one of the files: the file name names the output folder',
      );
      continue;
    }
    ids.set(id, file);
    const before = bag.errorCount;
    const doc = checkShape(source, bag, schemas);
    if (!doc) continue;
    const sites = resolveConsumes(source, doc, { root: config.root, schemas, bag, read });
    if (bag.errorCount > before) continue;
    checkSemantics(source, bag, doc, sites);
    const outputSchemas = readOutputSchemas(sites, config.root, bag);
    if (bag.errorCount === before) checked.push({ source, doc, sites, outputSchemas });
  }
  return checked;
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
