/**
 * Values of a `file:///` binds location: a JSON file of `"KEY": "value"` pairs, read when a value is
 * needed (so a rotated secret is picked up) through Node's fs, looked up at run time so that this
 * module also loads where Node built-ins do not exist. The values never leave the process except
 * where the capability sends them (an upstream credential or parameter).
 */
type ReadFileSync = (path: string, encoding: 'utf8') => string;

function readFileSync(): ReadFileSync | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as { readFileSync?: ReadFileSync } | undefined;
  return fs?.readFileSync;
}

/** The file's string values by key; undefined when it cannot be read or is not a JSON object. */
export function readBindFile(uri: string): Record<string, string> | undefined {
  const read = readFileSync();
  if (!read) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(read(decodeURIComponent(new URL(uri).pathname), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data))
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      values[key] = String(value);
  return values;
}
