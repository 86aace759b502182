/**
 * Data for generated files, written as TypeScript object literals by a printer that escapes by
 * construction: strings through `tsString`, keys through `objectKey`, and references to generated
 * constants as `CodeRef` values (never as strings that stand for code).
 */
import { OPTIONAL_RUNTIME, RuntimeRef } from '../model/runtime-modules.js';
import { identifier, objectKey, trustedTs, tsString, type TsCode } from './escape.js';

/**
 * A reference to a constant of generated code inside a data literal: `name` is validated as an
 * identifier and `module` says where it is imported from (`undefined`: declared in the same file).
 */
export class CodeRef {
  readonly name: TsCode;

  constructor(
    name: string,
    readonly module?: string,
  ) {
    this.name = identifier(name);
  }
}

export interface DataLiteral {
  code: TsCode;
  /** The references the literal contains, in order of first appearance, without repeats. */
  refs: CodeRef[];
}

/**
 * An object or array literal for data: strings through `tsString`, keys through `objectKey`,
 * `CodeRef`s as their identifier. `refFor` may stand a reference in for any object (by identity),
 * e.g. a schema that a shared module declares once. Properties that are `undefined` are left out,
 * like JSON does; numbers that are not finite become `null`. Written on one line so that prettier
 * decides the layout.
 */
export function dataLiteral(
  value: unknown,
  refFor: (value: object) => CodeRef | undefined = () => undefined,
): DataLiteral {
  const refs = new Map<string, CodeRef>();
  const print = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return tsString(v);
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v !== 'object') throw new Error(`capgen bug: a ${typeof v} in generated data`);
    const ref = v instanceof CodeRef ? v : refFor(v);
    if (ref) {
      if (!refs.has(ref.name)) refs.set(ref.name, ref);
      return ref.name;
    }
    if (Array.isArray(v)) return `[${v.map(print).join(', ')}]`;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null)
      throw new Error('capgen bug: an object that is not plain data in generated data');
    const entries = Object.entries(v).filter(([, item]) => item !== undefined);
    return `{${entries.map(([k, item]) => `${objectKey(k)}: ${print(item)}`).join(', ')}}`;
  };
  return { code: trustedTs(print(value)), refs: [...refs.values()] };
}

/** A data literal without references (the descriptors of client.ts, schemas.ts). */
export function literal(value: unknown): TsCode {
  return dataLiteral(value).code;
}

/**
 * A data literal the formatter lays out itself (layout.ts) instead of prettier. The template holds
 * a stand-in in its place, `{ <standIn>: 0 }`, whose name occurs nowhere else in the file.
 */
export interface LaidOutLiteral {
  standIn: string;
  value: unknown;
  refFor: (value: object) => CodeRef | undefined;
  /** The literal on one line, for when it is not laid out here after all (prettier formats it). */
  code: TsCode;
}

/** A file's text, with the literals to lay out in place of their stand-ins. */
export interface Emitted {
  contents: string;
  literals?: readonly LaidOutLiteral[];
  /** The template is written in prettier's layout (canonical.ts). */
  canonical?: boolean;
}

/** Where an emitter puts literals for the formatter to lay out. */
export class LiteralSlots {
  readonly literals: LaidOutLiteral[] = [];

  constructor(private readonly prefix: string) {}

  /**
   * The code for a data literal: a stand-in when it is a non-empty object or array (big data),
   * else the literal itself. `literal` is `dataLiteral(value, refFor)`.
   */
  slot(
    value: unknown,
    refFor: (value: object) => CodeRef | undefined = () => undefined,
    literal: DataLiteral = dataLiteral(value, refFor),
  ): TsCode {
    const big =
      typeof value === 'object' &&
      value !== null &&
      !(value instanceof CodeRef) &&
      !refFor(value) &&
      Object.keys(value).length > 0;
    if (!big) return literal.code;
    const standIn = `${this.prefix}${this.literals.length}__`;
    this.literals.push({ standIn, value, refFor, code: literal.code });
    return trustedTs(`{ ${standIn}: 0 }`);
  }
}

/**
 * Renders a file through `render`, whose literals go through `slots.slot`; the stand-ins' prefix
 * is one that spec text in the file does not contain (rendering again with another if it does).
 */
export function renderWithLiterals(render: (slots: LiteralSlots) => string): Emitted {
  for (let attempt = 0; ; attempt++) {
    const slots = new LiteralSlots(`__capgen_literal_${attempt ? `${attempt}_` : ''}`);
    const contents = render(slots);
    if (slots.literals.every((l) => contents.split(l.standIn).length === 2))
      return slots.literals.length ? { contents, literals: slots.literals } : { contents };
  }
}

/** The reference a model's RuntimeRef stands for: the export of its module in `../runtime/`. */
export function runtimeCodeRef(value: object): CodeRef | undefined {
  return value instanceof RuntimeRef
    ? new CodeRef(OPTIONAL_RUNTIME[value.module].export, `../runtime/${value.module}.js`)
    : undefined;
}
