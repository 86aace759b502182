/**
 * The types schema-types.ts prints, as a small tree rather than text, so that they can be written
 * two ways: as TypeScript source that prettier lays out later (`typeSource`, each capability's
 * types.ts, where the types sit inside other code), and directly in prettier's layout
 * (type-layout.ts, the shared `types/<api>.ts`, the largest file of a run, which then skips
 * prettier).
 *
 * Every spec text in a node is raw (a string literal's value, a property's name); the comment of a
 * property is a doc comment escaped already (openapi-comments.ts, schema-comments.ts).
 */
import { tsString, typeKey } from './escape.js';

export type TypeNode =
  /** `string`, `number`, `null`, `unknown`, `never`, ... */
  | { t: 'keyword'; name: string }
  /** A named type (`Account`, `Stripe.Account`). */
  | { t: 'ref'; name: string }
  | { t: 'string'; value: string }
  /** A number or boolean literal type, as `String(value)` writes it. */
  | { t: 'literal'; text: string }
  | { t: 'union'; types: TypeNode[] }
  | { t: 'intersection'; types: TypeNode[] }
  /** Parentheses around a union or intersection inside another one, or as an array's items. */
  | { t: 'paren'; type: TypeNode }
  | { t: 'array'; item: TypeNode }
  | { t: 'tuple'; items: TypeNode[] }
  /**
   * An object type, one member per line (prettier keeps it expanded), or `inline` on one line
   * where it fits (`{ data: Array<infer T> }`).
   */
  | { t: 'object'; members: MemberNode[]; inline?: boolean }
  /** A generic type with its arguments (`Record<string, unknown>`, `Omit<A, 'b'>`). */
  | { t: 'generic'; name: string; args: TypeNode[] }
  /** `check extends test ? then : otherwise`, only as a type alias's or property's whole type. */
  | { t: 'conditional'; check: TypeNode; test: TypeNode; then: TypeNode; otherwise: TypeNode }
  /** `infer T`, inside a conditional type's test. */
  | { t: 'infer'; name: string };

export type MemberNode =
  | {
      t: 'property';
      /** Its doc comment, `/** ... *\/` and a line break, or ''. */
      comment: string;
      readonly: boolean;
      /** The property's name, raw. */
      name: string;
      optional: boolean;
      type: TypeNode;
      /**
       * A numeric name written as a string (`'200'`), as JSON Schema's property names are:
       * prettier keeps its quotes (with TypeScript's parsers, it never unquotes a number).
       */
      quotedNumber?: boolean;
    }
  /** `[key: string]: type;` */
  | { t: 'index'; type: TypeNode };

/** One declaration of a module: an interface (for an object type) or a type alias. */
export interface TypeDeclaration {
  /** Its doc comment (`/** ... *\/` and a line break), or ''. */
  comment: string;
  name: string;
  type: TypeNode;
  interface: boolean;
}

/** A property name as openapi-typescript writes it: a number, an identifier, else a string. */
export function propertyName(name: string): string {
  return isNumericName(name) ? name : (typeKey(name) as unknown as string);
}

/** A name that is written as a number (`200`, `1.5`), not as a string. */
export const isNumericName = (name: string): boolean =>
  String(Number(name)) === name && name[0] !== '-';

/**
 * The node as TypeScript source: object types one member per line (prettier keeps them
 * expanded), unions and intersections on one line (prettier breaks them where they do not fit).
 */
export function typeSource(node: TypeNode): string {
  switch (node.t) {
    case 'keyword':
    case 'ref':
      return node.name;
    case 'string':
      return tsString(node.value) as unknown as string;
    case 'literal':
      return node.text;
    case 'union':
      return node.types.map(typeSource).join(' | ');
    case 'intersection':
      return node.types.map(typeSource).join(' & ');
    case 'paren':
      return `(${typeSource(node.type)})`;
    case 'array':
      // prettier's parser reads `-1[]` as an expression: a negative literal item goes in
      // parentheses, which prettier then drops (TypeScript reads `-1[]` as the array type).
      return node.item.t === 'literal' && node.item.text.startsWith('-')
        ? `(${node.item.text})[]`
        : `${typeSource(node.item)}[]`;
    case 'tuple':
      return `[${node.items.map(typeSource).join(', ')}]`;
    case 'object':
      return node.inline
        ? `{ ${node.members.map(memberSource).join(' ')} }`
        : `{\n${node.members.map(memberSource).join('\n')}\n}`;
    case 'generic':
      return `${node.name}<${node.args.map(typeSource).join(', ')}>`;
    case 'conditional':
      return `${typeSource(node.check)} extends ${typeSource(node.test)} ? ${typeSource(node.then)} : ${typeSource(node.otherwise)}`;
    case 'infer':
      return `infer ${node.name}`;
  }
}

/** A declaration as TypeScript source, with its doc comment. */
export function declarationSource({
  comment,
  name,
  type,
  interface: isInterface,
}: TypeDeclaration) {
  return `${comment}${
    isInterface && type.t === 'object'
      ? `export interface ${name} ${typeSource(type)}`
      : `export type ${name} = ${typeSource(type)};`
  }`;
}

function memberSource(member: MemberNode): string {
  if (member.t === 'index') return `[key: string]: ${typeSource(member.type)};`;
  const { comment, name, optional, type } = member;
  const key = member.quotedNumber ? (typeKey(name) as unknown as string) : propertyName(name);
  return `${comment}${member.readonly ? 'readonly ' : ''}${key}${optional ? '?' : ''}: ${typeSource(type)};`;
}
