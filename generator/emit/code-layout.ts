/**
 * The statements of client.ts whose layout depends on the names in them, laid out as prettier
 * lays them out: the documents prettier's TypeScript printer builds for them, printed by its own
 * document printer (as type-layout.ts does for types). With them, client.ts is a canonical file
 * (canonical.ts); test/canonical-layout.test.ts and test/code-layout.test.ts hold it to prettier.
 */
import { doc } from 'prettier';
import { typeArguments } from './type-layout.js';
import type { TypeNode } from './type-nodes.js';

type Doc = doc.builders.Doc;
const {
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  lineSuffixBoundary,
  softline,
} = doc.builders;

const OPTIONS = { printWidth: 100, tabWidth: 2, useTabs: false };

/** `doc` printed as a line (or lines) at `depth` levels of indentation, without a line break after. */
function printAt(depth: number, content: Doc): string {
  let nested: Doc = [hardline, content];
  for (let i = 0; i < depth; i++) nested = indent(nested);
  return doc.printer.printDocToString(nested, OPTIONS).formatted.slice(1);
}

/** `(a, b)`: call arguments that are names, on one line or one a line (prettier's printCallArguments). */
const callArguments = (args: readonly string[]): Doc =>
  group(['(', indent([softline, join([',', line], [...args])]), ifBreak(','), softline, ')']);

/**
 * `key: callee<A, B>(a, b),` as a property of an object literal `depth` levels deep: prettier's
 * "fluid" assignment layout, the type arguments breaking first.
 */
export function callProperty(
  depth: number,
  key: string,
  callee: string,
  types: readonly TypeNode[],
  args: readonly string[],
): string {
  const id = Symbol('assignment');
  const call = [callee, typeArguments(types), callArguments(args)];
  return printAt(depth, [
    group([
      key,
      ':',
      group(indent(line), { id }),
      lineSuffixBoundary,
      indentIfBreak(call, { groupId: id }),
    ]),
    ',',
  ]);
}

/** `export function name(a: A = {}): R {`: the parameters on one line, or one a line. */
export function functionSignature(
  name: string,
  params: readonly string[],
  returns: string,
): string {
  return printAt(0, [
    group([
      'export function ',
      name,
      group(['(', indent([softline, join([',', line], [...params])]), ifBreak(','), softline, ')']),
      ': ',
      returns,
    ]),
    ' {',
  ]);
}
