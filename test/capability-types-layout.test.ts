/**
 * Each capability's types.ts is laid out by capgen itself (generator/emit/types.ts through
 * type-layout.ts), not by prettier. The oracle is prettier: every laid-out types.ts must be, byte
 * for byte, what prettier makes of the source the same run writes when it cannot lay the file out
 * (the prettier path), on every capability of the committed specs and fixtures, the 13 public API
 * documents of test/fixtures/apis, a capability made to break lines (long names, descriptions with
 * `*\/`, non-Latin text and long words), 60 hostile documents, and the Naftiko Framework's examples
 * where ../shared holds them. The conditional type of a list's items, which no fixture makes, and
 * the import and export statements are held to prettier over sweeps of name lengths.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { GeneratedFile } from '../generator/emit/index.js';
import { specifierStatement } from '../generator/emit/imports.js';
import { layoutDeclaration } from '../generator/emit/type-layout.js';
import { declarationSource, type TypeDeclaration } from '../generator/emit/type-nodes.js';
import { itemOf } from '../generator/emit/types.js';
import { PRETTIER_OPTIONS } from '../generator/prettier-options.js';
import { acceptedHostileProjects } from './helpers/hostile-documents.js';
import { cli, STRIPE, stripeAvailable, workspace } from './helpers/import.js';
import { APIS, importedProject } from './helpers/unseen-apis.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.resolve(ROOT, '../shared/naftiko/framework/examples');
const examplesAvailable = fs.existsSync(EXAMPLES);
if (!examplesAvailable)
  console.warn(`capability-types-layout: Naftiko examples skipped, ${EXAMPLES} is not there`);
if (!stripeAvailable)
  console.warn(`capability-types-layout: Stripe's full spec skipped, ${STRIPE} is not there`);

const { project, remove } = workspace('capability-types-layout');
afterAll(remove);

const prettierTs = (source: string) =>
  prettier.format(source, { ...PRETTIER_OPTIONS, parser: 'babel-ts' });

interface Both {
  laidOut: { contents: string; laidOut?: true };
  source: string;
}

/**
 * Generates a project in-process; each types.ts is emitted twice, as the run emits it and with
 * the layout refused (the source the prettier path formats).
 */
async function capabilityTypes(dir: string, flags = {}): Promise<Both[]> {
  vi.resetModules();
  let refuse = false;
  vi.doMock('../generator/emit/type-layout.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../generator/emit/type-layout.js')>();
    const { NotLaidOut } = await import('../generator/emit/layout.js');
    return {
      ...real,
      layoutModule: (...args: Parameters<typeof real.layoutModule>) => {
        if (refuse) throw new NotLaidOut('refused by the test');
        return real.layoutModule(...args);
      },
    };
  });
  const seen: Both[] = [];
  vi.doMock('../generator/emit/types.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../generator/emit/types.js')>();
    return {
      ...real,
      emitTypes: (...args: Parameters<typeof real.emitTypes>) => {
        const laidOut = real.emitTypes(...args);
        refuse = true;
        try {
          const source = real.emitTypes(...args);
          expect(source.laidOut).toBeUndefined();
          seen.push({ laidOut, source: source.contents });
        } finally {
          refuse = false;
        }
        return laidOut;
      },
    };
  });
  const { runPipeline } = await import('../generator/pipeline.js');
  const result = await runPipeline(dir, flags, { emit: true });
  vi.doUnmock('../generator/emit/type-layout.js');
  vi.doUnmock('../generator/emit/types.js');
  vi.resetModules();
  const errors = result.bag.items.filter((d) => d.severity === 'error');
  expect(result.files, JSON.stringify(errors.slice(0, 3))).toBeDefined();
  const files = (result.files ?? []) as GeneratedFile[];
  // What the run wrote is the laid-out text.
  const written = files.filter((f) => f.path.endsWith('/types.ts')).map((f) => f.contents);
  expect(written.sort()).toEqual(seen.map((b) => b.laidOut.contents).sort());
  return seen;
}

