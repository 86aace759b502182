/**
 * JSON Schemas for inputs and outputs, from dereferenced OpenAPI schema objects (3.0 or 3.1) or
 * from a capability's own parameter declarations. The result uses only the vocabulary in
 * templates/runtime/contract.ts, which the runtime validator, MCP tool schemas and the adapter's
 * OpenAPI document all understand.
 */
import type { JsonSchema, JsonSchemaType, JsonValue } from '../../templates/runtime/contract.js';
import { isRecord } from '../check/paths.js';
import { htmlToText } from './text.js';

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

/** How many nested object/array levels a converted schema keeps before it becomes "any JSON". */
const MAX_NESTING = 12;

export function toJsonSchema(node: unknown, options: { descriptions?: boolean } = {}): JsonSchema {
  const withDescriptions = options.descriptions ?? true;
  const active = new Set<object>();
  // A dereferenced document reaches the same schema many times (Stripe's `expand` unions, shared
  // components): its conversion at a level is kept, unless a cycle was cut inside it, which makes
  // the result depend on the path taken. The results are never changed once made.
  const made = new Map<object, JsonSchema[]>();
  let cuts = 0;
  const convert = (schema: unknown, level: number): JsonSchema => {
    if (!isRecord(schema) || level > MAX_NESTING) return {};
    if (active.has(schema)) {
      cuts++;
      return {};
    }
    const known = made.get(schema)?.[level];
    if (known) return known;
    const before = cuts;
    active.add(schema);
    try {
      const result = convertObject(schema, level);
      if (cuts === before) {
        let byLevel = made.get(schema);
        if (!byLevel) made.set(schema, (byLevel = []));
        byLevel[level] = result;
      }
      return result;
    } finally {
      active.delete(schema);
    }
  };
  const convertObject = (s: Record<string, unknown>, level: number): JsonSchema => {
    const out: JsonSchema = {};
    if (withDescriptions && typeof s.description === 'string' && s.description.trim())
      out.description = htmlToText(s.description);
    const nullable = s.nullable === true;
    const branches = (
      Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined
    ) as unknown[] | undefined;
    if (branches) {
      const converted = branches.map((b) => convert(b, level + 1));
      // An empty-string enum branch is how Stripe spells "send '' to unset"; keep it as it is.
      out.anyOf = nullable ? [...converted, { type: 'null' }] : converted;
      return out;
    }
    if (Array.isArray(s.allOf)) {
      const parts = s.allOf.map((b) => convert(b, level + 1));
      Object.assign(out, mergeAll(parts), out);
    }
    const type = s.type;
    if (typeof type === 'string' && TYPES.has(type)) {
      out.type = type as JsonSchemaType;
    } else if (Array.isArray(type)) {
      out.type = type.filter((t): t is JsonSchemaType => typeof t === 'string' && TYPES.has(t));
    } else if (isRecord(s.properties)) {
      out.type = 'object';
    }
    // OpenAPI 3.0's `nullable` adds null to the type, wherever it came from (`allOf` too).
    if (nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(s.enum))
      out.enum =
        nullable && !s.enum.includes(null)
          ? [...(s.enum as JsonValue[]), null]
          : (s.enum as JsonValue[]);
    if (isRecord(s.properties)) {
      out.properties = {};
      for (const [name, prop] of Object.entries(s.properties))
        out.properties[name] = convert(prop, level + 1);
    }
    if (Array.isArray(s.required) && s.required.length)
      out.required = s.required.filter((r): r is string => typeof r === 'string');
    if (s.additionalProperties === false) out.additionalProperties = false;
    else if (isRecord(s.additionalProperties) && Object.keys(s.additionalProperties).length)
      out.additionalProperties = convert(s.additionalProperties, level + 1);
    if (isRecord(s.items)) out.items = convert(s.items, level + 1);
    for (const key of ['minimum', 'maximum', 'maxLength', 'minLength'] as const)
      if (typeof s[key] === 'number') out[key] = s[key] as number;
    if (typeof s.pattern === 'string') out.pattern = s.pattern;
    if (typeof s.format === 'string') out.format = s.format;
    return out;
  };
  return convert(node, 0);
}

