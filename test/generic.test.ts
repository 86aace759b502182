/**
 * capgen on an API that is not Stripe: a small Todo API (OpenAPI 3.1, JSON bodies, an API-key
 * header, path-level parameters, 204 responses) with a capability that uses literals in `with`,
 * array/object output mappings, inbound bearer auth on REST and a stdio MCP server. Its whole
 * generated tree is a golden file set (UPDATE_GOLDEN=1 rewrites it), and the generated adapters are
 * exercised end to end against a mocked upstream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';
import { runPipeline } from '../generator/pipeline.js';
import { check, formatDiagnostics, strictProject } from './helpers/ts-project.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = path.join(ROOT, 'test/fixtures/generic');
const GOLDEN = path.join(ROOT, 'test/golden/generic');
// A copy of the fixture project inside the repository (git-ignored), so generated imports of
// @modelcontextprotocol/sdk resolve to node_modules; capgen writes only inside the project it runs in.
const PROJECT = path.join(ROOT, '.tmp-generic');
const OUT = path.join(PROJECT, 'generated');

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}
const seen: Seen[] = [];
const upstream = setupServer(
  http.all('https://api.todo.example/v2/*', async ({ request }) => {
    seen.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    });
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname === '/v2/todos') {
      return HttpResponse.json({
        items: [
          { id: 't1', title: 'milk', status: 'open', tags: ['x'] },
          { id: 't2', title: 'eggs', status: 'done' },
        ],
        next: null,
      });
    }
    if (request.method === 'POST')
      return HttpResponse.json(
        { id: 't3', status: 'open', ...(JSON.parse(seen.at(-1)!.body) as object) },
        { status: 201 },
      );
    if (request.method === 'DELETE') return new HttpResponse(null, { status: 204 });
    return HttpResponse.json({ id: url.pathname.split('/').pop(), title: 'milk', status: 'open' });
  }),
);

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (fs.statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

const env = { TODO_API_KEY: 'todo-secret-key-123', TODOS_ADAPTER_TOKEN: 'adapter-token-456' };

beforeAll(async () => {
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.cpSync(FIXTURE, PROJECT, { recursive: true });
  const output: string[] = [];
  const code = await runCli(['generate'], {
    cwd: PROJECT,
    stdout: (t) => output.push(t),
    stderr: (t) => output.push(t),
    color: false,
  });
  expect(code, output.join('')).toBe(0);
  Object.assign(process.env, env);
  upstream.listen({ onUnhandledRequest: 'bypass' });
});

afterAll(() => {
  upstream.close();
  fs.rmSync(PROJECT, { recursive: true, force: true });
});

describe('generic API: generated files', () => {
  it('match the golden files (the capability folder and the API types; the runtime is shared)', () => {
    const actual = Object.fromEntries(
      Object.entries(tree(OUT)).filter(([p]) => p.startsWith('todos/') || p.startsWith('types/')),
    );
    expect(Object.keys(actual)).toContain('types/todo.ts');
    if (process.env.UPDATE_GOLDEN) {
      fs.rmSync(GOLDEN, { recursive: true, force: true });
      for (const [p, contents] of Object.entries(actual)) {
        fs.mkdirSync(path.dirname(path.join(GOLDEN, p)), { recursive: true });
        fs.writeFileSync(path.join(GOLDEN, p), contents);
      }
    }
    expect(actual).toEqual(tree(GOLDEN));
  });

  it('derive types from OpenAPI 3.1, including path-level parameters and 204 responses', () => {
    const types = fs.readFileSync(path.join(OUT, 'todos/types.ts'), 'utf8');
    expect(types).toMatch(/export interface GetTodosIdParams \{[^}]*id: string;/s);
    expect(types).toMatch(/status\?: 'open' \| 'done';/);
    expect(types).toContain("import type * as Todo from '../types/todo.js';");
    expect(types).toContain('export type PostTodosBody = Todo.NewTodo;');
    expect(types).toMatch(/declares no JSON response body/);
  });

  it('type expandable fields, generic and x-expansionResources, and recursion through named types', () => {
    const project = strictProject();
    project.addSourceFilesAtPaths(path.join(OUT, '{todos,types}/*.ts'));
    project.addSourceFilesAtPaths(path.join(OUT, 'runtime/contract.ts'));
    expect(formatDiagnostics(project, check(project))).toBe('');
    const types = project.getSourceFileOrThrow(path.join(OUT, 'todos/types.ts'));
    const todo = types.getTypeAliasOrThrow('GetTodosIdResponse').getType();
    const text = (name: string, type = todo) =>
      type.getPropertyOrThrow(name).getTypeAtLocation(types).getText(types);
    expect(text('project')).toBe('string | Todo.Project | undefined'); // anyOf [id, $ref]
    expect(text('owner')).toBe('string | Todo.User | undefined'); // x-expansionResources
    const parent = todo.getPropertyOrThrow('project').getTypeAtLocation(types).getUnionTypes();
    const projectType = parent.find((t) => t.getText(types) === 'Todo.Project')!;
    expect(text('parent', projectType)).toBe('Todo.Project | null | undefined');
    // Only what the capability reaches is emitted, under the spec's names.
    const shared = fs.readFileSync(path.join(OUT, 'types/todo.ts'), 'utf8');
    expect([...shared.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1])).toEqual([
      'NewTodo',
      'Project',
      'Todo',
      'User',
    ]);
  });

  it('cut types at typeDepth when configured: schemas further away stay named but opaque', async () => {
    // In the project copy: capgen reads only inside its project.
    const config = 'depth.capgen.yaml';
    fs.writeFileSync(
      path.join(PROJECT, config),
      [
        'openapi: [specs/todo.openapi.yaml]',
        'capabilities: [specs/todos.yaml]',
        'typeDepth: 1',
      ].join('\n'),
    );
    const result = await runPipeline(PROJECT, { config }, { emit: true });
    const shared = result.files?.find((f) => f.path === 'types/todo.ts')?.contents ?? '';
    // Todo and NewTodo are one $ref from an operation; Project and User, two.
    expect(shared).toMatch(/export type Todo = NewTodo & \{\n {2}id: string;/);
    expect(shared).toContain('export interface NewTodo {');
    for (const name of ['Project', 'User'])
      expect(shared).toContain(
        `/** A ${name} object, not typed in detail: it lies deeper than the type depth limit of 1. */\nexport type ${name} = {\n  [key: string]: unknown;\n};`,
      );
  });

  it('carry nothing Stripe-specific: JSON bodies, no version header', () => {
    const client = fs.readFileSync(path.join(OUT, 'todos/client.ts'), 'utf8');
    expect(client).toContain("mediaType: 'application/json'");
    expect(client).not.toMatch(/Stripe|x-www-form-urlencoded/);
  });
});

describe('generic API: REST adapter', () => {
  let handler: (request: Request) => Promise<Response>;
  beforeAll(async () => {
    const rest = (await import(pathToFileURL(path.join(OUT, 'todos/rest.ts')).href)) as {
      createHandler(o?: object): typeof handler;
    };
    handler = rest.createHandler({ maxRetries: 0 });
  });
  const call = (
    pathAndQuery: string,
    init: RequestInit = {},
    token: string | null = env.TODOS_ADAPTER_TOKEN,
  ) =>
    handler(
      new Request(`http://adapter.local${pathAndQuery}`, {
        ...init,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.headers as Record<string, string>),
        },
      }),
    );

  it('refuses callers without the declared bearer token, before any upstream call', async () => {
    seen.length = 0;
    expect((await call('/todos', {}, null)).status).toBe(401);
    expect((await call('/todos', {}, 'wrong')).status).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it('sends the API key header, a literal from `with`, and maps the output through JSONPath', async () => {
    seen.length = 0;
    const response = await call('/todos?status=open');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { id: 't1', title: 'milk' },
      { id: 't2', title: 'eggs' },
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0].url.pathname).toBe('/v2/todos');
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({
      status: 'open',
      page_size: '20',
    });
    expect(seen[0].headers.get('x-api-key')).toBe(env.TODO_API_KEY);
    expect(seen[0].headers.get('authorization')).toBeNull();
    expect(seen[0].headers.get('stripe-version')).toBeNull();
  });

  it('validates enums and the JSON body against the OpenAPI schema', async () => {
    seen.length = 0;
    const bad = await call('/todos?status=someday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('status');
    const missing = await call('/todos', {
      method: 'POST',
      body: JSON.stringify({ due: '2026-01-01' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('title');
    expect(seen).toHaveLength(0);
  });

  it('forwards a JSON body as JSON and answers an empty 204 upstream', async () => {
    seen.length = 0;
    const created = await call('/todos', {
      method: 'POST',
      body: JSON.stringify({ title: 'bread', tags: ['a'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201); // the upstream's success status passes through
    expect(await created.json()).toEqual({ id: 't3', status: 'open', title: 'bread', tags: ['a'] });
    expect(seen[0].headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(seen[0].body)).toEqual({ title: 'bread', tags: ['a'] });
    expect(seen[0].headers.get('idempotency-key')).toMatch(/\S/);
    const deleted = await call('/todos/t%2F1', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(seen[1].url.pathname).toBe('/v2/todos/t%2F1');
  });
});

describe('generic API: MCP server', () => {
  let client: Client;
  beforeAll(async () => {
    const mcp = (await import(pathToFileURL(path.join(OUT, 'todos/mcp.ts')).href)) as {
      createServer(o?: object): Server;
      TRANSPORT: string;
    };
    expect(mcp.TRANSPORT).toBe('stdio');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await mcp.createServer({ maxRetries: 0 }).connect(serverSide);
    client = new Client({ name: 'generic-test', version: '1.0.0' });
    await client.connect(clientSide);
  });
  afterAll(() => client?.close());

  it('lists tools with declared inputs, labels, Naftiko hint defaults and OpenAPI-derived body schemas', async () => {
    expect(client.getInstructions()).toBe('Tools for the Todo API.');
    const { tools } = await client.listTools();
    const get = tools.find((t) => t.name === 'get-todo')!;
    expect(get.title).toBe('Get a todo');
    expect(get.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(get.inputSchema).toMatchObject({
      type: 'object',
      properties: { id: { type: 'string', description: "The todo's id." } },
      required: ['id'],
    });
    const add = tools.find((t) => t.name === 'add-todo')!;
    expect(add.inputSchema.properties?.todo).toMatchObject({
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string', maxLength: 200 } },
    });
  });

  it('calls the upstream with a JSON body and returns structured content', async () => {
    seen.length = 0;
    const result = await client.callTool({
      name: 'add-todo',
      arguments: { todo: { title: 'tea' } },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ id: 't3', status: 'open', title: 'tea' });
    expect(JSON.parse(seen[0].body)).toEqual({ title: 'tea' });
    const invalid = await client.callTool({ name: 'add-todo', arguments: { todo: { title: 5 } } });
    expect(invalid.isError).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
