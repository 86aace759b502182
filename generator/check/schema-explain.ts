/**
 * JSON Schema validation (ajv, draft 2020-12) that explains a failure by its causes.
 *
 * Raw, ajv reports every branch of a failed union (`oneOf`/`anyOf`): a rest adapter with a bad
 * port is also "not an MCP adapter, not a skill adapter, ...". Here every union is validated by a
 * keyword of our own that tries each branch (itself explained the same way, so nested unions
 * reduce too) and keeps the causes of the branch the document meant:
 *   1. not a branch whose `const` on a direct property fails (the document is of another kind:
 *      `type: rest` against the MCP branch);
 *   2. then the branch missing the fewest fields at the union's place (`steps`, `ref`: the fields
 *      that select a mode);
 *   3. then the branch with the fewest causes;
 *   4. then the one whose deepest cause is deepest (it matched furthest), then the first.
 * Where every branch is of another kind by the same property, or fails only for missing fields, or
 * only for the value's type, or only for a pattern, at the union's own place, the causes merge into
 * one ("type is graphql; expected one of rest, mcp, skill, control", "needs capability or
 * consumes", "must be a string or a number").
 *
 * The rewrite only moves union branches under our keywords: any schema (capgen's own, or the
 * official one a user names) is explained the same way, so two schemas of the same structure
 * report the same causes at the same places.
 *
 * This module holds no compiler: the validators come compiled, by ajv at run time
 * (schema-compile.ts) or at build time (schema-precompiled.ts), and explain the same way either way.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';

/** One cause of a validation failure. */
export interface SchemaIssue {
  /** Where in the document (JSON pointer segments; array indexes are numbers). */
  path: Array<string | number>;
  /** ajv's keyword (`required`, `type`, `enum`, ...), or `oneOf` when several branches match. */
  keyword: string;
  params: Record<string, unknown>;
  /** The keyword's schema value (e.g. the `not` subschema), when ajv gives it. */
  schema?: unknown;
  /** The schema object holding the keyword (e.g. its `properties`, for unknown-field hints). */
  parentSchema?: unknown;
}

type Schema = Record<string, unknown>;
export const UNIONS = ['oneOf', 'anyOf'] as const;
const BRANCHES = (kind: string) => `x-capgen-${kind}-branches`;
/** The keyword a union of this kind becomes; its value is `<pointer to the branches>|<count>`. */
export const KEYWORD = (kind: string) => `x-capgen-${kind}`;

/** What our union keywords call: the validator they run under, passed as `this` (ajv's passContext). */
export interface UnionHost {
  capgenUnion(kind: string, pointer: string, data: unknown, at: string): Partial<ErrorObject>[];
}

