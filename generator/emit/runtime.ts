/**
 * The shared runtime, emitted once into <out>/runtime/: the files of templates/runtime copied as
 * they are, so generated code never imports the generator package.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GeneratedFile } from './index.js';
import { TEMPLATES_DIR } from './render.js';
import { codeHeader } from './header.js';

export function emitRuntime(regenerate: string): GeneratedFile[] {
  const dir = path.join(TEMPLATES_DIR, 'runtime');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort()
    .map((name) => ({
      path: `runtime/${name}`,
      contents: `${codeHeader(`capgen runtime: ${name}, shared by every generated capability.`, { sources: [], regenerate })}\n${fs.readFileSync(path.join(dir, name), 'utf8')}`,
    }));
}
