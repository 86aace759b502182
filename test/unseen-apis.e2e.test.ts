/**
 * capgen on public OpenAPI documents it was not written for (test/fixtures/apis, sources and
 * licences in its README): each one through `capgen import`, then `capgen generate --strict`, all
 * the outputs type-checked under `strict` in one program, then one REST route and one MCP tool of
 * each called end to end against a local upstream that records what reaches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type RecordingUpstream } from './helpers/fake-upstream.js';
import { mcpClient, postJson } from './helpers/generated-e2e.js';
import { cli, readTree, workspace, type Capability } from './helpers/import.js';
import { check, formatDiagnostics, strictProject } from './helpers/ts-project.js';
import { loadGenerated } from './helpers/generated-e2e.js';
import { APIS, FIXTURES, importedProject } from './helpers/unseen-apis.js';

const { project, remove } = workspace('unseen-apis');
afterAll(remove);

const dirs = new Map<string, string>();
const imports = new Map<string, Awaited<ReturnType<typeof cli>>>();
const gen = (file: string, ...rest: string[]) => path.join(dirs.get(file)!, 'generated', ...rest);

let upstream: RecordingUpstream;
beforeAll(async () => {
  for (const api of APIS) {
    const out = `specs/${path.basename(api.file, '.yaml')}`;
    const { dir, imported } = await importedProject(project, api, out);
    dirs.set(api.file, dir);
    expect(imported.code, imported.all).toBe(0);
    imports.set(api.file, imported);
    const generated = await cli(dir, 'generate', '--strict');
    expect(generated.code, `${api.file}\n${generated.all}`).toBe(0);
  }
  upstream = await startFakeUpstream((request) => {
    const answer = answers.shift();
    return answer ? answer(request) : { status: 500, json: { error: 'unexpected call' } };
  });
}, 120_000);
afterAll(() => upstream?.close());

/** What the upstream answers next, in order (500 when a test makes a call it did not expect). */
const answers: Array<
  (r: RecordingUpstream['seen'][number]) => { status?: number; json?: unknown }
> = [];
function expectCalls(...next: typeof answers) {
  upstream.seen.length = 0;
  answers.length = 0;
  answers.push(...next);
}

async function rest(file: string, capability: string) {
  const mod = await loadGenerated<{ createHandler(o?: object): (r: Request) => Promise<Response> }>(
    gen(file, capability, 'rest.ts'),
  );
  return mod.createHandler({ baseUri: upstream.url + '/base', maxRetries: 0 });
}

