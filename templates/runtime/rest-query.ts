/**
 * Parsing of URL query strings (and path parameters) into typed values, guided by each input's
 * JSON schema, for the REST adapter (rest.ts).
 *
 * Query values arrive as text; the schema says what they mean:
 *
 *   limit=3                                  -> 3            (integer; `limit=3.5` is an error)
 *   livemode=true                            -> true
 *   expand[]=a&expand[]=b                    -> ['a', 'b']
 *   expand[0]=a&expand[1]=b                  -> ['a', 'b']
 *   expand=a&expand=b                        -> ['a', 'b']
 *   created[gte]=1&created[lt]=9             -> {gte: 1, lt: 9}   (typed by the object's properties)
 *   items[0][price]=p&items[0][quantity]=2   -> [{price: 'p', quantity: 2}]
 *   created=5 against anyOf [object, integer] -> 5            (branches tried in order)
 *
 * Coercion settles types and structure; the caller then runs the full validator (validate.ts) for
 * enums, bounds, patterns and required properties.
 */
import type { JsonSchema, JsonSchemaType } from './contract.js';
import { DEFAULT_SHAPE_LIMITS } from './limits.js';
import { describeSchema, schemaTypes, validateValue, type ValidationIssue } from './validate.js';

/** One `key=value` pair of a query string, with the key split into its name and bracket steps. */
export interface QueryEntry {
  /** The bracket steps after the name: `created[gte]` -> ['gte'], `expand[]` -> [''], `limit` -> []. */
  keys: string[];
  value: string;
}

/** Query entries grouped by parameter name, in order of appearance. */
export type ParsedQuery = Map<string, QueryEntry[]>;

/** The result of coercing: a value, or the first problem found. */
export type Coerced = { ok: true; value: unknown } | { ok: false; issue: ValidationIssue };

/** Thrown by {@link parseQuery} for undecodable percent-escapes. */
export class MalformedQueryError extends Error {
  override readonly name = 'MalformedQueryError';
}

/** Deepest bracket nesting accepted (`a[b][c]` is 2): the body's depth limit (limits.ts). */
const MAX_BRACKET_DEPTH = DEFAULT_SHAPE_LIMITS.maxDepth;

/** Upper bound on an array index in bracket notation (guards against `a[99999999]=x`). */
const MAX_INDEX = 10_000;

/**
 * Splits a raw query string (without '?') into entries grouped by parameter name. `+` means a space
 * and percent-escapes are decoded once. Throws {@link MalformedQueryError} on a bad escape or a key
 * nested deeper than the body's depth limit.
 */
export function parseQuery(raw: string): ParsedQuery {
  const result: ParsedQuery = new Map();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const pair = raw.slice(start, end);
      const eq = pair.indexOf('=');
      const rawKey = eq < 0 ? pair : pair.slice(0, eq);
      const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
      const key = decodeComponent(rawKey);
      if (key !== '') {
        const { name, keys } = splitKey(key);
        if (keys.length > MAX_BRACKET_DEPTH) {
          throw new MalformedQueryError(
            `Query parameter ${JSON.stringify(name.slice(0, 60))} is nested too deeply: more than ${MAX_BRACKET_DEPTH} bracket levels.`,
          );
        }
        const entry: QueryEntry = { keys, value: decodeComponent(rawValue) };
        const list = result.get(name);
        if (list === undefined) result.set(name, [entry]);
        else list.push(entry);
      }
    }
    start = end + 1;
  }
  return result;
}

/**
 * Coerces the entries of one query parameter to `schema`, then validates the result.
 * `param` names the parameter in messages (`created`, nested ones become `created[gte]`).
 */
export function coerceQueryParam(
  schema: JsonSchema,
  entries: QueryEntry[],
  param: string,
): Coerced {
  const coerced = coerce(schema, entries, param);
  if (!coerced.ok) return coerced;
  const issue = validateValue(schema, coerced.value, param);
  return issue === undefined ? coerced : { ok: false, issue };
}

/** Coerces a single text value (a path parameter) to `schema`, then validates it. */
export function coerceTextParam(schema: JsonSchema, text: string, param: string): Coerced {
  return coerceQueryParam(schema, [{ keys: [], value: text }], param);
}

// ---------------------------------------------------------------------------------------------------

