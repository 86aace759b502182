/**
 * `capgen import` as a user runs it: an OpenAPI document in, capability files out, then
 * `capgen generate --strict` on them, then calls through the generated REST adapter and MCP tools
 * to a local fake upstream: on a small non-Stripe API (test/fixtures/import/shop.openapi.yaml:
 * tags, an API-key header, server variables, path-level and $ref parameters, a union-typed query
 * parameter, things Naftiko cannot spell) and on Stripe's full spec (all 468 operations). What it
 * writes is checked against the official Naftiko schema and Spectral ruleset.
 * (import-inputs.test.ts: other documents, and what import refuses.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type RecordingUpstream } from './helpers/fake-upstream.js';
import {
  cli,
  expectOfficiallyValid,
  readTree,
  SHOP,
  STRIPE,
  inProject,
  stripeAvailable,
  workspace,
  type Capability,
} from './helpers/import.js';

if (!stripeAvailable)
  console.warn(`import: Stripe's full spec is not at ${STRIPE}; its tests are skipped`);

const { project, remove } = workspace('import');
afterAll(remove);

describe('import → generate --strict → calls, on a non-Stripe API', () => {
  let dir: string;
  let upstream: RecordingUpstream;
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
  const spec = () => 'spec3.json';
  let imported: Awaited<ReturnType<typeof cli>>;
  let docs: Record<string, Capability>;
  beforeAll(async () => {
    dir = project('stripe');
    inProject(dir, STRIPE); // capgen reads only inside its project
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
