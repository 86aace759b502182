/**
 * Property-by-property comparison of a reference type (stripe-node's declaration of a Stripe object)
 * with a generated one, through the TypeScript checker: every property the reference declares must
 * exist in the generated type with a compatible type, descending into nested objects. Compatible
 * means every value the generated type admits, the reference admits too, compared by kind (string,
 * number, boolean, string literals, arrays, objects, null): an enum value the reference lacks, a
 * missing property, or a kind it does not have is a difference. Expandable fields compare their id
 * and object sides; the objects they expand to are resources of their own (they have an `id` and an
 * `object`), compared elsewhere, and are not entered.
 */
import type { Node, Type } from 'ts-morph';

export interface ShapeSide {
  type: Type;
  /** Where its property types are read. */
  at: Node;
}

interface Kinds {
  null: boolean;
  string: boolean;
  literals: Set<string>;
  number: boolean;
  boolean: boolean;
  arrays: Type[];
  objects: Type[];
  other: string[];
}

function kinds(type: Type, at: Node): Kinds {
  const out: Kinds = {
    null: false,
    string: false,
    literals: new Set(),
    number: false,
    boolean: false,
    arrays: [],
    objects: [],
    other: [],
  };
  for (const t of type.isUnion() ? type.getUnionTypes() : [type]) {
    if (t.isUndefined()) continue;
    else if (t.isNull()) out.null = true;
    else if (t.isString()) out.string = true;
    else if (t.isStringLiteral()) out.literals.add(String(t.getLiteralValue()));
    else if (t.isNumber() || t.isNumberLiteral()) out.number = true;
    else if (t.isBoolean() || t.isBooleanLiteral()) out.boolean = true;
    else if (t.isArray()) out.arrays.push(t.getArrayElementTypeOrThrow());
    else if (t.isObject() || t.isIntersection()) out.objects.push(t);
    else out.other.push(t.getText(at));
  }
  return out;
}

const isResource = (type: Type) =>
  type.getProperty('id') !== undefined && type.getProperty('object') !== undefined;

/**
 * Differences of `ours` from `theirs`, as `path: what` lines (`path.property`, `[]` for array
 * items). `depth` bounds how many nested object levels are entered.
 */
export function compareShapes(
  theirs: ShapeSide,
  ours: ShapeSide,
  path: string,
  depth: number,
): string[] {
  const out: string[] = [];
  for (const property of theirs.type.getProperties()) {
    const name = property.getName();
    const mine = ours.type.getProperty(name);
    const where = `${path}.${name}`;
    if (!mine) {
      out.push(`${where}: missing`);
      continue;
    }
    out.push(
      ...compareTypes(
        { type: property.getTypeAtLocation(theirs.at), at: theirs.at },
        { type: mine.getTypeAtLocation(ours.at), at: ours.at },
        where,
        depth,
      ),
    );
  }
  return out;
}

function compareTypes(theirs: ShapeSide, ours: ShapeSide, where: string, depth: number): string[] {
  const t = kinds(theirs.type, theirs.at);
  const o = kinds(ours.type, ours.at);
  const out: string[] = [];
  if (o.null && !t.null) out.push(`${where}: null in ours only`);
  if (o.string && !t.string) out.push(`${where}: string where theirs is ${describe(t)}`);
  if (!t.string) {
    const extra = [...o.literals].filter((l) => !t.literals.has(l));
    if (extra.length) out.push(`${where}: values ${extra.sort().join(', ')} not in theirs`);
  }
  if (o.number && !t.number) out.push(`${where}: number where theirs is ${describe(t)}`);
  if (o.boolean && !t.boolean) out.push(`${where}: boolean where theirs is ${describe(t)}`);
  if (o.arrays.length && !t.arrays.length)
    out.push(`${where}: array where theirs is ${describe(t)}`);
  if (o.objects.length && !t.objects.length)
    out.push(`${where}: object where theirs is ${describe(t)}`);
  for (const other of o.other) out.push(`${where}: ${other} in ours`);
  if (o.arrays.length && t.arrays.length)
    out.push(
      ...compareTypes(
        { type: t.arrays[0], at: theirs.at },
        { type: o.arrays[0], at: ours.at },
        `${where}[]`,
        depth,
      ),
    );
  // Nested objects of this resource are compared property by property; resources it expands to
  // (and objects beyond the depth) only by kind.
  const nested = (types: Type[]) => types.filter((x) => !isResource(x));
  const [mine, reference] = [nested(o.objects), nested(t.objects)];
  if (depth > 0 && mine.length === 1 && reference.length === 1)
    out.push(
      ...compareShapes(
        { type: reference[0], at: theirs.at },
        { type: mine[0], at: ours.at },
        where,
        depth - 1,
      ),
    );
  return out;
}

function describe(k: Kinds): string {
  const parts = [
    ...(k.string ? ['string'] : []),
    ...(k.literals.size ? ['enum'] : []),
    ...(k.number ? ['number'] : []),
    ...(k.boolean ? ['boolean'] : []),
    ...(k.arrays.length ? ['array'] : []),
    ...(k.objects.length ? ['object'] : []),
    ...k.other,
  ];
  return parts.join(' | ') || 'null';
}

type Schema = Record<string, unknown>;
const isRecord = (v: unknown): v is Schema =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether the OpenAPI schema the generated type was printed from explains a difference found by
 * compareShapes: a property `missing` from ours is absent from the schema too, and `null in ours
 * only` is a field the schema calls nullable. (Differences of the reference's own making, such as a
 * class for decimal strings, are for the caller to list.)
 */
export function specExplains(
  difference: string,
  root: Schema,
  resolve: (ref: string) => Schema | undefined,
): boolean {
  const [where, what] = [
    difference.slice(0, difference.indexOf(': ')),
    difference.slice(difference.indexOf(': ') + 2),
  ];
  const expand = (schemas: Schema[]): Schema[] =>
    schemas.flatMap((s) => {
      const target = typeof s.$ref === 'string' ? resolve(s.$ref) : s;
      if (!target) return [];
      const parts = ['allOf', 'anyOf', 'oneOf'].flatMap((k) =>
        Array.isArray(target[k]) ? (target[k] as unknown[]).filter(isRecord) : [],
      );
      return [target, ...expand(parts)];
    });
  const segments = where.split('.').slice(1);
  const last = what === 'missing' ? segments.pop()! : undefined;
  let candidates = [root];
  for (const segment of segments) {
    const name = segment.replace(/(\[\])+$/, '');
    candidates = expand(candidates).flatMap((s) => {
      const value = isRecord(s.properties) ? s.properties[name] : undefined;
      return isRecord(value) ? [value] : [];
    });
    for (let i = segment.length - name.length; i > 0; i -= 2)
      candidates = expand(candidates).flatMap((s) => (isRecord(s.items) ? [s.items] : []));
  }
  if (!candidates.length) return false;
  const expanded = expand(candidates);
  if (last !== undefined)
    return expanded.every((s) => !isRecord(s.properties) || !(last in s.properties));
  if (what === 'null in ours only')
    return expanded.some(
      (s) => s.nullable === true || (Array.isArray(s.type) && s.type.includes('null')),
    );
  return false;
}
