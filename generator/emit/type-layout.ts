/**
 * Type declarations laid out exactly as prettier lays them out, without prettier parsing them: the
 * shared `types/<api>.ts` of a large API is the largest file of a run (600 KB for Stripe), and
 * formatting it was a third of a small run's time and most of its memory. Each capability's
 * types.ts (types.ts) is laid out here too.
 *
 * The type nodes (type-nodes.ts) become the documents prettier's TypeScript printer builds for the
 * same source (prettier 3's printers of union, intersection, array, tuple, type literal,
 * interface, property and index signatures, type arguments, type aliases and JSDoc-style block
 * comments), and prettier's own document printer (`doc.printer` of `prettier/doc`, the part of prettier
 * that breaks lines, without its parsers) prints them at printWidth 100. test/type-layout.test.ts
 * holds the result to prettier's formatting of the same source, byte for byte, on random type
 * trees (names, strings and comments of every kind) and on the modules of 13 public API documents;
 * test/schema-types.test.ts on Stripe's full spec and the polymorphism fixture;
 * test/capability-types-layout.test.ts each capability's types.ts, on every fixture.
 *
 * What this module does not know how to lay out (a property name that is a string prettier might
 * unquote beyond Latin letters, a comment prettier would keep in place) throws `NotLaidOut`: the
 * caller then gives the source to prettier.
 */
import { builders, printDoc, type Doc } from './prettier-doc.js';
import { layoutString, NotLaidOut, printNumber } from './layout.js';
import { isIdentifier } from '../model/names.js';
import {
  isNumericName,
  type MemberNode,
  type TypeDeclaration,
  type TypeNode,
} from './type-nodes.js';

const {
  align,
  group,
  hardline,
  ifBreak,
  indent,
  indentIfBreak,
  join,
  line,
  lineSuffixBoundary,
  softline,
} = builders;

/**
 * A module's source in prettier's layout: the header comment, the `prologue` (import and export
 * statements, in prettier's layout: imports.ts), the declarations and the footer (helper
 * declarations, each already in prettier's layout), a blank line apart.
 */
export function layoutModule(
  header: string,
  declarations: readonly TypeDeclaration[],
  footer: readonly string[],
  prologue: readonly string[] = [],
): string {
  const parts = [
    printDoc(commentDoc(header)),
    ...prologue,
    ...declarations.map(layoutDeclaration),
    ...footer,
  ];
  return `${parts.join('\n\n')}\n`;
}

/** `export interface Name { ... }` or `export type Name = ...;`, with its doc comment. */
export function layoutDeclaration(declaration: TypeDeclaration): string {
  const { comment, name, type } = declaration;
  const body =
    declaration.interface && type.t === 'object' && !type.members.length
      ? ['export interface ', name, ' {}']
      : declaration.interface && type.t === 'object'
        ? [
            'export interface ',
            name,
            ' {',
            indent([hardline, interfaceMembers(type.members)]),
            hardline,
            '}',
          ]
        : ['export ', typeAlias(name, type), ';'];
  return printDoc(comment ? [commentDoc(comment), hardline, body] : body);
}

/** prettier's assignment layouts, as its type alias printer chooses them. */
function typeAlias(name: string, type: TypeNode): Doc {
  const left = group(`type ${name}`);
  if (type.t === 'union' && !hugs(type.types))
    // break-after-operator
    return group([left, ' =', group(indent([line, typeDoc(type, 'alias')]))]);
  // fluid
  const id = Symbol('assignment');
  return group([
    left,
    ' =',
    group(indent(line), { id }),
    lineSuffixBoundary,
    indentIfBreak(typeDoc(type, 'annotation'), { groupId: id }),
  ]);
}

/**
 * Where a type is, as far as prettier's union printer cares: a type alias's right side, a
 * property's or index signature's type, a type argument, a tuple element (of one, or of several),
 * inside parentheses, an array's items, or a member of a union or intersection.
 */