/** Every laid-out types.ts is prettier's; returns how many were laid out, of how many. */
async function expectPrettiers(dir: string, flags = {}): Promise<[number, number]> {
  const all = await capabilityTypes(dir, flags);
  expect(all.length, dir).toBeGreaterThan(0);
  let laidOut = 0;
  for (const { laidOut: ours, source } of all) {
    const theirs = await prettierTs(source);
    if (ours.laidOut) {
      laidOut++;
      expect(ours.contents).toBe(theirs);
    } else expect(ours.contents).toBe(source);
  }
  return [laidOut, all.length];
}

const copied = (name: string, from: string) => {
  const dir = project(name);
  fs.cpSync(from, path.join(dir, 'specs'), { recursive: true });
  return dir;
};

describe("each capability's types.ts is the prettier path's", () => {
  it("of the repository's specs/", async () => {
    const dir = copied('repo', path.join(ROOT, 'specs'));
    const [laidOut, all] = await expectPrettiers(dir);
    expect(laidOut).toBe(all);
  });

  it.skipIf(!stripeAvailable)(
    "of the repository's specs/ with Stripe's full spec",
    { timeout: 300_000 },
    async () => {
      const dir = copied('repo-stripe', path.join(ROOT, 'specs'));
      fs.copyFileSync(STRIPE, path.join(dir, 'spec3.json'));
      const [laidOut, all] = await expectPrettiers(dir, { openapi: ['spec3.json'] });
      expect(laidOut).toBe(all);
    },
  );

  it.each([
    ['generic', 'test/fixtures/generic/specs'],
    ['media-api', 'test/fixtures/media-api'],
    ['stripe-surfaces', 'test/fixtures/stripe-surfaces/specs'],
  ])('of the %s fixture', async (name, fixture) => {
    const [laidOut, all] = await expectPrettiers(copied(name, path.join(ROOT, fixture)));
    expect(laidOut).toBe(all);
  });

  it.each([
    ['shop', 'test/fixtures/import/shop.openapi.yaml'],
    ['polymorphism', 'test/fixtures/polymorphism/pets.openapi.yaml'],
  ])('of the capabilities imported from the %s document', async (name, file) => {
    const dir = project(name);
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, 'specs', path.basename(file)));
    const imported = await cli(dir, 'import', '--openapi', `specs/${path.basename(file)}`);
    expect(imported.code, imported.all).toBe(0);
    const [laidOut, all] = await expectPrettiers(dir);
    expect(laidOut).toBe(all);
  });

  for (const api of APIS)
    it(`of ${api.file}`, { timeout: 60_000 }, async () => {
      const { dir, imported } = await importedProject(project, api, 'specs/caps');
      expect(imported.code, imported.all).toBe(0);
      const [laidOut, all] = await expectPrettiers(dir);
      expect(laidOut).toBe(all);
    });

  it('of a capability whose names and descriptions make lines break', async () => {
    const dir = project('long-names');
    fs.writeFileSync(path.join(dir, 'specs/long.openapi.json'), JSON.stringify(longApi()));
    fs.writeFileSync(path.join(dir, 'specs/unmatched.yaml'), unmatchedCapability());
    const imported = await cli(dir, 'import', '--openapi', 'specs/long.openapi.json');
    expect(imported.code, imported.all).toBe(0);
    const [laidOut, all] = await expectPrettiers(dir);
    expect(all).toBeGreaterThan(1);
    expect(laidOut).toBe(all);
  });

  it.skipIf(!examplesAvailable)(
    'of the Naftiko Framework examples capgen generates',
    { timeout: 300_000 },
    async () => {
      const files = fs
        .readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.ya?ml$/.test(f) && !/(^|\/)(openapi|schemas|scripts)\//.test(f))
        .sort();
      let generated = 0;
      let laidOutFiles = 0;
      for (const file of files) {
        const dir = project(`naftiko-${file.replace(/\W+/g, '-')}`);
        fs.copyFileSync(path.join(EXAMPLES, file), path.join(dir, 'specs', path.basename(file)));
        // Examples capgen rejects (the engine's invalid ones) make no files: nothing to compare.
        const { runPipeline } = await import('../generator/pipeline.js');
        const check = await runPipeline(dir, {}, { emit: false });
        if (check.bag.hasErrors()) continue;
        const [laidOut] = await expectPrettiers(dir);
        generated++;
        laidOutFiles += laidOut;
      }
      console.log(
        `capability-types-layout: ${laidOutFiles} types.ts laid out, from ${generated} of ${files.length} Naftiko examples`,
      );
      expect(generated).toBeGreaterThan(files.length / 2);
      expect(laidOutFiles).toBe(generated);
    },
  );
});