function mergeAll(parts: JsonSchema[]): JsonSchema {
  const merged: JsonSchema = {};
  for (const part of parts) {
    if (part.type) merged.type = part.type;
    if (part.properties) merged.properties = { ...merged.properties, ...part.properties };
    if (part.required) merged.required = [...(merged.required ?? []), ...part.required];
    if (part.description && !merged.description) merged.description = part.description;
  }
  return merged;
}

/** A schema from a capability's `type` declaration (when no OpenAPI operation tells more). */
export function schemaFromDeclaredType(
  type: string | undefined,
  description: string | undefined,
): JsonSchema {
  const schema: JsonSchema = {};
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      schema.type = type;
      break;
    case 'array':
      schema.type = 'array';
      schema.items = {};
      break;
    case 'object':
      schema.type = 'object';
      break;
    default:
      break;
  }
  if (description) schema.description = htmlToText(description);
  return schema;
}

/**
 * The schema of a declared input bound to an upstream parameter. A declaration's type is coarse
 * (`array`, `object`), the upstream's schema precise (items, union branches, bounds): where the
 * declared type agrees with it, or only names one branch of a union, the upstream schema stays
 * whole and takes the declared description. A declared type that differs is the adapter's own
 * decision and replaces the upstream's.
 */
export function declaredOver(upstream: JsonSchema, declared: JsonSchema): JsonSchema {
  const numeric = (t: unknown) => t === 'number' || t === 'integer';
  const types = Array.isArray(upstream.type) ? upstream.type : [upstream.type];
  const agrees =
    declared.type === undefined ||
    upstream.anyOf !== undefined ||
    types.some((t) => t === declared.type || (numeric(t) && numeric(declared.type)));
  if (!agrees) return { ...upstream, ...declared };
  return declared.description ? { ...upstream, description: declared.description } : upstream;
}

/**
 * Limits stated only in prose ("Limit can range between 1 and 100") are common in API specs;
 * where a numeric schema has no bounds, take them from its description.
 */
export function boundsFromDescription(schema: JsonSchema): JsonSchema {
  const type = schema.type;
  if (
    (type !== 'integer' && type !== 'number') ||
    schema.minimum !== undefined ||
    schema.maximum !== undefined ||
    !schema.description
  )
    return schema;
  const match = /range[s]? (?:between|from) (-?\d+) (?:and|to) (-?\d+)/i.exec(schema.description);
  return match ? { ...schema, minimum: Number(match[1]), maximum: Number(match[2]) } : schema;
}

/** True when a schema describes a cursor-paginated list envelope: `data` array and `has_more` boolean. */
export function listItemSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  const props = schema?.properties;
  if (!props?.data || !props.has_more) return undefined;
  const data = props.data;
  const isArray =
    data.type === 'array' || (Array.isArray(data.type) && data.type.includes('array'));
  return isArray ? (data.items ?? {}) : undefined;
}

/**
 * The schema cut at `depth` levels of nesting: deeper parts keep their type and description but no
 * properties, items or branches, so they accept any value of that type. Used where a whole response
 * schema would be too large to be useful (MCP output schemas, the REST adapter's OpenAPI document).
 */
export function limitDepth(schema: JsonSchema, depth: number): JsonSchema {
  if (depth <= 0) {
    const cut: JsonSchema = {};
    if (schema.type && !schema.anyOf) cut.type = schema.type;
    if (schema.description) cut.description = schema.description;
    return cut;
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties)
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, limitDepth(v, depth - 1)]),
    );
  if (schema.items) out.items = limitDepth(schema.items, depth - 1);
  if (schema.anyOf) out.anyOf = schema.anyOf.map((s) => limitDepth(s, depth - 1));
  if (typeof schema.additionalProperties === 'object')
    out.additionalProperties = limitDepth(schema.additionalProperties, depth - 1);
  return out;
}
