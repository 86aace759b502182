/**
 * How a capability's pieces refer to each other: `call: ns.op`, `with` values, `{{env.X}}`
 * templates and `{param}` placeholders. Shared by the checker and the model builder so both read
 * the document the same way.
 */
import type {
  NaftikoConsumedOperation,
  NaftikoConsumedResource,
  NaftikoConsumes,
  NaftikoDocument,
} from '../load/naftiko-types.js';

export interface ConsumedRef {
  consumes: NaftikoConsumes;
  consumesIndex: number;
  resource: NaftikoConsumedResource;
  resourceIndex: number;
  operation: NaftikoConsumedOperation;
  operationIndex: number;
}

/** Every consumed operation by its `call` key, `<namespace>.<operation name>`. */
export function indexConsumedOperations(doc: NaftikoDocument): Map<string, ConsumedRef> {
  const index = new Map<string, ConsumedRef>();
  doc.capability.consumes.forEach((consumes, consumesIndex) =>
    consumes.resources.forEach((resource, resourceIndex) =>
      resource.operations.forEach((operation, operationIndex) => {
        const key = `${consumes.namespace}.${operation.name}`;
        if (!index.has(key))
          index.set(key, {
            consumes,
            consumesIndex,
            resource,
            resourceIndex,
            operation,
            operationIndex,
          });
      }),
    ),
  );
  return index;
}

/** `{session}` placeholders of a path, in order. */
export function pathPlaceholders(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/** The prefixes a `with` reference may use inside an adapter: `rest`/`tools` as written in our files, or the namespace. */
export function referencePrefixes(adapterNamespace: string): string[] {
  return ['rest', 'tools', 'mcp', adapterNamespace];
}

export type WithValue =
  { kind: 'reference'; prefix: string; name: string } | { kind: 'literal'; value: string | number };

/**
 * A `with` value is a reference when it reads `<prefix>.<name>` and the prefix names an adapter
 * (rest, tools, mcp, or any exposes namespace of the document); anything else is a literal.
 */
export function parseWithValue(
  value: string | number,
  adapterPrefixes: ReadonlySet<string>,
): WithValue {
  if (typeof value === 'string') {
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_*-]+)$/.exec(value);
    if (match && adapterPrefixes.has(match[1]))
      return { kind: 'reference', prefix: match[1], name: match[2] };
  }
  return { kind: 'literal', value };
}

/** All names a `with` prefix may take in this document. */
export function allAdapterPrefixes(doc: NaftikoDocument): Set<string> {
  const prefixes = new Set(['rest', 'tools', 'mcp']);
  for (const exposes of doc.capability.exposes ?? [])
    if (typeof exposes.namespace === 'string') prefixes.add(exposes.namespace);
  return prefixes;
}

/** `{{env.STRIPE_API_KEY}}` → [{ namespace: 'env', key: 'STRIPE_API_KEY' }], with the literal text between. */
export function parseTemplate(
  text: string,
): Array<{ literal: string } | { namespace: string; key: string }> {
  const parts: Array<{ literal: string } | { namespace: string; key: string }> = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\s*\}\}/g)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    parts.push({ namespace: match[1], key: match[2] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  return parts;
}

/** The binds of a document, file-level and capability-level together: namespace → key → source name. */
export function bindings(doc: NaftikoDocument): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  for (const bind of [...(doc.binds ?? []), ...(doc.capability.binds ?? [])]) {
    const keys = result.get(bind.namespace) ?? new Map<string, string>();
    for (const [name, source] of Object.entries(bind.keys)) keys.set(name, source);
    result.set(bind.namespace, keys);
  }
  return result;
}
