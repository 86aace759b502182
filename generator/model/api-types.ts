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
import { normalizeSchema, printableRef } from './openapi-schema.js';
import type {
  CapabilityModel,
  NamedTypeModel,
  OpenApiSchema,
  OperationModel,
  TypeContext,
  TypeModuleModel,
} from './types.js';

const COMPONENT_SCHEMA = '#/components/schemas/';

/**
 * Names that the emitted modules use themselves (TypeScript's utility types, openapi-typescript's
 * helper): a component never takes them.
 */
const RESERVED = ['Array', 'Omit', 'Partial', 'Pick', 'Record', 'Required', 'WithRequired'];

/**
 * The shared modules of a run. Capabilities are attached one at a time (`attach`, or `addRoots`
 * for one whose output comes from the cache); `modules()` then walks what they reach. Names, and
 * everything else a printed type depends on, come from the families' documents alone.
 */
export class TypeModules {
  private readonly families: ApiFamily[];
  private readonly reaches = new Map<string, Reach>();

  constructor(
    private readonly documents: OpenApiDocument[],
    private readonly typeDepth: number | undefined,
  ) {
    this.families = apiFamilies(documents);
  }

  /**
   * Decides, on every operation of the capability matched to an OpenAPI operation, the schemas its
   * body, response and list item types are printed from (`op.types.openapi`); returns the `$ref`s
   * they refer to, by module path (what `addRoots` takes back).
   */
  attach(capability: CapabilityModel): Record<string, string[]> {
    const roots: Record<string, Set<string>> = {};
    for (const op of capability.operations) {
      const doc = op.openapi && this.documents.find((d) => d.file === op.openapi!.source);
      const family = doc && this.families.find((f) => f.documents.includes(doc));
      if (!doc || !family) continue;
      const reach = this.reachOf(family);
      const seen = (roots[reach.path] ??= new Set());
      op.types.openapi = { module: reach.path, ...operationSchemas(op, doc, reach, seen) };
    }
    return Object.fromEntries(
      Object.entries(roots).map(([module, refs]) => [module, [...refs].sort()]),
    );
  }

  /** Adds what `attach` returned in an earlier run; false when a module is not one of this run's. */
  addRoots(roots: Record<string, readonly string[]>): boolean {
    const reaches = Object.keys(roots).map((module) =>
      this.families.find((f) => familyModulePath(f.namespace) === module),
    );
    if (reaches.some((family) => !family)) return false;
    Object.values(roots).forEach((refs, i) => {
      const reach = this.reachOf(reaches[i]!);
      for (const ref of refs) reach.addRoot(ref);
    });
    return true;
  }

  /** The module of each family a capability was attached to, sorted by path. */
  modules(): TypeModuleModel[] {
    return this.paths().map((path) => this.reaches.get(path)!.module());
  }

  /** The paths of those modules, sorted. */
  paths(): string[] {
    return [...this.reaches.keys()].sort();
  }

  /** The `$ref`s the capabilities' operations refer to in a module, sorted: all its types follow. */
  rootsOf(path: string): string[] {
    return [...(this.reaches.get(path)?.roots ?? [])].sort();
  }

  /** A module with its named types (walked from its roots). */
  complete(path: string): TypeModuleModel | undefined {
    return this.reaches.get(path)?.module();
  }

  /** The modules as capabilities' types are printed against them (their named types come later). */
  shells(): TypeModuleModel[] {
    return this.paths().map((path) => this.reaches.get(path)!.shell);
  }

  private reachOf(family: ApiFamily): Reach {
    const path = familyModulePath(family.namespace);
    let reach = this.reaches.get(path);
    if (!reach) this.reaches.set(path, (reach = new Reach(family, this.typeDepth)));
    return reach;
  }
}

/** All at once: the modules of these capabilities (as `TypeModules` attaching each). */
export function buildTypeModules(
  capabilities: CapabilityModel[],
  documents: OpenApiDocument[],
  typeDepth: number | undefined,
): TypeModuleModel[] {
  const modules = new TypeModules(documents, typeDepth);
  for (const capability of capabilities) modules.attach(capability);
  return modules.modules();
}

/** The schemas of an operation's body, 2xx JSON response and list item, normalized. */
function operationSchemas(
  op: OperationModel,
  doc: OpenApiDocument,
  reach: Reach,
  roots: Set<string>,
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
    if (isRecord(body)) out.body = reach.root(body, roots);
  }
  const responses = isRecord(raw.responses) ? raw.responses : {};
  const code = Object.keys(responses)
    .sort()
    .find((c) => /^2\d\d$/.test(c));
  const response = code ? mediaSchema(responses[code], 'application/json') : undefined;
  if (isRecord(response)) {
    out.response = reach.root(response, roots);
    const list = deref(response);
    const data = isRecord(list) && isRecord(list.properties) ? list.properties.data : undefined;
    if (op.types.item && isRecord(data) && isRecord(data.items))
      out.item = reach.root(data.items, roots);
  }
  return out;
}

