/**
 * The official Naftiko JSON Schema files a user names (`schema:` in capgen.config.yaml, or
 * `--schema`): files, or folders whose `*.json` files are read. Each must be a JSON Schema whose
 * `naftiko` property has a version constant; that is the version it checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticBag } from '../diagnostics.js';
import { inputFileProblem, lstat, outsideProblem } from '../paths.js';
import { isRecord } from './source.js';

export interface SchemaFile {
  file: string;
  schema: Record<string, unknown>;
}

export function readSchemaFiles(
  entries: string[],
  root: string,
  bag: DiagnosticBag,
  namedAt: (index: number) => { file: string; line: number; col: number },
): SchemaFile[] {
  const files: SchemaFile[] = [];
  entries.forEach((entry, i) => {
    const fail = (message: string, hint: string, rule = 'io/schema') => {
      const at = namedAt(i);
      bag.error(at.file, at, rule, message, hint);
    };
    const absolute = path.resolve(root, entry);
    // A regular file, or a folder, inside the project and reached through no link (paths.ts).
    const stat = lstat(absolute);
    const isDir = stat?.isDirectory() === true;
    const problem = isDir ? outsideProblem(root, entry) : inputFileProblem(root, entry);
    if (problem === 'missing')
      return fail(
        `schema '${entry}' does not exist`,
        'check the path under `schema:` (or --schema)',
      );
    if (problem) return fail(problem.message, problem.hint, problem.rule);
    const candidates = isDir
      ? fs
          .readdirSync(absolute, { withFileTypes: true })
          .filter((e) => e.isFile() && e.name.endsWith('.json'))
          .map((e) => e.name)
          .sort()
          .map((n) => path.join(absolute, n))
      : [absolute];
    const before = files.length;
    for (const candidate of candidates) {
      const file = path.relative(root, candidate).split(path.sep).join('/');
      let schema: unknown;
      try {
        schema = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      } catch (error) {
        if (isDir) continue;
        return fail(
          `schema '${file}' is not JSON: ${(error as Error).message}`,
          'name the JSON Schema file of the Naftiko specification',
        );
      }
      const version =
        isRecord(schema) && isRecord(schema.properties) && isRecord(schema.properties.naftiko)
          ? schema.properties.naftiko.const
          : undefined;
      if (typeof version !== 'string') {
        if (isDir) continue;
        return fail(
          `'${file}' is not a Naftiko schema (its 'naftiko' property has no version constant)`,
          'name the JSON Schema file of the Naftiko specification',
        );
      }
      files.push({ file, schema: schema as Record<string, unknown> });
    }
    if (isDir && files.length === before)
      fail(
        `folder '${entry}' holds no Naftiko schema (*.json with a 'naftiko' version constant)`,
        'name the schema file itself',
      );
  });
  return files;
}
