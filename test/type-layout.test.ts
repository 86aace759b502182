/**
 * The shared `types/<api>.ts` is laid out by capgen itself (generator/emit/type-layout.ts), not by
 * prettier. The oracle is prettier: every declaration laid out must be, byte for byte, what
 * prettier makes of its source (`declarationSource`), on random type trees (names and strings of
 * every kind, widths around the 100 columns where lines break, every nesting the printer makes),
 * and every generated module must be the one the prettier path gives, on the public API documents
 * of test/fixtures/apis. test/schema-types.test.ts does the same on Stripe's full spec.
 */
import fc from 'fast-check';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NotLaidOut } from '../generator/emit/layout.js';
import { commentSafeDocument } from '../generator/emit/openapi-comments.js';
import { docComment } from '../generator/emit/schema-comments.js';
import { layoutDeclaration, layoutModule } from '../generator/emit/type-layout.js';
import {
  declarationSource,
  type MemberNode,
  type TypeDeclaration,
  type TypeNode,
} from '../generator/emit/type-nodes.js';
import { PRETTIER_OPTIONS } from '../generator/prettier-options.js';
import type { GeneratedFile } from '../generator/emit/index.js';
import { workspace } from './helpers/import.js';
import { APIS, importedProject } from './helpers/unseen-apis.js';

const prettierTs = async (source: string) =>
  (await prettier.format(source, { ...PRETTIER_OPTIONS, parser: 'babel-ts' })).trimEnd();

// --- random type trees, built as schema-types.ts builds them ------------------------------------

const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,30}$/);
/** Property names: identifiers, numbers, and strings that need quotes or escapes. */
const propertyName = fc.oneof(
  { weight: 4, arbitrary: identifier },
  fc.constantFrom('200', '1.5', '1e+21', '0', '007', '-1', 'a-b', 'x y', "it's", 'say "hi"'),
  fc.constantFrom('é', 'café', 'naïve', 'Ωmega', '日本', 'ünïcödé_ok', 'a\u200bb', '\\', '\n'),
  fc.string({ maxLength: 12 }),
);
/** Reference names, short and long, bare and qualified. */
const reference = fc.oneof(
  identifier.map((name) => name.replace(/^[a-z$_]/, 'T')),
  fc.constantFrom('Stripe.CheckoutSession', 'AccountBusinessProfileWithAVeryLongName'),
);
const keyword = fc.constantFrom('string', 'number', 'boolean', 'null', 'unknown', 'never');
const description = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    'One line.',
    'Two lines.\nThe second, longer than the first.',
    'A line ending in spaces  \nand a tab\t\nand a\u00a0non-breaking space\u00a0',
    ' * a line that starts like a comment\n@tag and */ and /* inside',
    'Blank lines\n\n\nbetween paragraphs.',
  ),
);
const comment = fc.option(
  description.map((text) => docComment(commentSafeDocument({ description: text }))),
  { nil: '' },
);

/** A property without a comment. */
const prop = (
  name: string,
  type: TypeNode,
  options: { readonly?: boolean; optional?: boolean } = {},
): MemberNode => ({
  t: 'property',
  comment: '',
  readonly: options.readonly ?? false,
  name,
  optional: options.optional ?? false,
  type,
});

const COMPOUND = new Set(['union', 'intersection']);
const wrap = (node: TypeNode): TypeNode =>
  COMPOUND.has(node.t) ? { t: 'paren', type: node } : node;

const { type: typeTree } = fc.letrec<{ type: TypeNode; member: MemberNode }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    keyword.map((name): TypeNode => ({ t: 'keyword', name })),
    reference.map((name): TypeNode => ({ t: 'ref', name })),
    fc.string({ maxLength: 40 }).map((value): TypeNode => ({ t: 'string', value })),
    fc
      .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean())
      .map((v): TypeNode => ({ t: 'literal', text: String(v) })),
    fc
      .array(tie('type'), { minLength: 2, maxLength: 6 })
      .map((types): TypeNode => ({ t: 'union', types: types.map(wrap) })),
    fc
      .array(tie('type'), { minLength: 2, maxLength: 4 })
      .map((types): TypeNode => ({ t: 'intersection', types: types.map(wrap) })),
    tie('type').map((item): TypeNode => ({ t: 'array', item: wrap(item) })),
    fc.array(tie('type'), { maxLength: 4 }).map((items): TypeNode => ({ t: 'tuple', items })),
    fc
      .array(tie('member'), { minLength: 1, maxLength: 5 })
      .map((members): TypeNode => ({ t: 'object', members })),
    fc
      .tuple(
        fc.constantFrom('Record', 'WithRequired', 'Omit', 'Partial'),
        fc.array(tie('type'), { minLength: 1, maxLength: 2 }),
      )
      .map(([name, args]): TypeNode => ({ t: 'generic', name, args })),
  ),
  member: fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .record({
          comment,
          readonly: fc.boolean(),
          name: propertyName,
          optional: fc.boolean(),
          type: tie('type'),
        })
        .map((m): MemberNode => ({ t: 'property', ...m })),
    },
    tie('type').map((type): MemberNode => ({ t: 'index', type })),
  ),
}));

