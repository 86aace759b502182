/**
 * Data laid out exactly as prettier lays it out, without parsing it: the large data literals of
 * client.ts, rest.ts, mcp.ts and schemas.ts, and the OpenAPI documents (openapi.json), are most of
 * the output's bytes, and prettier spends most of its time parsing them back. Here they become
 * prettier documents (its `doc` builders), built as prettier's estree printer builds them for an
 * object or array literal, and printed by prettier's own document printer (`printDocToString`),
 * so widths, groups and line breaks follow the very same algorithm. test/layout.test.ts holds
 * the result to byte-identity with prettier on generated output and on random data.
 *
 * Values come from the model; strings are written through `tsString` (escape.ts) and then given
 * prettier's quotes, so the escaping is the one every other generated string gets.
 */
import { doc, util, type Doc } from 'prettier';
import { isIdentifier } from '../model/names.js';
import { tsString } from './escape.js';
import { CodeRef } from './literal.js';

const { align, fill, group, hardline, ifBreak, indent, indentIfBreak, join, line, softline } =
  doc.builders;

/** The options every generated file is formatted with (format.ts). */
const PRINT_WIDTH = 100;
const TAB_WIDTH = 2;

/** Thrown for a value this module does not lay out as prettier would; the caller uses prettier. */
export class NotLaidOut extends Error {}

type Dialect = 'ts' | 'json';

/**
 * The text of a data literal (as `dataLiteral` writes it, `refFor` standing references in for
 * objects) placed at `column` of a line indented by `lineIndent`, followed on that line by
 * `suffix` (`;`): what prettier prints from that column.
 */
export function layoutLiteral(
  value: unknown,
  refFor: (value: object) => CodeRef | undefined,
  at: { lineIndent: number; column: number; suffix: string },
): string {
  const body = toDoc(value, 'ts', refFor);
  const filler = ' '.repeat(at.column);
  const text = doc.printer.printDocToString(align(at.lineIndent, [filler, body, at.suffix]), {
    printWidth: PRINT_WIDTH,
    tabWidth: TAB_WIDTH,
    useTabs: false,
  }).formatted;
  return text.slice(filler.length, text.length - at.suffix.length);
}

/**
 * A JSON document as prettier formats `JSON.stringify(value, null, 2)` (every non-empty object
 * broken, as that text has it), with `jsonText`'s escapes (escape.ts) in every string.
 */
export function layoutJson(value: unknown): string {
  return `${
    doc.printer.printDocToString(
      toDoc(value, 'json', () => undefined),
      {
        printWidth: PRINT_WIDTH,
        tabWidth: TAB_WIDTH,
        useTabs: false,
      },
    ).formatted
  }\n`;
}

function toDoc(
  value: unknown,
  dialect: Dialect,
  refFor: (value: object) => CodeRef | undefined,
): Doc {
  const print = (v: unknown): Doc => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return stringDoc(v, dialect);
    if (typeof v === 'number') return Number.isFinite(v) ? printNumber(JSON.stringify(v)) : 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v !== 'object') throw new NotLaidOut(`a ${typeof v}`);
    const ref = v instanceof CodeRef ? v : refFor(v);
    if (ref) return ref.name;
    if (Array.isArray(v)) return arrayDoc(v, dialect, print);
    const entries = Object.entries(v).filter(([, item]) => item !== undefined);
    if (!entries.length) return '{}';
    const props = entries.map(([key, item]) =>
      group(propertyDoc(keyDoc(key, dialect), item, dialect, print)),
    );
    return group(
      [
        '{',
        indent([line, join([',', line], props)]),
        dialect === 'ts' ? ifBreak(',') : '',
        line,
        '}',
      ],
      // JSON.stringify's text breaks every object; prettier keeps an object broken that is.
      { shouldBreak: dialect === 'json' },
    );
  };
  return print(value);
}