type Place = 'alias' | 'annotation' | 'argument' | 'tuple1' | 'tupleN' | 'paren' | 'member';

function typeDoc(node: TypeNode, place: Place): Doc {
  switch (node.t) {
    case 'keyword':
      return node.name;
    case 'ref':
      // A name, or a namespace's name: anything else is type text only prettier lays out.
      if (!node.name.split('.').every(isIdentifier))
        throw new NotLaidOut(`a type written as text: ${node.name.slice(0, 40)}`);
      return node.name;
    case 'string':
      return layoutString(node.value);
    case 'literal':
      return printNumber(node.text);
    case 'union':
      return unionDoc(node.types, place);
    case 'intersection':
      return intersectionDoc(node.types);
    case 'paren':
      return ['(', typeDoc(node.type, 'paren'), ')'];
    case 'array':
      return [typeDoc(node.item, 'member'), '[]'];
    case 'tuple':
      return tupleDoc(node.items);
    case 'object':
      return objectDoc(node.members, !node.inline);
    case 'generic':
      return [node.name, typeArguments(node.args)];
    case 'infer':
      return ['infer ', node.name];
    case 'conditional':
      // prettier's `printTernary` for a conditional type that is no part of another.
      if (place !== 'annotation') throw new NotLaidOut('a conditional type inside another type');
      return group([
        typeDoc(node.check, 'member'),
        ' extends ',
        typeDoc(node.test, 'member'),
        indent([
          line,
          '? ',
          align(2, typeDoc(node.then, 'member')),
          line,
          ': ',
          align(2, typeDoc(node.otherwise, 'member')),
        ]),
      ]);
  }
}

/** prettier's `printUnionType`. */
function unionDoc(types: readonly TypeNode[], place: Place): Doc {
  if (hugs(types))
    return join(
      ' | ',
      types.map((t) => typeDoc(t, 'member')),
    );
  const body = group(
    types.map((t, i) => [i === 0 ? ifBreak('| ') : [line, '| '], align(2, typeDoc(t, 'member'))]),
  );
  switch (place) {
    case 'paren':
      return group([indent([softline, body]), softline]);
    case 'tupleN':
      return group([indent([ifBreak(['(', softline]), body]), softline, ifBreak(')')]);
    case 'alias':
    case 'argument':
    case 'tuple1':
      return body;
    default:
      return group(indent([softline, body]));
  }
}

const isVoid = (node: TypeNode) => node.t === 'keyword' && node.name === 'null';
const isObjectLike = (node: TypeNode) =>
  node.t === 'object' || node.t === 'ref' || node.t === 'generic';

/** prettier's `shouldHugUnionType`: one object-like type and `null`s (`Account | null`). */
function hugs(types: readonly TypeNode[]): boolean {
  const object = types.find(isObjectLike);
  return object !== undefined && types.every((t) => t === object || isVoid(t));
}

/** prettier's `printIntersectionType`. */
function intersectionDoc(types: readonly TypeNode[]): Doc {
  let wasIndented = false;
  return group(
    types.map((t, i) => {
      const printed = typeDoc(t, 'member');
      if (i === 0) return printed;
      const current = t.t === 'object';
      const previous = types[i - 1].t === 'object';
      if (previous && current) return [' & ', wasIndented ? indent(printed) : printed];
      if (!previous && !current) return indent([' &', line, printed]);
      if (i > 1) wasIndented = true;
      return [' & ', i > 1 ? indent(printed) : printed];
    }),
  );
}

/** prettier's array printer, for a tuple type (trailing comma when broken). */
function tupleDoc(items: readonly TypeNode[]): Doc {
  if (!items.length) return '[]';
  const place: Place = items.length > 1 ? 'tupleN' : 'tuple1';
  const printed = items.map((item, i) => [
    group(typeDoc(item, place)),
    i < items.length - 1 ? [',', line] : '',
  ]);
  return group(['[', indent([softline, printed, ifBreak(',')]), softline, ']']);
}