async function mcp(file: string, capability: string): Promise<Client> {
  const mod = await loadGenerated<{
    createServer(o?: object): import('@modelcontextprotocol/sdk/server/index.js').Server;
  }>(gen(file, capability, 'mcp.ts'));
  const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mod.createServer({ baseUri: upstream.url + '/base', maxRetries: 0 }).connect(serverSide);
  const client = new Client({ name: 'unseen-apis', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('import → generate --strict on documents capgen has never seen', () => {
  it.each(APIS)('$file: the capability files and operation counts', (api) => {
    const tree = readTree(
      path.join(dirs.get(api.file)!, 'specs', path.basename(api.file, '.yaml')),
    );
    expect(Object.keys(tree)).toEqual(api.capabilities.map((c) => `${c}.yaml`));
    const consumed = Object.values(tree).flatMap((text) =>
      (parse(text) as Capability).capability.consumes.flatMap((c) =>
        c.resources.flatMap((r) => r.operations),
      ),
    );
    expect(consumed).toHaveLength(api.operations);
  });

  it('every output type-checks under strict, in one program', () => {
    const program = strictProject();
    for (const api of APIS) program.addSourceFilesAtPaths(gen(api.file, '**/*.ts'));
    const diagnostics = check(program);
    expect(formatDiagnostics(program, diagnostics)).toBe('');
  }, 120_000);
});

/** One MCP tool call; its structured content, failing the test on an error result. */
async function callTool(client: Client, name: string, args: Record<string, unknown>) {
  try {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    return result.structuredContent ?? result.content;
  } finally {
    await client.close();
  }
}

const wire = () => upstream.seen.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`);

describe('one REST route and one MCP tool per API, against a recording upstream', () => {
  it('petstore-expanded: exploded array query, allOf response; DELETE with 204', async () => {
    const handler = await rest('petstore-expanded.yaml', 'pets');
    expectCalls(() => ({ json: [{ id: 1, name: 'Rex', tag: 'dog' }] }));
    const list = await handler(new Request('http://a.local/pets?tags=dog&tags=cat&limit=2'));
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([{ id: 1, name: 'Rex', tag: 'dog' }]);
    expect(wire()).toEqual(['GET /base/pets?tags=dog&tags=cat&limit=2']);

    expectCalls(() => ({ status: 204 }));
    await callTool(await mcp('petstore-expanded.yaml', 'pets'), 'delete-pet', { id: 9 });
    expect(wire()).toEqual(['DELETE /base/pets/9']);
  });

  it('uspto: a root path; path parameters; a form-urlencoded body', async () => {
    const handler = await rest('uspto.yaml', 'metadata');
    expectCalls(() => ({ json: { total: 0, apis: [] } }));
    const root = await handler(new Request('http://a.local/'));
    expect(root.status).toBe(200);
    expect(wire()).toEqual(['GET /base/']);

    expectCalls(() => ({ json: [{ patent: 'x' }] }));
    const found = await callTool(await mcp('uspto.yaml', 'search'), 'perform-search', {
      dataset: 'oa_citations',
      version: 'v1',
      body: { criteria: '*:*', rows: 5 },
    });
    expect(found).toEqual({ result: [{ patent: 'x' }] });
    expect(wire()).toEqual(['POST /base/oa_citations/v1/records']);
    expect(upstream.seen[0].headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect([...new URLSearchParams(upstream.seen[0].body)]).toEqual([
      ['criteria', '*:*'],
      ['rows', '5'],
    ]);
  });

  it('link-example: a path under a version segment with three parameters; an enum query', async () => {
    const handler = await rest('link-example.yaml', '2-0');
    expectCalls(() => ({ json: [{ id: 1, title: 'Fix' }] }));
    const list = await handler(
      new Request('http://a.local/2.0/repositories/ann/tools/pullrequests?state=merged'),
    );
    expect(list.status).toBe(200);
    expect(wire()).toEqual(['GET /base/2.0/repositories/ann/tools/pullrequests?state=merged']);
    const bad = await handler(
      new Request('http://a.local/2.0/repositories/ann/tools/pullrequests?state=lost'),
    );
    expect(bad.status).toBe(400);

    expectCalls(() => ({ status: 204 }));
    await callTool(await mcp('link-example.yaml', '2-0'), 'merge-pull-request', {
      username: 'ann',
      slug: 'tools',
      pid: '12',
    });
    expect(wire()).toEqual(['POST /base/2.0/repositories/ann/tools/pullrequests/12/merge']);
  });

  it('webhook-example (3.1, webhooks left aside): the one path operation', async () => {
    expect(imports.get('webhook-example.yaml')!.stderr).toMatch(
      /specs\/webhook-example\.yaml:\d+:\d+ {2}info {2}import\/not-imported {2}the webhooks \(1\) are requests the API sends/,
    );
    const handler = await rest('webhook-example.yaml', 'pets');
    expectCalls(() => ({ json: [{ id: 1, name: 'Rex' }] }));
    expect((await handler(new Request('http://a.local/pets?limit=3'))).status).toBe(200);
    expect(wire()).toEqual(['GET /base/pets?limit=3']);
    expectCalls(() => ({ json: [] }));
    expect(await callTool(await mcp('webhook-example.yaml', 'pets'), 'list-pets', {})).toEqual({
      result: [],
    });
    expect(wire()).toEqual(['GET /base/pets']);
  });

  it('theater: path-level $ref parameters; a JSON string body (an enum)', async () => {
    const handler = await rest('theater.yaml', 'seating');
    const hall = { sold: 1, rows: [['sold', 'free']] };
    expectCalls(() => ({ json: hall }));
    const put = await handler(
      new Request('http://a.local/rows/1/seats/1', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify('sold'),
      }),
    );
    expect(put.status).toBe(200);
    expect(wire()).toEqual(['PUT /base/rows/1/seats/1']);
    expect(upstream.seen[0].body).toBe('"sold"');

    expectCalls(() => ({ json: 'held' }));
    expect(
      await callTool(await mcp('theater.yaml', 'seating'), 'get-seat', { row: 1, seat: 3 }),
    ).toEqual({ result: 'held' });
    expect(wire()).toEqual(['GET /base/rows/1/seats/3']);
  });

  it('museum: $ref query parameters with formats; basic auth; a PATCH with a JSON body', async () => {
    process.env.REDOCLY_MUSEUM_USERNAME = 'curator';
    process.env.REDOCLY_MUSEUM_PASSWORD = 'pw-123456';
    const handler = await rest('museum.yaml', 'events');
    expectCalls(() => ({ json: [] }));
    const list = await handler(
      new Request('http://a.local/special-events?startDate=2023-02-23&page=2&limit=15'),
    );
    expect(list.status).toBe(200);
    expect(wire()).toEqual(['GET /base/special-events?startDate=2023-02-23&page=2&limit=15']);
    expect(upstream.seen[0].headers.authorization).toBe(
      `Basic ${Buffer.from('curator:pw-123456').toString('base64')}`,
    );

    const event = {
      eventId: 'dad4bce8-f5cb-4078-a211-995864315e39',
      name: 'Tea',
      location: 'Hall',
      eventDescription: 'x',
      dates: ['2023-09-05'],
      price: 15,
    };
    expectCalls((r) => ({ json: { ...event, ...(JSON.parse(r.body) as object) } }));
    const patched = await callTool(await mcp('museum.yaml', 'events'), 'update-special-event', {
      eventId: event.eventId,
      body: { location: 'On the beach.', price: 15 },
    });
    expect(patched).toMatchObject({ location: 'On the beach.' });
    expect(wire()).toEqual([`PATCH /base/special-events/${event.eventId}`]);
    expect(JSON.parse(upstream.seen[0].body)).toEqual({ location: 'On the beach.', price: 15 });
  });

  it('pets-polymorphic (3.1): oneOf/discriminator bodies, a query API key, path-level header, cookie', async () => {
    process.env.PET_ADOPTION_API_KEY = 'pk-abcdef123';
    process.env.PET_ADOPTION_TOKEN = 'tok-abcdef123';
    const handler = await rest('pets-polymorphic.yaml', 'pets');
    const cat = { petType: 'cat', name: 'Tom', huntingSkill: 'lazy' };
    expectCalls((r) => ({ status: 201, json: JSON.parse(r.body) as unknown }));
    const created = await handler(postJson('http://a.local/pets', cat));
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(cat);
    expect(wire()).toEqual(['POST /base/pets?api_key=pk-abcdef123']);

    expectCalls(() => ({ json: cat }));
    await callTool(await mcp('pets-polymorphic.yaml', 'pets'), 'get-pet', {
      petId: 'p1',
      'X-Trace': 't-1',
    });
    expect(wire()).toEqual(['GET /base/pets/p1?api_key=pk-abcdef123']);
    expect(upstream.seen[0].headers['x-trace']).toBe('t-1');

    expectCalls(() => ({ json: [cat] }));
    await callTool(await mcp('pets-polymorphic.yaml', 'pets'), 'list-pets', {
      petType: 'cat',
      session: 's-1',
    });
    expect(upstream.seen[0].headers.cookie).toBe('session=s-1');

    expectCalls((r) => ({
      status: 201,
      json: { id: 'a1', adopter: JSON.parse(r.body) as unknown },
    }));
    const adopt = await (
      await rest('pets-polymorphic.yaml', 'adoptions')
    )(
      postJson('http://a.local/adoptions', {
        petId: 'p1',
        adopter: { kind: 'shelter', shelterId: 4 },
        note: null,
      }),
    );
    expect(adopt.status).toBe(201);
    expect(upstream.seen[0].headers.authorization).toBe('Bearer tok-abcdef123');
  });

  it('zoo (3.0): nullable fields and parameters, basic auth, PUT and DELETE', async () => {
    process.env.ZOO_KEEPER_USERNAME = 'zoo-admin';
    process.env.ZOO_KEEPER_PASSWORD = 'pw-zoo-1234';
    const handler = await rest('zoo-3.0.yaml', 'animals');
    const animal = { id: 3, species: 'lion', name: 'Leo', born: null, keeper: null };
    expectCalls((r) => ({ json: { id: 3, ...(JSON.parse(r.body) as object) } }));
    const put = await handler(
      new Request('http://a.local/animals/3', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ species: 'lion', name: 'Leo', born: null, keeper: null }),
      }),
    );
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(animal);
    expect(wire()).toEqual(['PUT /base/animals/3']);

    expectCalls(() => ({ json: { items: [animal], next: null } }));
    const listed = await callTool(await mcp('zoo-3.0.yaml', 'animals'), 'list-animals', {
      'X-Request-ID': '7d0c5c1e-8a55-4a4e-9a0b-0c4d6e1f2a3b',
      limit: 5,
    });
    expect(listed).toEqual({ items: [animal], next: null });
    expect(wire()).toEqual(['GET /base/animals?limit=5']);
    expect(upstream.seen[0].headers['x-request-id']).toBe('7d0c5c1e-8a55-4a4e-9a0b-0c4d6e1f2a3b');
  });
});

describe('one REST route and one MCP tool per API, second batch', () => {
  it('petstore3: OAuth2 implicit as a bearer token; enum query; query-parameter form update; api_key header', async () => {
    process.env.SWAGGER_PETSTORE_OPEN_API_3_0_TOKEN = 'oauth-tok-123';
    process.env.SWAGGER_PETSTORE_OPEN_API_3_0_API_KEY = 'key-abc-123';
    const pet = { id: 7, name: 'Rex', photoUrls: [], status: 'sold' };
    const handler = await rest('petstore3.yaml', 'pet');
    expectCalls(() => ({ json: [pet] }));
    const found = await handler(new Request('http://a.local/pet/findByStatus?status=sold'));
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual([pet]);
    expect(wire()).toEqual(['GET /base/pet/findByStatus?status=sold']);
    expect(upstream.seen[0].headers.authorization).toBe('Bearer oauth-tok-123');
    expect((await handler(new Request('http://a.local/pet/findByStatus?status=lost'))).status).toBe(
      400,
    );

    // JSON, XML or a form: JSON goes, since a form has no standard encoding of `category` and `tags`.
    const full = { ...pet, category: { id: 1, name: 'Dogs' }, tags: [{ id: 2, name: 'good' }] };
    expectCalls((r) => ({ json: JSON.parse(r.body) as unknown }));
    const added = await handler(postJson('http://a.local/pet', full));
    expect(added.status).toBe(200);
    expect(wire()).toEqual(['POST /base/pet']);
    expect(upstream.seen[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(upstream.seen[0].body)).toEqual(full);

    expectCalls(() => ({ status: 200, json: pet }));
    await callTool(await mcp('petstore3.yaml', 'pet'), 'update-pet-with-form', {
      petId: 7,
      name: 'Rex',
      status: 'sold',
    });
    expect(wire()).toEqual(['POST /base/pet/7?name=Rex&status=sold']);
    expect(upstream.seen[0].body).toBe('');
    expect(upstream.seen[0].headers['content-type']).toBeUndefined();

    expectCalls(() => ({ status: 200, json: {} }));
    await callTool(await mcp('petstore3.yaml', 'pet'), 'delete-pet', { petId: 7, api_key: 'k-1' });
    expect(wire()).toEqual(['DELETE /base/pet/7']);
    expect(upstream.seen[0].headers.api_key).toBe('k-1');

    expectCalls(() => ({ json: { available: 3, sold: 1 } }));
    const inventory = await callTool(await mcp('petstore3.yaml', 'store'), 'get-inventory', {});
    expect(inventory).toEqual({ available: 3, sold: 1 });
    expect(wire()).toEqual(['GET /base/store/inventory']);
    expect(upstream.seen[0].headers.api_key).toBe('key-abc-123');
  });

  it('petstore3: the application/octet-stream upload is imported with a positioned warning', () => {
    // capgen's client sends JSON or form bodies only: a raw binary body is a known limit.
    expect(imports.get('petstore3.yaml')!.stderr).toContain(
      "specs/petstore3.yaml:223:9  warning  import/body-media-type  POST /pet/{petId}/uploadImage takes application/octet-stream; capgen's client sends request bodies as JSON or form-urlencoded only",
    );
  });

  it('petstore3: a relative server URL is refused with a hint that keeps its path', async () => {
    const dir = project('petstore3-relative');
    fs.copyFileSync(path.join(FIXTURES, 'petstore3.yaml'), path.join(dir, 'specs/petstore3.yaml'));
    const imported = await cli(dir, 'import', '--openapi', 'specs/petstore3.yaml');
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(
      "specs/petstore3.yaml:3:10  error  import/no-base-uri  server URL '/v3' is not an absolute http(s) URL\n    hint: it is relative to where the document is served: pass the absolute URL, e.g. --base-uri https://api.example.com/v3",
    );
  });

  it('api-with-examples as published (a closing brace indented too little): one positioned YAML error, not 164', async () => {
    const dir = project('api-with-examples-published');
    const text = fs.readFileSync(path.join(FIXTURES, 'api-with-examples.yaml'), 'utf8').split('\n');
    expect(text[42]).toBe('                  }');
    text[42] = '                 }';
    fs.writeFileSync(path.join(dir, 'specs/api.yaml'), text.join('\n'));
    const imported = await cli(dir, 'import', '--openapi', 'specs/api.yaml');
    expect(imported.code).toBe(1);
    const errors = imported.stderr.split('\n').filter((line) => line.includes('  error  '));
    expect(errors).toEqual([
      expect.stringMatching(
        /^specs\/api\.yaml:43:18 {2}error {2}yaml\/syntax {2}Flow map in block collection must be sufficiently indented and end with a \} \(\d+ more syntax error\(s\) after it, most likely caused by this one\)$/,
      ),
    ]);
  });

  it('api-with-examples: responses with examples and no schema; a 203 answer', async () => {
    const handler = await rest('api-with-examples.yaml', 'root');
    const versions = { versions: [{ id: 'v2.0', status: 'CURRENT' }] };
    expectCalls(() => ({ json: versions }));
    const root = await handler(new Request('http://a.local/'));
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual(versions);
    expect(wire()).toEqual(['GET /base/']);

    expectCalls(() => ({ status: 203, json: { version: { id: 'v2.0' } } }));
    expect(
      await callTool(await mcp('api-with-examples.yaml', 'v2'), 'get-version-detailsv2', {}),
    ).toEqual({ version: { id: 'v2.0' } });
    expect(wire()).toEqual(['GET /base/v2']);
  });

  it('non-oauth-scopes (3.1): an operation without operationId or responses; bearer with scopes', async () => {
    process.env.NON_O_AUTH_SCOPES_EXAMPLE_TOKEN = 'jwt-abc-123';
    const handler = await rest('non-oauth-scopes.yaml', 'users');
    expectCalls(() => ({ json: [{ id: 1 }] }));
    const users = await handler(new Request('http://a.local/users'));
    expect(users.status).toBe(200);
    expect(await users.json()).toEqual([{ id: 1 }]);
    expect(upstream.seen[0].headers.authorization).toBe('Bearer jwt-abc-123');

    expectCalls(() => ({ json: [] }));
    await callTool(await mcp('non-oauth-scopes.yaml', 'users'), 'get-users', {});
    expect(wire()).toEqual(['GET /base/users']);
  });
});

describe('Uber (OAI example): double-precision query numbers, an API key in the query of one operation', () => {
  it('REST: four required doubles on the wire as given; a missing one and a word are refused', async () => {
    const handler = await rest('uber.yaml', 'estimates');
    const query =
      'start_latitude=37.7752315&start_longitude=-122.418075&end_latitude=37.7752415&end_longitude=-122.518075';
    expectCalls(() => ({ json: [{ product_id: 'x', estimate: '$5-8', low_estimate: 5 }] }));
    const prices = await handler(new Request(`http://a.local/estimates/price?${query}`));
    expect(prices.status).toBe(200);
    expect(wire()).toEqual([`GET /base/estimates/price?${query}`]);
    expect(upstream.seen[0].url.searchParams.has('server_token')).toBe(false);
    const missing = await handler(
      new Request(
        'http://a.local/estimates/price?start_latitude=1&start_longitude=2&end_latitude=3',
      ),
    );
    expect(missing.status).toBe(400);
    const word = await handler(
      new Request(`http://a.local/estimates/price?${query}`.replace('37.7752315', 'north')),
    );
    expect(word.status).toBe(400);
  });

  it('MCP: the products tool sends the key from the environment in the query', async () => {
    process.env.UBER_API_KEY = 'uber-key-123456';
    expectCalls(() => ({ json: { products: [{ product_id: 'x', capacity: 4 }] } }));
    const products = await callTool(await mcp('uber.yaml', 'products'), 'get-products', {
      latitude: 37.5,
      longitude: -122.25,
    });
    expect(products).toEqual({ products: [{ product_id: 'x', capacity: 4 }] });
    expect(wire()).toEqual([
      'GET /base/products?latitude=37.5&longitude=-122.25&server_token=uber-key-123456',
    ]);
  });
});

