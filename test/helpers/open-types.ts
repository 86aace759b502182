/**
 * Finds where generated types are open, `unknown`, an index signature or a `Record<…>`, by walking
 * their syntax next to the OpenAPI schema each part was printed from, so that each open spot can be
 * told apart: allowed where the schema itself says `additionalProperties` (or `patternProperties`)
 * or gives no schema, a finding otherwise. Named types are followed through their references, which
 * also tells which named types a set of roots reaches.
 */
import { Node, type SourceFile } from 'ts-morph';

type Schema = Record<string, unknown>;

export interface OpenSpot {
  /** `GetCheckoutSessionsResponse.data[].metadata[string]` */
  where: string;
  kind: 'unknown' | 'index signature' | 'Record';
  /** The schema says additionalProperties or gives no schema. */
  allowed: boolean;
}

export interface Root {
  /** A type alias or interface of `file`. */
  name: string;
  file: SourceFile;
  schema: Schema | undefined;
}

const isRecord = (v: unknown): v is Schema =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A schema and the branches it is composed of (allOf, anyOf, oneOf), recursively. */
function branches(schema: Schema): Schema[] {
  const out = [schema];
  for (const key of ['allOf', 'anyOf', 'oneOf'])
    for (const b of Array.isArray(schema[key]) ? (schema[key] as unknown[]) : [])
      if (isRecord(b)) out.push(...branches(b));
  return out;
}

const child = (candidates: Schema[], pick: (s: Schema) => unknown): Schema[] =>
  candidates.flatMap(branches).flatMap((s) => {
    const value = pick(s);
    return isRecord(value) ? [value] : [];
  });

const saysAdditional = (candidates: Schema[]) =>
  candidates
    .flatMap(branches)
    .some(
      (s) =>
        s.additionalProperties === true ||
        isRecord(s.additionalProperties) ||
        isRecord(s.patternProperties),
    );

/** No structure at all: `{}`, only a description, or an object without properties. */
const givesNoSchema = (candidates: Schema[]) =>
  candidates
    .flatMap(branches)
    .some(
      (s) =>
        !['$ref', 'items', 'enum', 'const', 'allOf', 'anyOf', 'oneOf'].some((k) => k in s) &&
        (!('type' in s) || s.type === 'object') &&
        (!isRecord(s.properties) || Object.keys(s.properties).length === 0),
    );

/** The schemas of an open object's values: `additionalProperties`, else none given (`{}`). */
const values = (candidates: Schema[]) => {
  const given = child(candidates, (s) => s.additionalProperties);
  return given.length ? given : [{}];
};

/**
 * Walks the roots and every named type of `module` they reach. `namedSchema` gives the schema a
 * named type of the module was printed from (null for an opaque one, whose schema no OpenAPI
 * document gives; undefined for no such name).
 */
export function openSpots(
  roots: Root[],
  module: SourceFile,
  namedSchema: (name: string) => Schema | null | undefined,
): { spots: OpenSpot[]; reached: Set<string> } {
  const spots: OpenSpot[] = [];
  const reached = new Set<string>();
  const queue: string[] = [];

  const walk = (node: Node | undefined, candidates: Schema[], where: string): void => {
    if (!node) return;
    if (Node.isInterfaceDeclaration(node) || Node.isTypeLiteral(node)) {
      for (const member of node.getMembers()) {
        if (Node.isPropertySignature(member)) {
          const name = member.getName().replace(/^['"]|['"]$/g, '');
          walk(
            member.getTypeNode(),
            child(candidates, (s) => (isRecord(s.properties) ? s.properties[name] : undefined)),
            `${where}.${name}`,
          );
        } else if (Node.isIndexSignatureDeclaration(member)) {
          spots.push({
            where: `${where}[string]`,
            kind: 'index signature',
            allowed: saysAdditional(candidates) || givesNoSchema(candidates),
          });
          walk(member.getReturnTypeNode(), values(candidates), `${where}[string]`);
        }
      }
      if (Node.isInterfaceDeclaration(node)) return;
    } else if (Node.isUnionTypeNode(node) || Node.isIntersectionTypeNode(node)) {
      for (const member of node.getTypeNodes()) walk(member, candidates.flatMap(branches), where);
    } else if (Node.isParenthesizedTypeNode(node)) {
      walk(node.getTypeNode(), candidates, where);
    } else if (Node.isArrayTypeNode(node)) {
      walk(
        node.getElementTypeNode(),
        child(candidates, (s) => s.items),
        `${where}[]`,
      );
    } else if (Node.isTypeReference(node)) {
      const name = node.getTypeName().getText().split('.').pop()!;
      if (name === 'Record') {
        spots.push({
          where,
          kind: 'Record',
          allowed: saysAdditional(candidates) || givesNoSchema(candidates),
        });
        const [, value] = node.getTypeArguments();
        walk(value, values(candidates), `${where}[string]`);
      } else if (namedSchema(name) !== undefined && !reached.has(name)) {
        reached.add(name);
        queue.push(name);
      }
    } else if (node.getKindName() === 'UnknownKeyword') {
      spots.push({ where, kind: 'unknown', allowed: givesNoSchema(candidates) });
    }
  };

  const declaration = (file: SourceFile, name: string): Node =>
    file.getTypeAlias(name)?.getTypeNodeOrThrow() ?? file.getInterfaceOrThrow(name);
  for (const root of roots)
    walk(declaration(root.file, root.name), root.schema ? [root.schema] : [], root.name);
  while (queue.length) {
    const name = queue.shift()!;
    // An opaque named type stands for a schema no document gives.
    walk(declaration(module, name), [namedSchema(name) ?? {}], name);
  }
  return { spots, reached };
}
