/**
 * `capgen import` as a user runs it: an OpenAPI document in, capability files out, then
 * `capgen generate --strict` on them, then calls through the generated REST adapter and MCP tools
 * to a local fake upstream. On a small non-Stripe API (test/fixtures/import/shop.openapi.yaml:
 * tags, an API-key header, server variables, path-level and $ref parameters, a union-typed query
 * parameter, things Naftiko cannot spell), on Stripe's full spec (all 468 operations), and on the
 * Naftiko framework's own OpenAPI examples. What it writes is checked against the official Naftiko
 * schema and Spectral ruleset; what it must refuse (edited files, unsafe output folders, bad input)
 * ends in diagnostics with positions and nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';
import {
  available as naftikoAvailable,
  schemaErrors,
  spectralFindings,
} from './helpers/naftiko-lint.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Inside the project, so generated imports of @modelcontextprotocol/sdk resolve to node_modules.
const WORK = path.join(ROOT, '.tmp-import');
const SHOP = path.join(ROOT, 'test/fixtures/import/shop.openapi.yaml');
const STRIPE = path.resolve(ROOT, '../shared/stripe/spec3.json');
const EXAMPLES = path.resolve(ROOT, '../shared/naftiko/framework/examples/openapi');
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

const stripeAvailable = fs.existsSync(STRIPE);
const examplesAvailable = fs.existsSync(EXAMPLES);
if (!stripeAvailable)
  console.warn(`import: Stripe's full spec is not at ${STRIPE}; its tests are skipped`);
if (!examplesAvailable)
  console.warn(
    `import: the Naftiko OpenAPI examples are not at ${EXAMPLES}; their tests are skipped`,
  );
if (!naftikoAvailable)
  console.warn(
    'import: the official Naftiko schema and ruleset are absent; those checks are skipped',
  );

async function cli(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
  });
  return { code, stdout, stderr, all: stdout + stderr };
}

/** A fresh project folder with its specs/ folder. */
function project(name: string): string {
  const dir = path.join(WORK, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'specs'), { recursive: true });
  return dir;
}

function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]),
  );
}

interface Capability {
  naftiko: string;
  capability: {
    consumes: Array<{
      namespace: string;
      baseUri: string;
      authentication?: Record<string, string>;
      resources: Array<{ path: string; operations: Array<{ name: string; method: string }> }>;
    }>;
    exposes: Array<{
      type: string;
      port: number;
      resources?: Array<{ path: string; operations: unknown[] }>;
      tools?: Array<{ name: string; hints: Record<string, boolean> }>;
    }>;
  };
}

async function expectOfficiallyValid(dir: string) {
  if (!naftikoAvailable) return;
  for (const [name, text] of Object.entries(readTree(dir))) {
    expect(schemaErrors(parse(text)), name).toEqual([]);
    expect(await spectralFindings(text, name), name).toEqual([]);
  }
}

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

