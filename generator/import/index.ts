/**
 * `capgen import`: an OpenAPI 3.x document → Naftiko capability files, one per resource group.
 *
 *   read the document ─> its operations ─> groups ─> one capability document each ─> YAML ─> files
 *
 * Bad input ends as diagnostics (file:line:col, rule, hint) and nothing written; what the import
 * leaves out of an otherwise good document (an unsupported method, a parameter name Naftiko cannot
 * spell) is a warning at its place in the document.
 */
import path from 'node:path';
import { BUILTIN_VERSIONS } from '../check/naftiko-schema.js';
import type { DiagnosticBag } from '../diagnostics.js';
import { loadOpenApi, type OpenApiDocument } from '../load/openapi.js';
import { readInput } from '../load/read.js';
import { NameRegistry, words } from '../model/names.js';
import { buildCapabilityDocument, type ConsumedApi, type ImportNames } from './capability.js';
import { renderFile, type ImportFile } from './files.js';
import { groupOperations, type GroupBy } from './group.js';
import { readOperations, type ImportedOperation } from './operations.js';
import { assignPorts, DEFAULT_PORT_BASE } from './ports.js';
import { SecuritySchemes } from './security.js';
import { kebab, kebabOr, plainText } from './text.js';
import { NAFTIKO_VERSIONS } from './versions.js';

export { applyImport, planImport, UnsafeOutputError, type ImportPlan } from './files.js';

/** The newest version capgen's own checker reads, so `capgen generate` accepts what import writes. */
export const DEFAULT_NAFTIKO_VERSION: string =
  [...NAFTIKO_VERSIONS]
    .reverse()
    .find((v) => (BUILTIN_VERSIONS as readonly string[]).includes(v)) ?? NAFTIKO_VERSIONS[0];

export interface ImportOptions {
  /** The OpenAPI document, relative to the root. */
  openapi: string;
  /** Output folder, relative to the root. */
  out: string;
  groupBy: GroupBy;
  depth: number;
  paths?: string[];
  name?: string;
  namespace?: string;
  baseUri?: string;
  portBase?: number;
  naftiko?: string;
}

export interface ImportResult {
  files: ImportFile[];
  operations: number;
  title: string;
}

export function runImport(
  root: string,
  options: ImportOptions,
  bag: DiagnosticBag,
): ImportResult | undefined {
  const doc = readDocument(root, options.openapi, bag);
  if (!doc) return undefined;
  const operations = readOperations(doc, bag);
  if (!operations.length) {
    bag.error(
      doc.file,
      doc.locate(['paths']),
      'import/no-operations',
      'the document has no operations to import',
      "add operations under 'paths'",
    );
    return undefined;
  }
  const title = plainText(doc.data.info?.title) || 'API';
  const namespace = options.namespace ?? apiNamespace(title);
  const baseUris = resolveBaseUris(doc, operations, options.baseUri, bag);
  if (!baseUris) return undefined;
  const groups = groupOperations(doc, operations, options);
  if (!groups.length) {
    bag.error(
      doc.file,
      doc.locate(['paths']),
      'import/no-match',
      `no path matches ${options.paths?.join(', ')}`,
      "globs match whole paths: '/v1/customers/**' (use * for a {parameter} segment)",
    );
    return undefined;
  }
  const names = decideNames(operations);
  const namespaces = consumesNamespaces(namespace, operations, baseUris);
  const schemes = new SecuritySchemes(doc, namespace, bag);
  let ports: ReturnType<typeof assignPorts>;
  try {
    ports = assignPorts(
      namespace,
      groups.map((g) => g.id),
      options.portBase ?? DEFAULT_PORT_BASE,
    );
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    bag.error(
      doc.file,
      { line: 1, col: 1 },
      'import/ports',
      error.message,
      'choose a lower --port-base',
    );
    return undefined;
  }
  const api = {
    title,
    version: typeof doc.data.info?.version === 'string' ? doc.data.info.version : '',
    description: plainText(doc.data.info?.description),
  };
  const source = toPosix(path.relative(root, path.resolve(root, doc.file)));
  const header = `${source} (${api.title}${api.version ? ` ${api.version}` : ''})`;
  const command = canonicalCommand(root, source, options);
  const files = groups.map((group) => {
    const byBase = new Map<string, ImportedOperation[]>();
    for (const op of group.operations)
      byBase.set(baseUris.get(op)!, [...(byBase.get(baseUris.get(op)!) ?? []), op]);
    const consumes: ConsumedApi[] = [...byBase.entries()]
      .map(([baseUri, ops]) => ({
        namespace: namespaces.get(baseUri)!,
        baseUri,
        auth: schemes.choose(ops),
        operations: ops,
      }))
      .sort((a, b) => (a.namespace < b.namespace ? -1 : 1));
    const document = buildCapabilityDocument({
      naftiko: options.naftiko ?? DEFAULT_NAFTIKO_VERSION,
      api,
      group,
      consumes,
      ports: ports.get(group.id)!,
      names,
    });
    return { path: `${group.id}.yaml`, contents: renderFile(document, header, command) };
  });
  return { files, operations: groups.reduce((n, g) => n + g.operations.length, 0), title };
}

