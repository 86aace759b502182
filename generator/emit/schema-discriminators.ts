/**
 * The discriminators of an API's component schemas, found as openapi-typescript's
 * `scanDiscriminators` finds them: each object with a `discriminator` (and each `allOf` member of
 * one) by its pointer; the types a `oneOf` or mapping lists get the discriminator property as a
 * required enum of their values. openapi-typescript patches the schemas in place; here the patched
 * schemas are copies (`patched`, by `$ref`), which the printer prints instead of the originals,
 * so that the API's documents stay as they were read.
 */
import { isRecord } from '../check/paths.js';
import {
  asDiscriminator,
  pointer,
  type Discriminator,
  type Discriminators,
} from './schema-types.js';

export function scanDiscriminators(schemas: Record<string, unknown>): Discriminators {
  const document = { components: { schemas: structuredClone(schemas) } };
  const patched = new Map<string, Record<string, unknown>>();
  const objects: Record<string, Discriminator> = {};
  const refsHandled: string[] = [];
  walk(document, [], (node, path) => {
    const discriminator = asDiscriminator(node.discriminator);
    if (!discriminator) return;
    const ref = pointer(path);
    objects[ref] = discriminator;
    if (!Array.isArray(node.oneOf)) return;
    const mapping: Record<string, { inferred?: string; defined?: string[] }> = {};
    for (const item of node.oneOf)
      if (isRecord(item) && typeof item.$ref === 'string') {
        const value = item.$ref.split('/').pop();
        if (value) (mapping[item.$ref] ??= {}).inferred = value;
      }
    for (const [value, target] of Object.entries(discriminator.mapping ?? {})) {
      if (!target) continue;
      if (!mapping[target]?.defined) mapping[target] = { defined: [] };
      mapping[target].defined!.push(value);
    }
    for (const [target, { inferred, defined }] of Object.entries(mapping)) {
      if (refsHandled.includes(target) || (!inferred && !defined)) continue;
      if (patch(document, target, defined ?? [inferred!], discriminator, patched))
        refsHandled.push(target);
    }
  });
  walk(document, [], (node, path) => {
    if (!Array.isArray(node.allOf)) return;
    for (const item of node.allOf) {
      if (isRecord(item) && typeof item.$ref === 'string') {
        const parent = objects[item.$ref];
        if (!parent) return;
        const ref = pointer(path);
        const values = Object.entries(parent.mapping ?? {})
          .filter(([, target]) => target === ref)
          .map(([value]) => value);
        if (values.length && patch(document, ref, values, parent, patched)) refsHandled.push(ref);
        objects[ref] = { ...parent };
      } else if (isRecord(item)) {
        const own = asDiscriminator(item.discriminator);
        if (own) objects[pointer(path)] = { ...own };
      }
    }
  });
  return { objects, refsHandled, patched };
}

function walk(
  node: unknown,
  path: string[],
  visit: (node: Record<string, unknown>, path: string[]) => void,
): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, [...path, String(i)], visit));
    return;
  }
  if (!isRecord(node)) return;
  visit(node, path);
  for (const key of Object.keys(node)) walk(node[key], [...path, key], visit);
}

/** The schema a local `$ref` points to, following `$ref`s (undefined when it points nowhere). */
function resolve(document: unknown, ref: string, visited: string[] = []): unknown {
  const segments = ref.split('#/')[1]?.split('/');
  if (!segments?.length) return undefined;
  let node = document;
  for (const raw of segments) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isRecord(node) || !node[key]) return undefined;
    node = node[key];
  }
  if (isRecord(node) && typeof node.$ref === 'string') {
    if (visited.includes(node.$ref)) return undefined;
    return resolve(document, node.$ref, [...visited, node.$ref]);
  }
  return node;
}

function enumOf(values: string[], previous?: unknown) {
  const description =
    isRecord(previous) && typeof previous.description === 'string' && previous.description
      ? `${previous.description} (the values of its discriminator)`
      : 'The value of its discriminator';
  return { type: 'string', enum: values, description };
}

/** Makes the discriminator property of the schema at `ref` a required enum of `values`. */
function patch(
  document: unknown,
  ref: string,
  values: string[],
  discriminator: Discriminator,
  patched: Map<string, Record<string, unknown>>,
): boolean {
  const target = resolve(document, ref);
  if (!isRecord(target)) return false;
  patched.set(ref, target);
  const name = discriminator.propertyName;
  if (Array.isArray(target.allOf)) {
    target.allOf.push({ type: 'object', required: [name], properties: { [name]: enumOf(values) } });
    return true;
  }
  if (target.type !== 'object') return false;
  const properties = isRecord(target.properties) ? target.properties : (target.properties = {});
  if (!Array.isArray(target.required)) target.required = [name];
  else if (!target.required.includes(name)) target.required.push(name);
  properties[name] = enumOf(values, properties[name]);
  return true;
}