const declaration: fc.Arbitrary<TypeDeclaration> = fc
  .record({ comment, name: reference, type: typeTree, interface: fc.boolean() })
  .map((d) => ({
    ...d,
    name: d.name.replace(/\./g, '_'),
    interface: d.interface && d.type.t === 'object',
  }));

describe('type declarations laid out by capgen', () => {
  it("are prettier's layout of their source, byte for byte (800 random trees)", async () => {
    let laidOut = 0;
    await fc.assert(
      fc.asyncProperty(declaration, async (d) => {
        let ours: string;
        try {
          ours = layoutDeclaration(d);
        } catch (error) {
          if (error instanceof NotLaidOut) return; // left to prettier: the module takes that path
          throw error;
        }
        laidOut++;
        expect(ours).toBe(await prettierTs(declarationSource(d)));
      }),
      { numRuns: 800, seed: 20261130 },
    );
    // Most are laid out: only names prettier might unquote past Latin letters are left to it.
    expect(laidOut).toBeGreaterThan(600);
  }, 120_000);

  it('are broken where a line passes 100 columns, and nowhere else', async () => {
    const refs = (n: number, width: number) =>
      Array.from({ length: n }, (_, i): TypeNode => ({
        t: 'ref',
        name: `T${i}`.padEnd(width, 'x'),
      }));
    const cases: TypeDeclaration[] = [];
    for (let width = 10; width <= 40; width += 3)
      for (const n of [2, 3, 4]) {
        const union: TypeNode = { t: 'union', types: refs(n, width) };
        cases.push(
          { comment: '', name: 'Alias', type: union, interface: false },
          {
            comment: '',
            name: 'Box',
            interface: true,
            type: {
              t: 'object',
              members: [
                prop('field_name', union, { optional: true }),
                { t: 'index', type: union },
                prop('list', { t: 'array', item: { t: 'paren', type: union } }, { readonly: true }),
                prop('pair', { t: 'tuple', items: [union, union] }),
                prop('req', {
                  t: 'generic',
                  name: 'WithRequired',
                  args: [refs(1, width)[0], union],
                }),
              ],
            },
          },
        );
      }
    for (const d of cases)
      expect(layoutDeclaration(d)).toBe(await prettierTs(declarationSource(d)));
  });

  it('leave to prettier a property name it might unquote beyond Latin letters', () => {
    const d: TypeDeclaration = {
      comment: '',
      name: 'Greek',
      interface: true,
      type: { t: 'object', members: [prop('Ωmega', { t: 'keyword', name: 'string' })] },
    };
    expect(() => layoutDeclaration(d)).toThrow(NotLaidOut);
  });

  it('make a module: the header, the declarations a blank line apart, one final line break', async () => {
    const header = '/**\n * Types of an API.\n *\n * Generated by capgen.\n */';
    const decls: TypeDeclaration[] = [
      {
        comment: '/** A name. */\n',
        name: 'Name',
        type: { t: 'keyword', name: 'string' },
        interface: false,
      },
    ];
    const footer = ['type WithRequired<T, K extends keyof T> = T & {\n  [P in K]-?: T[P];\n};'];
    const source = [header, ...decls.map(declarationSource), ...footer].join('\n\n');
    expect(layoutModule(header, decls, footer)).toBe(`${await prettierTs(source)}\n`);
  });
});

// --- end to end: the modules of public API documents ----------------------------------------------

const { project, remove } = workspace('type-layout');
afterAll(remove);

/** The `types/` files of a project, generated in-process with or without capgen's layout. */
async function typeModules(dir: string, layout: boolean): Promise<Record<string, string>> {
  vi.resetModules();
  let laidOut = 0;
  vi.doMock('../generator/emit/schema-printer.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../generator/emit/schema-printer.js')>();
    return {
      ...real,
      laidOutModule: (...args: Parameters<typeof real.laidOutModule>) => {
        const text = layout ? real.laidOutModule(...args) : undefined;
        if (text !== undefined) laidOut++;
        return text;
      },
    };
  });
  const { runPipeline } = await import('../generator/pipeline.js');
  const result = await runPipeline(dir, {}, { emit: true });
  vi.doUnmock('../generator/emit/schema-printer.js');
  vi.resetModules();
  const files = (result.files ?? []) as GeneratedFile[];
  const modules = Object.fromEntries(
    files.filter((f) => f.path.startsWith('types/')).map((f) => [f.path, f.contents]),
  );
  if (layout) expect(laidOut, dir).toBe(Object.keys(modules).length);
  return modules;
}

describe("the shared type modules of public API documents are the prettier path's", () => {
  for (const api of APIS)
    it(
      api.file,
      async () => {
        const { dir, imported } = await importedProject(project, api, 'specs/caps');
        expect(imported.code, imported.all).toBe(0);
        const ours = await typeModules(dir, true);
        const theirs = await typeModules(dir, false);
        expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
        for (const [file, text] of Object.entries(theirs)) expect(ours[file], file).toBe(text);
      },
      60_000,
    );
});
