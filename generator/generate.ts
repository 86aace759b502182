/**
 * Generating, one capability at a time: each is checked, modeled, emitted and formatted, and its
 * formatted files go to a sink (store.ts) as they are made: on disk, for the CLI, so that memory
 * holds a few capabilities' models, syntax trees and files at most (plus the OpenAPI documents,
 * parsed once, the shared types' walk, and each file's path and hash), however many capabilities
 * there are. With the cache (cache.ts),
 * a capability whose inputs are unchanged since a run that stored it is not even parsed: its files,
 * diagnostics and the types it reaches come from there, and so does a shared types module whose
 * roots are unchanged.
 *
 * Once a capability fails (errors, or warnings under --strict), the others are still checked, for
 * their diagnostics, but nothing more is generated.
 */
import { ABSENT, GenerationCache, sha256, type Dependency } from './cache.js';
import type { ResolvedConfig } from './config.js';
import { DiagnosticBag, type Diagnostic } from './diagnostics.js';
import type { GeneratedFile } from './emit/index.js';
import type { SharedNeeds } from './emit/shared.js';
import type { FileSink, StoredFile } from './store.js';
import { createFormatter } from './format-thread.js';
import { readInput, type ReadListener } from './load/read.js';
import { TypeModules } from './model/api-types.js';
import { capabilityId } from './model/build.js';
import { OpenApiIndex } from './model/openapi-match.js';
import { listenersOf, reportPortConflicts, type Listener } from './model/ports.js';
import {
  checkCapability,
  claimCapabilityId,
  modelCapability,
  type PipelineInputs,
} from './pipeline.js';
import { GENERATOR_VERSION } from './version.js';

type Emitters = typeof import('./emit/index.js') & typeof import('./format.js');
let emitters: Promise<Emitters> | undefined;
/** The emitters, loaded on first need (a run served by the cache never needs them). */
const loadEmitters = (): Promise<Emitters> =>
  (emitters ??= Promise.all([import('./emit/index.js'), import('./format.js')]).then(
    ([emit, format]) => ({ ...emit, ...format }),
  ));

/**
 * Capabilities whose files are being formatted while the next one is checked, modeled and emitted
 * (format-thread.ts): four, so that the formatting thread always has work queued (capabilities
 * differ in size) while memory holds at most four capabilities' unformatted files.
 */
const IN_FLIGHT = 4;

export interface Generated {
  /** Every file, sorted by path (absent when the run failed). */
  files?: StoredFile[];
  capabilityCount: number;
  cachedCount: number;
}

/**
 * Generates every file into `sink`. The cache ('read': use it; 'write': also store what this run
 * generates, once it has succeeded) is left as it was when the run fails or throws.
 */
export async function generateFiles(
  config: ResolvedConfig,
  inputs: PipelineInputs,
  bag: DiagnosticBag,
  cacheMode: 'read' | 'write' | undefined,
  sink: FileSink,
): Promise<Generated> {
  const cache = cacheMode
    ? GenerationCache.open(config.root, inputs.fingerprint, cacheMode)
    : undefined;
  try {
    const generated = await generateInto(config, inputs, bag, cache, sink);
    if (generated.files) cache?.flush();
    return generated;
  } finally {
    cache?.discard();
  }
}

