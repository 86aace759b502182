/**
 * Matching consumed operations to OpenAPI operations by HTTP method and full path (base URI path +
 * resource path), among the documents whose servers point at the same host as the base URI.
 *
 * An operation may be served elsewhere than its document (`servers` on the operation or its path
 * item: Stripe uploads files to files.stripe.com). It matches under its own servers, and also under
 * its document's: a capability whose base URI is the document's host then calls the operation's
 * own server (`MatchedOperation.server`), as the API's own SDKs do.
 */
import { resolvePointer, serverUrl, type OpenApiDocument } from '../load/openapi.js';
import { isRecord } from '../check/paths.js';
import { compareDocuments } from './api-families.js';
import type { MatchedOperation } from './openapi-subset.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface IndexedOperation extends MatchedOperation {
  /** Hosts this entry serves (empty when its servers are relative or absent). */
  hosts: string[];
  /**
   * Set on the entry of an operation with servers of its own, indexed under its document's
   * servers: the operation's first absolute server URL, and the path prefix of the document's
   * server the entry was indexed under.
   */
  redirect?: { url: URL; documentPrefix: string; ownPrefix: string };
}

export class OpenApiIndex {
  private readonly byKey = new Map<string, IndexedOperation[]>();
  private readonly dangling = new Map<string, number>();

  constructor(readonly documents: OpenApiDocument[]) {
    for (const doc of documents) {
      const documentServers = serversOf(doc.data.servers);
      for (const [path, item] of Object.entries(doc.data.paths)) {
        if (!isRecord(item)) continue;
        for (const method of METHODS) {
          const operation = item[method];
          if (!isRecord(operation)) continue;
          // The servers that apply: the operation's own, else its path item's, else the document's.
          const own = operation.servers ?? item.servers;
          const servers = own === undefined ? documentServers : serversOf(own);
          const add = (prefix: string, entry: IndexedOperation) => {
            const key = matchKey(method, prefix + path);
            const list = this.byKey.get(key) ?? [];
            list.push(entry);
            this.byKey.set(key, list);
          };
          for (const prefix of servers.prefixes)
            add(prefix, { doc, path, method, operation, hosts: servers.hosts });
          const target = servers.absolute[0];
          if (own === undefined || !target || !documentServers.hosts.length) continue;
          for (const prefix of documentServers.prefixes)
            add(prefix, {
              doc,
              path,
              method,
              operation,
              hosts: documentServers.hosts,
              redirect: {
                url: target,
                documentPrefix: prefix,
                ownPrefix: target.pathname.replace(/\/$/, ''),
              },
            });
        }
      }
    }
  }

  /**
   * The OpenAPI operation for `method baseUri+path`. Among several documents, the one whose
   * operation reaches the fewest `$ref`s that do not resolve (through every schema it reaches: the
   * full spec over a fragment) wins; on a tie, the preferred document (see compareDocuments).
   * `choice` is set when more than one document had the operation.
   */
  match(method: string, baseUri: string, path: string): MatchedOperation | undefined {
    const base = safeUrl(baseUri);
    if (!base) return undefined;
    const fullPath = base.pathname.replace(/\/$/, '') + path;
    let candidates = (this.byKey.get(matchKey(method.toLowerCase(), fullPath)) ?? []).filter(
      (c) => c.hosts.length === 0 || c.hosts.includes(base.host),
    );
    // A document with no absolute server cannot say where the base URI's path ends and its own
    // paths begin: its paths also match the resource path alone.
    if (!candidates.length && fullPath !== path)
      candidates = (this.byKey.get(matchKey(method.toLowerCase(), path)) ?? []).filter(
        (c) => c.hosts.length === 0,
      );
    if (!candidates.length) return undefined;
    // One entry per document: an operation served on the base URI's host directly wins over the
    // same operation reached through its document's servers.
    const perDocument = new Map<OpenApiDocument, IndexedOperation>();
    for (const c of candidates) {
      const seen = perDocument.get(c.doc);
      if (!seen || (seen.redirect && !c.redirect)) perDocument.set(c.doc, c);
    }
    const ranked = [...perDocument.values()]
      .map((c) => ({ c, dangling: perDocument.size > 1 ? this.danglingFrom(c) : 0 }))
      .sort(
        (a, b) => a.dangling - b.dangling || compareDocuments(a.c.doc, b.c.doc, this.documents),
      );
    const { c: winner } = ranked[0];
    const result: MatchedOperation = {
      doc: winner.doc,
      path: winner.path,
      method: winner.method,
      operation: winner.operation,
    };
    if (winner.redirect && winner.redirect.url.host !== base.host) {
      // The base URI's path past the document's prefix stays, on the operation's own server.
      const rest = base.pathname.replace(/\/$/, '').slice(winner.redirect.documentPrefix.length);
      result.server = `${winner.redirect.url.origin}${winner.redirect.ownPrefix}${rest}`;
    }
    if (ranked.length > 1)
      result.choice = ranked.map(({ c, dangling }) => ({ file: c.doc.file, dangling }));
    return result;
  }