describe('types.ts of hostile documents (test/helpers/hostile-documents.ts)', () => {
  it("is prettier's, or left to prettier, in 60 cases", { timeout: 300_000 }, async () => {
    let generated = 0;
    let laidOutFiles = 0;
    for await (const { dir, flags } of acceptedHostileProjects(project, 60)) {
      const [laidOut] = await expectPrettiers(dir, flags);
      generated++;
      laidOutFiles += laidOut;
    }
    console.log(
      `capability-types-layout: ${laidOutFiles} of ${generated} hostile cases' types.ts laid out`,
    );
    expect(generated).toBeGreaterThan(20);
    expect(laidOutFiles).toBeGreaterThan(generated / 2);
  });
});

describe("a list's item type, `Response extends { data: Array<infer T> } ? T : JsonValue`", () => {
  it('is broken where prettier breaks it, over a sweep of name lengths', async () => {
    for (const nameLength of [4, 30, 40, 50, 60, 70, 80, 90, 100])
      for (let responseLength = 1; responseLength <= 110; responseLength += 3) {
        const declaration: TypeDeclaration = {
          comment: '/** One item. */\n',
          name: `I${'t'.repeat(nameLength)}`,
          interface: false,
          type: itemOf(`R${'e'.repeat(responseLength)}`),
        };
        expect(`${layoutDeclaration(declaration)}\n`).toBe(
          await prettierTs(declarationSource(declaration)),
        );
      }
  });
});

describe('import and export statements', () => {
  it("are prettier's: one line where they fit, else one name per line; one name never breaks", async () => {
    const from = '../runtime/contract.js';
    for (let length = 1; length <= 100; length += 3)
      for (const count of [1, 2, 3, 5]) {
        const names = Array.from({ length: count }, (_, i) => `N${i}`.padEnd(length, 'x'));
        const list = `{ ${names.join(', ')} }`;
        const cases = [
          [
            specifierStatement('import type', names, ` from '${from}';`),
            `import type ${list} from '${from}';`,
          ],
          [specifierStatement('export type', names, ';'), `export type ${list};`],
        ];
        for (const [ours, source] of cases) expect(`${ours}\n`).toBe(await prettierTs(source));
      }
  });
});

// --- a capability made to break lines ------------------------------------------------------------

const LONG_WORD = 'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3);
const DESCRIPTIONS = [
  `A description that ends a comment */ and opens one /* in the middle, ${LONG_WORD}.`,
  'Описание на русском языке, 日本語の説明、そして العربية: a line well past a hundred columns of text to see what it does.',
  'Two paragraphs.\n\n  Indented second paragraph with trailing spaces   \n * starting like a comment line',
  '',
];
const describe_ = (i: number) => DESCRIPTIONS[i % DESCRIPTIONS.length] || undefined;

