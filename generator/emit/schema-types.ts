/**
 * TypeScript type text for OpenAPI Schema Objects, with openapi-typescript's semantics (the options
 * capgen uses: properties in the spec's order, `readOnly` as `readonly`, a property with a default
 * required in what the API returns, objects without properties as `Record<string, unknown>`,
 * `allOf` members' `required` as `WithRequired`, discriminators as openapi-typescript resolves
 * them), built as a tree of type nodes (type-nodes.ts) rather than with the TypeScript compiler, so
 * that generating never loads it. The tree is written as source for prettier (`typeSource`) or
 * laid out as prettier would (type-layout.ts); both keep what the TypeScript printer would have
 * given prettier that it does not normalize: object types expanded one member per line,
 * parentheses around a union or intersection inside another or inside an array, and the doc
 * comments. test/schema-types.test.ts checks the result against openapi-typescript's own.
 *
 * Two departures: `$defs` is not a member of the type (it holds definitions, never data), and the
 * types a discriminator maps to get its property whole (openapi-typescript patches the schemas in
 * place, which capgen's model holds as copies: schema-discriminators.ts).
 *
 * Every spec text reaches the output through the escape layer: property names through `typeKey`,
 * string literals through `tsString` (or prettier's quoting of it), doc comments through `docText`
 * (the caller passes schemas whose comment texts are escaped already: openapi-comments.ts).
 */
import { isRecord } from '../check/paths.js';
import { docComment } from './schema-comments.js';
import type { MemberNode, TypeNode } from './type-nodes.js';

/** A printed type, with what its parent needs to know to place it. */
export interface TypeText {
  node: TypeNode;
  /** Unions and intersections are parenthesized inside another one, or as an array's items. */
  kind: 'union' | 'intersection' | 'array' | 'tuple' | 'object' | 'unknown' | 'other';
  /** A keyword type (or `null`) that openapi-typescript's union dedupe drops when repeated. */
  primitive?: 'string' | 'number' | 'boolean' | 'null' | 'never' | 'undefined';
}

/** The discriminators of an API, as openapi-typescript's `scanDiscriminators` finds them. */
export interface Discriminators {
  objects: Record<string, Discriminator>;
  refsHandled: string[];
  /** Component schemas given their discriminator property, by `$ref`: printed for the original. */
  patched: ReadonlyMap<string, Record<string, unknown>>;
}

export interface Discriminator {
  propertyName: string;
  mapping?: Record<string, string>;
}

export interface PrintContext {
  /** The type a `$ref` names (a reference to a named type), or undefined when none. */
  reference(ref: string): string | undefined;
  /** The schema a `$ref` names, for `allOf`'s `required`. */
  resolve(ref: string): unknown;
  discriminators: Discriminators;
  /** Stands a type in for a schema at a path (a file to upload), or undefined. */
  replace?(schema: Record<string, unknown>, parentPath: string): TypeText | undefined;
  /** Helper declarations the printed types need, by name (`WithRequired`). */
  footer: Map<string, string>;
}

const keyword = (name: NonNullable<TypeText['primitive']>): TypeText => ({
  node: { t: 'keyword', name },
  kind: 'other',
  primitive: name,
});
const STRING = keyword('string');
const NUMBER = keyword('number');
const BOOLEAN = keyword('boolean');
const NULL = keyword('null');
const NEVER = keyword('never');
const UNKNOWN: TypeText = { node: { t: 'keyword', name: 'unknown' }, kind: 'unknown' };
const other = (node: TypeNode): TypeText => ({ node, kind: 'other' });
const named = (name: string): TypeText => other({ t: 'ref', name });

export const WITH_REQUIRED =
  'type WithRequired<T, K extends keyof T> = T & {\n  [P in K]-?: T[P];\n};';

/** The type of a value, as a literal type (`const` and `enum` members). */
export function literalType(value: unknown): TypeText {
  if (typeof value === 'string') return other({ t: 'string', value });
  if (typeof value === 'number')
    return Number.isFinite(value) ? other({ t: 'literal', text: String(value) }) : NUMBER;
  if (typeof value === 'boolean') return other({ t: 'literal', text: String(value) });
  if (value === null) return NULL;
  if (Array.isArray(value))
    return value.length
      ? { node: { t: 'tuple', items: value.map((v) => literalType(v).node) }, kind: 'tuple' }
      : { node: { t: 'array', item: NEVER.node }, kind: 'array' };
  if (typeof value === 'object')
    return Object.keys(value).length
      ? objectType(Object.entries(value).map(([name, v]) => property(name, literalType(v).node)))
      : record(NEVER);
  return UNKNOWN;
}