describe('GitHub (a slice of its REST description)', () => {
  const advisory = {
    ghsa_id: 'GHSA-1234-5678-9abc',
    cve_id: null,
    severity: 'high',
    cwes: [{ cwe_id: 'CWE-79', name: 'XSS' }],
    credits: null,
    withdrawn_at: null,
  };

  it('a oneOf string-or-array query, $ref enum and cursor parameters, nullable fields', async () => {
    const handler = await rest('github-advisories.yaml', 'security-advisories');
    expectCalls(() => ({ json: [advisory] }));
    const list = await handler(
      new Request(
        'http://a.local/advisories?cwes=79&cwes=284&ecosystem=npm&is_withdrawn=false&after=Y3Vy&direction=asc&per_page=5',
      ),
    );
    expect(list.status, await list.clone().text()).toBe(200);
    expect(await list.json()).toEqual([advisory]);
    expect(wire()).toEqual([
      'GET /base/advisories?ecosystem=npm&cwes=79&cwes=284&is_withdrawn=false&after=Y3Vy&direction=asc&per_page=5',
    ]);
    const bad = await handler(new Request('http://a.local/advisories?ecosystem=cobol'));
    expect(bad.status).toBe(400);

    expectCalls(() => ({ json: [] }));
    const client = await mcp('github-advisories.yaml', 'security-advisories');
    await callTool(client, 'security-advisories-list-global-advisories', { cwes: '79' });
    expect(wire()).toEqual(['GET /base/advisories?cwes=79']);
  });

  it('a $ref path parameter; a nullable-field answer through MCP', async () => {
    expectCalls(() => ({ json: advisory }));
    const got = await callTool(
      await mcp('github-advisories.yaml', 'security-advisories'),
      'security-advisories-get-global-advisory',
      { ghsa_id: 'GHSA-1234-5678-9abc' },
    );
    expect(got).toEqual(advisory);
    expect(wire()).toEqual(['GET /base/advisories/GHSA-1234-5678-9abc']);
  });
});