/** A validation function of a rewritten schema, compiled with ajv's `passContext`. */
export interface Validate {
  (this: UnionHost, data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** A rewritten schema's validators, however they were compiled. */
export interface CompiledSchema {
  /** The whole schema's validator. */
  root(): Validate;
  /** One union branch's validator, by `<pointer to the branches>/<index>`. */
  branch(ref: string): Validate;
  /** One union branch's schema (for the fields it requires), by the same reference. */
  branchSchema(ref: string): unknown;
}

/** Where an error's own `schema` is kept while it passes up through our union keywords. */
const SCHEMA = 'capgenSchema';
type Stashed = ErrorObject & { [SCHEMA]?: unknown };

const isObject = (v: unknown): v is Schema =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A compiled schema that reports causes, not raw ajv errors. */
export class ExplainingValidator implements UnionHost {
  constructor(private readonly compiled: CompiledSchema) {}

  /** The causes of `data`'s failure; empty when it is valid. */
  validate(data: unknown): SchemaIssue[] {
    const root = this.compiled.root();
    if (root.call(this, data)) return [];
    return dedupe((root.errors ?? []).filter(isCause).map(toIssue));
  }

  /** Called by the union keywords' code (with `at`, the union's place in the document). */
  capgenUnion(kind: string, pointer: string, data: unknown, at: string): Partial<ErrorObject>[] {
    const [base, n] = pointer.split('|');
    const count = Number(n);
    const results: Array<{ ok: boolean; errors: ErrorObject[] }> = [];
    for (let i = 0; i < count; i++) {
      const validate = this.compiled.branch(`${base}/${i}`);
      const ok = validate.call(this, data);
      results.push({
        ok,
        errors: ok
          ? []
          : (validate.errors ?? []).filter(isCause).map((e) => ({
              ...e,
              instancePath: at + e.instancePath,
              // ajv sets `schema` of errors our keyword returns to the keyword's own value.
              [SCHEMA]: (e as Stashed)[SCHEMA] ?? e.schema,
            })),
      });
    }
    const passing = results.flatMap((r, i) => (r.ok ? [i] : []));
    if (passing.length === 1 || (kind === 'anyOf' && passing.length > 1)) return [];
    if (passing.length > 1) {
      // The fields each matching branch requires, to name what makes the value ambiguous.
      const required = passing.map((i) => {
        const branch = this.compiled.branchSchema(`${base}/${i}`);
        return isObject(branch) && Array.isArray(branch.required)
          ? (branch.required as string[])
          : [];
      });
      return [
        {
          instancePath: at,
          keyword: 'oneOf',
          params: { passingSchemas: passing, required },
          message: 'ambiguous',
        },
      ];
    }
    return (
      merged(
        results.map((r) => r.errors),
        at,
      ) ??
      best(
        results.map((r) => r.errors),
        at,
      )
    );
  }
}

/**
 * Moves every `oneOf`/`anyOf` under our keyword; the branches stay in place under another name.
 * `branches` collects every branch's reference (`<pointer>/<index>`, as CompiledSchema.branch takes).
 */
export function rewriteUnions(node: unknown, pointer = '#', branches: string[] = []): unknown {
  if (Array.isArray(node))
    return node.map((item, i) => rewriteUnions(item, `${pointer}/${i}`, branches));
  if (!isObject(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    const union = UNIONS.find((k) => k === key);
    if (union && Array.isArray(value)) {
      const at = `${pointer}/${escapePointer(BRANCHES(union))}`;
      out[BRANCHES(union)] = rewriteUnions(value, at, branches);
      out[KEYWORD(union)] = `${at}|${value.length}`;
      for (let i = 0; i < value.length; i++) branches.push(`${at}/${i}`);
    } else {
      out[key] = rewriteUnions(value, `${pointer}/${escapePointer(key)}`, branches);
    }
  }
  return out;
}

/** The node a `#/...` JSON pointer names in a schema. */
export function resolvePointer(schema: unknown, pointer: string): unknown {
  let node = schema;
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** An `if` error only says "the `then` failed"; its causes are reported too. */
function isCause(error: ErrorObject): boolean {
  return error.keyword !== 'if';
}

const depth = (e: Partial<ErrorObject>) =>
  e.instancePath ? e.instancePath.split('/').length - 1 : 0;

/** The causes of the branch the document meant (see the module comment). */
function best(branches: ErrorObject[][], at: string): ErrorObject[] {
  const base = depth({ instancePath: at });
  const score = (errors: ErrorObject[]) => [
    // of another kind: a `const` on a direct property fails (`type: rest` against the MCP branch)
    errors.some((e) => e.keyword === 'const' && depth(e) === base + 1) ? 1 : 0,
    // fields that select the branch are missing here (`steps` of the orchestrated mode)
    errors.filter((e) => e.keyword === 'required' && depth(e) === base).length,
    errors.length,
    -Math.max(...errors.map(depth)),
  ];
  let chosen = 0;
  let chosenScore = score(branches[0]);
  for (let i = 1; i < branches.length; i++) {
    const candidate = score(branches[i]);
    const j = candidate.findIndex((v, k) => v !== chosenScore[k]);
    if (j >= 0 && candidate[j] < chosenScore[j]) {
      chosen = i;
      chosenScore = candidate;
    }
  }
  return branches[chosen];
}

/** One cause for branches that all fail in the same way at the union's own place, if they do. */
function merged(branches: ErrorObject[][], at: string): ErrorObject[] | undefined {
  // Every branch is of another kind, by the same property: its value is none of theirs.
  const tags = branches.map((errors) =>
    errors.find((e) => e.keyword === 'const' && depth(e) === depth({ instancePath: at }) + 1),
  );
  if (tags.every((t) => t !== undefined && t.instancePath === tags[0]!.instancePath))
    return [
      {
        ...tags[0]!,
        keyword: 'enum',
        params: { allowedValues: tags.map((t) => t!.params.allowedValue) },
      },
    ];
  const all = branches.flat();
  if (all.length === 0 || all.some((e) => e.instancePath !== at)) return undefined;
  const kinds = new Set(all.map((e) => e.keyword));
  if (kinds.size !== 1) return undefined;
  const [keyword] = kinds;
  if (keyword === 'required') {
    const alternatives = branches.map((errors) =>
      errors.map((e) => String(e.params.missingProperty)),
    );
    return [
      {
        instancePath: at,
        keyword: 'required',
        params: { alternatives },
        message: '',
      } as unknown as ErrorObject,
    ];
  }
  if (keyword === 'type') {
    const types = [...new Set(all.map((e) => String(e.params.type)))];
    return [
      {
        instancePath: at,
        keyword: 'type',
        params: { type: types.join(',') },
        message: '',
      } as unknown as ErrorObject,
    ];
  }
  if (keyword === 'pattern') {
    const patterns = all.map((e) => String(e.params.pattern));
    return [
      {
        instancePath: at,
        keyword: 'pattern',
        params: { patterns },
        message: '',
      } as unknown as ErrorObject,
    ];
  }
  return undefined;
}

function toIssue(error: ErrorObject): SchemaIssue {
  return {
    path: error.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    keyword: error.keyword,
    params: error.params as Record<string, unknown>,
    schema: (error as Stashed)[SCHEMA] ?? error.schema,
    parentSchema: error.parentSchema,
  };
}

function dedupe(issues: SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.keyword, issue.params]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
