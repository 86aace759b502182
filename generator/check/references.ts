/**
 * How a capability's pieces refer to each other: `call: ns.op`, `with` values, `{{VAR}}` and
 * `{{ns.VAR}}` templates, and `{param}` / `{{param}}` path placeholders. Shared by the checker and
 * the model builder so both read the document the same way.
 */
import type {
  NaftikoBinding,
  NaftikoConsumedOperation,
  NaftikoConsumedParameter,
  NaftikoConsumedResource,
  NaftikoConsumes,
  NaftikoDocument,
  NaftikoRequestBody,
} from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';

/** A consumes block and where it was written (imported ones live in another file). */
export interface ConsumesSite {
  consumes: NaftikoConsumes;
  source: SourceDocument;
  /** Path of the block in `source`. */
  at: JsonPath;
  /** The binds its templates read: its own document's, then the capability's. */
  binds: Map<string, Map<string, BoundVariable>>;
}

export interface ConsumedRef {
  site: ConsumesSite;
  consumes: NaftikoConsumes;
  resource: NaftikoConsumedResource;
  operation: NaftikoConsumedOperation;
  /** Path of the operation in `site.source`. */
  at: JsonPath;
}

/** Every consumed operation by its `call` key, `<namespace>.<operation name>` (first one wins). */
export function indexConsumedOperations(sites: ConsumesSite[]): Map<string, ConsumedRef> {
  const index = new Map<string, ConsumedRef>();
  for (const site of sites)
    (site.consumes.resources ?? []).forEach((resource, ri) =>
      resource.operations.forEach((operation, oi) => {
        const key = `${site.consumes.namespace}.${operation.name}`;
        if (!index.has(key))
          index.set(key, {
            site,
            consumes: site.consumes,
            resource,
            operation,
            at: [...site.at, 'resources', ri, 'operations', oi],
          });
      }),
    );
  return index;
}

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}|\{([^{}\s]+)\}/g;

/** `{session}` and `{{session}}` placeholders of a path, in order. */
export function pathPlaceholders(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((m) => m[1] ?? m[2]);
}

/**
 * What keeps a path from being a URL path template, or undefined when it is one: outside its
 * `{param}` / `{{param}}` placeholders, only what RFC 3986 allows in a path (letters, digits,
 * `-._~!$&'()*+,;=:@/` and %-escapes).
 */
export function pathTemplateProblem(path: string): string | undefined {
  const rest = path.replace(PLACEHOLDER, '');
  if (/[{}]/.test(rest)) return 'a brace that opens or closes no placeholder';
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|%(?![0-9A-Fa-f]{2})/.exec(rest);
  if (!bad) return undefined;
  const char = bad[0];
  const named: Record<string, string> = {
    ' ': 'a space',
    '?': "'?' (a query string belongs in query parameters)",
    '#': "'#' (a fragment is never sent)",
    '%': "a '%' that starts no %-escape",
  };
  return (
    named[char] ??
    `the character ${JSON.stringify(char)} (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}), which must be %-encoded`
  );
}

/** A path with `{param}` placeholders only (`{{param}}` is the specification's other spelling). */
export function normalizePath(path: string): string {
  return path.replace(
    PLACEHOLDER,
    (_m, a: string | undefined, b: string | undefined) => `{${a ?? b}}`,
  );
}

/** An exposed path as served: placeholders normalised, and rooted (`users/me` → `/users/me`). */
export function servedPath(path: string): string {
  const normal = normalizePath(path);
  return normal.startsWith('/') ? normal : `/${normal}`;
}

/**
 * Path placeholders bound to a `with` input whose name differs from theirs only by `-` and `_`
 * (`{payment-method}` and `rest.payment_method`): input name → placeholder. Only a placeholder that
 * `with` does not name itself, matching exactly one such input, and only an input that is not a
 * placeholder of its own.
 */
export function placeholderAliases(
  placeholders: string[],
  withMap: Record<string, string | number> | undefined,
  adapterPrefixes: ReadonlySet<string>,
): Map<string, string> {
  const referenced = new Set<string>();
  for (const value of Object.values(withMap ?? {})) {
    const parsed = parseWithValue(value, adapterPrefixes);
    if (parsed.kind === 'reference') referenced.add(parsed.name);
    if (parsed.kind === 'template')
      for (const part of parsed.template) if ('name' in part) referenced.add(part.name);
  }
  const fold = (name: string) => name.replace(/-/g, '_');
  const aliases = new Map<string, string>();
  for (const placeholder of placeholders) {
    if (referenced.has(placeholder)) continue;
    const matches = [...referenced].filter(
      (name) => !placeholders.includes(name) && fold(name) === fold(placeholder),
    );
    if (matches.length === 1 && !aliases.has(matches[0])) aliases.set(matches[0], placeholder);
  }
  return aliases;
}