async function generateInto(
  config: ResolvedConfig,
  inputs: PipelineInputs,
  bag: DiagnosticBag,
  cache: GenerationCache | undefined,
  sink: FileSink,
): Promise<Generated> {
  const { documents, schemas, rulesets } = inputs;
  const fails = (items: readonly Diagnostic[]) => wouldFail(items, config);
  const modules = new TypeModules(documents, config.typeDepth);
  const index = new OpenApiIndex(documents);
  const files: StoredFile[] = [];
  const keep = (output: readonly GeneratedFile[]) => {
    for (const f of output) files.push(sink.put(f.path, f.contents));
  };
  const needs: SharedNeeds[] = [];
  const listeners: Listener[] = [];
  const ids = new Map<string, string>();
  let failed = fails(bag.items);
  let count = 0;
  let cachedCount = 0;
  const formatter = createFormatter(config.capabilities.length);
  // Capabilities being formatted, oldest first; each, once formatted, adds its files and is cached.
  const inFlight: Promise<void>[] = [];
  const settle = async (limit: number) => {
    while (inFlight.length > limit) await inFlight.shift();
  };
  const track = (work: Promise<void>) => {
    // Handled when awaited (settle); until then a failure must not count as unhandled.
    work.catch(() => {});
    inFlight.push(work);
  };
  try {
    for (const file of config.capabilities) {
      const text = readInput(config.root, file, bag);
      if (text === undefined || !claimCapabilityId(file, ids, config.out, bag)) {
        failed = true;
        continue;
      }
      const cached = cache?.lookupCapability(capabilityId(file), file, text, (dep) => {
        const depText = readInput(config.root, dep, new DiagnosticBag());
        return depText === undefined ? ABSENT : sha256(depText);
      });
      if (cached && modules.addRoots(cached.roots)) {
        for (const d of cached.diagnostics) bag.add(d);
        failed ||= fails(cached.diagnostics);
        if (!failed) keep(cached.files);
        needs.push(cached.needs);
        listeners.push(...cached.listeners);
        count++;
        cachedCount++;
        continue;
      }
      // Diagnostics of its own, so that what it reports (and the cache keeps) does not depend on
      // which capability happened to report a shared file first.
      const own = new DiagnosticBag();
      const deps: Dependency[] = [];
      const onRead: ReadListener = (dep, contents) =>
        deps.push({ file: dep, sha256: contents === undefined ? ABSENT : sha256(contents) });
      const checked = await checkCapability(file, text, {
        config,
        schemas,
        rulesets,
        bag: own,
        onRead,
      });
      let output: Promise<GeneratedFile[]> | undefined;
      let roots: Record<string, string[]> = {};
      let capabilityNeeds: SharedNeeds = { runtimeModules: [], server: false };
      let servers: Listener[] = [];
      if (checked && !failed && !fails(own.items)) {
        const model = await modelCapability(checked, { config, inputs, index, bag: own, onRead });
        roots = modules.attach(model);
        servers = listenersOf(model, checked.source);
        if (!fails(own.items)) {
          const emit = await loadEmitters();
          await settle(IN_FLIGHT - 1);
          output = emit.formatFiles(
            emit.emitCapability(model, config, modules.shells(), GENERATOR_VERSION),
            formatter,
          );
          capabilityNeeds = emit.sharedNeeds(model);
        }
      }
      for (const d of own.items) bag.add(d);
      if (!output) {
        failed = true;
        continue;
      }
      needs.push(capabilityNeeds);
      listeners.push(...servers);
      count++;
      const stored = { diagnostics: own.items, roots, needs: capabilityNeeds, listeners: servers };
      track(
        output.then((formatted) => {
          keep(formatted);
          cache?.storeCapability(file, text, deps, { ...stored, files: formatted });
        }),
      );
    }
    // Servers of different capabilities on one port: said once every capability is modeled.
    if (!failed) reportPortConflicts(listeners, bag);
    if (failed || fails(bag.items)) {
      await settle(0);
      return { capabilityCount: count, cachedCount };
    }
    keep((await import('./emit/shared.js')).emitShared(needs, config, inputs.regenerate));
    // The shared type modules are made while the last capabilities are still being formatted.
    for (const path of modules.paths()) {
      const roots = modules.rootsOf(path);
      if (!roots.length) continue; // no named type: no module
      const contents = cache?.lookupModule(path, roots);
      if (contents !== undefined) {
        keep([{ path, contents }]);
        continue;
      }
      const emit = await loadEmitters();
      track(
        emit
          .formatFiles(
            [emit.emitApiTypes(modules.complete(path)!, inputs.regenerate, path)],
            formatter,
          )
          .then(([formatted]) => {
            cache?.storeModule(path, roots, formatted.contents);
            keep([formatted]);
          }),
      );
    }
    await settle(0);
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { files, capabilityCount: count, cachedCount };
  } finally {
    // A failed run may leave formats in flight: their results are not wanted.
    await Promise.allSettled(inFlight);
    await formatter.close();
  }
}

/** Whether these diagnostics stop generation once rule severities and --strict apply. */
function wouldFail(items: readonly Diagnostic[], config: ResolvedConfig): boolean {
  const bag = new DiagnosticBag();
  for (const d of items) bag.add(d);
  bag.applyRuleSeverities(config.rules);
  if (config.strict) bag.promoteWarnings();
  return bag.hasErrors();
}