/** The walk over one family's schemas, breadth first so that each is reached at its least depth. */
class Reach {
  readonly path: string;
  /** The module without its named types, for printing capabilities' types against. */
  readonly shell: TypeModuleModel;
  /** The `$ref`s operations refer to. */
  readonly roots = new Set<string>();
  private readonly names = new Map<string, string>();
  private readonly normalized = new Map<string, OpenApiSchema | undefined>();
  private readonly queue: Array<[ref: string, depth: number]> = [];
  private readonly types = new Map<string, NamedTypeModel>();

  constructor(
    private readonly family: ApiFamily,
    private readonly typeDepth: number | undefined,
  ) {
    this.path = familyModulePath(family.namespace);
    // Every `$ref` the family's documents hold is named up front, components first, each group in
    // sorted order, so that a name never depends on which schemas the capabilities reach.
    const components = new Set<string>();
    const others = new Set<string>();
    let discriminated = false;
    for (const doc of family.documents) {
      for (const name of Object.keys(doc.data.components?.schemas ?? {})) components.add(name);
      discriminated = collectRefs(doc.data, others) || discriminated;
    }
    const registry = new NameRegistry(RESERVED);
    const componentRefs = [...components]
      .sort()
      .map((name) => `${COMPONENT_SCHEMA}${escape(name)}`);
    for (const ref of componentRefs) this.names.set(ref, claimName(registry, ref));
    for (const ref of [...others].sort())
      if (!this.names.has(ref)) this.names.set(ref, claimName(registry, ref));
    const context: TypeContext = {
      names: this.names,
      resolve: (ref) => this.normalize(ref),
      discriminatorSources: () =>
        discriminated
          ? Object.fromEntries(
              [...components].sort().flatMap((name) => {
                const schema = this.normalize(`${COMPONENT_SCHEMA}${escape(name)}`);
                return schema ? [[name, schema]] : [];
              }),
            )
          : {},
    };
    this.shell = {
      path: this.path,
      namespace: family.namespace,
      label: family.label,
      sources: family.documents.map((d) => d.file),
      types: [],
      context,
    };
  }

  /** Normalizes a schema of an operation; the components it refers to are reached at depth 1. */
  root(schema: Record<string, unknown>, roots: Set<string>): OpenApiSchema {
    return normalizeSchema(schema, (ref) => {
      roots.add(ref);
      this.addRoot(ref);
    }) as OpenApiSchema;
  }

  /** A `$ref` an operation refers to: reached at depth 1. */
  addRoot(ref: string): void {
    this.roots.add(ref);
    this.enqueue(ref, 1);
  }

  resolve(ref: string): unknown {
    return resolveInFamily(this.family, ref);
  }

  module(): TypeModuleModel {
    while (this.queue.length) {
      const [ref, depth] = this.queue.shift()!;
      this.types.set(ref, this.reachType(ref, depth));
    }
    return {
      ...this.shell,
      types: [...this.types.values()].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      ),
    };
  }

  enqueue(ref: string, depth: number): void {
    if (this.types.has(ref)) return;
    this.types.set(ref, { name: this.name(ref), ref }); // marks it reached; typed when dequeued
    this.queue.push([ref, depth]);
  }

  /** The schema a `$ref` names, normalized (once), or undefined when no document has it. */
  private normalize(ref: string): OpenApiSchema | undefined {
    if (!this.normalized.has(ref)) {
      const target = this.resolve(ref);
      const schema = target === undefined ? undefined : normalizeSchema(target, () => {});
      this.normalized.set(ref, target === undefined ? undefined : isRecord(schema) ? schema : {});
    }
    return this.normalized.get(ref);
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

  /** `#/components/schemas/checkout.session` → `CheckoutSession`, unique within the module. */
  private name(ref: string): string {
    const name = this.names.get(ref);
    if (name === undefined) throw new Error(`capgen bug: no name for ${ref}`);
    return name;
  }
}

function claimName(registry: NameRegistry, ref: string): string {
  const base = pascalCase(label(ref)) || 'Schema';
  return registry.claim(/^[0-9]/.test(base) ? `Schema${base}` : base);
}

/**
 * Adds every `$ref` in `node` to `refs` as the types emitter prints it; true when some object has a
 * `discriminator`.
 */
function collectRefs(node: unknown, refs: Set<string>): boolean {
  if (Array.isArray(node)) return node.reduce<boolean>((d, n) => collectRefs(n, refs) || d, false);
  if (!isRecord(node)) return false;
  let discriminated = 'discriminator' in node;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') refs.add(printableRef(value));
    else if (typeof value === 'object' && value !== null)
      discriminated = collectRefs(value, refs) || discriminated;
  }
  return discriminated;
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
