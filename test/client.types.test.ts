/**
 * Type tests of the generated clients, compiled with the TypeScript compiler (ts-morph) under the
 * repository's tsconfig (strict):
 *
 * - test/fixtures/types/*.ts use the generated clients correctly and incorrectly; every misuse
 *   line carries `// @ts-expect-error TSxxxx why`. The fixtures must compile with zero
 *   diagnostics (an unused `@ts-expect-error` is itself an error, so a misuse that compiles fails
 *   the test), and with the directives removed each marked line must fail with its TSxxxx code and
 *   no other line may fail (so each directive hides the error it documents, not another one).
 * - the whole generated/ tree compiles with zero diagnostics.
 * - no exported declaration of generated/<capability>/client.ts or types.ts is, or contains, `any`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, ts, type Diagnostic, type Project, type SourceFile, type Type } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import { check, formatDiagnostics as format, strictProject } from './helpers/ts-project.ts';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const GENERATED = path.join(ROOT, 'generated');
const FIXTURES = path.join(ROOT, 'test/fixtures/types');
const DIRECTIVE = '// @ts-expect-error';
const STRIPPED_SUFFIX = '.stripped.ts';

const CAPABILITIES = fs
  .readdirSync(GENERATED, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(GENERATED, d.name, 'types.ts')))
  .map((d) => d.name)
  .sort();

interface Expectation {
  /** 1-based line of the code the directive applies to. */
  line: number;
  code: number;
  why: string;
}

