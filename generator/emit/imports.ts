/**
 * Import declarations of generated code, laid out as prettier lays them out (canonical.ts): a
 * specifier list on one line when the declaration fits in 100 columns or names one specifier, else
 * a specifier a line; the module in prettier's quotes.
 */
import { joinTs, trustedTs, type TsCode } from './escape.js';
import { layoutString } from './layout.js';
import type { CodeRef } from './literal.js';

/** `import { a, b } from './module.js';` for the refs that come from `module` ('' when none). */
export function importLine(refs: readonly CodeRef[], module: string): TsCode {
  return importNames(
    refs
      .filter((r) => r.module === module)
      .map((r) => r.name)
      .sort(),
    module,
  );
}

/**
 * `import { a, b } from 'module';` for `names` (identifiers or `type` specifiers, in order, without
 * repeats; '' when none), laid out as prettier lays it out: on one line when it fits in 100 columns
 * or names one specifier, else a specifier a line.
 */
export function importNames(names: readonly TsCode[], module: string): TsCode {
  const unique = [...new Set(names)];
  if (!unique.length) return trustedTs('');
  return trustedTs(specifierStatement('import', unique, ` from ${layoutString(module)};`));
}

/**
 * `head { a, b }tail` (`import type`, `export type { A, B };`), its specifier list laid out as
 * prettier's `printModuleSpecifiers` lays it out: on one line when the statement fits in 100
 * columns or names one specifier, else a specifier a line with a trailing comma.
 */
export function specifierStatement(head: string, names: readonly string[], tail: string): string {
  const flat = `${head} { ${names.join(', ')} }${tail}`;
  if (names.length === 1 || flat.length <= 100) return flat;
  return `${head} {\n${names.map((name) => `  ${name},\n`).join('')}}${tail}`;
}

/** The import lines of the optional runtime modules among `refs`, one per module, sorted. */
export function runtimeImports(refs: readonly CodeRef[]): TsCode {
  const modules = [
    ...new Set(refs.map((r) => r.module).filter((m) => m?.startsWith('../runtime/'))),
  ];
  return joinTs(
    modules.sort().map((m) => importLine(refs, m!)),
    '\n',
  );
}
