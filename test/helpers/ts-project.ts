/**
 * A ts-morph Project with the repository's tsconfig compiler options (strict, module NodeNext),
 * for tests that type-check generated code.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project, ts, type Diagnostic } from 'ts-morph';

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** An empty Project configured by the repository's tsconfig.json; add files, then `check`. */
export function strictProject(): Project {
  return new Project({
    tsConfigFilePath: path.join(PROJECT_ROOT, 'tsconfig.json'),
    skipAddingFilesFromTsConfig: true,
  });
}

/**
 * All pre-emit diagnostics of the project. ts-morph ignores package.json `"type": "module"` under
 * module NodeNext (dsherret/ts-morph#1446) and would check every file as CommonJS (TS1470 on
 * `import.meta`); our sources are ES modules, so they are marked as such first, as tsc does.
 */
export function check(project: Project): Diagnostic[] {
  for (const file of project.getSourceFiles()) {
    if (!file.isDeclarationFile()) file.compilerNode.impliedNodeFormat = ts.ModuleKind.ESNext;
  }
  return project.getPreEmitDiagnostics();
}

/** Diagnostics as tsc prints them, without colors ('' when there are none). */
export function formatDiagnostics(project: Project, diagnostics: Diagnostic[]): string {
  return project.formatDiagnosticsWithColorAndContext(diagnostics).replace(/\x1b\[[0-9;]*m/g, '');
}
