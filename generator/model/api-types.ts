/**
 * The shared types of each API: every component schema reachable from the generated capabilities'
 * operations (request bodies and 2xx responses, through every `$ref`, expandable fields included)
 * gets one named type in one module per API family, which each capability's types.ts refers to.
 * Recursion needs nothing special: a named type may refer to itself. `typeDepth`, when configured,
 * cuts the walk: schemas more than that many `$ref` hops from an operation stay opaque.
 */
import { isRecord } from '../check/paths.js';
import { pointerSegment, type OpenApiDocument } from '../load/openapi.js';
import { apiFamilies, familyModulePath, resolveInFamily, type ApiFamily } from './api-families.js';
import { NameRegistry, pascalCase } from './names.js';
import { normalizeSchema } from './openapi-schema.js';
import type {
  CapabilityModel,
  NamedTypeModel,
  OpenApiSchema,
  OperationModel,
  TypeModuleModel,
} from './types.js';

const COMPONENT_SCHEMA = '#/components/schemas/';

/**
 * Names that the emitted modules use themselves (TypeScript's utility types, openapi-typescript's
 * helper): a component never takes them.
 */
const RESERVED = ['Array', 'Omit', 'Partial', 'Pick', 'Record', 'Required', 'WithRequired'];

/**
 * Decides the shared modules and, on every operation matched to an OpenAPI operation, the schemas
 * its body, response and list item types are printed from (`op.types.openapi`).
 */
export function buildTypeModules(
  capabilities: CapabilityModel[],
  documents: OpenApiDocument[],
  typeDepth: number | undefined,
): TypeModuleModel[] {
  const families = apiFamilies(documents);
  const reaches = new Map<ApiFamily, Reach>();
  const reachOf = (family: ApiFamily) => {
    const existing = reaches.get(family);
    if (existing) return existing;
    const created = new Reach(family, typeDepth);
    reaches.set(family, created);
    return created;
  };
  for (const op of capabilities.flatMap((c) => c.operations)) {
    const doc = op.openapi && documents.find((d) => d.file === op.openapi!.source);
    const family = doc && families.find((f) => f.documents.includes(doc));
    if (!doc || !family) continue;
    const reach = reachOf(family);
    op.types.openapi = {
      module: familyModulePath(family.namespace),
      ...operationSchemas(op, doc, reach),
    };
  }
  return [...reaches.values()]
    .map((reach) => reach.module())
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The schemas of an operation's body, 2xx JSON response and list item, normalized. */
function operationSchemas(
  op: OperationModel,
  doc: OpenApiDocument,
  reach: Reach,
): { body?: OpenApiSchema; response?: OpenApiSchema; item?: OpenApiSchema } {
  const raw = doc.data.paths[op.openapi!.path]?.[op.openapi!.method];
  if (!isRecord(raw)) return {};
  const deref = (node: unknown) =>
    isRecord(node) && typeof node.$ref === 'string' ? reach.resolve(node.$ref) : node;
  const mediaSchema = (holder: unknown, mediaType: string): unknown => {
    const resolved = deref(holder);
    const content = isRecord(resolved) ? resolved.content : undefined;
    const media = isRecord(content) ? content[mediaType] : undefined;
    return isRecord(media) ? media.schema : undefined;
  };
  const out: { body?: OpenApiSchema; response?: OpenApiSchema; item?: OpenApiSchema } = {};
  // Only a body the method takes as an input has a type (an implied empty form has none).
  if (op.spec.body && op.inputs.some((i) => i.in === 'body')) {
    const body = mediaSchema(raw.requestBody, op.spec.body.mediaType);
    if (isRecord(body)) out.body = reach.root(body);
  }
  const responses = isRecord(raw.responses) ? raw.responses : {};
  const code = Object.keys(responses)
    .sort()
    .find((c) => /^2\d\d$/.test(c));
  const response = code ? mediaSchema(responses[code], 'application/json') : undefined;
  if (isRecord(response)) {
    out.response = reach.root(response);
    const list = deref(response);
    const data = isRecord(list) && isRecord(list.properties) ? list.properties.data : undefined;
    if (op.types.item && isRecord(data) && isRecord(data.items)) out.item = reach.root(data.items);
  }
  return out;
}

/** The walk over one family's schemas, breadth first so that each is reached at its least depth. */
class Reach {
  private readonly names = new Map<string, string>();
  private readonly registry = new NameRegistry(RESERVED);
  private readonly queue: Array<[ref: string, depth: number]> = [];
  private readonly types = new Map<string, NamedTypeModel>();

  constructor(
    private readonly family: ApiFamily,
    private readonly typeDepth: number | undefined,
  ) {
    // Every component of the family is named up front, in sorted order, so that a name does not
    // depend on which components the capabilities happen to reach.
    const components = new Set<string>();
    for (const doc of family.documents)
      for (const name of Object.keys(doc.data.components?.schemas ?? {})) components.add(name);
    for (const name of [...components].sort()) this.name(`${COMPONENT_SCHEMA}${escape(name)}`);
  }

  resolve(ref: string): unknown {
    return resolveInFamily(this.family, ref);
  }

  /** Normalizes a schema of an operation; the components it refers to are reached at depth 1. */
  root(schema: Record<string, unknown>): OpenApiSchema {
    return normalizeSchema(schema, (ref) => this.enqueue(ref, 1)) as OpenApiSchema;
  }

  module(): TypeModuleModel {
    while (this.queue.length) {
      const [ref, depth] = this.queue.shift()!;
      this.types.set(ref, this.reachType(ref, depth));
    }
    return {
      path: familyModulePath(this.family.namespace),
      namespace: this.family.namespace,
      label: this.family.label,
      sources: this.family.documents.map((d) => d.file),
      types: [...this.types.values()].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      ),
    };
  }

  private reachType(ref: string, depth: number): NamedTypeModel {
    const name = this.name(ref);
    if (this.typeDepth !== undefined && depth > this.typeDepth)
      return {
        name,
        ref,
        opaque: `A ${label(ref)} object, not typed in detail: it lies deeper than the type depth limit of ${this.typeDepth}.`,
      };
    const target = this.resolve(ref);
    if (target === undefined)
      return {
        name,
        ref,
        opaque: `Any JSON object: ${ref} is in none of the OpenAPI documents of this API.`,
      };
    const schema = normalizeSchema(target, (next) => this.enqueue(next, depth + 1));
    return { name, ref, schema: isRecord(schema) ? schema : {} };
  }

  private enqueue(ref: string, depth: number): void {
    if (this.types.has(ref)) return;
    this.types.set(ref, { name: this.name(ref), ref }); // marks it reached; typed when dequeued
    this.queue.push([ref, depth]);
  }

  /** `#/components/schemas/checkout.session` → `CheckoutSession`, unique within the module. */
  private name(ref: string): string {
    const existing = this.names.get(ref);
    if (existing) return existing;
    const base = pascalCase(label(ref)) || 'Schema';
    const name = this.registry.claim(/^[0-9]/.test(base) ? `Schema${base}` : base);
    this.names.set(ref, name);
    return name;
  }
}

/** The last part of a `$ref` for component schemas, else its whole pointer (`schemas/a/properties/b`). */
function label(ref: string): string {
  const pointer = ref.startsWith(COMPONENT_SCHEMA) ? ref.slice(COMPONENT_SCHEMA.length) : ref;
  return pointer
    .replace(/^#\/(components\/)?/, '')
    .split('/')
    .map(pointerSegment)
    .join(' ');
}

function escape(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
