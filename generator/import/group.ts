/**
 * Splitting an API's operations into resource groups, one capability file each: by tag (the
 * operation's first tag; untagged operations fall back to their path prefix), by path prefix, or
 * one group of the paths matching `--paths` globs.
 */
import picomatch from 'picomatch';
import { isRecord } from '../check/paths.js';
import type { OpenApiDocument } from '../load/openapi.js';
import { NameRegistry } from '../model/names.js';
import type { ImportedOperation } from './operations.js';
import { kebab, kebabOr, plainText } from './text.js';

export type GroupBy = 'tag' | 'path';

export interface GroupOptions {
  groupBy: GroupBy;
  /** Path segments (after a version segment such as `v1`) that make a path prefix. */
  depth: number;
  /** When given, one group of the operations whose path matches any of these globs. */
  paths?: string[];
  /** Name of the `--paths` group. */
  name?: string;
}

export interface OperationGroup {
  /** Kebab id: the file name and the prefix of the adapters' namespaces. */
  id: string;
  label: string;
  description: string;
  operations: ImportedOperation[];
}

export function groupOperations(
  doc: OpenApiDocument,
  operations: ImportedOperation[],
  options: GroupOptions,
): OperationGroup[] {
  if (options.paths) {
    const matches = picomatch(options.paths, { dot: true });
    const selected = operations.filter((op) => matches(op.path));
    if (!selected.length) return [];
    const id = kebabOr(options.name ?? staticPrefix(options.paths), 'operations');
    return [
      {
        id,
        label: options.name ?? id,
        description: `The operations under ${options.paths.join(', ')}.`,
        operations: selected,
      },
    ];
  }
  const tagDescriptions = new Map<string, string>();
  for (const tag of Array.isArray(doc.data.tags) ? doc.data.tags : [])
    if (isRecord(tag) && typeof tag.name === 'string')
      tagDescriptions.set(tag.name, plainText(tag.description));

  const byKey = new Map<string, { label: string; description: string; ops: ImportedOperation[] }>();
  for (const op of operations) {
    const tag = options.groupBy === 'tag' ? op.tags[0] : undefined;
    const label = tag ?? pathPrefix(op.path, options.depth);
    const key = tag !== undefined ? `tag:${tag}` : `path:${label}`;
    const group = byKey.get(key) ?? {
      label,
      description:
        tag !== undefined
          ? tagDescriptions.get(tag) || `The ${tag} operations.`
          : `The operations under ${label === '/' ? 'the root path' : label}.`,
      ops: [],
    };
    group.ops.push(op);
    byKey.set(key, group);
  }
  // Ids leave out a version segment (`/v1/customers` → customers) unless two groups would then
  // share one; they are claimed in a fixed order (by key), so a document always gives the same ids.
  const entries = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const short = (label: string) => kebab(label.replace(/^\/v\d+(?=\/)/i, ''));
  const counts = new Map<string, number>();
  for (const [, group] of entries)
    counts.set(short(group.label), (counts.get(short(group.label)) ?? 0) + 1);
  const ids = new NameRegistry();
  return entries
    .map(([, group]) => {
      const candidate = short(group.label);
      return {
        id: ids.claim(
          candidate && counts.get(candidate) === 1 ? candidate : kebabOr(group.label, 'root'),
        ),
        label: group.label,
        description: group.description,
        operations: group.ops,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** `/v1/checkout/sessions/{session}` at depth 1 → `/v1/checkout`; depth 2 → `/v1/checkout/sessions`. */
export function pathPrefix(path: string, depth: number): string {
  const segments = path.split('/').filter(Boolean);
  const kept: string[] = [];
  if (segments.length > 1 && /^v\d+$/i.test(segments[0])) kept.push(segments.shift()!);
  let taken = 0;
  for (const segment of segments) {
    if (taken >= depth || segment.includes('{')) break;
    kept.push(segment);
    taken++;
  }
  return `/${kept.join('/')}`;
}

/** The literal part of globs before their first wildcard: `/v1/customers/**` → `v1 customers`. */
function staticPrefix(globs: string[]): string {
  const first = globs[0] ?? '';
  const cut = first.search(/[*?[{(!]/);
  return kebab(cut === -1 ? first : first.slice(0, cut));
}
