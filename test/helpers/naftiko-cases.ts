/**
 * The Naftiko documents the schema tests run on (test/schema-agreement.test.ts,
 * test/schema-precompiled.test.ts): every example capability of the Naftiko Framework (as alpha3
 * and as alpha2, when ../shared has them), our seed capability files and every capability file of
 * the malformed corpus; and deterministic mutations of a document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticBag } from '../../generator/diagnostics.js';
import { parseSource } from '../../generator/load/source.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_NAFTIKO = path.resolve(ROOT, '../shared/naftiko');
export const EXAMPLES = path.join(SHARED_NAFTIKO, 'framework/examples');

type Data = Record<string, unknown>;

export function walk(dir: string, keep: (file: string) => boolean): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? walk(path.join(dir, e.name), keep)
        : keep(e.name)
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

export interface Case {
  name: string;
  text: string;
  version: string;
}

/** Every document, with the version it is checked as. */
export function cases(): Case[] {
  const out: Case[] = [];
  const withVersion = (text: string, version: string) =>
    text.replace(/^naftiko:.*$/m, `naftiko: "${version}"`);
  const examples = (
    fs.existsSync(EXAMPLES) ? walk(EXAMPLES, (n) => /\.ya?ml$/.test(n)) : []
  ).filter((f) => !/[/\\](openapi|schemas)[/\\]/.test(f));
  for (const file of examples) {
    const text = fs.readFileSync(file, 'utf8');
    const name = path.relative(EXAMPLES, file);
    out.push({ name: `${name} (alpha3)`, text, version: '1.0.0-alpha3' });
    out.push({
      name: `${name} (alpha2)`,
      text: withVersion(text, '1.0.0-alpha2'),
      version: '1.0.0-alpha2',
    });
  }
  const capabilityFiles = [
    ...walk(path.join(ROOT, 'specs'), (n) => /\.ya?ml$/.test(n) && !n.includes('openapi')),
    ...walk(path.join(ROOT, 'test/fixtures/malformed'), (n) => /\.ya?ml$/.test(n)),
  ];
  for (const file of capabilityFiles) {
    const text = fs.readFileSync(file, 'utf8');
    const source = parseSource(file, text, new DiagnosticBag()); // unparsable (alias bomb, syntax): undefined
    const data = source.data;
    if (typeof data !== 'object' || data === null || !('naftiko' in data)) continue; // OpenAPI, config, broken YAML
    const name = path.relative(ROOT, file);
    for (const version of ['1.0.0-alpha2', '1.0.0-alpha3'])
      out.push({ name: `${name} (${version})`, text: withVersion(text, version), version });
  }
  return out;
}

/** Deterministic mutations of a document: one small break each, spread over the document. */
export function mutations(data: unknown, count: number): unknown[] {
  const nodes: Array<{ parent: Data | unknown[]; key: string | number; value: unknown }> = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value))
      value.forEach((v, i) => {
        nodes.push({ parent: value, key: i, value: v });
        visit(v);
      });
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) {
        nodes.push({ parent: value as Data, key: k, value: v });
        visit(v);
      }
  };
  visit(data);
  const out: unknown[] = [];
  for (let i = 0; i < count && nodes.length; i++) {
    const index = Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * nodes.length);
    const kind = i % 5;
    const copy = structuredClone(data) as Data;
    // The same node in the copy, reached by the same keys.
    const pathTo = (target: (typeof nodes)[number]): Array<string | number> => {
      const trail: Array<string | number> = [];
      const find = (value: unknown, acc: Array<string | number>): boolean => {
        if (value === target.parent) {
          trail.push(...acc, target.key);
          return true;
        }
        if (Array.isArray(value)) return value.some((v, j) => find(v, [...acc, j]));
        if (typeof value === 'object' && value !== null)
          return Object.entries(value).some(([k, v]) => find(v, [...acc, k]));
        return false;
      };
      find(data, []);
      return trail;
    };
    const trail = pathTo(nodes[index]);
    let parent: unknown = copy;
    for (const k of trail.slice(0, -1)) parent = (parent as Data)[k as string];
    const key = trail[trail.length - 1];
    const container = parent as Data;
    if (kind === 0 && !Array.isArray(container)) delete container[key as string];
    else if (kind === 1)
      container[key as string] = typeof nodes[index].value === 'number' ? 'text' : 42;
    else if (
      kind === 2 &&
      typeof nodes[index].value === 'object' &&
      nodes[index].value !== null &&
      !Array.isArray(nodes[index].value)
    )
      (container[key as string] as Data)['x-unknown-field'] = true;
    else if (kind === 3 && typeof nodes[index].value === 'string')
      container[key as string] = 'not a known value!';
    else if (kind === 4 && Array.isArray(nodes[index].value)) container[key as string] = [];
    else container[key as string] = null;
    out.push(copy);
  }
  return out;
}