/** An OpenAPI document with long operation and parameter names, enums and nested bodies. */
function longApi() {
  const long = (n: number) => `an_extremely_long_parameter_name_that_goes_on_and_on_${n}`;
  const param = (name: string, i: number, schema: object) => ({
    name,
    in: 'query',
    description: describe_(i),
    schema,
  });
  const item = {
    type: 'object',
    description: describe_(0),
    properties: {
      id: { type: 'string' },
      '200': { type: 'integer', description: describe_(1) },
      'kebab-case-name': { type: 'string', enum: ['one', "it's", 'a "quoted" value'] },
      [long(9)]: { type: 'array', items: { type: 'string', enum: [LONG_WORD, 'b', 'c'] } },
    },
    required: ['id'],
  };
  const list = {
    type: 'object',
    properties: { data: { type: 'array', items: item }, has_more: { type: 'boolean' } },
    required: ['data'],
  };
  const ok = (schema: object) => ({
    '200': { description: 'OK', content: { 'application/json': { schema } } },
  });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Long Names API Whose Title Makes A Namespace Long Enough To Break The Import Lines',
      version: '1',
    },
    servers: [{ url: 'https://long.example/v1' }],
    paths: {
      '/widgets-with-a-remarkably-long-resource-path-segment/{widget_identifier_that_is_long}': {
        get: {
          operationId: 'retrieveTheWidgetWithAnExceptionallyLongOperationIdentifierForBreaking',
          description: describe_(1),
          parameters: [
            {
              name: 'widget_identifier_that_is_long',
              in: 'path',
              required: true,
              schema: { type: 'string' },
              description: describe_(0),
            },
            param(long(1), 1, { type: 'string', enum: ['alpha', 'beta', LONG_WORD] }),
            param(long(2), 2, { type: 'array', items: { type: 'integer' } }),
            param('x-header-with-dashes', 0, { type: 'object' }),
            // Object parameters: their types come from JSON Schema (json-schema-to-ts.ts).
            param('filter', 2, {
              type: 'object',
              description: describe_(2),
              properties: {
                '200': { type: 'string', description: describe_(1) },
                [long(6)]: {
                  type: 'string',
                  enum: ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', LONG_WORD],
                },
                'nested-thing': {
                  type: 'object',
                  description: describe_(0),
                  properties: { '1.5': { type: 'number' }, [long(7)]: { type: 'boolean' } },
                  required: ['1.5'],
                },
                list: {
                  type: 'array',
                  items: { type: 'object', properties: { a: { type: 'string' } } },
                },
                either: { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'string' }] },
                nullable: { type: 'string', nullable: true },
              },
              required: [long(6)],
            }),
          ],
          responses: ok(item),
        },
        post: {
          operationId: 'updateTheWidgetWithAnExceptionallyLongOperationIdentifierForBreakingLines',
          description: describe_(0),
          parameters: [
            {
              name: 'widget_identifier_that_is_long',
              in: 'path',
              required: true,
              schema: { type: 'string' },
            },
          ],
          requestBody: {
            description: describe_(2),
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  properties: {
                    [long(3)]: { type: 'string', description: describe_(1) },
                    nested: {
                      type: 'object',
                      properties: { [long(4)]: { type: 'number' }, '1.5': { type: 'boolean' } },
                    },
                    choice: { anyOf: [{ type: 'string' }, { type: 'integer' }, item] },
                  },
                },
              },
            },
          },
          responses: ok(item),
        },
      },
      '/widgets-with-a-remarkably-long-resource-path-segment': {
        get: {
          operationId: 'listAllTheWidgetsWithAnExceptionallyLongOperationIdentifierThatKeepsGoing',
          description: describe_(2),
          parameters: [
            param('starting_after', 3, { type: 'string' }),
            param('limit', 0, { type: 'integer' }),
            param(long(5), 1, { anyOf: [{ type: 'string' }, { type: 'integer' }] }),
          ],
          responses: ok(list),
        },
      },
    },
  };
}

/** A capability no OpenAPI document describes: its types come from its inputParameters. */
function unmatchedCapability(): string {
  const name = 'create-an-unmatched-thing-with-a-very-long-operation-name-for-the-line-breaking';
  const input = (n: number, type: string) =>
    [
      `                - name: parameter_name_that_is_really_quite_long_number_${n}`,
      '                  in: query',
      `                  type: ${type}`,
      `                  description: ${JSON.stringify(describe_(n) ?? 'Plain.')}`,
    ].join('\n');
  return `naftiko: 1.0.0-alpha2
info:
  label: Unmatched Things With A Long Label — Long Things
  description: Things no OpenAPI document describes.
capability:
  consumes:
    - type: http
      namespace: unmatched-things
      baseUri: https://unmatched.example
      resources:
        - name: things
          path: /things
          operations:
            - name: ${name}
              method: POST
              inputParameters:
${[input(0, 'string'), input(1, 'integer'), input(2, 'object'), input(3, 'array'), input(4, 'boolean')].join('\n')}
                - name: body
                  in: body
            - name: x
              method: GET
`;
}
