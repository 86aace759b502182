/**
 * capgen prints the types of OpenAPI schemas itself (generator/emit/schema-types.ts), with
 * openapi-typescript's semantics, so that generating never loads the TypeScript compiler. The
 * oracle is openapi-typescript: the same projects generated with the printer capgen used before,
 * openapi-typescript's `transformSchemaObject` and TypeScript's printer
 * (test/helpers/openapi-typescript-printer.ts), must give the same type files byte for byte, on a
 * document made of every construct that needs care (test/fixtures/polymorphism) and, when it is
 * here, on Stripe's full spec. Where capgen departs from it on purpose, the departure is named
 * below and checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GeneratedFile } from '../generator/emit/index.js';
import { cli, STRIPE, stripeAvailable, workspace } from './helpers/import.js';
import { check, formatDiagnostics, strictProject } from './helpers/ts-project.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PETS = path.join(ROOT, 'test/fixtures/polymorphism/pets.openapi.yaml');
const { project, remove } = workspace('schema-types');
afterAll(remove);

type Run = (dir: string) => Promise<GeneratedFile[]>;

/** Generates a project in-process, with capgen's printer or with the oracle stood in for it. */
async function generator(oracle: boolean): Promise<Run> {
  vi.resetModules();
  if (oracle)
    vi.doMock(
      '../generator/emit/schema-printer.js',
      () => import('./helpers/openapi-typescript-printer.js'),
    );
  else vi.doUnmock('../generator/emit/schema-printer.js');
  const { runPipeline } = await import('../generator/pipeline.js');
  return async (dir) => {
    const result = await runPipeline(dir, {}, { emit: true });
    expect(
      result.files,
      JSON.stringify(result.bag.items.filter((d) => d.severity === 'error').slice(0, 3)),
    ).toBeDefined();
    return result.files!;
  };
}

const typeFiles = (files: GeneratedFile[]) =>
  Object.fromEntries(
    files
      .filter((f) => f.path.startsWith('types/') || f.path.endsWith('/types.ts'))
      .map((f) => [f.path, f.contents]),
  );

async function bothPrinters(dir: string) {
  const ours = typeFiles(await (await generator(false))(dir));
  const theirs = typeFiles(await (await generator(true))(dir));
  vi.doUnmock('../generator/emit/schema-printer.js');
  vi.resetModules();
  return { ours, theirs };
}

describe('types of a document made of every construct that needs care', () => {
  let dir: string;
  let ours: Record<string, string>;
  let theirs: Record<string, string>;
  beforeAll(async () => {
    dir = project('pets');
    fs.copyFileSync(PETS, path.join(dir, 'specs/pets.openapi.yaml'));
    const imported = await cli(
      dir,
      'import',
      '--openapi',
      'specs/pets.openapi.yaml',
      '--out',
      'specs/pets',
    );
    expect(imported.code, imported.all).toBe(0);
    ({ ours, theirs } = await bothPrinters(dir));
    const generated = await cli(dir, 'generate', '--strict');
    expect(generated.code, generated.all).toBe(0);
  }, 60_000);

  it("are openapi-typescript's, byte for byte, but where capgen departs on purpose", () => {
    const discriminated = (value: string) =>
      `} & {\n  /** The value of its discriminator */\n  petType: '${value}';\n};`;
    const departures: Array<[why: string, theirs: string, ours: string]> = [
      [
        'a property name that is an identifier beyond ASCII stays as written',
        `'\\u00E9'?: string;`,
        'é?: string;',
      ],
      [
        '$defs holds definitions, never data: it is no member of the type',
        '  $defs: {\n    /** A code. */\n    code: string;\n  };\n',
        '',
      ],
      // openapi-typescript patches the schemas a discriminator maps to in place, which reaches
      // only part of what capgen prints (`required`, not the property): capgen prints the patch.
      [
        'an inferred mapping types the discriminator property (Circle)',
        '  kind?: string;\n  radius',
        "  /** The value of its discriminator */\n  kind: 'Circle';\n  radius",
      ],
      [
        'an inferred mapping types the discriminator property (Square)',
        '  kind: string;\n  side',
        "  /** The value of its discriminator */\n  kind: 'Square';\n  side",
      ],
      [
        'a mapped allOf child gets its value (Cat)',
        "  huntingSkill: 'clueless' | 'lazy' | 'adventurous';\n};",
        `  huntingSkill: 'clueless' | 'lazy' | 'adventurous';\n${discriminated('cat')}`,
      ],
      [
        'a mapped allOf child gets its value (Dog)',
        '  packSize: number;\n};',
        `  packSize: number;\n${discriminated('dog')}`,
      ],
    ];
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(Object.keys(ours).length).toBe(4);
    for (const [file, text] of Object.entries(theirs)) {
      let expected = text;
      if (file.startsWith('types/'))
        for (const [why, from, to] of departures) {
          expect(expected, why).toContain(from);
          expected = expected.replace(from, to);
        }
      expect(ours[file], file).toBe(expected);
    }
  });

  it('compile under strict, and the discriminators narrow what a value may be', () => {
    const ts = strictProject();
    for (const file of Object.keys(ours)) ts.addSourceFileAtPath(path.join(dir, 'generated', file));
    ts.createSourceFile(
      path.join(dir, 'generated', 'probe.ts'),
      [
        "import type * as P from './types/example-pets.js';",
        "const cat: P.Cat = { petType: 'cat', name: 'Tom', huntingSkill: 'lazy' };",
        "const shape: P.Shape = { kind: 'Square', side: 2 };",
        '// @ts-expect-error: a Square is not a Circle',
        "const notCircle: P.Circle = { kind: 'Square' };",
        '// @ts-expect-error: a cat is a cat',
        "const notCat: P.Cat = { petType: 'dog', name: 'Rex', huntingSkill: 'lazy' };",
        "const thing: P.Thing = { id: 'a', extra: true };",
        '// @ts-expect-error: WithRequired makes id required',
        'const partial: P.Thing = { extra: true };',
        '// @ts-expect-error: a Dog needs packSize',
        "const dog: P.Dog = { petType: 'dog', name: 'Rex' };",
        'const drawing: P.Drawing = { shapes: [shape], origin: [0, 1], version: 2, total: 0 };',
        '// @ts-expect-error: a tuple of two numbers',
        'const bad: P.Drawing = { shapes: [], origin: [0], total: 0 };',
        'export { cat, notCircle, notCat, thing, partial, dog, drawing, bad };',
      ].join('\n'),
      { overwrite: true },
    );
    const diagnostics = check(ts);
    expect(diagnostics, formatDiagnostics(ts, diagnostics)).toHaveLength(0);
  });
});

describe.skipIf(!stripeAvailable)(
  "types of this repository's capabilities with Stripe's full spec",
  () => {
    it("are openapi-typescript's, byte for byte", async () => {
      const dir = project('stripe');
      for (const name of fs.readdirSync(path.join(ROOT, 'specs')))
        fs.copyFileSync(path.join(ROOT, 'specs', name), path.join(dir, 'specs', name));
      fs.copyFileSync(STRIPE, path.join(dir, 'specs/spec3.json'));
      const { ours, theirs } = await bothPrinters(dir);
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      expect(Object.keys(ours)).toContain('types/stripe.ts');
      for (const [file, text] of Object.entries(theirs)) expect(ours[file], file).toBe(text);
    }, 120_000);
  },
);
if (!stripeAvailable) console.log(`notice: schema-types: ${STRIPE} is absent; its test is skipped`);
