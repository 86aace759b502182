/**
 * Data laid out exactly as prettier lays it out, without parsing it: the large data literals of
 * client.ts, rest.ts, mcp.ts and schemas.ts, and the OpenAPI documents (openapi.json), are most of
 * the output's bytes, and prettier spends most of its time parsing them back. The rules are those
 * prettier's estree printer and document printer apply to object and array literals (printWidth
 * 100, trailing commas, single quotes): a group goes on one line when it fits with what follows it
 * up to the next possible line break, else it breaks; several objects (or arrays) of more than one
 * entry each in an array always break, and so does every group around a broken one; numbers fill
 * lines; a property breaks after its colon when its value does not fit (`fluid` layout), except a
 * string after a key shorter than 5 columns, and numbers and booleans, which never do. Widths are
 * prettier's (`getStringWidth`). test/layout.test.ts holds the result to byte-identity with
 * prettier on generated output and on random data.
 *
 * Strings are written through `tsString` (escape.ts) and then given prettier's quotes, so the
 * escaping is the one every other generated string gets.
 */
import { createRequire } from 'node:module';
import { isIdentifier } from '../model/names.js';
import { tsString } from './escape.js';
import { CodeRef } from './literal.js';
import { joined } from './rope.js';

/**
 * prettier's string helpers, from its CommonJS entry (42 KB): the ES module entry is the whole of
 * prettier's core (680 KB, 40 ms to load), which a run that formats nothing with prettier never needs.
 */
const { util } = createRequire(import.meta.url)('prettier') as typeof import('prettier');

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
  return new Layout('ts', refFor).print(value, at.lineIndent, at.column, width(at.suffix));
}

/**
 * A JSON document as prettier formats `JSON.stringify(value, null, 2)` (every non-empty object
 * broken, as that text has it), with `jsonText`'s escapes (escape.ts) in every string.
 */
export function layoutJson(value: unknown): string {
  return `${new Layout('json', () => undefined).print(value, 0, 0, 0)}\n`;
}

/** Columns `text` takes as prettier counts them (wide characters two, combining marks none). */
export const width = (text: string): number =>
  /^[\x20-\x7e]*$/.test(text) ? text.length : util.getStringWidth(text);

/** A TypeScript string literal as prettier prints it: `tsString`'s escapes, in prettier's quotes. */
export function layoutString(value: string): string {
  const raw = (tsString(value) as unknown as string).slice(1, -1);
  return util.makeString(raw, util.getPreferredQuote(raw, true));
}

interface Measure {
  /** Width on one line. */
  flat: number;
  /** Never on one line (it, or a group inside it, always breaks). */
  hard: boolean;
}

class Layout {
  private readonly measures = new Map<object, Measure>();
  private readonly texts = new Map<unknown, string>();
  private readonly entryLists = new Map<object, Array<[string, unknown]>>();
  /** After an entry of a broken object or array: the comma (JSON has none after the last). */
  private readonly comma: number;

  constructor(
    private readonly dialect: Dialect,
    private readonly refFor: (value: object) => CodeRef | undefined,
  ) {
    this.comma = dialect === 'ts' ? 1 : 0;
  }

  /** `value` starting at column `pos` of a line indented by `indent`, `rest` columns after it. */
  print(value: unknown, indent: number, pos: number, rest: number): string {
    const leaf = this.leaf(value);
    if (leaf !== undefined) return leaf;
    const m = this.measure(value as object);
    if (!m.hard && pos + m.flat + rest <= PRINT_WIDTH) return this.flat(value);
    const inner = indent + TAB_WIDTH;
    const pad = `\n${' '.repeat(inner)}`;
    const close = `\n${' '.repeat(indent)}`;
    if (Array.isArray(value)) {
      const last = value.length - 1;
      if (isNumbers(value)) {
        // fill: as many as fit on each line, each with its comma.
        const items = value.map(
          (v, i) => this.flat(v) + (i < last ? ',' : this.dialect === 'ts' ? ',' : ''),
        );
        let out = `[${pad}${items[0]}`;
        let at = inner;
        for (let i = 1; i <= last; i++) {
          const fits = at + width(items[i - 1]) + 1 + width(items[i]) <= PRINT_WIDTH;
          at = fits ? at + width(items[i - 1]) + 1 : inner;
          out += fits ? ` ${items[i]}` : `${pad}${items[i]}`;
        }
        return `${out}${close}]`;
      }
      return `[${joined(
        value.map((v, i) => {
          const comma = i < last ? 1 : this.comma;
          return `${pad}${this.print(v, inner, inner, comma)}${comma ? ',' : ''}`;
        }),
      )}${close}]`;
    }
    const entries = this.entries(value as object);
    const last = entries.length - 1;
    return `{${joined(
      entries.map(([key, v], i) => {
        const comma = i < last ? 1 : this.comma;
        return `${pad}${this.property(key, v, inner, comma)}${comma ? ',' : ''}`;
      }),
    )}${close}}`;
  }

