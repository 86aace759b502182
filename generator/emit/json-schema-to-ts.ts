/**
 * TypeScript types for the JSON Schemas in the model: parameters, and everything no OpenAPI
 * document describes. Unknown shapes become `JsonValue`, never `any`. The types are type nodes
 * (type-nodes.ts), laid out directly in prettier's layout (type-layout.ts) in each capability's
 * types.ts and orchestrations.ts, or written as source for prettier where that cannot be.
 */
import type { JsonSchema, JsonValue } from '../../templates/runtime/contract.js';
import { docBlock, type TsCode } from './escape.js';
import { typeSource, type MemberNode, type TypeNode } from './type-nodes.js';

/**
 * `output` types describe what an API returns: unknown parts are `JsonValue`. `input` types describe
 * what callers may pass: unknown parts are `unknown`, so any value the encoder handles (a Date, an
 * object with optional fields left undefined) is accepted.
 */
export type TypeMode = 'input' | 'output';

const keyword = (name: string): TypeNode => ({ t: 'keyword', name });
const STRING = keyword('string');
const NUMBER = keyword('number');
const BOOLEAN = keyword('boolean');
const NULL = keyword('null');
const JSON_VALUE: TypeNode = { t: 'ref', name: 'JsonValue' };
const anything = (mode: TypeMode) => (mode === 'input' ? keyword('unknown') : JSON_VALUE);

/** The type of a schema, as a type node. */
export function schemaToNode(schema: JsonSchema, mode: TypeMode = 'output'): TypeNode {
  if (schema.enum) return union(schema.enum.map(literal), false);
  if (schema.anyOf) return union(schema.anyOf.map((s) => schemaToNode(s, mode)));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (!types.length) return schema.properties ? objectNode(schema, mode) : anything(mode);
  return union(
    types.map((t) => {
      switch (t) {
        case 'string':
          return STRING;
        case 'integer':
        case 'number':
          return NUMBER;
        case 'boolean':
          return BOOLEAN;
        case 'null':
          return NULL;
        case 'array':
          return generic('Array', schema.items ? schemaToNode(schema.items, mode) : anything(mode));
        case 'object':
          return objectNode(schema, mode);
      }
    }),
  );
}

const generic = (name: string, ...args: TypeNode[]): TypeNode => ({ t: 'generic', name, args });

function objectNode(schema: JsonSchema, mode: TypeMode): TypeNode {
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  const extra = schema.additionalProperties;
  if (!names.length)
    return generic(
      'Record',
      STRING,
      extra && typeof extra === 'object' ? schemaToNode(extra, mode) : anything(mode),
    );
  const required = new Set(schema.required ?? []);
  return {
    t: 'object',
    members: names.map((name): MemberNode =>
      propertyNode(
        name,
        schemaToNode(props[name], mode),
        !required.has(name),
        props[name].description,
      ),
    ),
  };
}

/**
 * A property of an object type or interface, with a doc comment holding `description` (escaped),
 * its name written as `propertyKey` writes it.
 */
export function propertyNode(
  name: string,
  type: TypeNode,
  optional: boolean,
  description: string | undefined,
): MemberNode {
  return {
    t: 'property',
    comment: docComment(description) as unknown as string,
    readonly: false,
    name,
    optional,
    type,
    quotedNumber: true,
  };
}

/** A `/** ... *\/` comment holding `text` (escaped), or nothing when there is no text. */
export function docComment(text: string | undefined, indent = ''): TsCode {
  return docBlock(text, indent);
}

/** The literal type of an enum value. */
function literal(value: JsonValue): TypeNode {
  if (typeof value === 'string') return { t: 'string', value };
  if (typeof value === 'number')
    return Number.isFinite(value) ? { t: 'literal', text: String(value) } : NUMBER;
  if (typeof value === 'boolean') return { t: 'literal', text: String(value) };
  return value === null ? NULL : JSON_VALUE;
}

/**
 * The union of `types`, without repeats unless `dedupe` is false (as written: `A | B` and `B` are
 * two members), a union member's own members in their place; a single type as it is, none `never`.
 */
function union(types: TypeNode[], dedupe = true): TypeNode {
  const distinct =
    types.length < 2 || !dedupe
      ? types
      : [...new Map(types.map((t) => [typeSource(t), t] as const)).values()];
  if (distinct.length === 1) return distinct[0];
  if (!distinct.length) return keyword('never');
  return { t: 'union', types: distinct.flatMap((t) => (t.t === 'union' ? t.types : [t])) };
}