const generic = (name: string, args: TypeText[]): TypeText =>
  other({ t: 'generic', name, args: args.map((a) => a.node) });

const record = (value: TypeText): TypeText => generic('Record', [STRING, value]);

/** A required, writable property without a comment. */
const property = (name: string, type: TypeNode): MemberNode => ({
  t: 'property',
  comment: '',
  readonly: false,
  name,
  optional: false,
  type,
});

/** An object type, one member per line (prettier keeps it expanded). */
function objectType(members: MemberNode[]): TypeText {
  return { node: { t: 'object', members }, kind: 'object' };
}

const COMPOUND = new Set<TypeText['kind']>(['union', 'intersection']);
const member = (type: TypeText): TypeNode =>
  COMPOUND.has(type.kind) ? { t: 'paren', type: type.node } : type.node;

/** openapi-typescript's `tsDedupe`: repeated keyword types (and `null`) are dropped. */
function dedupe(types: TypeText[]): TypeText[] {
  const seen = new Set<string>();
  return types.filter((t) => {
    if (!t.primitive) return true;
    if (seen.has(t.primitive)) return false;
    seen.add(t.primitive);
    return true;
  });
}

export function union(types: TypeText[]): TypeText {
  if (types.length === 0) return NEVER;
  if (types.length === 1) return types[0];
  return unionNode(dedupe(types));
}

/** A union of exactly these members (`tsNullable` does not dedupe). */
function unionNode(types: TypeText[]): TypeText {
  return { node: { t: 'union', types: types.map(member) }, kind: 'union' };
}

function intersection(types: TypeText[]): TypeText {
  if (types.length === 0) return NEVER;
  if (types.length === 1) return types[0];
  return { node: { t: 'intersection', types: dedupe(types).map(member) }, kind: 'intersection' };
}

function arrayOf(item: TypeText): TypeText {
  return { node: { t: 'array', item: member(item) }, kind: 'array' };
}

/** openapi-typescript's `tsIsPrimitive`. */
const isPrimitive = (type: TypeText) => type.primitive !== undefined;

