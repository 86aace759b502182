/**
 * `capgen import` on other documents (the Naftiko framework's OpenAPI examples, paths with a
 * trailing slash or a query string, the grouping options), and what it refuses: Swagger 2.0, a
 * document without a server, edited or foreign files, output outside the project or through a
 * symbolic link, bad input and flags. Refusals end in positioned diagnostics, never a stack
 * trace, and nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cli,
  examplesAvailable,
  EXAMPLES,
  expectOfficiallyValid,
  naftikoAvailable,
  readTree,
  SHOP,
  inProject,
  STACK_FRAME,
  workspace,
  type Capability,
} from './helpers/import.js';
import { spectralFindings } from './helpers/naftiko-lint.js';

if (!examplesAvailable)
  console.warn(
    `import: the Naftiko OpenAPI examples are not at ${EXAMPLES}; their tests are skipped`,
  );
if (!naftikoAvailable)
  console.warn(
    'import: the official Naftiko schema and ruleset are absent; those checks are skipped',
  );

const { work: WORK, project, remove } = workspace('import-inputs');
afterAll(remove);

describe.runIf(examplesAvailable)("import of the Naftiko framework's OpenAPI examples", () => {
  const cases: Array<[string, string[]]> = [
    ['petstore-3.0.yaml', []],
    ['petstore-3.1.yaml', []],
    ['complex-api.yaml', []],
    ['no-operation-ids.yaml', []],
    ['no-servers.yaml', ['--base-uri', 'https://items.test/v1']],
  ];
  it.each(cases)(
    '%s: imported files pass validate --strict, the official schema and Spectral',
    async (file, extra) => {
      const dir = project(`example-${file.replace(/\W+/g, '-')}`);
      const openapi = inProject(dir, path.join(EXAMPLES, file));
      const imported = await cli(dir, 'import', '--openapi', openapi, ...extra);
      expect(imported.code, imported.all).toBe(0);
      const validated = await cli(dir, 'validate', '--strict', '--openapi', openapi);
      expect(validated.code, validated.all).toBe(0);
      await expectOfficiallyValid(path.join(dir, 'specs'));
    },
  );

  it('names operations without an operationId from method and path', async () => {
    const dir = path.join(WORK, 'example-no-operation-ids-yaml');
    const text = Object.values(readTree(path.join(dir, 'specs'))).join('\n');
    for (const name of ['get-widgets', 'post-widgets', 'delete-widgets-widget-id'])
      expect(text).toContain(`name: ${name}\n`);
  });

  it.each([
    [
      'petstore-2.0.yaml',
      /petstore-2\.0\.yaml:1:1 {2}error {2}openapi\/not-openapi {2}this is a Swagger 2\.0 document/,
    ],
    [
      'petstore-swagger2-full.json',
      /error {2}openapi\/not-openapi {2}this is a Swagger 2\.0 document/,
    ],
    [
      'no-servers.yaml',
      /no-servers\.yaml:1:1 {2}error {2}import\/no-base-uri {2}the document names no server[^\n]*\n {4}hint: pass the base URI with --base-uri/,
    ],
  ])('%s: refused with a positioned error and a hint, nothing written', async (file, message) => {
    const dir = project('refused');
    const result = await cli(dir, 'import', '--openapi', inProject(dir, path.join(EXAMPLES, file)));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(fs.readdirSync(path.join(dir, 'specs'))).toEqual([]);
  });
});

describe('what capgen import will not write', () => {
  const shop = (dir: string) => inProject(dir, SHOP);

  it('an edited file: exit 1 naming it, and no file of the import changes; --force replaces it', async () => {
    const dir = project('edited');
    expect((await cli(dir, 'import', '--openapi', shop(dir))).code).toBe(0);
    const orders = path.join(dir, 'specs/orders.yaml');
    fs.writeFileSync(
      orders,
      fs.readFileSync(orders, 'utf8').replace('Place an order', 'Order tea'),
    );
    const before = readTree(path.join(dir, 'specs'));
    // A different port base changes every file; none may be written while one is edited.
    const refused = await cli(dir, 'import', '--openapi', shop(dir), '--port-base', '30000');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'specs/orders.yaml:1:1  error  import/edited  this file was edited since capgen import wrote it',
    );
    expect(refused.stderr).toContain(
      'hint: keep your edits by importing into another --out folder, or pass --force',
    );
    expect(readTree(path.join(dir, 'specs'))).toEqual(before);

    const forced = await cli(
      dir,
      'import',
      '--openapi',
      shop(dir),
      '--port-base',
      '30000',
      '--force',
    );
    expect(forced.code, forced.all).toBe(0);
    expect(forced.stdout).toContain(
      '0 added, 3 changed, 0 unchanged (1 edited file(s) replaced: --force)',
    );
    expect(fs.readFileSync(orders, 'utf8')).toContain('Place an order');
  });

  it('a file capgen import did not write', async () => {
    const dir = project('foreign');
    fs.writeFileSync(path.join(dir, 'specs/orders.yaml'), 'naftiko: 1.0.0-alpha2\n# mine\n');
    const result = await cli(dir, 'import', '--openapi', shop(dir));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('specs/orders.yaml:1:1  error  import/edited');
    expect(fs.readdirSync(path.join(dir, 'specs'))).toEqual(['orders.yaml']);
  });

  it('outside the project, or through a symbolic link', async () => {
    const dir = project('unsafe');
    const source = await cli(dir, 'import', '--openapi', path.relative(dir, SHOP));
    expect(source.code).toBe(1);
    expect(source.stderr).toMatch(
      /shop\.openapi\.yaml:1:1 {2}error {2}io\/outside-project {2}'[^']*shop\.openapi\.yaml' is outside the project folder/,
    );
    expect(fs.readdirSync(path.join(dir, 'specs'))).toEqual([]);
    const outside = await cli(dir, 'import', '--openapi', shop(dir), '--out', '../unsafe-outside');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(
      /error {2}io\/unsafe-output {2}the output folder '\.\.\/unsafe-outside' is outside the project/,
    );
    expect(fs.existsSync(path.join(WORK, 'unsafe-outside'))).toBe(false);

    fs.mkdirSync(path.join(WORK, 'unsafe-target'), { recursive: true });
    fs.symlinkSync(path.join(WORK, 'unsafe-target'), path.join(dir, 'linked'));
    const linked = await cli(dir, 'import', '--openapi', shop(dir), '--out', 'linked/specs');
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/io\/unsafe-output {2}linked is a symbolic link/);
    expect(fs.readdirSync(path.join(WORK, 'unsafe-target'))).toEqual([]);

    fs.symlinkSync(path.join(WORK, 'unsafe-target', 'x.yaml'), path.join(dir, 'specs/orders.yaml'));
    const file = await cli(dir, 'import', '--openapi', shop(dir));
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('specs/orders.yaml exists and is a symbolic link');
    expect(fs.readdirSync(path.join(WORK, 'unsafe-target'))).toEqual([]);
  });

  it('from bad input: a missing file, broken YAML, a glob matching nothing, bad flags', async () => {
    const dir = project('bad-input');
    const missing = await cli(dir, 'import', '--openapi', 'nope.yaml');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "nope.yaml:1:1  error  io/not-found  file 'nope.yaml' does not exist",
    );
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'openapi: 3.0.0\npaths:\n  /a: [\n');
    const broken = await cli(dir, 'import', '--openapi', 'broken.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.yaml:\d+:\d+ {2}error {2}yaml\/syntax/);
    const glob = await cli(dir, 'import', '--openapi', shop(dir), '--paths', '/nothing/**');
    expect(glob.code).toBe(1);
    expect(glob.stderr).toContain('error  import/no-match  no path matches /nothing/**');
    expect(
      (await cli(dir, 'import', '--openapi', shop(dir), '--namespace', 'Not valid')).code,
    ).toBe(2);
    expect((await cli(dir, 'import', '--openapi', shop(dir), '--group-by', 'verb')).code).toBe(2);
    expect((await cli(dir, 'import')).code).toBe(2);
    for (const r of [missing, broken, glob]) expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(fs.readdirSync(path.join(dir, 'specs'))).toEqual([]);
  });
});

describe('grouping', () => {
  it('by path prefix, and one capability of the paths matching --paths globs', async () => {
    const dir = project('grouping');
    const byPath = await cli(
      dir,
      'import',
      '--openapi',
      inProject(dir, SHOP),
      '--group-by',
      'path',
      '--out',
      'by-path',
    );
    expect(byPath.code, byPath.all).toBe(0);
    expect(Object.keys(readTree(path.join(dir, 'by-path')))).toEqual([
      'health.yaml',
      'orders.yaml',
      'products.yaml',
    ]);
    const globbed = await cli(
      dir,
      'import',
      '--openapi',
      inProject(dir, SHOP),
      '--paths',
      '/products/*',
      '--paths',
      '/orders',
      '--name',
      'selling',
      '--out',
      'globbed',
    );
    expect(globbed.code, globbed.all).toBe(0);
    const doc = parse(
      fs.readFileSync(path.join(dir, 'globbed/selling.yaml'), 'utf8'),
    ) as Capability;
    expect(doc.capability.consumes[0].resources.map((r) => r.path)).toEqual([
      '/orders',
      '/products/{productId}',
    ]);
    expect(doc.capability.exposes.map((e) => e.type)).toEqual(['rest', 'mcp']);
  });
});

describe('security requirements', () => {
  it('says where `security` is not a list, or names a scheme the document does not declare', async () => {
    const dir = project('security');
    fs.writeFileSync(
      path.join(dir, 'specs/locks.openapi.yaml'),
      [
        'openapi: 3.1.0',
        'info: { title: Locks, version: "1" }',
        'servers: [{ url: "https://locks.test" }]',
        'security: { lockKey: [] }',
        'components:',
        '  securitySchemes:',
        '    lockKey: { type: apiKey, in: header, name: X-Lock-Key }',
        'paths:',
        '  /locks:',
        '    get: { operationId: listLocks, responses: { "200": { description: OK } } }',
        '  /locks/{id}:',
        '    delete:',
        '      operationId: openLock',
        '      security: [{ masterKey: [] }]',
        '      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
        '      responses: { "204": { description: Opened } }',
      ].join('\n'),
    );
    const imported = await cli(dir, 'import', '--openapi', 'specs/locks.openapi.yaml');
    expect(imported.code, imported.all).toBe(0);
    expect(imported.stderr).toContain(
      'specs/locks.openapi.yaml:4:11  warning  import/invalid-security  `security` is not a list',
    );
    expect(imported.stderr).toContain(
      "specs/locks.openapi.yaml:14:31  warning  import/unknown-security-scheme  security scheme 'masterKey' is not declared",
    );
    expect(imported.stderr.match(/import\/invalid-security/g)).toHaveLength(1);
    expect(imported.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('paths', () => {
  it('serves upstream paths without a trailing slash, and leaves out a path with a query string', async () => {
    const dir = project('paths');
    fs.writeFileSync(
      path.join(dir, 'specs/items.openapi.yaml'),
      [
        'openapi: 3.1.0',
        'info: { title: Items, version: "1" }',
        'servers: [{ url: "https://items.test/" }]',
        'paths:',
        '  /items/:',
        '    get: { operationId: listItems, responses: { "200": { description: OK } } }',
        '  /items/{id}/:',
        '    delete:',
        '      operationId: deleteItem',
        '      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]',
        '      responses: { "204": { description: Gone } }',
        '  /search?kind=item:',
        '    get: { responses: { "200": { description: OK } } }',
      ].join('\n'),
    );
    const imported = await cli(
      dir,
      'import',
      '--openapi',
      'specs/items.openapi.yaml',
      '--group-by',
      'path',
    );
    expect(imported.code, imported.all).toBe(0);
    expect(imported.stderr).toContain('import/invalid-path  GET /search?kind=item is left out');
    const text = fs.readFileSync(path.join(dir, 'specs/items.yaml'), 'utf8');
    const doc = parse(text) as Capability;
    expect(doc.capability.consumes[0].baseUri).toBe('https://items.test');
    expect(doc.capability.consumes[0].resources.map((r) => r.path)).toEqual([
      '/items/',
      '/items/{id}/',
    ]);
    expect(doc.capability.exposes[0].resources!.map((r) => r.path)).toEqual([
      '/items',
      '/items/{id}',
    ]);
    if (naftikoAvailable) expect(await spectralFindings(text, 'items.yaml')).toEqual([]);
    const validated = await cli(dir, 'validate', '--strict');
    expect(validated.code, validated.all).toBe(0);
  });

  it('an edit to a comment counts as an edit', async () => {
    const dir = project('comment-edit');
    expect((await cli(dir, 'import', '--openapi', inProject(dir, SHOP))).code).toBe(0);
    const file = path.join(dir, 'specs/health.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('# Edit it freely', '# Reviewed. Edit it freely'),
    );
    const again = await cli(dir, 'import', '--openapi', inProject(dir, SHOP));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('specs/health.yaml:1:1  error  import/edited');
  });
});
