/**
 * The REST adapter's router: exact paths with `{param}` placeholders, each matching one non-empty
 * segment; static paths by exact lookup, templated ones by segment count, most specific first.
 */
import type { CompiledRoute } from './rest-types.js';

type SegmentMatcher =
  | { kind: 'static'; text: string }
  | { kind: 'param'; name: string }
  /** A segment mixing text and placeholders, e.g. `{id}.json`. */
  | { kind: 'mixed'; regex: RegExp; names: string[] };

interface PathEntry {
  template: string;
  segments: SegmentMatcher[];
  names: string[];
  methods: Map<string, CompiledRoute>;
  allow: string;
}

export type RouteMatch =
  { route: CompiledRoute; names: string[]; values: string[] } | { allow: string };

const NO_STRINGS: string[] = [];

export class Router {
  /** Paths without placeholders, by exact raw text. */
  private readonly exact = new Map<string, PathEntry>();
  /** Paths with placeholders, by segment count, most specific first. */
  private readonly templated = new Map<number, PathEntry[]>();

  constructor(routes: CompiledRoute[]) {
    const entries = new Map<string, PathEntry>();
    for (const compiled of routes) {
      const template = compiled.route.path;
      let entry = entries.get(template);
      if (entry === undefined) {
        const segments = template.split('/').map(compileSegment);
        const names = segments.flatMap((s) =>
          s.kind === 'param' ? [s.name] : s.kind === 'mixed' ? s.names : [],
        );
        entry = { template, segments, names, methods: new Map(), allow: '' };
        entries.set(template, entry);
      }
      if (entry.methods.has(compiled.route.method)) {
        throw new Error(`Duplicate REST route: ${compiled.route.method} ${template}`);
      }
      entry.methods.set(compiled.route.method, compiled);
    }
    for (const entry of entries.values()) {
      entry.allow = [...entry.methods.keys()].join(', ');
      if (entry.names.length === 0) {
        this.exact.set(entry.template, entry);
      } else {
        const list = this.templated.get(entry.segments.length) ?? [];
        list.push(entry);
        this.templated.set(entry.segments.length, list);
      }
    }
    for (const list of this.templated.values()) list.sort(compareSpecificity);
  }

  /** The route for `method` at `path`; `{allow}` when the path exists with other methods only. */
  match(method: string, path: string): RouteMatch | undefined {
    let allow: string[] | undefined;
    const exact = this.exact.get(path);
    if (exact !== undefined) {
      const route = exact.methods.get(method);
      if (route !== undefined) return { route, names: NO_STRINGS, values: NO_STRINGS };
      allow = [exact.allow];
    }
    const segments = path.split('/');
    const candidates = this.templated.get(segments.length);
    if (candidates !== undefined) {
      for (const entry of candidates) {
        const values = matchSegments(entry.segments, segments);
        if (values === undefined) continue;
        const route = entry.methods.get(method);
        if (route !== undefined) return { route, names: entry.names, values };
        (allow ??= []).push(entry.allow);
      }
    }
    if (allow === undefined && path.indexOf('%') >= 0) {
      // A static path written with needless escapes (`/v1/%63ustomers`) still names the same route.
      const decoded = safeDecode(path);
      if (
        decoded !== undefined &&
        decoded !== path &&
        !decoded.includes('%') &&
        this.exact.has(decoded)
      ) {
        return this.match(method, decoded);
      }
    }
    return allow === undefined
      ? undefined
      : { allow: [...new Set(allow.join(', ').split(', '))].join(', ') };
  }
}

function compileSegment(text: string): SegmentMatcher {
  const whole = /^\{([^{}]+)\}$/.exec(text);
  if (whole !== null) return { kind: 'param', name: whole[1] };
  if (!text.includes('{')) return { kind: 'static', text };
  const names: string[] = [];
  const source = text.replace(
    /\{([^{}]+)\}|([^{]+)/g,
    (_, name: string | undefined, literal: string | undefined) => {
      if (name !== undefined) {
        names.push(name);
        return '([^/]+?)';
      }
      return (literal ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    },
  );
  return { kind: 'mixed', regex: new RegExp(`^${source}$`), names };
}

/** Raw (undecoded) values of the placeholders, or undefined when the segments do not match. */
function matchSegments(matchers: SegmentMatcher[], segments: string[]): string[] | undefined {
  let values: string[] | undefined;
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i];
    const segment = segments[i];
    if (matcher.kind === 'static') {
      if (
        segment !== matcher.text &&
        !(segment.indexOf('%') >= 0 && safeDecode(segment) === matcher.text)
      )
        return undefined;
    } else if (matcher.kind === 'param') {
      if (segment === '') return undefined;
      (values ??= []).push(segment);
    } else {
      const found = matcher.regex.exec(segment);
      if (found === null) return undefined;
      for (let g = 1; g < found.length; g++) (values ??= []).push(found[g]);
    }
  }
  return values ?? NO_STRINGS;
}

/** Static segments before placeholders: `/a/b/{x}` is tried before `/a/{y}/c`. */
function compareSpecificity(a: PathEntry, b: PathEntry): number {
  const rank = (m: SegmentMatcher): number =>
    m.kind === 'static' ? 0 : m.kind === 'mixed' ? 1 : 2;
  for (let i = 0; i < a.segments.length; i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