describe('a document with a $ref it never defines (callback-example)', () => {
  it('import and generate say where it is; --strict refuses it, writing nothing; without --strict it generates', async () => {
    const dir = project('callback-example');
    fs.copyFileSync(
      path.join(FIXTURES, 'callback-example.yaml'),
      path.join(dir, 'specs/callback-example.yaml'),
    );
    const imported = await cli(
      dir,
      'import',
      '--openapi',
      'specs/callback-example.yaml',
      '--base-uri',
      'https://streams.example',
    );
    expect(imported.code, imported.all).toBe(0);
    const at =
      /specs\/callback-example\.yaml:51:33 {2}\w+ {2}openapi\/dangling-ref {2}\$ref '#\/components\/schemas\/UserLogData'/;
    expect(imported.stderr).toMatch(at);
    expect(imported.stderr).toContain(
      'specs/callback-example.yaml:36:9  info  import/not-imported  the callbacks of POST /streams are requests the API sends',
    );
    const strict = await cli(dir, 'generate', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(at);
    expect(strict.all).toContain('nothing was written');
    expect(fs.existsSync(path.join(dir, 'generated'))).toBe(false);
    const lenient = await cli(dir, 'generate');
    expect(lenient.code, lenient.all).toBe(0);
    expect(fs.existsSync(path.join(dir, 'generated/streams/client.ts'))).toBe(true);
  });
});