function coerce(schema: JsonSchema, entries: QueryEntry[], param: string): Coerced {
  if (schema.anyOf !== undefined && schema.anyOf.length > 0)
    return coerceAnyOf(schema, schema.anyOf, entries, param);

  const types = schemaTypes(schema);
  let nested = false;
  for (const entry of entries) if (entry.keys.length > 0) nested = true;

  if (!nested) {
    if (entries.length === 1) {
      const scalar = coerceScalar(types, entries[0].value);
      if (scalar.ok) return scalar;
      if (types !== undefined && types.includes('array'))
        return coerceArrayOfLeaves(schema, entries, param);
      if (types !== undefined && types.includes('object')) {
        return fail(
          param,
          `Invalid ${param}: expected an object; pass its fields as ${param}[field]=value.`,
        );
      }
      return fail(
        param,
        `Invalid ${param}: expected ${describeSchema(schema)}, got ${JSON.stringify(entries[0].value)}.`,
      );
    }
    if (types === undefined || types.includes('array'))
      return coerceArrayOfLeaves(schema, entries, param);
    return fail(
      param,
      `Invalid ${param}: the parameter was given ${entries.length} times but takes a single value.`,
    );
  }

  for (const entry of entries) {
    if (entry.keys.length === 0) {
      return fail(param, `Invalid ${param}: cannot mix ${param}=value with ${param}[...]=value.`);
    }
  }
  const allIndices = entries.every((e) => e.keys[0] === '' || /^\d+$/.test(e.keys[0]));
  const arrayAllowed = types === undefined || types.includes('array');
  const objectAllowed = types === undefined || types.includes('object');
  if (allIndices && arrayAllowed) return coerceIndexedArray(schema, entries, param);
  if (objectAllowed) return coerceObject(schema, entries, param);
  return fail(
    param,
    `Invalid ${param}: expected ${describeSchema(schema)}, but nested parameters (${param}[...]) were given.`,
  );
}

/** anyOf: the first branch that both coerces and validates wins. */
function coerceAnyOf(
  schema: JsonSchema,
  branches: JsonSchema[],
  entries: QueryEntry[],
  param: string,
): Coerced {
  // Failures of branches that understood the shape of the input: it coerced but failed validation,
  // or it failed on a nested parameter (`created[foo]`) rather than on the parameter as a whole.
  const understood: Coerced[] = [];
  for (const branch of branches) {
    const attempt = coerce(branch, entries, param);
    if (attempt.ok) {
      const issue = validateValue(branch, attempt.value, param);
      if (issue === undefined) return attempt;
      understood.push({ ok: false, issue });
    } else if (attempt.issue.param !== param) {
      understood.push(attempt);
    }
  }
  // When exactly one branch understood the input, its complaint is the useful one.
  if (understood.length === 1) return understood[0];
  const got =
    entries.length === 1 && entries[0].keys.length === 0
      ? `, got ${JSON.stringify(entries[0].value)}`
      : '';
  return fail(param, `Invalid ${param}: expected ${describeSchema(schema)}${got}.`);
}

/** `expand=a&expand=b` (or a single `expand=a`): one element per entry. */
function coerceArrayOfLeaves(schema: JsonSchema, entries: QueryEntry[], param: string): Coerced {
  const itemSchema = schema.items ?? {};
  const out: unknown[] = [];
  for (let i = 0; i < entries.length; i++) {
    const item = coerce(itemSchema, [{ keys: [], value: entries[i].value }], `${param}[${i}]`);
    if (!item.ok) return item;
    out.push(item.value);
  }
  return { ok: true, value: out };
}

