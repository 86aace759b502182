/**
 * Consumes entries, with imports resolved: an entry `{location, import, as}` stands for the
 * consumes block named `import` in the (shared-consumes) document at `location`, renamed `as`.
 * Locations are files, relative to the importing file; they must stay inside the project. Missing
 * files, unknown namespaces and import cycles are reported at the entry that names them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiagnosticBag } from '../diagnostics.js';
import { inputFileProblem, toPosix } from '../paths.js';
import type { NaftikoDocument, NaftikoImport } from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { checkShape } from './naftiko.js';
import type { NaftikoSchemas } from './naftiko-schema.js';
import { bindings, mergeBindings, type ConsumesSite } from './references.js';

export interface ImportContext {
  /** Absolute project root. */
  root: string;
  schemas: NaftikoSchemas;
  bag: DiagnosticBag;
  /** Reads and parses a file (path relative to the root); syntax errors are reported by it. */
  read(file: string): SourceDocument | undefined;
}

/** Every consumes block a document uses: root `consumes`, then `capability.consumes`. */
export function resolveConsumes(
  source: SourceDocument,
  doc: NaftikoDocument,
  ctx: ImportContext,
  chain: string[] = [source.file],
): ConsumesSite[] {
  const sites: ConsumesSite[] = [];
  const binds = bindings(doc);
  const lists: Array<[JsonPath, NaftikoDocument['consumes']]> = [
    [['consumes'], doc.consumes],
    [['capability', 'consumes'], doc.capability?.consumes],
  ];
  for (const [at, list] of lists)
    (list ?? []).forEach((entry, i) => {
      const entryAt = [...at, i];
      if ('location' in entry) {
        const site = resolveImport(source, doc, entry, entryAt, ctx, chain);
        if (site) sites.push(site);
      } else sites.push({ consumes: entry, source, at: entryAt, binds });
    });
  return sites;
}

function resolveImport(
  source: SourceDocument,
  importer: NaftikoDocument,
  entry: NaftikoImport,
  at: JsonPath,
  ctx: ImportContext,
  chain: string[],
): ConsumesSite | undefined {
  const fail = (rule: string, message: string, hint: string, field = 'location') => {
    ctx.bag.error(source.file, source.locate([...at, field]), rule, message, hint);
    return undefined;
  };
  const target = locate(source.file, entry.location, ctx.root);
  if ('problem' in target)
    return fail(
      target.rule ?? (target.missing ? 'io/not-found' : 'naftiko/invalid-import'),
      target.problem,
      target.hint,
    );
  const file = target.file;
  if (chain.includes(file))
    return fail(
      'naftiko/import-cycle',
      `importing '${entry.location}' closes a cycle: ${[...chain, file].join(' → ')}`,
      'move the shared consumes block into a document that imports nothing from this one',
    );
  const imported = ctx.read(file);
  if (!imported) return undefined;
  const before = ctx.bag.errorCount;
  const doc = checkShape(imported, ctx.bag, ctx.schemas);
  if (!doc || ctx.bag.errorCount > before) return undefined;
  const available = resolveConsumes(imported, doc, ctx, [...chain, file]);
  if (ctx.bag.errorCount > before) return undefined; // reported where the imported file fails
  const found = available.find((s) => s.consumes.namespace === entry.import);
  if (!found)
    return fail(
      'naftiko/unknown-import',
      `'${file}' has no consumes block with namespace '${entry.import}'`,
      available.length
        ? `its namespaces: ${available.map((s) => s.consumes.namespace).join(', ')}`
        : `'${file}' declares no consumes blocks`,
      'import',
    );
  // Its own document's binds first; the importing document's fill the rest.
  const site = { ...found, binds: mergeBindings(found.binds, bindings(importer)) };
  return entry.as ? { ...site, consumes: { ...site.consumes, namespace: entry.as } } : site;
}

/** The imported file, relative to the root, or why it cannot be read. */
function locate(
  importer: string,
  location: string,
  root: string,
): { file: string } | { problem: string; hint: string; missing?: boolean; rule?: string } {
  let absolute: string;
  if (/^file:\/\//i.test(location)) {
    try {
      absolute = fileURLToPath(location);
    } catch {
      return {
        problem: `'${location}' is not a valid file URI`,
        hint: 'write a path relative to this file',
      };
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(location)) {
    return {
      problem: `capgen reads imported consumes from files; '${location}' is not one`,
      hint: 'copy the shared consumes document into the project and write its relative path',
    };
  } else absolute = path.resolve(root, path.dirname(importer), location);
  const relative = path.relative(root, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    return {
      problem: `'${location}' is outside the project (${relative || '.'})`,
      hint: 'imported documents must be inside the project folder',
    };
  const file = toPosix(relative);
  // A regular file inside the project, reached through no link (paths.ts), like every input.
  const problem = inputFileProblem(root, file);
  if (problem === 'missing')
    return {
      missing: true,
      problem: `imported file '${location}' does not exist`,
      hint: 'check the path; it is relative to this file',
    };
  if (problem) return { rule: problem.rule, problem: problem.message, hint: problem.hint };
  return { file };
}