/** `key: value` as prettier's printAssignment lays out an object property. */
function propertyDoc(key: Doc, value: unknown, dialect: Dialect, print: (v: unknown) => Doc): Doc {
  const right = print(value);
  if (dialect === 'json') return group([group(key), ': ', right]);
  const shortKey = typeof key === 'string' && util.getStringWidth(key) < TAB_WIDTH + 3;
  if (typeof value === 'string' || value === undefined) {
    // A string breaks after the colon when it does not fit, unless the key is too short for that
    // to gain anything.
    return shortKey
      ? group([group(key), ':', ' ', right])
      : group([group(key), ':', group(indent([line, right]))]);
  }
  if (typeof value === 'boolean' || typeof value === 'number')
    return group([group(key), ':', ' ', right]);
  const id = Symbol('assignment');
  return group([
    group(key),
    ':',
    group(indent(line), { id }),
    indentIfBreak(right, { groupId: id }),
  ]);
}

function arrayDoc(items: unknown[], dialect: Dialect, print: (v: unknown) => Doc): Doc {
  if (!items.length) return '[]';
  const kind = (v: unknown) =>
    v === null || typeof v !== 'object' || v instanceof CodeRef
      ? undefined
      : Array.isArray(v)
        ? 'array'
        : 'object';
  const size = (v: unknown) =>
    Array.isArray(v)
      ? v.length
      : Object.values(v as object).filter((item) => item !== undefined).length;
  // Several objects (or arrays) of more than one entry each: one per line, whatever the width.
  const shouldBreak =
    items.length > 1 &&
    items.every((v, i) => {
      const k = kind(v);
      return k !== undefined && (i === items.length - 1 || kind(items[i + 1]) === k) && size(v) > 1;
    });
  const id = Symbol('array');
  const trailing = dialect === 'ts' ? ',' : '';
  // Numbers only: as many per line as fit.
  if (items.length > 1 && items.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    const parts: Doc[] = [];
    items.forEach((v, i) => {
      const last = i === items.length - 1;
      parts.push([print(v), last ? ifBreak(trailing, '', { groupId: id }) : ',']);
      if (!last) parts.push(line);
    });
    return group(['[', indent([softline, fill(parts)]), softline, ']'], { shouldBreak, id });
  }
  const parts: Doc[] = [];
  items.forEach((v, i) => {
    parts.push(group(print(v)));
    if (i < items.length - 1) parts.push([',', line]);
  });
  return group(['[', indent([softline, ...parts, ifBreak(trailing)]), softline, ']'], {
    shouldBreak,
    id,
  });
}

/** A property name as `objectKey` writes it, then as prettier prints that. */
function keyDoc(name: string, dialect: Dialect): Doc {
  if (dialect === 'json') return stringDoc(name, 'json');
  if (name === '__proto__') return ['[', stringDoc(name, 'ts'), ']'];
  if (isIdentifier(name)) return name;
  // prettier unquotes a key that is an ES5 identifier name, which reaches beyond ASCII: such
  // names are left to prettier itself.
  if (/[^\x20-\x7e]/.test(name)) throw new NotLaidOut('a non-ASCII property name');
  return stringDoc(name, 'ts');
}

/** A string literal: `tsString`'s escapes, in the quotes prettier picks (single, unless fewer escapes). */
function stringDoc(value: string, dialect: Dialect): string {
  const json = tsString(value) as unknown as string;
  if (dialect === 'json') return json;
  const raw = json.slice(1, -1);
  return util.makeString(raw, util.getPreferredQuote(raw, true));
}

/** A number as prettier prints it (from `JSON.stringify`'s text: `1e+21` → `1e21`). */
function printNumber(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/^([+-]?[\d.]+e)(?:\+|(-))?0*(\d)/, '$1$2$3')
    .replace(/^([+-]?[\d.]+)e[+-]?0+$/, '$1')
    .replace(/^([+-])?\./, '$10.')
    .replace(/(\.\d+?)0+(?=e|$)/, '$1')
    .replace(/\.(?=e|$)/, '');
}