/** `// @ts-expect-error TS2322 why` directives of a fixture, with the line each one covers. */
function expectations(text: string, file: string): Expectation[] {
  const lines = text.split('\n');
  const out: Expectation[] = [];
  lines.forEach((line, i) => {
    if (!line.trimStart().startsWith(DIRECTIVE)) return;
    const m = /\/\/ @ts-expect-error TS(\d+) (.+)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: write the directive as "${DIRECTIVE} TSxxxx why"`);
    out.push({ line: i + 2, code: Number(m[1]), why: m[2] });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// `any` detection

/** True when the type is declared only in .d.ts files (TypeScript's lib, node_modules). */
function isExternal(type: Type): boolean {
  const symbol = type.getAliasSymbol() ?? type.getSymbol();
  const declarations = symbol?.getDeclarations() ?? [];
  return (
    declarations.length > 0 && declarations.every((d) => d.getSourceFile().isDeclarationFile())
  );
}

/**
 * Paths (e.g. `CheckoutSessionsClient.getCheckoutSessions(params).limit`) under which `type`
 * is or contains `any`. Walks unions, intersections, arrays, tuples, type arguments, properties
 * and call/construct signatures of types declared in our own files; types from TypeScript's lib
 * or node_modules are entered only through their type arguments (Promise<T>, Array<T>, ...).
 */
function findAny(
  type: Type,
  where: string,
  at: Node,
  out: string[],
  seen = new Set<ts.Type>(),
  depth = 0,
): void {
  if (type.isAny()) {
    out.push(where);
    return;
  }
  if (depth > 12 || seen.has(type.compilerType)) return;
  seen.add(type.compilerType);
  const next = (t: Type, w: string) => findAny(t, w, at, out, seen, depth + 1);

  for (const t of type.getAliasTypeArguments()) next(t, `${where}<>`);
  for (const t of type.getTypeArguments()) next(t, `${where}<>`);
  if (type.isUnion()) for (const t of type.getUnionTypes()) next(t, where);
  if (type.isIntersection()) for (const t of type.getIntersectionTypes()) next(t, where);
  const element = type.getArrayElementType();
  if (element) next(element, `${where}[]`);
  if (type.isTuple()) type.getTupleElements().forEach((t, i) => next(t, `${where}[${i}]`));
  if (isExternal(type)) return;

  for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
    for (const param of signature.getParameters())
      next(param.getTypeAtLocation(at), `${where}(${param.getName()})`);
    next(signature.getReturnType(), `${where}()`);
  }
  for (const prop of type.getProperties())
    next(prop.getTypeAtLocation(at), `${where}.${prop.getName()}`);
  const stringIndex = type.getStringIndexType();
  if (stringIndex) next(stringIndex, `${where}[string]`);
}

/** `any` spelled out in a type's text, ignoring string literal types such as `'any'`. */
function textMentionsAny(type: Type, at: Node): boolean {
  const text = type.getText(at, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias);
  return /\bany\b/.test(text.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '""'));
}

/**
 * Every exported declaration of the file whose type is or contains `any`, as `Name: path`; a
 * re-exported namespace (the shared API types, `Stripe`) is entered: `Stripe.CheckoutSession...`.
 */
function exportedAnys(file: SourceFile, prefix = '', seen = new Set<SourceFile>()): string[] {
  const out: string[] = [];
  seen.add(file);
  for (const [name, declarations] of file.getExportedDeclarations()) {
    for (const declaration of declarations) {
      if (Node.isSourceFile(declaration)) {
        if (!seen.has(declaration)) out.push(...exportedAnys(declaration, `${name}.`, seen));
        continue;
      }
      const type = declaration.getType();
      const found: string[] = [];
      findAny(type, `${prefix}${name}`, declaration, found);
      if (found.length === 0 && textMentionsAny(type, declaration))
        found.push(`${prefix}${name} (type text)`);
      out.push(...found);
    }
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------------------------
// the compilation (one program for everything, checked once)

let project: Project;
let diagnostics: Diagnostic[];
let fixtureFiles: SourceFile[];
let strippedFiles: SourceFile[];

function diagnosticsOf(file: SourceFile): Diagnostic[] {
  return diagnostics.filter((d) => d.getSourceFile()?.getFilePath() === file.getFilePath());
}

beforeAll(() => {
  project = strictProject();
  project.addSourceFilesAtPaths(path.join(GENERATED, '**/*.ts'));
  fixtureFiles = project
    .addSourceFilesAtPaths(path.join(FIXTURES, '*.ts'))
    .filter((f) => !f.getFilePath().endsWith(STRIPPED_SUFFIX));
  // In-memory copies (never saved) without the directives: each marked line must then fail.
  strippedFiles = fixtureFiles.map((f) =>
    project.createSourceFile(
      f.getFilePath().replace(/\.ts$/, STRIPPED_SUFFIX),
      f.getFullText().replace(/^(\s*)\/\/ @ts-expect-error/gm, '$1// (expected error)'),
      { overwrite: true },
    ),
  );
  // A deliberately leaky declaration, to prove the `any` detector detects.
  project.createSourceFile(
    path.join(FIXTURES, 'any-probe.inmemory.ts'),
    [
      "import type { GetLinkAccountSessionsSessionParams } from '../../../generated/link-account-sessions/client.js';",
      'export type DeepAny = { params: GetLinkAccountSessionsSessionParams; page: { data: Array<Promise<any>> } };',
      'export declare function takesAny(options: { retry: (e: any) => void }): void;',
      'export interface Clean { data: unknown[]; params: GetLinkAccountSessionsSessionParams }',
    ].join('\n'),
    { overwrite: true },
  );
  diagnostics = check(project);
}, 60_000);

describe('compilation under the repository tsconfig', () => {
  it('uses strict compiler options', () => {
    const options = project.getCompilerOptions();
    expect(options.strict).toBe(true);
    expect(options.noImplicitAny).not.toBe(false);
    expect(options.strictNullChecks).not.toBe(false);
  });

  it('finds the type fixtures and the generated clients', () => {
    expect(fixtureFiles.map((f) => path.basename(f.getFilePath())).sort()).toEqual([
      'checkout-client.ts',
      'identity-client.ts',
      'link-client.ts',
    ]);
    expect(CAPABILITIES).toEqual([
      'checkout-sessions',
      'identity-sessions',
      'link-account-sessions',
    ]);
  });

  it('compiles the whole generated/ tree with zero diagnostics', () => {
    const generated = diagnostics.filter((d) =>
      d
        .getSourceFile()
        ?.getFilePath()
        .startsWith(GENERATED + path.sep),
    );
    // Diagnostics without a file (options, missing lib) would hide everything else.
    const global = diagnostics.filter((d) => !d.getSourceFile());
    expect(format(project, [...global, ...generated])).toBe('');
    expect(
      project.getSourceFiles().filter((f) => f.getFilePath().startsWith(GENERATED + path.sep))
        .length,
    ).toBeGreaterThan(15);
  });
});

describe('type fixtures (test/fixtures/types)', () => {
  it('compile with zero diagnostics: correct usage compiles, every @ts-expect-error is used', () => {
    const found = fixtureFiles.flatMap(diagnosticsOf);
    expect(format(project, found)).toBe('');
  });

  it('every directive hides exactly the error it names, and the correct-usage lines have none', () => {
    let total = 0;
    for (const [i, stripped] of strippedFiles.entries()) {
      const original = fixtureFiles[i];
      const name = path.basename(original.getFilePath());
      const expected = expectations(original.getFullText(), name);
      total += expected.length;
      const found = diagnosticsOf(stripped);
      const problems: string[] = [];
      for (const e of expected) {
        const codes = found.filter((d) => d.getLineNumber() === e.line).map((d) => d.getCode());
        if (!codes.includes(e.code)) {
          problems.push(
            `${name}:${e.line} (${e.why}): expected TS${e.code}, got ${codes.length ? codes.map((c) => `TS${c}`).join(', ') : 'no error'}`,
          );
        }
      }
      const marked = new Set(expected.map((e) => e.line));
      const stray = found.filter((d) => !marked.has(d.getLineNumber() ?? -1));
      if (stray.length) problems.push(`unexpected errors in ${name}:\n${format(project, stray)}`);
      expect(problems, problems.join('\n')).toEqual([]);
    }
    // Enough misuse is covered: wrong types, missing required fields, unknown methods, enum bodies.
    expect(total).toBeGreaterThanOrEqual(25);
  });
});

describe('no `any` in the public surface of the generated clients', () => {
  it('the detector flags a declaration that hides `any` and passes a clean one', () => {
    const probe = project.getSourceFileOrThrow(path.join(FIXTURES, 'any-probe.inmemory.ts'));
    const found = exportedAnys(probe);
    expect(found.some((f) => f.startsWith('DeepAny.page.data'))).toBe(true);
    expect(found).toContain('takesAny(options).retry(e)');
    expect(found.some((f) => f.startsWith('Clean'))).toBe(false);
  });

  it.each(CAPABILITIES)('%s: client.ts and types.ts export no `any`', (capability) => {
    for (const file of ['client.ts', 'types.ts']) {
      const source = project.getSourceFileOrThrow(path.join(GENERATED, capability, file));
      const exported = [...source.getExportedDeclarations().keys()];
      expect(exported.length).toBeGreaterThan(file === 'client.ts' ? 5 : 2);
      expect(exportedAnys(source), `${capability}/${file}`).toEqual([]);
    }
  });

  it('the shared API types (types/*.ts) export no `any`', () => {
    const modules = project
      .getSourceFiles()
      .filter((f) => path.dirname(f.getFilePath()) === path.join(GENERATED, 'types'));
    expect(modules.length).toBeGreaterThan(0);
    for (const module of modules) {
      expect(module.getExportedDeclarations().size).toBeGreaterThan(5);
      expect(exportedAnys(module), module.getBaseName()).toEqual([]);
    }
  });
});
