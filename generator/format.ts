/**
 * Generated TypeScript goes through prettier with fixed options (never the user's config, see
 * prettier.ts), so the output is the same on every machine; prettier runs where format-thread.ts
 * says (a worker thread when there is a core for it).
 *
 * Except where the result is known without it: the runtime, kept formatted in templates/runtime
 * (a test checks), and the data that makes up most of the output's bytes, which layout.ts lays out
 * as prettier would without parsing it back: JSON documents whole, and in TypeScript files the
 * data literals an emitter left as stand-ins (literal.ts), prettier formatting only the rest of the
 * file around them. test/layout.test.ts proves the bytes are prettier's. The shared type modules
 * arrive laid out (`laidOut`, emit/type-layout.ts, test/type-layout.test.ts). Markdown never goes
 * through prettier: the README is emitted in prettier's layout (emit/readme.ts, escape.ts,
 * table-layout.ts; test/readme-layout.test.ts proves it), and skill folders are written as they are.
 */
import type { GeneratedFile } from './emit/index.js';
import type { Formatter } from './format-thread.js';
import { canonicalLayout } from './emit/canonical.js';
import { layoutJson, layoutLiteral, NotLaidOut } from './emit/layout.js';
import type { LaidOutLiteral } from './emit/literal.js';
import { PARSERS } from './prettier-options.js';

export { PRETTIER_OPTIONS } from './prettier-options.js';

/**
 * Files that skip prettier: the runtime, already in prettier's format (kept formatted in
 * templates/runtime, a test checks; formatting is the slowest stage), and skill folders
 * (`<capability>/skills/...`): instruction files stay as written, and SKILL.md's front matter keeps
 * the serializer's quoting.
 */
export const PREFORMATTED = (path: string): boolean =>
  path.startsWith('runtime/') || /^[^/]+\/skills\//.test(path);

/**
 * Formats the files: all of them handed to the formatter at once (its thread takes them one after
 * the other), each laid out as its answer comes back.
 */
export function formatFiles(
  files: GeneratedFile[],
  formatter: Formatter,
): Promise<GeneratedFile[]> {
  return Promise.all(
    files.map(async (file) => ({ path: file.path, contents: await formatFile(file, formatter) })),
  );
}

async function formatFile(file: GeneratedFile, formatter: Formatter): Promise<string> {
  const parser = PARSERS[file.path.slice(file.path.lastIndexOf('.') + 1)];
  if (!parser || file.laidOut || PREFORMATTED(file.path)) return file.contents;
  const format = (text: string) => formatter.format(text, parser);
  if (parser === 'json') return layoutJson(JSON.parse(file.contents));
  const literals = file.literals ?? [];
  // A canonical file whose every line is sure needs no prettier (canonical.ts).
  const canonical = file.canonical ? canonicalLayout(file.contents, literals) : undefined;
  try {
    if (canonical !== undefined) return spliceLiterals(canonical, literals);
    if (!literals.length) return await format(file.contents);
    return spliceLiterals(await format(file.contents), literals);
  } catch (error) {
    if (!(error instanceof NotLaidOut)) throw error;
    // A literal layout.ts leaves to prettier: the whole file goes through it.
    let contents = file.contents;
    for (const literal of literals)
      contents = contents.replace(`{ ${literal.standIn}: 0 }`, () => literal.code);
    return format(contents);
  }
}

/**
 * Puts each literal, laid out at the place its stand-in took in the formatted file, in place of
 * the stand-in (`{ name: 0 }`, on one line or broken), the last first so positions stay valid.
 */
function spliceLiterals(text: string, literals: readonly LaidOutLiteral[]): string {
  const placed = literals
    .map((literal) => {
      const at = text.indexOf(literal.standIn);
      if (at < 0 || text.indexOf(literal.standIn, at + 1) >= 0)
        throw new Error(`capgen bug: stand-in ${literal.standIn} not found once after formatting`);
      const open = text.lastIndexOf('{', at);
      const close = text.indexOf('}', at);
      if (
        !/^\{\s*$/.test(text.slice(open, at)) ||
        !/^: 0,?\s*$/.test(text.slice(at + literal.standIn.length, close))
      )
        throw new Error(`capgen bug: stand-in ${literal.standIn} reshaped by formatting`);
      return { literal, open, close };
    })
    .sort((a, b) => b.open - a.open);
  for (const { literal, open, close } of placed) {
    const lineStart = text.lastIndexOf('\n', open) + 1;
    const lineEnd = text.indexOf('\n', close);
    const suffix = text.slice(close + 1, lineEnd < 0 ? text.length : lineEnd);
    const laidOut = layoutLiteral(literal.value, literal.refFor, {
      lineIndent: /^ */.exec(text.slice(lineStart))![0].length,
      column: open - lineStart,
      suffix,
    });
    text = text.slice(0, open) + laidOut + text.slice(close + 1);
  }
  return text;
}
