/**
 * A small JSON-schema validator for the subset of JSON Schema that capgen emits (see `JsonSchema` in
 * contract.ts): `type` (one type or a list, including 'null'), `enum`, `required`, `properties`,
 * `additionalProperties` (false or a schema), `items`, `anyOf`, `minimum`/`maximum`,
 * `minLength`/`maxLength` and `pattern`. `format`, `title`, `description` and `default` are
 * annotations only.
 *
 * Why not ajv: ajv compiles validators with `new Function`, which edge runtimes (Cloudflare Workers,
 * Vercel Edge) forbid, and it would be the only runtime dependency of generated code. The subset is
 * small enough to interpret directly, and interpreting lets the messages name the offending parameter
 * the way Stripe does (`account_holder[type]`), which agents and humans can act on.
 *
 * {@link validateValue} stops at the first problem (REST answers name one parameter);
 * {@link validateArguments} lists them all (MCP tool errors let an agent fix everything at once).
 */
import type { JsonSchema, JsonSchemaType } from './contract.js';

/** One validation problem: the parameter it concerns and a readable explanation. */
export interface ValidationIssue {
  /** Parameter name in bracket notation, e.g. `account_holder[type]` or `items[0][price]`. */
  param: string;
  message: string;
}

/** A step into a value: an object key or an array index. */
export type PathSegment = string | number;

/**
 * Formats a parameter path the way Stripe names parameters: the root name, then each step in
 * brackets (`metadata[order_id]`, `line_items[0][price]`). With an empty root the first step is bare,
 * which names a field of a JSON request body (`account_holder[type]`).
 */
export function formatParam(root: string, path: readonly PathSegment[]): string {
  let out = root;
  for (const segment of path) out = out === '' ? String(segment) : `${out}[${segment}]`;
  return out;
}

/**
 * Checks `value` against `schema`. Returns the first problem found, or `undefined` when valid.
 * `root` names the value in messages (an input name, or '' for the fields of a request body).
 */
export function validateValue(
  schema: JsonSchema,
  value: unknown,
  root = '',
): ValidationIssue | undefined {
  const problems: Problem[] = [];
  check(schema, value, [], problems, 1);
  if (problems.length === 0) return undefined;
  const param = formatParam(root, problems[0].path);
  return { param, message: problems[0].render(param === '' ? 'request body' : param) };
}

/**
 * Checks a set of named arguments (an MCP tool call, say) and returns every problem found (at most
 * `maxIssues`) as readable sentences; empty when valid.
 */
export function validateArguments(schema: JsonSchema, args: unknown, maxIssues = 20): string[] {
  const problems: Problem[] = [];
  check(schema, args, [], problems, maxIssues);
  return problems.map((p) => {
    const param = formatParam('', p.path);
    return p.render(param === '' ? 'arguments' : param);
  });
}

/** The declared types of a schema, inferring `object`/`array` from structural keywords; undefined = any. */
export function schemaTypes(schema: JsonSchema): readonly JsonSchemaType[] | undefined {
  const { type } = schema;
  if (type !== undefined) return typeof type === 'string' ? [type] : type;
  if (
    schema.properties !== undefined ||
    schema.required !== undefined ||
    schema.additionalProperties !== undefined
  ) {
    return OBJECT_ONLY;
  }
  if (schema.items !== undefined) return ARRAY_ONLY;
  return undefined;
}
const OBJECT_ONLY: readonly JsonSchemaType[] = ['object'];
const ARRAY_ONLY: readonly JsonSchemaType[] = ['array'];

/** Whether `value` is an instance of the JSON type `type` (integers are numbers too). */
export function hasType(type: JsonSchemaType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isPlainObject(value);
  }
}

/** "an integer", "a string or null", "one of: ..." — the expected shape, for messages. */
export function describeSchema(schema: JsonSchema): string {
  if (schema.anyOf !== undefined && schema.anyOf.length > 0) {
    return joinOr(unique(schema.anyOf.map(describeSchema)));
  }
  if (schema.enum !== undefined) return `one of ${formatEnum(schema.enum)}`;
  const types = schemaTypes(schema);
  if (types === undefined) return 'any value';
  return joinOr(types.map((t) => TYPE_NOUNS[t]));
}

/** A short description of an actual value, for messages: `a string ("abc")`, `the number 3.5`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `a string (${quote(value)})`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

// ---------------------------------------------------------------------------------------------------
// Interpreter

/** A problem found deep in a value; the message is rendered once the parameter name is known. */
interface Problem {
  path: PathSegment[];
  render(param: string): string;
}

const TYPE_NOUNS: Record<JsonSchemaType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function problem(path: PathSegment[], render: (param: string) => string): Problem {
  return { path: path.slice(), render };
}

/**
 * Validates `value` at `path` (a shared stack, pushed and popped while descending), appending
 * problems to `out` until it holds `max` of them.
 */
function check(
  schema: JsonSchema,
  value: unknown,
  path: PathSegment[],
  out: Problem[],
  max: number,
): void {
  if (schema.anyOf !== undefined && schema.anyOf.length > 0) {
    const failure = checkAnyOf(schema, schema.anyOf, value, path);
    if (failure !== undefined) {
      out.push(failure);
      return;
    }
  }

  const types = schemaTypes(schema);
  if (types !== undefined && !types.some((t) => hasType(t, value))) {
    const expected = joinOr(types.map((t) => TYPE_NOUNS[t]));
    out.push(
      problem(path, (p) => `Invalid ${p}: expected ${expected}, got ${describeValue(value)}.`),
    );
    return;
  }

  if (schema.enum !== undefined && !schema.enum.some((allowed) => jsonEqual(allowed, value))) {
    const allowed = formatEnum(schema.enum);
    out.push(
      problem(path, (p) => `Invalid ${p}: must be one of ${allowed}; got ${describeValue(value)}.`),
    );
    return;
  }

  if (typeof value === 'string') {
    checkString(schema, value, path, out);
  } else if (typeof value === 'number') {
    checkNumber(schema, value, path, out);
  } else if (Array.isArray(value)) {
    if (schema.items === undefined) return;
    for (let i = 0; i < value.length && out.length < max; i++) {
      path.push(i);
      check(schema.items, value[i], path, out, max);
      path.pop();
    }
  } else if (isPlainObject(value)) {
    checkObject(schema, value, path, out, max);
  }
}

