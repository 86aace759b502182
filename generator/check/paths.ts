/**
 * Words for places in a Naftiko document: a JSON path as text (`capability.consumes[0].baseUri`),
 * the name of the object found there ("consumed operation"), a value as a person reads it, and
 * "did you mean" guesses.
 */
import type { JsonPath } from '../load/source.js';

export { isRecord } from '../load/source.js';

export function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** What the object at `path` is, in the specification's words. */
export function whatIsAt(path: JsonPath, data: unknown): string {
  if (path.length === 0) return 'the document';
  const keys = path.filter((p): p is string => typeof p === 'string');
  const last = keys[keys.length - 1];
  const endsInItem = typeof path[path.length - 1] === 'number';
  const under = (name: string) => keys.includes(name);
  if (!endsInItem) {
    if (last === 'authentication') return 'authentication';
    if (last === 'hints') return 'MCP tool hints';
    if (last === 'forward') return 'forward configuration';
    if (last === 'info' || last === 'capability') return last;
    if (last === 'with') return "'with' mapping";
    return `'${formatPath(path)}'`;
  }
  switch (last) {
    case 'consumes':
      return 'consumes entry';
    case 'binds':
      return 'binding';
    case 'exposes': {
      const type = (valueAt(data, path) as { type?: unknown } | undefined)?.type;
      return typeof type === 'string' ? `${type} adapter` : 'exposes entry';
    }
    case 'resources':
      return under('consumes')
        ? 'consumed resource'
        : under('tools') || mcpAt(path, data)
          ? 'MCP resource'
          : 'exposed resource';
    case 'operations':
      return under('consumes') ? 'consumed operation' : 'exposed operation';
    case 'tools':
      return under('skills') ? 'skill tool' : 'MCP tool';
    case 'inputParameters':
      return under('consumes')
        ? 'consumed input parameter'
        : under('tools')
          ? 'MCP tool input parameter'
          : 'input parameter';
    case 'outputParameters':
      return under('consumes') ? 'consumed output parameter' : 'output parameter';
    case 'steps':
      return 'orchestration step';
    case 'mappings':
      return 'step mapping';
    case 'aggregates':
      return 'aggregate';
    case 'functions':
      return 'aggregate function';
    case 'prompts':
      return 'MCP prompt';
    case 'skills':
      return 'skill';
    case 'stakeholders':
      return 'stakeholder';
    default:
      return `'${formatPath(path)}'`;
  }
}

function mcpAt(path: JsonPath, data: unknown): boolean {
  const i = path.indexOf('exposes');
  if (i < 0) return false;
  return (valueAt(data, path.slice(0, i + 2)) as { type?: unknown } | undefined)?.type === 'mcp';
}

export function valueAt(data: unknown, path: JsonPath): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The known name within edit distance 2, for "did you mean" hints. */
export function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