export type WithValue =
  | { kind: 'reference'; prefix: string; name: string }
  | { kind: 'template'; template: TemplatePart[] }
  | { kind: 'literal'; value: string | number };

/**
 * A `with` value is a reference when it reads `<prefix>.<name>` and the prefix names an adapter
 * (rest, tools, mcp, or any exposes namespace of the document), a template when it holds `{{...}}`,
 * and a literal otherwise.
 */
export function parseWithValue(
  value: string | number,
  adapterPrefixes: ReadonlySet<string>,
): WithValue {
  if (typeof value === 'string') {
    const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_*-]+)$/.exec(value);
    if (match && adapterPrefixes.has(match[1]))
      return { kind: 'reference', prefix: match[1], name: match[2] };
    const template = parseTemplate(value);
    if (template.some((p) => 'name' in p)) return { kind: 'template', template };
  }
  return { kind: 'literal', value };
}

/** All names a `with` prefix may take in this document. */
export function allAdapterPrefixes(doc: NaftikoDocument): Set<string> {
  const prefixes = new Set(['rest', 'tools', 'mcp']);
  for (const exposes of doc.capability?.exposes ?? [])
    if (typeof exposes.namespace === 'string') prefixes.add(exposes.namespace);
  return prefixes;
}

export type TemplatePart = { literal: string } | { name: string; namespace?: string };

/** `Bearer {{env.KEY}}` → [{literal: 'Bearer '}, {namespace: 'env', name: 'KEY'}]; `{{KEY}}` has no namespace. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{\{\s*(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)\s*\}\}/g)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    parts.push(match[1] ? { namespace: match[1], name: match[2] } : { name: match[2] });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  return parts;
}

/** A bound variable: where its value comes from at run time. */
export interface BoundVariable {
  /** The binds entry's namespace. */
  namespace: string;
  /** The key in the provider (environment variable, or key of the JSON file). */
  source: string;
  /** `file:///...` location, when the provider is a file; absent for the environment. */
  location?: string;
}

/** The binds of a document, file-level and capability-level: namespace → variable → where it comes from. */
export function bindings(doc: NaftikoDocument): Map<string, Map<string, BoundVariable>> {
  const result = new Map<string, Map<string, BoundVariable>>();
  const all: NaftikoBinding[] = [...(doc.binds ?? []), ...(doc.capability?.binds ?? [])];
  for (const bind of all) {
    const keys = result.get(bind.namespace) ?? new Map<string, BoundVariable>();
    for (const [name, source] of Object.entries(bind.keys))
      keys.set(name, { namespace: bind.namespace, source, location: bind.location });
    result.set(bind.namespace, keys);
  }
  return result;
}

/** Binds of two documents; the first one's entries win. */
export function mergeBindings(
  first: Map<string, Map<string, BoundVariable>>,
  then: Map<string, Map<string, BoundVariable>>,
): Map<string, Map<string, BoundVariable>> {
  const merged = new Map(then);
  for (const [namespace, keys] of first)
    merged.set(namespace, new Map([...(then.get(namespace) ?? []), ...keys]));
  return merged;
}

/** The bound variable a template part names: `{{ns.VAR}}` in that binds entry, `{{VAR}}` in any. */
export function lookupBinding(
  binds: Map<string, Map<string, BoundVariable>>,
  part: { name: string; namespace?: string },
): BoundVariable | undefined {
  if (part.namespace !== undefined) return binds.get(part.namespace)?.get(part.name);
  for (const keys of binds.values()) {
    const found = keys.get(part.name);
    if (found) return found;
  }
  return undefined;
}

/** The text of a request body template (raw, json, text, form), or undefined when it has none. */
export function bodyTemplateText(body: NaftikoRequestBody | undefined): string | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body.type === 'multipartForm') return undefined;
  if (typeof body.data === 'string') return body.data;
  return JSON.stringify(body.data);
}

/**
 * The variables a consumed operation's templates read from the call (not from binds): path
 * placeholders, `{{name}}` in parameter values and in the body. Named in order of appearance.
 */
export function templateVariables(
  resourcePath: string,
  params: NaftikoConsumedParameter[],
  body: NaftikoRequestBody | undefined,
  binds: Map<string, Map<string, BoundVariable>>,
): string[] {
  const names = new Set<string>(pathPlaceholders(resourcePath));
  const texts = [...params.map((p) => p.value ?? ''), bodyTemplateText(body) ?? ''];
  for (const text of texts)
    for (const part of parseTemplate(text))
      if ('name' in part && part.namespace === undefined && !lookupBinding(binds, part))
        names.add(part.name);
  return [...names];
}
