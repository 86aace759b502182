/**
 * The statements of client.ts whose layout depends on the names in them, laid out as prettier
 * lays them out: the documents prettier's TypeScript printer builds for them, printed by its own
 * document printer (as type-layout.ts does for types). With them, client.ts is a canonical file
 * (canonical.ts); test/canonical-layout.test.ts and test/code-layout.test.ts hold it to prettier.
 */
import { builders as b, printDoc, type Doc } from './prettier-doc.js';
import { typeArguments } from './type-layout.js';
import type { TypeNode } from './type-nodes.js';

/** `doc` printed as a line (or lines) at `depth` levels of indentation, without a line break after. */
function printAt(depth: number, content: Doc): string {
  let nested: Doc = [b.hardline, content];
  for (let i = 0; i < depth; i++) nested = b.indent(nested);
  return printDoc(nested).slice(1);
}

/** `(a, b)`: call arguments that are names, on one line or one a line (prettier's printCallArguments). */
const callArguments = (args: readonly string[]): Doc =>
  b.group([
    '(',
    b.indent([b.softline, b.join([',', b.line], [...args])]),
    b.ifBreak(','),
    b.softline,
    ')',
  ]);

/**
 * `left callee<A, B>(a, b)` then `end`: prettier's "fluid" assignment layout (`left` ends in its
 * operator), the value staying beside it while its first line fits, the type arguments breaking
 * first.
 */
function fluidCall(
  left: string,
  callee: string,
  types: readonly TypeNode[],
  args: readonly string[],
): Doc {
  const id = Symbol('assignment');
  const call = [callee, typeArguments(types), callArguments(args)];
  return b.group([
    left,
    b.group(b.indent(b.line), { id }),
    b.lineSuffixBoundary,
    b.indentIfBreak(call, { groupId: id }),
  ]);
}

/** `key: callee<A, B>(a, b),` as a property of an object literal `depth` levels deep. */
export function callProperty(
  depth: number,
  key: string,
  callee: string,
  types: readonly TypeNode[],
  args: readonly string[],
): string {
  return printAt(depth, [fluidCall(`${key}:`, callee, types, args), ',']);
}

/** `export function name(a: A = {}): R {`: the parameters on one line, or one a line. */
export function functionSignature(
  name: string,
  params: readonly string[],
  returns: string,
): string {
  return printAt(0, [
    b.group([
      'export function ',
      name,
      b.group([
        '(',
        b.indent([b.softline, b.join([',', b.line], [...params])]),
        b.ifBreak(','),
        b.softline,
        ')',
      ]),
      ': ',
      returns,
    ]),
    ' {',
  ]);
}

/** `export const name = callee<A, B>(a, b);`. */
export function constCall(
  name: string,
  callee: string,
  types: readonly TypeNode[],
  args: readonly string[],
): string {
  return printAt(0, [fluidCall(`export const ${name} =`, callee, types, args), ';']);
}
