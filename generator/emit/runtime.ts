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
import { OPTIONAL_RUNTIME } from '../model/runtime-modules.js';

/** Runtime files that only a deploy target uses, emitted only when it is enabled. */
const TARGET_FILES: Record<string, Target> = { 'worker.ts': 'workers' };

/**
 * The runtime's files: those of the enabled deploy targets and, of the optional modules
 * (model/runtime-modules.ts), only those in `needed`, since each imports packages that only the
 * capabilities using it require. `regenerate`: the command their headers name.
 */
export function emitRuntime(
  regenerate: string,
  targets: readonly Target[],
  needed: ReadonlySet<string> = new Set(),
): GeneratedFile[] {
  const dir = path.join(TEMPLATES_DIR, 'runtime');
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .filter((name) => !(name in TARGET_FILES) || targets.includes(TARGET_FILES[name]))
    .filter((name) => {
      const module = name.slice(0, -'.ts'.length);
      return !(module in OPTIONAL_RUNTIME) || needed.has(module);
    })
    .sort()
    .map((name) => ({
      path: `runtime/${name}`,
      contents: `${codeHeader(`capgen runtime: ${name}, shared by every generated capability.`, { sources: [], regenerate })}\n${fs.readFileSync(path.join(dir, name), 'utf8')}`,
    }));
}
