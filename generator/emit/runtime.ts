/**
 * The shared runtime, emitted once into <out>/runtime/: the files of templates/runtime copied as
 * they are, so generated code never imports the generator package.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Target } from '../model/deploy.js';
import type { GeneratedFile } from './index.js';
import { TEMPLATES_DIR } from './render.js';
import { codeHeader } from './header.js';

/** Runtime files that only a deploy target uses, emitted only when it is enabled. */
const TARGET_FILES: Record<string, Target> = { 'worker.ts': 'workers' };

export function emitRuntime(targets: readonly Target[]): GeneratedFile[] {
  const dir = path.join(TEMPLATES_DIR, 'runtime');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .filter((name) => !(name in TARGET_FILES) || targets.includes(TARGET_FILES[name]))
    .sort()
    .map((name) => ({
      path: `runtime/${name}`,
      contents: `${codeHeader(`capgen runtime: ${name}, shared by every generated capability.`)}\n${fs.readFileSync(path.join(dir, name), 'utf8')}`,
    }));
}
