/**
 * OpenAPI Schema Objects as the types emitter wants them: descriptions as plain text, titles and
 * extensions dropped, `$ref`s kept (each one reported, so that the caller can follow it), and
 * expandable fields spelled as unions.
 */
import { isRecord } from '../check/paths.js';
import type { OpenApiSchema } from './types.js';
import { htmlToText } from './text.js';

/** Keywords whose value maps names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value is one schema (or, for `items`, a list of them). */
const SCHEMA_VALUES = new Set([
  'items',
  'additionalProperties',
  'not',
  'contains',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
]);

const SCHEMA_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** A copy of `node` ready for the types emitter; `onRef` hears every `$ref` it contains. */
export function normalizeSchema(node: unknown, onRef: (ref: string) => void): unknown {
  if (Array.isArray(node)) return node.map((n) => normalizeSchema(n, onRef));
  if (!isRecord(node)) return node;
  if (typeof node.$ref === 'string') {
    const ref = printableRef(node.$ref);
    onRef(ref);
    return { $ref: ref };
  }
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(withExpansions(node))) {
    if (key.startsWith('x-') || key === 'title') continue;
    if (key === 'description') {
      const text = typeof value === 'string' ? htmlToText(value) : '';
      if (text) out.description = text;
    } else if (key === 'type') {
      // Only the JSON Schema type names: any other text would reach the emitted types' comments.
      const types = (Array.isArray(value) ? value : [value]).filter(
        (t): t is string => typeof t === 'string' && SCHEMA_TYPES.has(t),
      );
      if (types.length) out.type = Array.isArray(value) ? types : types[0];
    } else if (SCHEMA_MAPS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, schema]) => [name, normalizeSchema(schema, onRef)]),
      );
    } else if ((SCHEMA_LISTS.has(key) && Array.isArray(value)) || SCHEMA_VALUES.has(key)) {
      out[key] = normalizeSchema(value, onRef);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * A `$ref` the types emitter can print: openapi-typescript reads the JSON pointer after `#/`, and
 * throws on a reference without one (`Pet`, `#`, any text). Such a reference names no schema; it
 * becomes a pointer of its own (whose type is then opaque), keeping what it said.
 */
export function printableRef(ref: string): string {
  const pointer = ref.split('#/')[1] ?? '';
  return pointer.split('/').some(Boolean)
    ? ref
    : `#/x-capgen-unresolvable/${ref.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Expandable fields. The generic pattern, `anyOf: [{type: string}, {$ref: X}]` (an id, or the
 * object when the caller asks for it), is a union already. Stripe also lists the objects a field
 * expands to in `x-expansionResources: {oneOf: [{$ref: X}]}`; any of them the schema does not list
 * in `anyOf` is added to it, so that the field types as `string | X` either way.
 */
export function withExpansions(node: Record<string, unknown>): Record<string, unknown> {
  const expansions = node['x-expansionResources'];
  const targets = (
    isRecord(expansions) && Array.isArray(expansions.oneOf) ? expansions.oneOf : []
  ).filter((t): t is { $ref: string } => isRecord(t) && typeof t.$ref === 'string');
  if (!targets.length) return node;
  const listed = new Set(
    (Array.isArray(node.anyOf) ? node.anyOf : []).map((b) => (isRecord(b) ? b.$ref : undefined)),
  );
  const missing = targets.filter((t) => !listed.has(t.$ref)).map((t) => ({ $ref: t.$ref }));
  if (!missing.length) return node;
  if (Array.isArray(node.anyOf)) return { ...node, anyOf: [...node.anyOf, ...missing] };
  // The schema itself is the id side; its description and nullability apply to the whole field.
  const { description, nullable, 'x-expansionResources': _targets, ...id } = node;
  return {
    ...(description === undefined ? {} : { description }),
    ...(nullable === undefined ? {} : { nullable }),
    anyOf: [id, ...missing],
  };
}
