/**
 * Skill adapters, generated and served:
 * - skill-capability.yaml of the Naftiko Framework, as it is, asserting what the engine's
 *   SkillIntegrationTest asserts on it (catalog, detail with derived and instruction tools, 404s,
 *   a descriptive skill without tools; its location folder does not exist, so contents and download
 *   are 404, one of the answers that test allows);
 * - a capability of ours whose skills take tools from a REST adapter and an MCP server and read
 *   instruction files from a folder inside the project: every generated SKILL.md is read with a
 *   YAML front-matter parser (gray-matter) and every tool it names exists in the generated
 *   adapters; contents, files and the ZIP download are served from the folder, unsafe paths
 *   refused. The same capability's MCP server serves a static resource folder and a file prompt.
 *
 * Reads ../shared for the engine's example; skips that part with a printed notice where it is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { unzipSync } from 'fflate';
import matter from 'gray-matter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../generator/cli.js';
import { generate, loadGenerated, mcpClient } from './helpers/generated-e2e.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = path.resolve(ROOT, '../shared/naftiko/framework/examples/skill-capability.yaml');
const available = fs.existsSync(EXAMPLE);
if (!available)
  console.warn(`naftiko-skills.e2e: the engine's example is skipped, ${EXAMPLE} is not there`);
const PROJECT = path.join(ROOT, '.tmp-naftiko-skills');
const OUT = path.join(PROJECT, 'generated');
const FILES = path.join(PROJECT, 'files');
const fileUri = (p: string) => pathToFileURL(path.join(FILES, p)).href;

const SHOP = `naftiko: "1.0.0-alpha3"
info:
  label: Shop skills
  description: Skills over a shop.
capability:
  exposes:
    - type: rest
      port: 9100
      namespace: shop-rest
      resources:
        - path: /orders
          name: orders
          operations:
            - method: GET
              name: list-orders
              call: shop.list-orders
    - type: mcp
      port: 9101
      namespace: shop-mcp
      description: Shop tools.
      tools:
        - name: get-order
          description: Get one order.
          call: shop.get-order
          with:
            id: shop-mcp.id
          inputParameters:
            - name: id
              type: string
              description: Order id
      resources:
        - name: docs
          label: Docs
          uri: docs://shop
          description: Shop documentation.
          location: ${JSON.stringify(fileUri('docs'))}
      prompts:
        - name: from-file
          label: From file
          description: A prompt read from a file.
          arguments:
            - name: topic
              description: Topic
          location: ${JSON.stringify(fileUri('prompt.md'))}
    - type: skill
      port: 9102
      namespace: shop-skills
      description: Shop skills.
      skills:
        - name: orders
          description: "Work with orders: list them, read one. --- not: a key"
          location: ${JSON.stringify(fileUri('orders-skill'))}
          allowed-tools: "list get guide"
          license: MIT
          metadata:
            team: shop
          tools:
            - name: list
              description: List orders
              from:
                sourceNamespace: shop-rest
                action: list-orders
            - name: get
              description: Get one order
              from:
                sourceNamespace: shop-mcp
                action: get-order
            - name: guide
              description: How to work with orders
              instruction: references/guide.md
  consumes:
    - type: http
      namespace: shop
      baseUri: http://127.0.0.1:9/v1
      resources:
        - name: orders
          path: /orders
          operations:
            - method: GET
              name: list-orders
        - name: order
          path: /orders/{{id}}
          operations:
            - method: GET
              name: get-order
`;

const GUIDE = '# Guide\n\nList first, then read one.\n';

type Handler = (request: Request) => Promise<Response>;
const get = (handler: Handler, route: string) =>
  handler(new Request(`http://skills.local${route}`));

beforeAll(async () => {
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.mkdirSync(path.join(PROJECT, 'specs'), { recursive: true });
  fs.mkdirSync(path.join(FILES, 'orders-skill/references'), { recursive: true });
  fs.mkdirSync(path.join(FILES, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(FILES, 'orders-skill/references/guide.md'), GUIDE);
  fs.writeFileSync(path.join(FILES, 'orders-skill/overview.txt'), 'Orders overview\n');
  fs.writeFileSync(path.join(FILES, 'secret.txt'), 'do-not-serve\n');
  fs.symlinkSync(path.join(FILES, 'secret.txt'), path.join(FILES, 'orders-skill/link.txt'));
  fs.writeFileSync(path.join(FILES, 'docs/readme.md'), '# Shop\n');
  fs.writeFileSync(path.join(FILES, 'prompt.md'), 'Explain {{topic}} to a new {{role}}.');
  fs.writeFileSync(path.join(PROJECT, 'specs/shop-skills.yaml'), SHOP);
  if (available) fs.copyFileSync(EXAMPLE, path.join(PROJECT, 'specs/skill-capability.yaml'));
  await generate(PROJECT, OUT);
});

afterAll(() => fs.rmSync(PROJECT, { recursive: true, force: true }));

describe.skipIf(!available)('skill-capability.yaml (SkillIntegrationTest)', () => {
  let handler: Handler;
  beforeAll(async () => {
    const skills = await loadGenerated<{ createHandler(): Handler }>(
      path.join(OUT, 'skill-capability/skills.ts'),
    );
    handler = skills.createHandler();
  });

  it('GET /skills lists both skills with a count', async () => {
    const response = await get(handler, '/skills');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { count: number; skills: Array<{ name: string }> };
    expect(body.count).toBe(2);
    expect(body.skills.map((s) => s.name)).toEqual(['order-management', 'onboarding-guide']);
  });

  it('GET /skills/order-management: metadata, a derived tool with its invocationRef, an instruction', async () => {
    const response = await get(handler, '/skills/order-management');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      name: 'order-management',
      description: 'Tools for managing orders',
      'allowed-tools': 'list-orders',
      'argument-hint': 'Use for order operations',
      tools: [
        {
          name: 'list-orders',
          description: 'List all orders in the system',
          type: 'derived',
          invocationRef: { targetNamespace: 'orders-rest', action: 'list-orders', mode: 'rest' },
        },
        {
          name: 'order-guide',
          description: 'Guide for working with orders',
          type: 'instruction',
          instruction: 'order-guide.md',
        },
      ],
    });
  });

  it('a descriptive skill has no tools; unknown skills and a missing location folder are 404', async () => {
    expect(await (await get(handler, '/skills/onboarding-guide')).json()).toMatchObject({
      name: 'onboarding-guide',
      tools: [],
    });
    for (const route of [
      '/skills/unknown-skill',
      '/skills/unknown-skill/contents',
      '/skills/order-management/contents',
      '/skills/order-management/contents/overview',
      '/skills/order-management/download',
      '/skills/onboarding-guide/contents',
    ])
      expect((await get(handler, route)).status, route).toBe(404);
  });

  it('SKILL.md of each skill: front matter as declared, the derived tool resolved to the REST route', async () => {
    const folder = path.join(OUT, 'skill-capability/skills');
    expect(fs.readdirSync(folder).sort()).toEqual(['onboarding-guide', 'order-management']);
    const skill = matter(fs.readFileSync(path.join(folder, 'order-management/SKILL.md'), 'utf8'));
    expect(skill.data).toEqual({
      name: 'order-management',
      description: 'Tools for managing orders',
      'allowed-tools': 'list-orders',
      'argument-hint': 'Use for order operations',
    });
    expect(skill.content).toContain('Call `GET /orders` on the `orders-rest` REST adapter');
  });
});

describe('skills taken from a REST adapter and an MCP server, instruction files in the project', () => {
  let handler: Handler;
  const folder = path.join(OUT, 'shop-skills/skills/orders');
  beforeAll(async () => {
    const skills = await loadGenerated<{ createHandler(): Handler }>(
      path.join(OUT, 'shop-skills/skills.ts'),
    );
    handler = skills.createHandler();
  });

  it('every tool SKILL.md names exists in the generated adapters; instruction files are copied', async () => {
    const skill = matter(fs.readFileSync(path.join(folder, 'SKILL.md'), 'utf8'));
    expect(skill.data).toEqual({
      name: 'orders',
      description: 'Work with orders: list them, read one. --- not: a key',
      'allowed-tools': 'list-orders get-order',
      license: 'MIT',
      metadata: { team: 'shop' },
    });
    const rest = await loadGenerated<{
      REST_ADAPTER: { routes: Array<{ operationName: string }> };
    }>(path.join(OUT, 'shop-skills/rest.ts'));
    const client = await mcpClient(path.join(OUT, 'shop-skills/mcp.ts'));
    const tools = (await client.listTools()).tools.map((t) => t.name);
    await client.close();
    const served = new Set([...rest.REST_ADAPTER.routes.map((r) => r.operationName), ...tools]);
    const allowed = String(skill.data['allowed-tools']).split(' ');
    expect(allowed.filter((name) => !served.has(name))).toEqual([]);
    // Every code span the tool list names as a route or MCP tool is one the adapters serve.
    expect(skill.content).toContain('Call the MCP tool `get-order` of the `shop-mcp` server');
    expect(skill.content).toContain('Call `GET /orders` on the `shop-rest` REST adapter');
    for (const [, link] of skill.content.matchAll(/\]\(([^)]+)\)/g))
      expect(fs.existsSync(path.join(folder, link)), link).toBe(true);
    expect(fs.readFileSync(path.join(folder, 'references/guide.md'), 'utf8')).toBe(GUIDE);
  });

  it('contents, one file and the ZIP download come from the location folder; links and unsafe paths are not served', async () => {
    const contents = (await (await get(handler, '/skills/orders/contents')).json()) as {
      files: Array<{ path: string; type: string }>;
    };
    expect(contents.files.map((f) => [f.path, f.type])).toEqual([
      ['overview.txt', 'text/plain'],
      ['references/guide.md', 'text/markdown'],
    ]);
    const file = await get(handler, '/skills/orders/contents/references/guide.md');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(await file.text()).toBe(GUIDE);
    expect((await get(handler, '/skills/orders/contents/link.txt')).status).toBe(400);
    expect((await get(handler, '/skills/orders/contents/..%2fsecret.txt')).status).toBe(400);
    expect((await get(handler, '/skills/orders/contents/.hidden')).status).toBe(400);
    const zip = await get(handler, '/skills/orders/download');
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(entries).sort()).toEqual(['overview.txt', 'references/guide.md']);
    expect(new TextDecoder().decode(entries['references/guide.md'])).toBe(GUIDE);
    expect(
      (await handler(new Request('http://skills.local/skills', { method: 'POST' }))).status,
    ).toBe(405);
  });

  it('served by main() on node:http', async () => {
    const skills = await loadGenerated<{
      main(args: { port: number }): Promise<{ url: string; close(): Promise<void> }>;
    }>(path.join(OUT, 'shop-skills/skills.ts'));
    const server = await skills.main({ port: 0 });
    try {
      const zip = await fetch(`${server.url}/skills/orders/download`);
      expect(zip.status).toBe(200);
      expect(Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())))).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('capgen serve takes --skills, alone, and names the capabilities that have a catalog', async () => {
    let output = '';
    const io = {
      cwd: PROJECT,
      stdout: (t: string) => (output += t),
      stderr: (t: string) => (output += t),
      color: false,
    };
    expect(await runCli(['serve', 'shop-skills', '--skills', '--rest'], io)).toBe(2);
    expect(output).toContain('choose one of --rest, --mcp or --skills');
    output = '';
    expect(await runCli(['serve', 'nope', '--skills'], io)).toBe(1);
    expect(output).toMatch(/Capabilities with a skills server: .*shop-skills/);
  });

  it('the MCP server of the same capability serves its static folder and its file prompt', async () => {
    const client = await mcpClient(path.join(OUT, 'shop-skills/mcp.ts'));
    try {
      const { resources } = await client.listResources();
      expect(resources.map((r) => [r.uri, r.title, r.mimeType])).toEqual([
        ['docs://shop/readme.md', 'Docs', 'text/markdown'],
      ]);
      expect((await client.readResource({ uri: 'docs://shop/readme.md' })).contents).toEqual([
        { uri: 'docs://shop/readme.md', mimeType: 'text/markdown', text: '# Shop\n' },
      ]);
      await expect(client.readResource({ uri: 'docs://shop/../secret.txt' })).rejects.toThrow(
        /Path traversal detected/,
      );
      const prompt = await client.getPrompt({ name: 'from-file', arguments: { topic: 'refunds' } });
      expect(prompt.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'Explain refunds to a new {{role}}.' } },
      ]);
    } finally {
      await client.close();
    }
  });
});
