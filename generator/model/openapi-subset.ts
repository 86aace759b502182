/**
 * Cutting an OpenAPI document down to what a capability reaches: the matched operations and the
 * component schemas they reference, up to a depth. The run-time JSON Schemas (MCP input and output
 * schemas, REST validation) are built from this subset, so one capability never carries a whole
 * API. (TypeScript types are not: see api-types.ts.)
 */
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { isRecord } from '../check/paths.js';
import type { OpenApiDocument, OpenApiObject } from '../load/openapi.js';
import { followRefs, resolvePointer } from '../load/openapi.js';
import { withExpansions } from './openapi-schema.js';
import { htmlToText } from './text.js';

export interface MatchedOperation {
  doc: OpenApiDocument;
  path: string;
  method: string;
  operation: Record<string, unknown>;
  /**
   * Where to call it, when its own `servers` (on the operation or its path item) name another host
   * than the base URI's: that server's origin and path, plus what the base URI's path adds to its
   * document's server path (`https://files.stripe.com`).
   */
  server?: string;
  /**
   * Set when several documents have the operation: each of them, the chosen one first, with how
   * many `$ref`s that do not resolve it reaches there.
   */
  choice?: Array<{ file: string; dangling: number }>;
}

/** An object schema standing in for a schema beyond the depth limit or a dangling $ref. */
const opaque = (description: string): Record<string, unknown> => ({
  type: 'object',
  additionalProperties: true,
  description,
});

/**
 * `anyOf: [{type: string}, {$ref}]`: a field that holds an id, or the object when the caller asks
 * for it to be expanded (see withExpansions). Its object side is not followed here: by default the
 * API returns the id.
 */
function isExpandableLink(node: Record<string, unknown>): boolean {
  const anyOf = node.anyOf;
  return (
    Array.isArray(anyOf) &&
    anyOf.some((a) => isRecord(a) && a.type === 'string') &&
    anyOf.some((a) => isRecord(a) && typeof a.$ref === 'string')
  );
}

/**
 * A new OpenAPI document with only the given operations (all from one source document) and the
 * component schemas they reach within `maxDepth` $ref hops. References beyond the depth, through
 * expandable links, or to nothing become opaque objects described as such.
 */
export function subsetDocument(
  source: OpenApiObject,
  operations: MatchedOperation[],
  maxDepth: number,
  dangling: Set<string>,
): OpenApiObject {
  const kept = new Map<string, number>(); // component pointer -> depth reached
  const rewrite = (node: unknown, depth: number, propertyNames = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, depth));
    if (!isRecord(node)) return node;
    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      if (dangling.has(ref) || resolvePointer(source, ref) === undefined)
        return opaque(`Opaque JSON object: ${ref} is not in the OpenAPI document.`);
      if (!ref.startsWith('#/components/schemas/'))
        return rewrite(resolvePointer(source, ref), depth);
      if (depth >= maxDepth) {
        if (!kept.has(ref))
          return opaque(
            `A ${ref.split('/').pop()} object (not described in detail here: it lies more than ${maxDepth} $ref hops from the operation).`,
          );
      } else if (!kept.has(ref) || (kept.get(ref) ?? 0) > depth + 1) {
        kept.set(ref, depth + 1);
        queue.push([ref, depth + 1]);
      }
      return { $ref: ref };
    }
    const out: Record<string, unknown> = {};
    const schema = propertyNames ? node : withExpansions(node);
    for (const [key, value] of Object.entries(schema)) {
      if (propertyNames) {
        out[key] = rewrite(value, depth);
        continue;
      }
      if (key.startsWith('x-') || key === 'title') continue;
      if (key === 'description' && typeof value === 'string') {
        out.description = htmlToText(value);
        continue;
      }
      if (key === 'anyOf' && isExpandableLink(schema) && Array.isArray(value)) {
        out.anyOf = value.map((branch) =>
          isRecord(branch) && typeof branch.$ref === 'string' && !kept.has(branch.$ref)
            ? opaque(
                `An expanded ${branch.$ref.split('/').pop()} object (returned when the field is expanded).`,
              )
            : rewrite(branch, depth),
        );
        continue;
      }
      out[key] = rewrite(
        value,
        depth,
        key === 'properties' ||
          key === 'patternProperties' ||
          key === 'responses' ||
          key === 'content' ||
          key === 'encoding' ||
          key === 'schemas',
      );
    }
    return out;
  };
  const queue: Array<[string, number]> = [];
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    paths[op.path] ??= {};
    paths[op.path][op.method] = rewrite(withPathItemParameters(source, op), 0);
  }
  const schemas: Record<string, unknown> = {};
  while (queue.length) {
    const [ref, depth] = queue.shift()!;
    schemas[ref.slice('#/components/schemas/'.length)] = rewrite(
      resolvePointer(source, ref),
      depth,
    );
  }
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((k) => [k, schemas[k]]),
  );
  return {
    openapi: source.openapi,
    info: { title: source.info?.title ?? 'API', version: source.info?.version ?? '0' },
    paths,
    components: { schemas: sorted },
  };
}

/** The same document with every $ref replaced by its target (cycles become shared objects). */
export async function dereference(doc: OpenApiObject): Promise<OpenApiObject> {
  const copy = structuredClone(doc);
  return (await $RefParser.dereference(copy, {
    resolve: { external: false },
    dereference: { circular: true },
  })) as OpenApiObject;
}

/**
 * Parameters declared on the path item apply to all its operations; an operation's own parameter
 * with the same name and location wins. The subset carries them on the operation itself.
 */
function withPathItemParameters(
  source: OpenApiObject,
  op: MatchedOperation,
): Record<string, unknown> {
  const shared = source.paths[op.path]?.parameters;
  if (!Array.isArray(shared) || shared.length === 0) return op.operation;
  const key = (p: unknown) => {
    const resolved = resolveParameter(source, p);
    return resolved ? `${String(resolved.in)}:${String(resolved.name)}` : '';
  };
  const own = Array.isArray(op.operation.parameters) ? op.operation.parameters : [];
  const ownKeys = new Set(own.map(key));
  return { ...op.operation, parameters: [...shared.filter((p) => !ownKeys.has(key(p))), ...own] };
}

/**
 * Every parameter that applies to the matched operation (its path item's and its own, the own
 * one winning), each `$ref` (`#/components/parameters/…`) followed: what the operation accepts.
 */
export function operationParameters(op: MatchedOperation): Array<Record<string, unknown>> {
  const merged = withPathItemParameters(op.doc.data, op).parameters;
  return (Array.isArray(merged) ? merged : []).flatMap((p) => {
    const resolved = resolveParameter(op.doc.data, p);
    return resolved ? [resolved] : [];
  });
}

/** A Parameter Object, through its `$ref`s (undefined when one dangles or loops). */
function resolveParameter(source: OpenApiObject, p: unknown): Record<string, unknown> | undefined {
  const node = followRefs(source, p, 16);
  return isRecord(node) ? node : undefined;
}