function readDocument(root: string, file: string, bag: DiagnosticBag): OpenApiDocument | undefined {
  const text = readInput(root, file, bag, 'check the --openapi path');
  return text === undefined ? undefined : loadOpenApi(file, text, bag);
}

/** `Stripe API` → `stripe`; `Todo API` → `todo`; a name that must start with a letter. */
function apiNamespace(title: string): string {
  const parts = words(title);
  if (parts.length > 1 && parts[parts.length - 1] === 'api') parts.pop();
  const name = parts.join('-') || 'api';
  return /^[a-z]/.test(name) ? name : `api-${name}`;
}

/** The base URI of each operation: --base-uri, else its server URL, which must be absolute. */
function resolveBaseUris(
  doc: OpenApiDocument,
  operations: ImportedOperation[],
  override: string | undefined,
  bag: DiagnosticBag,
): Map<ImportedOperation, string> | undefined {
  const result = new Map<ImportedOperation, string>();
  const reported = new Set<string>();
  for (const op of operations) {
    const url = override ?? op.server?.url;
    const base = url === undefined ? undefined : absoluteBase(url);
    if (base) {
      result.set(op, base);
      continue;
    }
    const where = op.server ? op.server.at.join('/') : 'servers';
    if (reported.has(where)) continue;
    reported.add(where);
    bag.error(
      doc.file,
      doc.locate(op.server?.at ?? (doc.data.servers ? ['servers'] : [])),
      'import/no-base-uri',
      url === undefined
        ? 'the document names no server, so the API has no base URI'
        : `server URL '${url}' is not an absolute http(s) URL`,
      url?.startsWith('/')
        ? // OpenAPI: a relative server URL is relative to where the document is served.
          `it is relative to where the document is served: pass the absolute URL, e.g. --base-uri https://api.example.com${url.replace(/\/+$/, '')}`
        : 'pass the base URI with --base-uri https://api.example.com',
    );
  }
  return reported.size ? undefined : result;
}

function absoluteBase(url: string): string | undefined {
  const trimmed = url.replace(/\/+$/, '');
  return /^https?:\/\/[^/{}?#]+(\/[^{}?#]*)?$/.test(trimmed) ? trimmed : undefined;
}

/**
 * Consumed namespaces per base URI: the one most operations use is the API's namespace; others
 * (Stripe uploads files to files.stripe.com) add the first label of their host.
 */
function consumesNamespaces(
  namespace: string,
  operations: ImportedOperation[],
  baseUris: Map<ImportedOperation, string>,
): Map<string, string> {
  const counts = new Map<string, number>();
  for (const op of operations)
    counts.set(baseUris.get(op)!, (counts.get(baseUris.get(op)!) ?? 0) + 1);
  const ordered = [...counts.entries()]
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : 1))
    .map(([uri]) => uri);
  const registry = new NameRegistry(['env']);
  const result = new Map<string, string>();
  ordered.forEach((uri, i) => {
    const host = new URL(uri).hostname.split('.')[0];
    result.set(uri, registry.claim(i === 0 ? namespace : `${namespace}-${kebabOr(host, 'api')}`));
  });
  return result;
}

/**
 * Operation and resource names, decided over the whole document in a fixed order (by path, then
 * method), so a name never depends on how the operations are grouped.
 */
function decideNames(operations: ImportedOperation[]): ImportNames {
  const ordered = [...operations].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.method < b.method ? -1 : 1,
  );
  const operationNames = new NameRegistry();
  const byOperation = new Map<ImportedOperation, string>();
  for (const op of ordered) {
    const fromId = op.operationId ? kebab(op.operationId) : '';
    byOperation.set(
      op,
      operationNames.claim(fromId || kebabOr(`${op.method} ${op.path}`, op.method.toLowerCase())),
    );
  }
  const resourceNames = new NameRegistry();
  const byPath = new Map<string, string>();
  for (const op of ordered)
    if (!byPath.has(op.path)) byPath.set(op.path, resourceNames.claim(kebabOr(op.path, 'root')));
  return {
    operation: (op) => byOperation.get(op)!,
    resource: (p) => byPath.get(p)!,
  };
}

/** The command that writes these files again: the options that shape them, in a fixed order. */
function canonicalCommand(root: string, source: string, options: ImportOptions): string {
  const out = toPosix(path.relative(root, path.resolve(root, options.out))) || '.';
  const parts = ['capgen import', `--openapi ${source}`, `--out ${out}`];
  if (options.paths) {
    for (const glob of options.paths) parts.push(`--paths '${glob}'`);
    if (options.name) parts.push(`--name ${options.name}`);
  } else {
    if (options.groupBy !== 'tag') parts.push(`--group-by ${options.groupBy}`);
    if (options.depth !== 1) parts.push(`--depth ${options.depth}`);
  }
  if (options.namespace) parts.push(`--namespace ${options.namespace}`);
  if (options.baseUri) parts.push(`--base-uri ${options.baseUri}`);
  if (options.portBase !== undefined && options.portBase !== DEFAULT_PORT_BASE)
    parts.push(`--port-base ${options.portBase}`);
  if (options.naftiko) parts.push(`--naftiko-version ${options.naftiko}`);
  return parts.join(' ');
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