/** The first problem of a branch, or undefined when the value satisfies it. */
function firstProblem(
  schema: JsonSchema,
  value: unknown,
  path: PathSegment[],
): Problem | undefined {
  const out: Problem[] = [];
  check(schema, value, path, out, 1);
  return out[0];
}

function checkAnyOf(
  schema: JsonSchema,
  branches: JsonSchema[],
  value: unknown,
  path: PathSegment[],
): Problem | undefined {
  const failures: Problem[] = [];
  for (const branch of branches) {
    const failure = firstProblem(branch, value, path);
    if (failure === undefined) return undefined;
    failures.push(failure);
  }
  // Report the reason of the branch the value was evidently aiming at (the one whose type matches),
  // which is more useful than "matched none of": `created[gte]` must be an integer, say.
  const aimed = branches.filter((branch) => {
    const types = schemaTypes(branch);
    return types !== undefined && types.some((t) => hasType(t, value));
  });
  if (aimed.length === 1) return failures[branches.indexOf(aimed[0])];
  const expected = describeSchema(schema);
  return problem(path, (p) => `Invalid ${p}: expected ${expected}, got ${describeValue(value)}.`);
}

function checkString(schema: JsonSchema, value: string, path: PathSegment[], out: Problem[]): void {
  if (schema.maxLength !== undefined || schema.minLength !== undefined) {
    // JSON Schema counts code points, not UTF-16 units (an emoji is one character).
    const length = codePointLength(value);
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      const max = schema.maxLength;
      out.push(
        problem(
          path,
          (p) => `Invalid ${p}: must be at most ${max} characters long (got ${length}).`,
        ),
      );
      return;
    }
    if (schema.minLength !== undefined && length < schema.minLength) {
      const min = schema.minLength;
      out.push(
        problem(
          path,
          (p) => `Invalid ${p}: must be at least ${min} characters long (got ${length}).`,
        ),
      );
      return;
    }
  }
  if (schema.pattern !== undefined) {
    const regex = compilePattern(schema.pattern);
    if (regex !== undefined && !regex.test(value)) {
      const pattern = schema.pattern;
      out.push(
        problem(
          path,
          (p) => `Invalid ${p}: ${quote(value)} does not match the pattern /${pattern}/.`,
        ),
      );
    }
  }
}

function checkNumber(schema: JsonSchema, value: number, path: PathSegment[], out: Problem[]): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    const min = schema.minimum;
    out.push(problem(path, (p) => `Invalid ${p}: must be at least ${min} (got ${value}).`));
  } else if (schema.maximum !== undefined && value > schema.maximum) {
    const max = schema.maximum;
    out.push(problem(path, (p) => `Invalid ${p}: must be at most ${max} (got ${value}).`));
  }
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: PathSegment[],
  out: Problem[],
  max: number,
): void {
  const properties = schema.properties;
  if (schema.required !== undefined) {
    for (const name of schema.required) {
      if (out.length >= max) return;
      if (!hasOwn(value, name) || value[name] === undefined) {
        path.push(name);
        out.push(problem(path, (p) => `Missing required param: ${p}.`));
        path.pop();
      }
    }
  }
  const extra = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    if (out.length >= max) return;
    const child = value[key];
    if (child === undefined) continue;
    const propertySchema =
      properties !== undefined && hasOwn(properties, key) ? properties[key] : undefined;
    path.push(key);
    if (propertySchema !== undefined) {
      check(propertySchema, child, path, out, max);
    } else if (extra === false) {
      const known = properties === undefined ? [] : Object.keys(properties);
      out.push(problem(path, (p) => `Received unknown parameter: ${p}.${knownList(known)}`));
    } else if (typeof extra === 'object') {
      check(extra, child, path, out, max);
    }
    path.pop();
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers

const patternCache = new Map<string, RegExp | undefined>();

/** Compiles (once) a schema `pattern`; an invalid pattern is ignored rather than rejecting every value. */
function compilePattern(pattern: string): RegExp | undefined {
  if (patternCache.has(pattern)) return patternCache.get(pattern);
  let regex: RegExp | undefined;
  try {
    regex = new RegExp(pattern, 'u');
  } catch {
    try {
      regex = new RegExp(pattern);
    } catch {
      regex = undefined;
    }
  }
  patternCache.set(pattern, regex);
  return regex;
}

function codePointLength(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Structural equality of JSON values (for `enum`). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  return (
    keys.length === Object.keys(rb).length &&
    keys.every((k) => hasOwn(rb, k) && jsonEqual(ra[k], rb[k]))
  );
}

function quote(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

function formatEnum(values: readonly unknown[]): string {
  const shown = values
    .slice(0, 20)
    .map((v) => (v === '' ? '"" (empty string)' : JSON.stringify(v)));
  return shown.join(', ') + (values.length > 20 ? `, ... (${values.length} values)` : '');
}

function knownList(known: string[]): string {
  if (known.length === 0) return ' This object takes no parameters.';
  if (known.length > 30) return '';
  return ` Known parameters: ${known.join(', ')}.`;
}

function joinOr(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? 'any value';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
