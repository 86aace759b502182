/**
 * Shared by the `capgen import` tests: running the CLI in-process, scratch projects inside the
 * repository (so generated code resolves node_modules), reading what was written, and the official
 * Naftiko checks on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { runCli } from '../../generator/cli.js';
import { available as naftikoAvailable, schemaErrors, spectralFindings } from './naftiko-lint.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOP = path.join(ROOT, 'test/fixtures/import/shop.openapi.yaml');
export const STRIPE = path.resolve(ROOT, '../shared/stripe/spec3.json');
export const EXAMPLES = path.resolve(ROOT, '../shared/naftiko/framework/examples/openapi');
export const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

export const stripeAvailable = fs.existsSync(STRIPE);
export const examplesAvailable = fs.existsSync(EXAMPLES);
export { naftikoAvailable };

export async function cli(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
  });
  return { code, stdout, stderr, all: stdout + stderr };
}

/** Scratch projects under `.tmp-<name>/` in the repository; `remove()` when the test file ends. */
export function workspace(name: string) {
  const work = path.join(ROOT, `.tmp-${name}`);
  return {
    work,
    /** A fresh project folder with its specs/ folder. */
    project(folder: string): string {
      const dir = path.join(work, folder);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(path.join(dir, 'specs'), { recursive: true });
      return dir;
    },
    remove: () => fs.rmSync(work, { recursive: true, force: true }),
  };
}

/**
 * A copy of `source` in the project folder `dir` (capgen reads only inside its project), by its
 * file name; returns that name, for `--openapi`.
 */
export function inProject(dir: string, source: string): string {
  const name = path.basename(source);
  fs.copyFileSync(source, path.join(dir, name));
  return name;
}

export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]),
  );
}

/** The parts of an imported capability document the tests look at. */
export interface Capability {
  naftiko: string;
  capability: {
    consumes: Array<{
      namespace: string;
      baseUri: string;
      authentication?: Record<string, string>;
      resources: Array<{ path: string; operations: Array<{ name: string; method: string }> }>;
    }>;
    exposes: Array<{
      type: string;
      port: number;
      resources?: Array<{ path: string; operations: unknown[] }>;
      tools?: Array<{ name: string; hints: Record<string, boolean> }>;
    }>;
  };
}

/** Every file in the folder passes the official schema of its version and the Spectral ruleset. */
export async function expectOfficiallyValid(dir: string) {
  if (!naftikoAvailable) return;
  for (const [name, text] of Object.entries(readTree(dir))) {
    expect(schemaErrors(parse(text)), name).toEqual([]);
    expect(await spectralFindings(text, name), name).toEqual([]);
  }
}