/** `a[]=x&a[]=y` (one element each) or `a[0][k]=x&a[1][k]=y` (grouped by index, in index order). */
function coerceIndexedArray(schema: JsonSchema, entries: QueryEntry[], param: string): Coerced {
  const itemSchema = schema.items ?? {};
  const groups = new Map<number, QueryEntry[]>();
  let next = 0;
  const appendOnly = entries.every((e) => e.keys[0] === '');
  const indexed = entries.every((e) => e.keys[0] !== '');
  if (!appendOnly && !indexed) {
    return fail(
      param,
      `Invalid ${param}: use either ${param}[]=value or ${param}[0]=value, not both.`,
    );
  }
  for (const entry of entries) {
    let index: number;
    if (appendOnly) {
      index = next++;
    } else {
      index = Number(entry.keys[0]);
      if (index > MAX_INDEX)
        return fail(
          `${param}[${entry.keys[0]}]`,
          `Invalid ${param}: array index ${entry.keys[0]} is too large.`,
        );
    }
    const rest: QueryEntry = { keys: entry.keys.slice(1), value: entry.value };
    const group = groups.get(index);
    if (group === undefined) groups.set(index, [rest]);
    else group.push(rest);
  }
  // Sparse indices are compacted in order: a[0]=x&a[5]=y -> [x, y].
  const indices = [...groups.keys()].sort((a, b) => a - b);
  const out: unknown[] = [];
  for (let position = 0; position < indices.length; position++) {
    const item = coerce(
      itemSchema,
      groups.get(indices[position]) as QueryEntry[],
      `${param}[${position}]`,
    );
    if (!item.ok) return item;
    out.push(item.value);
  }
  return { ok: true, value: out };
}

/** `created[gte]=1&created[lt]=9`: grouped by the first key, each typed by its property schema. */
function coerceObject(schema: JsonSchema, entries: QueryEntry[], param: string): Coerced {
  const groups = new Map<string, QueryEntry[]>();
  for (const entry of entries) {
    const rest: QueryEntry = { keys: entry.keys.slice(1), value: entry.value };
    const group = groups.get(entry.keys[0]);
    if (group === undefined) groups.set(entry.keys[0], [rest]);
    else group.push(rest);
  }
  const out: Record<string, unknown> = {};
  for (const [key, group] of groups) {
    const childParam = `${param}[${key}]`;
    const properties = schema.properties;
    let childSchema: JsonSchema | undefined =
      properties !== undefined && Object.prototype.hasOwnProperty.call(properties, key)
        ? properties[key]
        : undefined;
    if (childSchema === undefined) {
      const extra = schema.additionalProperties;
      if (extra === false) {
        const known =
          properties === undefined
            ? ''
            : ` Known parameters: ${Object.keys(properties)
                .map((k) => `${param}[${k}]`)
                .join(', ')}.`;
        return fail(childParam, `Received unknown parameter: ${childParam}.${known}`);
      }
      childSchema = typeof extra === 'object' ? extra : {};
    }
    const child = coerce(childSchema, group, childParam);
    if (!child.ok) return child;
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: child.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = child.value;
    }
  }
  return { ok: true, value: out };
}

/**
 * Reads one text value as the first of the allowed scalar types it fits, most specific first:
 * boolean, integer, number, string, then null (`''` or `null`). Untyped schemas keep the text.
 */
function coerceScalar(types: readonly JsonSchemaType[] | undefined, text: string): Coerced {
  if (types === undefined) return { ok: true, value: text };
  if (types.includes('boolean')) {
    if (text === 'true') return { ok: true, value: true };
    if (text === 'false') return { ok: true, value: false };
  }
  if (types.includes('integer') && /^-?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return { ok: true, value: n };
  }
  if (types.includes('number') && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return { ok: true, value: n };
  }
  if (types.includes('string')) return { ok: true, value: text };
  if (types.includes('null') && (text === '' || text === 'null')) return { ok: true, value: null };
  return { ok: false, issue: { param: '', message: '' } }; // message supplied by the caller
}

function fail(param: string, message: string): Coerced {
  return { ok: false, issue: { param, message } };
}

/** `a[b][0]` -> {name: 'a', keys: ['b', '0']}; a key that is not clean bracket notation stays whole. */
function splitKey(key: string): { name: string; keys: string[] } {
  const open = key.indexOf('[');
  if (open <= 0 || key[key.length - 1] !== ']') return { name: key, keys: NO_KEYS };
  const keys: string[] = [];
  let i = open;
  while (i < key.length) {
    if (key[i] !== '[') return { name: key, keys: NO_KEYS };
    const close = key.indexOf(']', i);
    if (close < 0) return { name: key, keys: NO_KEYS };
    keys.push(key.slice(i + 1, close));
    i = close + 1;
  }
  return { name: key.slice(0, open), keys };
}
const NO_KEYS: string[] = [];

function decodeComponent(text: string): string {
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new MalformedQueryError(
      `Malformed percent-encoding in the query string: ${JSON.stringify(text.slice(0, 60))}.`,
    );
  }
}