/** prettier's `printTypeParameters` for type arguments. */
export function typeArguments(args: readonly TypeNode[]): Doc {
  const printed = args.map((a) => typeDoc(a, 'argument'));
  const [only] = args;
  if (
    args.length === 1 &&
    (isSimple(only) || only.t === 'object' || (only.t === 'union' && hugs(only.types)))
  )
    return ['<', printed[0], '>'];
  return group(['<', indent([softline, join([',', line], printed)]), softline, '>']);
}

const isSimple = (node: TypeNode) =>
  node.t === 'keyword' || node.t === 'ref' || node.t === 'string' || node.t === 'literal';

/**
 * A type literal, `;` after each member: expanded when its source has a line break after `{`
 * (`expanded`), else on one line where it fits.
 */
function objectDoc(members: readonly MemberNode[], expanded: boolean): Doc {
  const printed = members.map((m, i) => [
    memberDoc(m),
    i < members.length - 1 ? [';', line] : ifBreak(';'),
  ]);
  return group(['{', indent([line, printed]), line, '}'], { shouldBreak: expanded });
}

/** An interface's members: one per line, each ending in `;`. */
function interfaceMembers(members: readonly MemberNode[]): Doc {
  return join(
    hardline,
    members.map((m) => [memberDoc(m), ';']),
  );
}

function memberDoc(member: MemberNode): Doc {
  if (member.t === 'index')
    return group([
      '[',
      group([indent([softline, 'key: string']), softline]),
      ']',
      ': ',
      typeDoc(member.type, 'annotation'),
    ]);
  const signature = group([
    member.readonly ? 'readonly ' : '',
    propertyKey(member.name, member.quotedNumber),
    member.optional ? '?' : '',
    ': ',
    typeDoc(member.type, 'annotation'),
  ]);
  return member.comment ? [commentDoc(member.comment), hardline, signature] : signature;
}

/** Latin letters (with their diacritics), which every version of the identifier rules allows. */
const LATIN_IDENTIFIER =
  /^[$_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f][$\w\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]*$/;

/**
 * A property name as prettier prints it: an identifier bare, a number as prettier normalizes it,
 * else a string in prettier's quotes, unquoted when it is an identifier (quoteProps as-needed).
 */
function propertyKey(name: string, quotedNumber = false): string {
  if (isNumericName(name) && !quotedNumber) return printNumber(name);
  if (isIdentifier(name) || LATIN_IDENTIFIER.test(name)) return name;
  // prettier unquotes any identifier by its own table of letters: past Latin, leave it to prettier.
  if (!/^[\x20-\x7e]*$/.test(name)) throw new NotLaidOut(`property name ${JSON.stringify(name)}`);
  return layoutString(name);
}

/**
 * A block comment as prettier prints it: one whose every line starts with `*` re-indented (each
 * line trimmed, a space before its `*`); one on a single line as written.
 */
function commentDoc(text: string): Doc {
  const comment = text.trimEnd();
  if (!comment.startsWith('/*') || !comment.endsWith('*/') || comment.length < 4)
    throw new Error(`capgen bug: not a block comment: ${comment.slice(0, 40)}`);
  const value = comment.slice(2, -2);
  if (!value.includes('\n')) return comment;
  const lines = `*${value}*`.split('\n').map((l) => l.trimStart());
  if (!lines.every((l) => l.startsWith('*')))
    throw new NotLaidOut('a comment prettier keeps as written');
  const jsdoc = value[0] === '*' && value[1] !== '*';
  return [
    '/',
    lines.map((l, i) => {
      if (i === 0) return [l.trimEnd(), hardline];
      if (i === lines.length - 1) return [' ', l];
      const trimmed = l.trimEnd();
      // prettier keeps a Markdown line break (two trailing spaces) in a JSDoc comment.
      if (jsdoc && trimmed !== '*' && l.endsWith('  '))
        throw new NotLaidOut('a comment line ending in two spaces');
      return [' ', trimmed, hardline];
    }),
    '/',
  ];
}