  /** `key: value` at the start of a line indented by `indent`, `rest` columns after it. */
  private property(key: string, value: unknown, indent: number, rest: number): string {
    const k = this.key(key);
    const kw = width(k);
    const start = indent + kw + 2;
    if (this.dialect === 'json') return `${k}: ${this.print(value, indent, start, rest)}`;
    const leaf = this.leaf(value);
    const m = leaf === undefined ? this.measure(value as object) : undefined;
    const flat = leaf ?? (m!.hard ? undefined : this.flat(value));
    if (flat !== undefined && start + width(flat) + rest <= PRINT_WIDTH) return `${k}: ${flat}`;
    const breakAfter = `${k}:\n${' '.repeat(indent + TAB_WIDTH)}`;
    if (leaf !== undefined) {
      // Numbers, booleans, and strings after a short key never break after the colon.
      if (typeof value === 'number' || typeof value === 'boolean') return `${k}: ${leaf}`;
      if (typeof value === 'string' && kw < TAB_WIDTH + 3) return `${k}: ${leaf}`;
      return `${breakAfter}${leaf}`;
    }
    // An object or array stays after the colon when its opening bracket fits there.
    if (start + 1 <= PRINT_WIDTH) return `${k}: ${this.print(value, indent, start, rest)}`;
    const inner = indent + TAB_WIDTH;
    return `${breakAfter}${this.print(value, inner, inner, rest)}`;
  }

  /** The text of a value that is no group (string, number, reference, empty object or array). */
  private leaf(value: unknown): string | undefined {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'string') return this.string(value);
    if (typeof value === 'number')
      return Number.isFinite(value) ? printNumber(JSON.stringify(value)) : 'null';
    if (typeof value === 'boolean') return String(value);
    if (typeof value !== 'object') throw new NotLaidOut(`a ${typeof value}`);
    const ref = value instanceof CodeRef ? value : this.refFor(value);
    if (ref) return ref.name;
    if (Array.isArray(value)) return value.length ? undefined : '[]';
    return this.entries(value).length ? undefined : '{}';
  }

  private flat(value: unknown): string {
    const leaf = this.leaf(value);
    if (leaf !== undefined) return leaf;
    if (Array.isArray(value)) return `[${value.map((v) => this.flat(v)).join(', ')}]`;
    return `{ ${this.entries(value as object)
      .map(([k, v]) => `${this.key(k)}: ${this.flat(v)}`)
      .join(', ')} }`;
  }

  private measure(value: object): Measure {
    const known = this.measures.get(value);
    if (known) return known;
    let flat: number;
    let hard: boolean;
    const child = (v: unknown): Measure => {
      const leaf = this.leaf(v);
      return leaf === undefined ? this.measure(v as object) : { flat: width(leaf), hard: false };
    };
    if (Array.isArray(value)) {
      const items = value.map(child);
      flat = 2 + items.reduce((sum, m) => sum + m.flat, 0) + 2 * (items.length - 1);
      hard = items.some((m) => m.hard) || breaksAlways(value, (v) => this.size(v));
    } else {
      const props = this.entries(value).map(([k, v]) => {
        const m = child(v);
        return { flat: width(this.key(k)) + 2 + m.flat, hard: m.hard };
      });
      flat = 4 + props.reduce((sum, m) => sum + m.flat, 0) + 2 * (props.length - 1);
      hard = this.dialect === 'json' || props.some((m) => m.hard);
    }
    const m = { flat, hard };
    this.measures.set(value, m);
    return m;
  }

  /** Entries of an object or array that is printed as one (not a leaf); undefined otherwise. */
  private size(value: unknown): number | undefined {
    if (typeof value !== 'object' || value === null || this.leaf(value) !== undefined)
      return undefined;
    return Array.isArray(value) ? value.length : this.entries(value).length;
  }

  private entries(value: object): Array<[string, unknown]> {
    let entries = this.entryLists.get(value);
    if (!entries) {
      entries = Object.entries(value).filter(([, item]) => item !== undefined);
      this.entryLists.set(value, entries);
    }
    return entries;
  }

  /** A property name as `objectKey` writes it, then as prettier prints that. */
  private key(name: string): string {
    if (this.dialect === 'json') return this.string(name);
    if (name === '__proto__') return `[${this.string(name)}]`;
    if (isIdentifier(name)) return name;
    // prettier unquotes a key that is an ES5 identifier name, which reaches beyond ASCII: such
    // names are left to prettier itself.
    if (/[^\x20-\x7e]/.test(name)) throw new NotLaidOut('a non-ASCII property name');
    return this.string(name);
  }

  /** A string literal: `tsString`'s escapes, in the quotes prettier picks (single, unless fewer escapes). */
  private string(value: string): string {
    let text = this.texts.get(value);
    if (text === undefined) {
      text = this.dialect === 'json' ? (tsString(value) as unknown as string) : layoutString(value);
      this.texts.set(value, text);
    }
    return text;
  }
}

/** Numbers only (and more than one): prettier fills lines with them. */
function isNumbers(items: unknown[]): boolean {
  return items.length > 1 && items.every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** Several objects, or several arrays, of more than one entry each: one per line, always. */
function breaksAlways(items: unknown[], size: (v: unknown) => number | undefined): boolean {
  const kind = (v: unknown) => (size(v) === undefined ? undefined : Array.isArray(v) ? 'a' : 'o');
  return (
    items.length > 1 &&
    items.every(
      (v, i) =>
        kind(v) !== undefined &&
        (i === items.length - 1 || kind(items[i + 1]) === kind(v)) &&
        size(v)! > 1,
    )
  );
}

/** A number as prettier prints it (from `JSON.stringify`'s text: `1e+21` → `1e21`). */
export function printNumber(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/^([+-]?[\d.]+e)(?:\+|(-))?0*(\d)/, '$1$2$3')
    .replace(/^([+-]?[\d.]+)e[+-]?0+$/, '$1')
    .replace(/^([+-])?\./, '$10.')
    .replace(/(\.\d+?)0+(?=e|$)/, '$1')
    .replace(/\.(?=e|$)/, '');
}
