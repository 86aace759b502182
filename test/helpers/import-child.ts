/**
 * Child process of `importAll` (inert.ts): imports each module named in the list file, in order,
 * and writes what changed to the report file. It writes nothing to stdout or stderr itself, so any
 * output comes from an imported module.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const [listFile, reportFile] = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(listFile, 'utf8')) as string[];

type Snapshot = Map<PropertyKey, unknown>;
/** Every own property of globalThis with its value (or accessor functions), by identity. */
function globals(): Snapshot {
  const snapshot: Snapshot = new Map();
  for (const key of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, key)!;
    snapshot.set(key, 'value' in d ? d.value : [d.get, d.set]);
  }
  return snapshot;
}
function same(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a[0] === b[0] && a[1] === b[1] : Object.is(a, b);
}
const resources = () => process.getActiveResourcesInfo().sort().join(',');

// Modules the generated code imports are loaded first, so their own one-time setup is not counted.
await import('@modelcontextprotocol/sdk/server/index.js').catch(() => undefined);
const before = globals();
const env = JSON.stringify(process.env);
const events = process.eventNames().map(String).sort().join(',');
const handles = resources();
const failures: string[] = [];
for (const file of files) {
  try {
    await import(pathToFileURL(file).href);
  } catch (error) {
    failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
await new Promise((resolve) => setImmediate(resolve));
const after = globals();
const changes: string[] = [];
for (const [key, value] of after)
  if (!before.has(key)) changes.push(`new global ${String(key)}`);
  else if (!same(before.get(key), value)) changes.push(`replaced global ${String(key)}`);
for (const key of before.keys()) if (!after.has(key)) changes.push(`deleted global ${String(key)}`);
if (JSON.stringify(process.env) !== env) changes.push('process.env changed');
if (process.eventNames().map(String).sort().join(',') !== events)
  changes.push('process listeners changed');
if (resources() !== handles) changes.push(`open handles: ${resources()} (before: ${handles})`);
fs.writeFileSync(reportFile, JSON.stringify({ changes, failures }));