describe('import → generate --strict → calls, on a non-Stripe API', () => {
  let dir: string;
  let upstream: FakeUpstream;
  let imported: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    dir = project('shop');
    fs.copyFileSync(SHOP, path.join(dir, 'specs/shop.openapi.yaml'));
    imported = await cli(
      dir,
      'import',
      '--openapi',
      'specs/shop.openapi.yaml',
      '--out',
      'specs/shop',
    );
    expect(imported.code, imported.all).toBe(0);
    // Without a config, generate finds the document and the imported files under specs/.
    const generated = await cli(dir, 'generate', '--strict');
    expect(generated.code, generated.all).toBe(0);
    expect(generated.stdout).toMatch(/3 capabilities → generated\//);
    upstream = await startFakeUpstream((request) => {
      if (request.method === 'DELETE') return { status: 204 };
      if (request.method === 'POST')
        return { status: 201, json: { id: 7, ...(JSON.parse(request.body) as object) } };
      if (request.url.pathname === '/api/products')
        return { json: [{ id: 1, name: 'tea', price: 3 }] };
      return { json: { id: Number(request.url.pathname.split('/').pop()), name: 'tea' } };
    });
    process.env.SHOP_API_KEY = 'shop-key-123456';
  });
  afterAll(() => upstream?.close());

  it('writes one capability per tag, untagged operations by path, and says what it left out and where', () => {
    expect(Object.keys(readTree(path.join(dir, 'specs/shop')))).toEqual([
      'health.yaml',
      'orders.yaml',
      'products.yaml',
    ]);
    expect(imported.stdout).toMatch(
      /✓ 7 operations of Shop API → 3 capabilities in specs\/shop\/: 3 added, 0 changed, 0 unchanged/,
    );
    expect(imported.stdout).toMatch(/next: npx capgen generate\n/);
    expect(imported.stderr).toContain(
      "specs/shop.openapi.yaml:59:11  warning  import/invalid-name  query parameter 'filter[name]' of GET /products is left out",
    );
    expect(imported.stderr).toMatch(
      /:88:7 {2}warning {2}import\/unsupported-method {2}HEAD \/products/,
    );
    expect(imported.stderr).toMatch(/:22:7 {2}warning {2}import\/unsupported-auth .*'session'/);
  });

  it('takes auth from the security schemes, the base URI from the server (variables at their defaults), distinct ports', () => {
    const tree = readTree(path.join(dir, 'specs/shop'));
    const docs = Object.fromEntries(
      Object.entries(tree).map(([name, text]) => [
        name,
        parse(text) as Capability & { binds?: unknown },
      ]),
    );
    const products = docs['products.yaml'];
    expect(products.capability.consumes[0]).toMatchObject({
      namespace: 'shop',
      baseUri: 'https://eu.shop.test/api',
      authentication: {
        type: 'apikey',
        key: 'X-Shop-Key',
        value: '{{env.SHOP_API_KEY}}',
        placement: 'header',
      },
    });
    expect(products.binds).toEqual([
      expect.objectContaining({ namespace: 'env', keys: { SHOP_API_KEY: 'SHOP_API_KEY' } }),
    ]);
    // GET /health declares `security: []`: no credentials.
    expect(docs['health.yaml'].capability.consumes[0].authentication).toBeUndefined();
    const ports = Object.values(docs).flatMap((d) => d.capability.exposes.map((e) => e.port));
    expect(new Set(ports).size).toBe(6);
  });

  it('REST adapter: query, path and JSON body inputs reach the upstream with the API key; invalid input never does', async () => {
    const rest = (await import(
      pathToFileURL(path.join(dir, 'generated/products/rest.ts')).href
    )) as {
      createHandler(o?: object): (request: Request) => Promise<Response>;
    };
    const handler = rest.createHandler({ baseUri: `${upstream.url}/api`, maxRetries: 0 });
    upstream.seen.length = 0;
    const list = await handler(
      new Request('http://adapter.local/products?tag=green&tag=loose&sort=price'),
    );
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([{ id: 1, name: 'tea', price: 3 }]);
    expect(upstream.seen[0].url.pathname).toBe('/api/products');
    expect(upstream.seen[0].url.searchParams.getAll('sort')).toEqual(['price']);
    expect(upstream.seen[0].headers['x-shop-key']).toBe('shop-key-123456');

    const bad = await handler(new Request('http://adapter.local/products?sort=colour'));
    expect(bad.status).toBe(400);
    const badId = await handler(new Request('http://adapter.local/products/abc'));
    expect(badId.status).toBe(400);
    expect(upstream.seen).toHaveLength(1);

    const created = await handler(
      new Request('http://adapter.local/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 7, name: 'mint' }),
      }),
    );
    expect(created.status).toBe(201);
    expect(JSON.parse(upstream.seen[1].body)).toEqual({ id: 7, name: 'mint' });
    const deleted = await handler(
      new Request('http://adapter.local/products/7', { method: 'DELETE' }),
    );
    expect(deleted.status).toBe(204);
    expect(`${upstream.seen[2].method} ${upstream.seen[2].url.pathname}`).toBe(
      'DELETE /api/products/7',
    );
  });

  it('MCP server: one tool per operation, hints from HTTP semantics, header parameters as tool inputs', async () => {
    const mcp = (await import(pathToFileURL(path.join(dir, 'generated/products/mcp.ts')).href)) as {
      createServer(o?: object): Server;
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.createServer({ baseUri: `${upstream.url}/api`, maxRetries: 0 }).connect(serverSide);
    const client = new Client({ name: 'import-test', version: '1.0.0' });
    await client.connect(clientSide);
    try {
      const { tools } = await client.listTools();
      const hints = Object.fromEntries(
        tools.map((t) => [
          t.name,
          [
            t.annotations?.readOnlyHint,
            t.annotations?.destructiveHint,
            t.annotations?.idempotentHint,
          ],
        ]),
      );
      expect(hints).toEqual({
        'list-products': [true, false, true],
        'create-product': [false, false, false],
        'get-product': [true, false, true],
        'replace-product': [false, true, true],
        'delete-product': [false, true, true],
      });
      const list = tools.find((t) => t.name === 'list-products')!;
      expect(list.title).toBe('List products');
      expect(Object.keys(list.inputSchema.properties ?? {})).toEqual([
        'tag',
        'sort',
        'X-Request-Id',
      ]);
      upstream.seen.length = 0;
      const result = await client.callTool({
        name: 'get-product',
        arguments: { productId: 5 },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({ id: 5, name: 'tea' });
      const listed = await client.callTool({
        name: 'list-products',
        arguments: { 'X-Request-Id': 'r-1' },
      });
      expect(listed.isError).toBeFalsy();
      expect(upstream.seen.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
        'GET /api/products/5',
        'GET /api/products',
      ]);
      expect(upstream.seen[1].headers['x-request-id']).toBe('r-1');
    } finally {
      await client.close();
    }
  });

  it('writes files the official schema (alpha2 and alpha3) and the Naftiko Spectral ruleset accept', async () => {
    await expectOfficiallyValid(path.join(dir, 'specs/shop'));
    const alpha3 = await cli(
      dir,
      'import',
      '--openapi',
      'specs/shop.openapi.yaml',
      '--out',
      'alpha3',
      '--naftiko-version',
      '1.0.0-alpha3',
    );
    expect(alpha3.code, alpha3.all).toBe(0);
    expect(
      (parse(fs.readFileSync(path.join(dir, 'alpha3/orders.yaml'), 'utf8')) as Capability).naftiko,
    ).toBe('1.0.0-alpha3');
    await expectOfficiallyValid(path.join(dir, 'alpha3'));
  });
});