  /**
   * For a hint when nothing matches: an OpenAPI path of that method on the base URI's host that
   * reads the same once case, spaces, `-` and `_` are set aside (`/v1/Invoice Items` →
   * `/v1/invoiceitems`).
   */
  near(method: string, baseUri: string, path: string): string | undefined {
    const base = safeUrl(baseUri);
    if (!base) return undefined;
    const fold = (text: string) =>
      text
        .replace(/\{[^}]*\}/g, '{}')
        .replace(/%20|[\s_-]/g, '')
        .toLowerCase();
    const wanted = fold(`${method} ${base.pathname.replace(/\/$/, '')}${path}`);
    for (const [key, entries] of this.byKey)
      if (fold(key) === wanted) {
        const entry = entries.find((e) => e.hosts.length === 0 || e.hosts.includes(base.host));
        if (entry) return entry.path;
      }
    return undefined;
  }

  /** The documents that serve this base URI's host. */
  documentsFor(baseUri: string): OpenApiDocument[] {
    const base = safeUrl(baseUri);
    return this.documents.filter((doc) =>
      (doc.data.servers ?? []).some((s) => safeUrl(s.url)?.host === base?.host),
    );
  }

  /**
   * `$ref`s that do not resolve in the operation's document, among everything the operation
   * reaches through `$ref`s (cached per document and operation).
   */
  private danglingFrom(op: IndexedOperation): number {
    const key = `${this.documents.indexOf(op.doc)} ${op.method} ${op.path}`;
    const known = this.dangling.get(key);
    if (known !== undefined) return known;
    const count = op.doc.danglingRefs.size ? reachableDangling(op.doc, op.operation) : 0;
    this.dangling.set(key, count);
    return count;
  }
}

/** How many distinct dangling `$ref`s `start` reaches, following `$ref`s through the document. */
function reachableDangling(doc: OpenApiDocument, start: unknown): number {
  const visited = new Set<string>();
  const dangling = new Set<string>();
  const stack: unknown[] = [start];
  while (stack.length) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    if (!isRecord(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key !== '$ref' || typeof value !== 'string') {
        stack.push(value);
        continue;
      }
      if (visited.has(value)) continue;
      visited.add(value);
      if (doc.danglingRefs.has(value)) dangling.add(value);
      else stack.push(resolvePointer(doc.data, value));
    }
  }
  return dangling.size;
}

/**
 * Hosts and path prefixes of a `servers` list (variables at their defaults). A relative server URL
 * (`/api/v3`) gives a prefix and no host (it matches any host); no servers at all means `/`.
 */
function serversOf(servers: unknown): { hosts: string[]; prefixes: string[]; absolute: URL[] } {
  const urls = (Array.isArray(servers) ? servers : [])
    .map((s: unknown) => (isRecord(s) ? serverUrl(s) : undefined))
    .filter((u): u is string => u !== undefined);
  const absolute = urls.map(safeUrl).filter((u): u is URL => u !== undefined);
  const relative = urls
    .filter((u) => u.startsWith('/'))
    .map((u) => new URL(u, 'http://relative.invalid'));
  const prefixes = [...absolute, ...relative].map((u) => u.pathname.replace(/\/$/, ''));
  // Host-less documents also match their paths without the prefix, as they did before prefixes.
  if (relative.length || !prefixes.length) prefixes.push('');
  return {
    hosts: relative.length ? [] : absolute.map((u) => u.host),
    prefixes: [...new Set(prefixes)],
    absolute,
  };
}

function matchKey(method: string, path: string): string {
  return `${method} ${path.replace(/\{[^}]*\}/g, '{}')}`;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
