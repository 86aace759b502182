/**
 * Matching consumed operations to OpenAPI operations by HTTP method and full path (base URI path +
 * resource path), among the documents whose servers point at the same host as the base URI.
 */
import { serverUrl, type OpenApiDocument } from '../load/openapi.js';
import { isRecord } from '../check/paths.js';
import type { MatchedOperation } from './openapi-subset.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface IndexedOperation extends MatchedOperation {
  /** Hosts this document serves (empty when its servers are relative or absent). */
  hosts: string[];
}

export class OpenApiIndex {
  private readonly byKey = new Map<string, IndexedOperation[]>();

  constructor(readonly documents: OpenApiDocument[]) {
    for (const doc of documents) {
      for (const [path, item] of Object.entries(doc.data.paths)) {
        if (!isRecord(item)) continue;
        for (const method of METHODS) {
          const operation = item[method];
          if (!isRecord(operation)) continue;
          // The servers that apply: the operation's own, else its path item's, else the document's.
          const { hosts, prefixes } = serversOf(
            operation.servers ?? item.servers ?? doc.data.servers,
          );
          for (const prefix of prefixes) {
            const key = matchKey(method, prefix + path);
            const list = this.byKey.get(key) ?? [];
            list.push({ doc, path, method, operation, hosts });
            this.byKey.set(key, list);
          }
        }
      }
    }
  }

  /**
   * The OpenAPI operation for `method baseUri+path`. Among several documents, the one whose
   * operation reaches the fewest dangling $refs wins (the full spec over a fragment); ties go to
   * the document listed first.
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
    return candidates
      .map((c, i) => ({ c, i, dangling: countDangling(c) }))
      .sort((a, b) => a.dangling - b.dangling || a.i - b.i)[0].c;
  }

  /** The documents that serve this base URI's host. */
  documentsFor(baseUri: string): OpenApiDocument[] {
    const base = safeUrl(baseUri);
    return this.documents.filter((doc) =>
      (doc.data.servers ?? []).some((s) => safeUrl(s.url)?.host === base?.host),
    );
  }
}

/**
 * Hosts and path prefixes of a `servers` list (variables at their defaults). A relative server URL
 * (`/api/v3`) gives a prefix and no host (it matches any host); no servers at all means `/`.
 */
function serversOf(servers: unknown): { hosts: string[]; prefixes: string[] } {
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

function countDangling(op: IndexedOperation): number {
  if (!op.doc.danglingRefs.size) return 0;
  const text = JSON.stringify(op.operation);
  let count = 0;
  for (const ref of op.doc.danglingRefs) if (text.includes(`"${ref}"`)) count++;
  return count;
}
