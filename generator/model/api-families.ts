/**
 * Which OpenAPI documents describe the same API. Documents whose servers share a URL (host and base
 * path) form one family: a `$ref` such as `#/components/schemas/customer` means the same schema in
 * each of them, so one set of named types serves them all. A fragment and the full spec of one API
 * are the usual case (specs/stripe-link.openapi.yaml and Stripe's spec3.json both serve
 * https://api.stripe.com/). Within a family the preferred document (compareDocuments: the larger,
 * then the later listed; the same order breaks ties in operation matching) wins for a component
 * several define, and the others supply what it lacks, which also types the `$ref`s a fragment
 * leaves dangling.
 */
import path from 'node:path';
import type { OpenApiDocument } from '../load/openapi.js';
import { resolvePointer } from '../load/openapi.js';
import { NameRegistry, pascalCase, TYPES_FOLDER, words } from './names.js';

export { TYPES_FOLDER };

export interface ApiFamily {
  /** `Stripe`: the namespace its types are imported as; `stripe` names the module file. */
  namespace: string;
  /** The server URL the family is known by, e.g. `https://api.stripe.com`. */
  label: string;
  /** In priority order (see compareDocuments). */
  documents: OpenApiDocument[];
}

/** Host labels that say nothing about which API it is. */
const GENERIC_LABELS = new Set(['api', 'apis', 'www', 'rest', 'gateway']);

/** Families in the order of their first document; documents without absolute servers stand alone. */
export function apiFamilies(documents: OpenApiDocument[]): ApiFamily[] {
  const parent = documents.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  const firstWith = new Map<string, number>();
  documents.forEach((doc, i) => {
    for (const key of serverKeys(doc)) {
      const j = firstWith.get(key);
      if (j === undefined) firstWith.set(key, i);
      else parent[root(i)] = root(j);
    }
  });
  const groups = new Map<number, OpenApiDocument[]>();
  documents.forEach((doc, i) => groups.set(root(i), [...(groups.get(root(i)) ?? []), doc]));
  const registry = new NameRegistry(TYPES_FILE_NAMES);
  return [...groups.values()].map((docs) => {
    const url = serverUrls(docs[0])[0];
    return {
      namespace: registry.claim(apiName(docs[0])),
      label: url ? `${url.protocol}//${serverKey(url)}` : docs[0].file,
      documents: [...docs].sort((a, b) => compareDocuments(a, b, documents)),
    };
  });
}

/**
 * Which of two documents of one API to prefer where both have what is asked for (a component, or
 * an operation whose schemas resolve equally well): the larger one (paths and component schemas:
 * the full spec over a fragment), then the one listed later (`--openapi` adds documents after the
 * configured ones). Negative when `a` comes first.
 */
export function compareDocuments(
  a: OpenApiDocument,
  b: OpenApiDocument,
  listed: readonly OpenApiDocument[],
): number {
  return size(b) - size(a) || listed.indexOf(b) - listed.indexOf(a);
}

function size(doc: OpenApiDocument): number {
  const schemas = doc.data.components?.schemas;
  return Object.keys(doc.data.paths).length + (schemas ? Object.keys(schemas).length : 0);
}

/** The schema a `$ref` names within the family: from the first document that has it. */
export function resolveInFamily(family: ApiFamily, ref: string): unknown {
  for (const doc of family.documents) {
    const target = resolvePointer(doc.data, ref);
    if (target !== undefined) return target;
  }
  return undefined;
}

/** The absolute HTTP(S) server URLs of a document (relative or templated ones have no identity). */
function serverUrls(doc: OpenApiDocument): URL[] {
  const urls: URL[] = [];
  for (const server of doc.data.servers ?? []) {
    try {
      const url = new URL(server.url);
      if (url.protocol === 'http:' || url.protocol === 'https:') urls.push(url);
    } catch {
      // not a URL
    }
  }
  return urls;
}

/** `https://api.stripe.com/` → `api.stripe.com`: what two documents must share to be one family. */
function serverKey(url: URL): string {
  return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function serverKeys(doc: OpenApiDocument): string[] {
  return serverUrls(doc).map(serverKey);
}

/**
 * A readable, deterministic name for the API: from its host without the top-level domain and
 * generic labels (`api.stripe.com` → `Stripe`, `graph.microsoft.com` → `MicrosoftGraph`), else from
 * its title (`Todo API` → `Todo`), else from the file name.
 */
function apiName(doc: OpenApiDocument): string {
  for (const url of serverUrls(doc)) {
    const labels = url.hostname.split('.');
    if (labels.length < 2 || labels.every((l) => /^\d+$/.test(l))) continue;
    const meaningful = labels.slice(0, -1).filter((l) => !GENERIC_LABELS.has(l.toLowerCase()));
    const name = pascalCase(meaningful.reverse().join(' '));
    if (name) return identifier(name);
  }
  const title = words(doc.data.info?.title ?? '').filter((w) => w !== 'api');
  if (title.length) return identifier(pascalCase(title.join(' ')));
  return identifier(pascalCase(path.basename(doc.file).replace(/\.[^.]*$/, '')) || 'Api');
}

/**
 * A namespace no other name of a capability's types.ts can take: not starting with a digit, and
 * not ending like an operation's types (`ListWidgetsResponse`); names types.ts declares itself
 * are reserved in the registry.
 */
function identifier(name: string): string {
  const named = /^[0-9]/.test(name) ? `Api${name}` : name;
  return /(Params|Body|Response|Item)$/.test(named) ? `${named}Api` : named;
}

/** Names a capability's types.ts declares or imports besides the operations' types. */
const TYPES_FILE_NAMES = [
  'JsonValue',
  'BinaryBody',
  'FileInput',
  'WithRequired',
  'Infinity',
  'NaN',
];

/** The module file of a family: `Stripe` → `types/stripe.ts`. */
export function familyModulePath(namespace: string): string {
  return `${TYPES_FOLDER}/${words(namespace).join('-')}.ts`;
}
