/**
 * Checks that generated code is inert, shared by the hostile-spec corpus and the property test:
 * it compiles under strict, its data literals hold no identifier the file does not declare or
 * import, its JSDoc carries no tag the generator did not write, its top-level statements have a
 * shape, and importing it prints nothing, touches no global and opens nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';
import { run } from './process.js';
import { check, formatDiagnostics, strictProject } from './ts-project.js';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A scratch folder inside the repository (so generated code resolves node_modules); git-ignored. */
export function scratchDir(prefix: string): string {
  const base = path.join(ROOT, '.tmp');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}

/** Every `.ts` file under `dir`, absolute. */
export function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Type errors of `files` checked together under the repository's strict options, by file. */
export function compileErrors(files: string[]): Map<string, string> {
  const project = strictProject();
  for (const file of files) project.addSourceFileAtPath(file);
  const errors = new Map<string, string>();
  for (const diagnostic of check(project)) {
    const file = diagnostic.getSourceFile()?.getFilePath() ?? '(global)';
    errors.set(
      path.resolve(file),
      (errors.get(file) ?? '') + formatDiagnostics(project, [diagnostic]),
    );
  }
  return errors;
}

/** The global that hostile payloads assign: as an identifier in generated code, a payload ran. */
export const PAYLOAD_MARKER = '__capgenPwned';

/** JSDoc tags openapi-typescript writes itself into types.ts. */
const GENERATOR_TAGS = new Set(['description', 'default', 'example', 'enum', 'constant']);

export interface Shape {
  /** Per top-level statement: its kind, the names it declares or imports, its JSDoc tags. */
  statements: string[];
  /** Problems: stray identifiers in data literals, JSDoc tags the generator does not write. */
  problems: string[];
}

/**
 * The shape of a generated TypeScript file, and what in it is not inert: an identifier inside a
 * data literal (the initializer of a top-level constant) that the file neither declares nor
 * imports, or a JSDoc tag the generator never writes.
 */
export function shapeOf(text: string, normalize: (name: string) => string = (n) => n): Shape {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const known = new Set<string>();
  const statements: string[] = [];
  const problems: string[] = [];
  for (const statement of source.statements) {
    if (!isDeclarative(statement))
      problems.push(`a top-level statement that runs code: ${statement.getText().slice(0, 80)}`);
    const names = declaredNames(statement);
    names.forEach((n) => known.add(n));
    const tags = ts.getJSDocTags(statement).map((t) => t.tagName.text);
    statements.push(
      `${ts.SyntaxKind[statement.kind]} ${names.map(normalize).join(',')}${tags.length ? ` @${tags.join('@')}` : ''}`,
    );
  }
  const visit = (node: ts.Node, inData: boolean) => {
    if (ts.isIdentifier(node) && node.text === PAYLOAD_MARKER)
      problems.push(`the payload identifier ${PAYLOAD_MARKER} became code`);
    for (const tag of ts.getJSDocTags(node))
      if (!GENERATOR_TAGS.has(tag.tagName.text)) problems.push(`JSDoc tag @${tag.tagName.text}`);
    if (inData && ts.isIdentifier(node) && !isPropertyName(node) && !known.has(node.text))
      problems.push(`identifier '${node.text}' in a data literal`);
    node.forEachChild((child) => visit(child, inData));
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations) {
        if (d.initializer) visit(d.initializer, isData(d.initializer));
        visit(d.name, false);
      }
    else visit(statement, false);
  }
  return { statements, problems };
}

/**
 * What a generated module may hold at its top level: declarations, and the one guarded entry point
 * `if (isMainModule(import.meta.url)) ...` of a server. Anything else would run on import.
 */
function isDeclarative(statement: ts.Statement): boolean {
  if (ts.isIfStatement(statement))
    return statement.expression.getText() === 'isMainModule(import.meta.url)';
  return (
    ts.isImportDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isVariableStatement(statement) ||
    ts.isFunctionDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement)
  );
}

function isData(node: ts.Expression): boolean {
  return ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node);
}

function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (
    (ts.isPropertyAssignment(parent) && parent.name === node) ||
    (ts.isPropertyAccessExpression(parent) && parent.name === node)
  );
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.map((d) => d.name.getText());
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    return [
      ...(clause?.name ? [clause.name.text] : []),
      ...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => e.name.text) : []),
      ...(bindings && ts.isNamespaceImport(bindings) ? [bindings.name.text] : []),
    ];
  }
  if (ts.isExportDeclaration(statement)) {
    const clause = statement.exportClause;
    return clause && ts.isNamedExports(clause) ? clause.elements.map((e) => e.name.text) : ['*'];
  }
  if (
    (ts.isFunctionDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isClassDeclaration(statement)) &&
    statement.name
  )
    return [statement.name.text];
  return [];
}

export interface ImportReport {
  stdout: string;
  stderr: string;
  /** What importing changed: new or replaced globals, env, process listeners, open handles. */
  changes: string[];
  /** Modules that failed to import, with the error. */
  failures: string[];
}

/**
 * Imports every module of `files` in one child process (node with tsx), in order, and reports
 * what changed. Nothing is run: only the imports.
 */
export async function importAll(files: string[], scratch: string): Promise<ImportReport> {
  const list = path.join(scratch, 'import-list.json');
  const report = path.join(scratch, 'import-report.json');
  fs.writeFileSync(list, JSON.stringify(files));
  const result = await run(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/helpers/import-child.ts'), list, report],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      timeoutMs: 120_000,
    },
  );
  const parsed = fs.existsSync(report)
    ? (JSON.parse(fs.readFileSync(report, 'utf8')) as Omit<ImportReport, 'stdout' | 'stderr'>)
    : { changes: [`the child exited ${result.code} without a report`], failures: [] };
  return { stdout: result.stdout, stderr: result.stderr, ...parsed };
}