/** A JSON Pointer from parts (openapi-typescript's `createRef`), used to name paths. */
export function pointer(parts: readonly string[]): string {
  let out = '#';
  for (const part of parts) {
    if (!part) continue;
    const segments = part.startsWith('#/') ? part.slice(2).split('/') : undefined;
    if (segments) for (const s of segments) out += `/${s}`;
    else out += `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  }
  return out;
}

/** The last segment of a pointer, unescaped. */
function lastSegment(ref: string): string {
  const segments = ref.split('#/')[1]?.split('/') ?? [];
  const last = segments[segments.length - 1] ?? '';
  return last.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The type of `schema`, found at `path` (a JSON Pointer, or a name standing for one). */
export function schemaType(schema: unknown, path: string, ctx: PrintContext): TypeText {
  if (schema === undefined || schema === null || schema === false) return NEVER;
  if (schema === true) return UNKNOWN;
  if (!isRecord(schema)) throw new Error(`capgen bug: a schema that is not an object at ${path}`);
  if (typeof schema.$ref === 'string') return reference(schema.$ref, ctx);
  if (schema.const !== null && schema.const !== undefined) return literalType(schema.const);
  if (
    Array.isArray(schema.enum) &&
    schema.type !== 'object' &&
    !('properties' in schema) &&
    !('additionalProperties' in schema)
  ) {
    const members = schema.enum.map(literalType);
    if ((Array.isArray(schema.type) && schema.type.includes('null')) || schema.nullable)
      members.push(NULL);
    return union(members);
  }
  let type: TypeText | undefined;
  const core = coreType(schema, path, ctx);
  const allOf = allOfTypes(asList(schema.allOf), schema.required, path, ctx);
  if (core || allOf.length) {
    const all = allOf.length ? intersection(allOf) : undefined;
    type = intersection([...(core ? [core] : []), ...(all ? [all] : [])]);
  }
  const anyOf = unionTypes(asList(schema.anyOf), 'anyOf', path, ctx);
  if (anyOf.length) type = union([...(type ? [type] : []), ...anyOf]);
  const oneOfSchemas =
    asList(schema.oneOf) ?? (schema.type === 'object' ? asList(schema.enum) : undefined);
  const oneOf = unionTypes(oneOfSchemas, 'oneOf', path, ctx);
  if (oneOf.length)
    type = oneOf.every(isPrimitive)
      ? union([...(type ? [type] : []), ...oneOf])
      : intersection([...(type ? [type] : []), union(oneOf)]);
  type ??= 'type' in schema ? record(UNKNOWN) : UNKNOWN;
  if (type !== UNKNOWN && schema.nullable) type = unionNode([type, NULL]);
  return type;
}

function asList(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function reference(ref: string, ctx: PrintContext): TypeText {
  const name = ctx.reference(ref);
  return name === undefined ? UNKNOWN : named(name);
}

function unionTypes(
  items: unknown[] | undefined,
  key: string,
  path: string,
  ctx: PrintContext,
): TypeText[] {
  return (items ?? []).map((item, i) => schemaType(item, pointer([path, key, String(i)]), ctx));
}

function allOfTypes(
  items: unknown[] | undefined,
  required: unknown,
  path: string,
  ctx: PrintContext,
): TypeText[] {
  const requiredKeys = Array.isArray(required) ? required : [];
  return (items ?? []).map((item) => {
    let type: TypeText;
    const ref = isRecord(item) && typeof item.$ref === 'string' ? item.$ref : undefined;
    if (ref !== undefined) {
      type = reference(ref, ctx);
      const resolved = ctx.resolve(ref);
      if (
        isRecord(resolved) &&
        'properties' in resolved &&
        !ctx.discriminators.refsHandled.includes(ref)
      ) {
        const properties = isRecord(resolved.properties) ? resolved.properties : {};
        const keys = requiredKeys.filter(
          (key): key is string => typeof key === 'string' && Boolean(properties[key]),
        );
        if (keys.length) {
          ctx.footer.set('WithRequired', WITH_REQUIRED);
          type = generic('WithRequired', [type, union(keys.map(literalType))]);
        }
      }
    } else {
      const own = isRecord(item) && Array.isArray(item.required) ? item.required : [];
      type = schemaType(
        isRecord(item) ? { ...item, required: [...requiredKeys, ...own] } : item,
        path,
        ctx,
      );
    }
    const discriminator =
      (ref !== undefined ? ctx.discriminators.objects[ref] : undefined) ??
      (isRecord(item) ? asDiscriminator(item.discriminator) : undefined);
    return discriminator ? generic('Omit', [type, literalType(discriminator.propertyName)]) : type;
  });
}

export function asDiscriminator(value: unknown): Discriminator | undefined {
  return isRecord(value) && typeof value.propertyName === 'string' && value.propertyName
    ? (value as unknown as Discriminator)
    : undefined;
}

const SCALARS: Record<string, TypeText> = {
  null: NULL,
  string: STRING,
  number: NUMBER,
  integer: NUMBER,
  boolean: BOOLEAN,
};

/** openapi-typescript's `transformSchemaObjectCore`: the type its `type` and properties say. */
function coreType(
  schema: Record<string, unknown>,
  path: string,
  ctx: PrintContext,
): TypeText | undefined {
  const { type } = schema;
  if (type) {
    const replaced = ctx.replace?.(schema, path);
    if (replaced) return replaced;
    if (typeof type === 'string' && Object.hasOwn(SCALARS, type)) return SCALARS[type];
    if (type === 'array') return arrayType(schema, path, ctx);
    if (Array.isArray(type)) return typeUnion(schema, type, path, ctx);
  }
  const members: MemberNode[] = [];
  if (Array.isArray(schema.allOf) || Array.isArray(schema.anyOf)) {
    const discriminator =
      !schema.discriminator &&
      !ctx.discriminators.refsHandled.includes(path) &&
      ctx.discriminators.objects[path];
    if (discriminator) members.push(discriminatorProperty(discriminator, path));
  }
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const additional = schema.additionalProperties;
  const patterns = isRecord(schema.patternProperties) ? schema.patternProperties : undefined;
  if (!Object.keys(properties).length && !additional && !patterns)
    return members.length ? objectType(members) : undefined;
  const required = Array.isArray(schema.required) ? schema.required : [];
  for (const [name, property] of Object.entries(properties))
    members.push(propertyMember(name, property, required, path, ctx));
  const index: TypeText[] = [];
  if (isRecord(additional) && Object.keys(additional).length)
    index.push(schemaType(additional, path, ctx));
  if (additional === true || (isRecord(additional) && !Object.keys(additional).length))
    index.push(UNKNOWN);
  if (patterns && Object.keys(patterns).length)
    for (const pattern of Object.values(patterns)) index.push(schemaType(pattern, path, ctx));
  if (!index.length) return members.length ? objectType(members) : undefined;
  return intersection([
    ...(members.length ? [objectType(members)] : []),
    objectType([{ t: 'index', type: union(index).node }]),
  ]);
}

function propertyMember(
  name: string,
  property: unknown,
  required: unknown[],
  path: string,
  ctx: PrintContext,
): MemberNode {
  if ((typeof property !== 'object' && typeof property !== 'boolean') || Array.isArray(property))
    throw new Error(`capgen bug: property ${name} of ${path} is not a schema`);
  const schema = isRecord(property) ? property : {};
  const hasDefault = 'default' in schema && schema.default !== undefined;
  // A default makes a property always present in what the API returns, never in what it takes.
  const optional = !(
    required.includes(name) ||
    (hasDefault &&
      !path.includes('parameters') &&
      !path.includes('requestBody') &&
      !path.includes('requestBodies'))
  );
  let type =
    typeof schema.$ref === 'string'
      ? reference(schema.$ref, ctx)
      : schemaType(property, pointer([path, name]), ctx);
  if (isRecord(property)) type = ctx.replace?.(property, path) ?? type;
  return {
    t: 'property',
    comment: docComment(property),
    readonly: isRecord(property) && Boolean(property.readOnly),
    name,
    optional,
    type: type.node,
  };
}

function arrayType(schema: Record<string, unknown>, path: string, ctx: PrintContext): TypeText {
  let item: TypeText = UNKNOWN;
  const tuple = Array.isArray(schema.prefixItems)
    ? schema.prefixItems
    : Array.isArray(schema.items)
      ? schema.items
      : undefined;
  if (tuple)
    item = {
      node: { t: 'tuple', items: tuple.map((s) => schemaType(s, path, ctx).node) },
      kind: 'tuple',
    };
  else if (schema.items) {
    const items = schemaType(schema.items, path, ctx);
    item = isRecord(schema.items) && schema.items.type === 'array' ? arrayOf(items) : items;
  }
  return item.kind === 'tuple' || item.kind === 'array' ? item : arrayOf(item);
}

/** `type: [a, b]` (OpenAPI 3.1): the union of the schema with each type. */
function typeUnion(
  schema: Record<string, unknown>,
  types: unknown[],
  path: string,
  ctx: PrintContext,
): TypeText {
  const members: TypeText[] = [];
  const oneOf = Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  for (const t of types) {
    if (
      oneOf &&
      (t === 'boolean' || t === 'string' || t === 'number' || t === 'integer' || t === 'null') &&
      oneOf.some((o) => isRecord(o) && o.type === t)
    )
      continue;
    members.push(
      t === 'null' || t === null
        ? NULL
        : schemaType({ ...schema, type: t, ...(oneOf ? { oneOf: undefined } : {}) }, path, ctx),
    );
  }
  return union(members);
}

/** openapi-typescript's `createDiscriminatorProperty`. */
function discriminatorProperty(discriminator: Discriminator, path: string): MemberNode {
  let value = lastSegment(path);
  const matched = Object.entries(discriminator.mapping ?? {}).find(([, v]) =>
    v.startsWith('#') ? lastSegment(v) === value : v === value,
  );
  if (matched) value = matched[0];
  return property(discriminator.propertyName, literalType(value).node);
}