describe.runIf(stripeAvailable)("import of Stripe's full spec", () => {
  let dir: string;
  const spec = () => path.relative(dir, STRIPE);
  let imported: Awaited<ReturnType<typeof cli>>;
  let docs: Record<string, Capability>;
  beforeAll(async () => {
    dir = project('stripe');
    imported = await cli(dir, 'import', '--openapi', spec(), '--out', 'specs/stripe');
    expect(imported.code, imported.all).toBe(0);
    docs = Object.fromEntries(
      Object.entries(readTree(path.join(dir, 'specs/stripe'))).map(([n, t]) => [
        n,
        parse(t) as Capability,
      ]),
    );
  });

  it('covers all 468 operations, each once, as a consumed operation, a REST operation and an MCP tool', () => {
    const data = JSON.parse(fs.readFileSync(STRIPE, 'utf8')) as { paths: Record<string, object> };
    const inSpec = Object.entries(data.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(inSpec).toHaveLength(468);
    const consumed = Object.values(docs).flatMap((d) =>
      d.capability.consumes.flatMap((c) =>
        c.resources.flatMap((r) => r.operations.map((o) => `${o.method} ${r.path}`)),
      ),
    );
    expect(consumed).toHaveLength(468);
    expect(new Set(consumed)).toEqual(new Set(inSpec));
    const count = (type: string, f: (e: Capability['capability']['exposes'][number]) => number) =>
      Object.values(docs).reduce(
        (n, d) =>
          n + d.capability.exposes.filter((e) => e.type === type).reduce((m, e) => m + f(e), 0),
        0,
      );
    expect(count('rest', (e) => e.resources!.reduce((n, r) => n + r.operations.length, 0))).toBe(
      468,
    );
    expect(count('mcp', (e) => e.tools!.length)).toBe(468);
    expect(imported.stdout).toContain(
      '✓ 468 operations of Stripe API → 62 capabilities in specs/stripe/',
    );
    // The upload endpoint lives on another host, so its file has a second consumed API.
    expect(
      docs['files.yaml'].capability.consumes.map((c) => `${c.namespace} ${c.baseUri}`),
    ).toEqual(['stripe https://api.stripe.com', 'stripe-files https://files.stripe.com']);
    expect(imported.stderr).toMatch(
      /import\/body-media-type {2}POST \/v1\/files takes multipart\/form-data/,
    );
  });

  it('gives every server its own port, and bearer auth (preferred over basic) from an environment variable', () => {
    const ports = Object.values(docs).flatMap((d) => d.capability.exposes.map((e) => e.port));
    expect(new Set(ports).size).toBe(2 * 62);
    for (const d of Object.values(docs))
      expect(d.capability.consumes[0].authentication).toEqual({
        type: 'bearer',
        token: '{{env.STRIPE_TOKEN}}',
      });
  });

  it('is deterministic: importing again finds every file unchanged', async () => {
    const again = await cli(dir, 'import', '--openapi', spec(), '--out', 'specs/stripe');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 added, 0 changed, 62 unchanged');
  });

  it('passes capgen validate --strict with the full spec, the official schema and the Spectral ruleset', async () => {
    const validated = await cli(dir, 'validate', '--strict', '--openapi', spec());
    expect(validated.code, validated.all).toBe(0);
    expect(validated.stdout).toContain('62 capabilities are valid');
    await expectOfficiallyValid(path.join(dir, 'specs/stripe'));
  });

  it('generates a capability whose REST adapter and MCP tools call Stripe (a local fake) with its form encoding', async () => {
    fs.writeFileSync(
      path.join(dir, 'capgen.config.yaml'),
      `openapi: [${JSON.stringify(spec())}]\ncapabilities: [specs/stripe/checkout.yaml]\n`,
    );
    const generated = await cli(dir, 'generate', '--strict');
    expect(generated.code, generated.all).toBe(0);
    const upstream = await startFakeUpstream((request) =>
      request.url.pathname === '/v1/checkout/sessions' && request.method === 'GET'
        ? {
            json: {
              object: 'list',
              data: [{ id: 'cs_1', object: 'checkout.session' }],
              has_more: false,
              url: '/v1/checkout/sessions',
            },
          }
        : { json: { id: 'cs_2', object: 'checkout.session' } },
    );
    process.env.STRIPE_TOKEN = 'sk_test_import_123';
    try {
      const rest = (await import(
        pathToFileURL(path.join(dir, 'generated/checkout/rest.ts')).href
      )) as {
        createHandler(o?: object): (request: Request) => Promise<Response>;
      };
      const handler = rest.createHandler({ baseUri: upstream.url, maxRetries: 0 });
      const list = await handler(new Request('http://adapter.local/v1/checkout/sessions?limit=3'));
      expect(list.status).toBe(200);
      expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1);
      const created = await handler(
        new Request('http://adapter.local/v1/checkout/sessions', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            mode: 'payment',
            success_url: 'https://x.test/ok',
            line_items: [{ price: 'price_1', quantity: 2 }],
          }),
        }),
      );
      expect(created.status).toBe(200);
      const post = upstream.seen[1];
      expect(post.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(decodeURIComponent(post.body)).toBe(
        'mode=payment&success_url=https://x.test/ok&line_items[0][price]=price_1&line_items[0][quantity]=2',
      );
      expect(upstream.seen[0].headers.authorization).toBe('Bearer sk_test_import_123');

      const mcp = (await import(
        pathToFileURL(path.join(dir, 'generated/checkout/mcp.ts')).href
      )) as {
        createServer(o?: object): Server;
      };
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await mcp.createServer({ baseUri: upstream.url, maxRetries: 0 }).connect(serverSide);
      const client = new Client({ name: 'import-test', version: '1.0.0' });
      await client.connect(clientSide);
      const result = await client.callTool({
        name: 'get-checkout-sessions-session',
        arguments: { session: 'cs_2', expand: ['line_items'] },
      });
      await client.close();
      expect(result.isError).toBeFalsy();
      expect(upstream.seen[2].url.pathname).toBe('/v1/checkout/sessions/cs_2');
      expect(decodeURIComponent(upstream.seen[2].url.search)).toBe('?expand[0]=line_items');
    } finally {
      await upstream.close();
    }
  }, 60_000);
});

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
      const openapi = path.relative(dir, path.join(EXAMPLES, file));
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
    const result = await cli(
      dir,
      'import',
      '--openapi',
      path.relative(dir, path.join(EXAMPLES, file)),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(fs.readdirSync(path.join(dir, 'specs'))).toEqual([]);
  });
});

describe('what capgen import will not write', () => {
  const shop = (dir: string) => path.relative(dir, SHOP);

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
      path.relative(dir, SHOP),
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
      path.relative(dir, SHOP),
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
    expect((await cli(dir, 'import', '--openapi', path.relative(dir, SHOP))).code).toBe(0);
    const file = path.join(dir, 'specs/health.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('# Edit it freely', '# Reviewed. Edit it freely'),
    );
    const again = await cli(dir, 'import', '--openapi', path.relative(dir, SHOP));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('specs/health.yaml:1:1  error  import/edited');
  });
});
