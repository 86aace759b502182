/**
 * The constructs of the Naftiko specification beyond our own dialect, generated and run end to end:
 * requests go through the generated REST adapter, MCP server and client, and a local fake upstream
 * (node:http on 127.0.0.1) records what reaches it.
 *
 * The project (written at test time, so the `file:///` binds location can be absolute) has:
 * - a shared-consumes document (root `consumes`, no `capability`, no `info`) whose binds read
 *   `{{REGISTRY_TOKEN}}` from the environment and `{{REGISTRY_KEY}}` from a JSON secrets file,
 *   imported by the capability with `location` / `import` / `as`;
 * - a capability without `info`, version 1.0.0-alpha3;
 * - `{{param}}` path placeholders and a path without a leading `/`;
 * - fixed `value`s on parameters (literal, a bound secret, a `{{variable}}` of the call);
 * - a JSON body template filled from inputs selected by JSONPath from the request body
 *   (`value: $.user.id`), as the engine's HttpBodyIntegrationTest does;
 * - `with` values written as `{{input}}` templates, and an exposed input's `value` as its default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generate,
  loadGenerated,
  mcpClient,
  postJson,
  restHandler,
} from './helpers/generated-e2e.js';
import { startFakeUpstream, type RecordingUpstream } from './helpers/fake-upstream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Inside the project, so generated imports of @modelcontextprotocol/sdk resolve to node_modules.
const PROJECT = path.join(ROOT, '.tmp-constructs');
const OUT = path.join(PROJECT, 'generated');
const SECRETS = path.join(PROJECT, 'secrets', 'registry.json');

const key = 'key-from-the-file-42';
const token = 'token-from-the-env-7';
let upstream: RecordingUpstream;
const seen = () => upstream.seen;

const shared = (secrets: string) => `naftiko: "1.0.0-alpha3"
binds:
  - namespace: environment
    keys:
      REGISTRY_TOKEN: SHIPS_REGISTRY_TOKEN
  - namespace: secrets-file
    location: "${pathToFileURL(secrets).href}"
    keys:
      REGISTRY_KEY: REGISTRY_KEY
consumes:
  - type: http
    namespace: registry
    description: The ship registry.
    baseUri: https://registry.example.invalid/api
    authentication:
      type: bearer
      token: "{{REGISTRY_TOKEN}}"
    inputParameters:
      - name: X-Api-Key
        in: header
        value: "{{REGISTRY_KEY}}"
    resources:
      - name: ships
        path: "ships/{{imo}}"
        operations:
          - name: get-ship
            method: GET
            inputParameters:
              - name: imo
                in: path
              - name: source
                in: query
                value: capgen
              - name: X-Request-Tag
                in: header
                value: "tag-{{tag}}"
`;

const CAPABILITY = `naftiko: "1.0.0-alpha3"
capability:
  consumes:
    - location: ./registry.consumes.yaml
      import: registry
      as: reg
    - type: http
      namespace: users
      baseUri: https://users.example.invalid
      resources:
        - name: create
          path: create
          operations:
            - name: create
              method: POST
              body: |
                {"id":"{{userId}}","name":"{{userName}}"}
  exposes:
    - type: rest
      namespace: ships-rest
      port: 8080
      resources:
        - path: "/ships/{{imo}}"
          operations:
            - method: GET
              name: get-ship
              call: reg.get-ship
              inputParameters:
                - name: imo
                  in: path
                  type: string
                  description: IMO number
                - name: tag
                  in: query
                  type: string
                  description: A tag sent upstream in a header
                  value: grey
              with:
                imo: "{{imo}}"
              outputParameters:
                - type: object
                  properties:
                    name:
                      type: string
                      mapping: $.vessel_name
                    seenPath:
                      type: string
                      mapping: $.path
        - path: users
          operations:
            - method: POST
              name: create-user
              call: users.create
              inputParameters:
                - name: userId
                  in: body
                  type: string
                  description: User id, read from the request body
                  value: $.user.id
                - name: userName
                  in: body
                  type: string
                  description: User name, read from the request body
                  value: $.user.name
    - type: mcp
      namespace: ships-mcp
      port: 9090
      tools:
        - name: get-ship
          description: Get a ship by IMO number.
          inputParameters:
            - name: number
              type: string
              description: IMO number
            - name: tag
              type: string
              description: A tag
          call: reg.get-ship
          with:
            imo: "IMO-{{number}}"
            tag: ships-mcp.tag
`;

beforeAll(async () => {
  upstream = await startFakeUpstream(({ url, body }) =>
    url.pathname.endsWith('/ECHO-KEY')
      ? // An upstream that echoes the credentials it got in its error.
        { status: 401, json: { error: { message: `bad key ${key} for token ${token}` } } }
      : { json: { vessel_name: 'Northern Star', path: url.pathname, echo: body } },
  );
  const base = upstream.url;
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.mkdirSync(path.join(PROJECT, 'specs'), { recursive: true });
  fs.mkdirSync(path.dirname(SECRETS), { recursive: true });
  fs.writeFileSync(SECRETS, JSON.stringify({ REGISTRY_KEY: key }));
  fs.writeFileSync(path.join(PROJECT, 'specs/registry.consumes.yaml'), shared(SECRETS));
  fs.writeFileSync(path.join(PROJECT, 'specs/ships.yaml'), CAPABILITY);
  await generate(PROJECT, OUT);
  Object.assign(process.env, {
    SHIPS_REGISTRY_TOKEN: token,
    REG_BASE_URI: `${base}/api`,
    REGISTRY_BASE_URI: `${base}/api`,
    USERS_BASE_URI: `${base}/users-api`,
  });
});

afterAll(async () => {
  await upstream.close();
  if (!process.env.KEEP_CONSTRUCTS) fs.rmSync(PROJECT, { recursive: true, force: true });
});

describe('generated code for the specification constructs', () => {
  it('carries no secret: the token and the file key are read at run time', () => {
    const all = [
      'ships/client.ts',
      'ships/rest-handler.ts',
      'ships/mcp-handler.ts',
      'ships/README.md',
    ]
      .map((f) => fs.readFileSync(path.join(OUT, f), 'utf8'))
      .join('\n');
    expect(all).not.toContain(key);
    expect(all).not.toContain(token);
    expect(all).toContain('SHIPS_REGISTRY_TOKEN');
  });

  it('generates a client for the shared-consumes document on its own', () => {
    expect(fs.existsSync(path.join(OUT, 'registry-consumes/client.ts'))).toBe(true);
    expect(fs.existsSync(path.join(OUT, 'registry-consumes/rest.ts'))).toBe(false);
  });
});

describe('REST adapter → fake upstream', () => {
  let handler: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    handler = await restHandler(path.join(OUT, 'ships/rest.ts'));
  });

  it('{{imo}} placeholders, a relative consumed path, fixed values, env and file binds, an imported and renamed consumes block', async () => {
    seen().length = 0;
    const response = await handler(new Request('http://adapter.local/ships/IMO-9321483?tag=blue'));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toEqual({
      name: 'Northern Star',
      seenPath: '/api/ships/IMO-9321483',
    });
    expect(seen()).toHaveLength(1);
    const [request] = seen();
    expect(request.method).toBe('GET');
    expect(request.url.pathname).toBe('/api/ships/IMO-9321483');
    expect(Object.fromEntries(request.url.searchParams)).toEqual({ source: 'capgen' });
    expect(request.headers['x-request-tag']).toBe('tag-blue');
    expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(request.headers['x-api-key']).toBe(key);
    // Without the query parameter, the input's `value` is its default.
    await handler(new Request('http://adapter.local/ships/IMO-1'));
    expect(seen()[1].headers['x-request-tag']).toBe('tag-grey');
  });

  it('a JSON body template filled from inputs selected by JSONPath from the request body', async () => {
    seen().length = 0;
    const response = await handler(
      postJson('http://adapter.local/users', { user: { id: '123', name: 'Alice "Al" O\'Neil' } }),
    );
    expect(response.status, await response.clone().text()).toBe(200);
    expect(seen()).toHaveLength(1);
    expect(seen()[0].method).toBe('POST');
    expect(seen()[0].url.pathname).toBe('/users-api/create');
    expect(seen()[0].headers['content-type']).toMatch(/^application\/json/);
    // Values are escaped into the JSON template: the body stays valid JSON.
    expect(JSON.parse(seen()[0].body)).toEqual({ id: '123', name: 'Alice "Al" O\'Neil' });
  });

  it('an upstream error echoing the bound secrets reaches the caller with both redacted', async () => {
    const response = await handler(new Request('http://adapter.local/ships/ECHO-KEY'));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain('bad key');
    expect(text).not.toContain(key);
    expect(text).not.toContain(token);
  });

  it('a missing secret file key is a 500 naming the variable, never a value', async () => {
    seen().length = 0;
    fs.writeFileSync(SECRETS, JSON.stringify({ OTHER: 'x' }));
    try {
      const response = await handler(new Request('http://adapter.local/ships/IMO-1'));
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).toContain('REGISTRY_KEY');
      expect(text).not.toContain(token);
      expect(seen()).toHaveLength(0);
    } finally {
      fs.writeFileSync(SECRETS, JSON.stringify({ REGISTRY_KEY: key }));
    }
  });
});

describe('MCP server → fake upstream', () => {
  let client: Client;
  beforeAll(async () => {
    client = await mcpClient(path.join(OUT, 'ships/mcp.ts'));
  });
  afterAll(() => client.close());

  it('a `with` template over tool inputs, through the imported consumes block', async () => {
    seen().length = 0;
    const result = await client.callTool({
      name: 'get-ship',
      arguments: { number: '9321483', tag: 'red' },
    });
    expect(result.isError, JSON.stringify(result)).toBeFalsy();
    expect(seen()).toHaveLength(1);
    expect(seen()[0].url.pathname).toBe('/api/ships/IMO-9321483');
    expect(seen()[0].headers['x-request-tag']).toBe('tag-red');
    expect(seen()[0].headers['x-api-key']).toBe(key);
  });
});

describe('typed client → fake upstream', () => {
  it('takes template variables as parameters', async () => {
    const mod = await loadGenerated<
      Record<string, (o?: object) => Record<string, (p: object) => Promise<unknown>>>
    >(path.join(OUT, 'ships/client.ts'));
    const factory = Object.entries(mod).find(([k]) => /^create\w+Client$/.test(k))![1];
    const client = factory({ maxRetries: 0 });
    seen().length = 0;
    const create = Object.entries(client).find(([k]) => k.startsWith('post'))![1];
    await create({ userId: 'u-9', userName: 'Bob' });
    expect(JSON.parse(seen()[0].body)).toEqual({ id: 'u-9', name: 'Bob' });
  });
});
