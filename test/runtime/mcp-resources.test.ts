/**
 * MCP resources and prompts in the runtime, as the Naftiko engine's ResourceHandlerSafetyTest,
 * ResourceHandlerDynamicTest and the unit parts of ResourcesPromptsIntegrationTest describe them:
 * URI templates, one-pass prompt substitution, static folders (traversal refused, directories
 * refused, media types by extension, listing), dynamic reads with output mappings and the raw
 * fallback. Driven through the SDK client over an in-memory transport.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Invoke, OperationSpec } from '../../templates/runtime/contract.js';
import {
  createMcpServer,
  matchUriTemplate,
  substitute,
  type McpServerSpec,
} from '../../templates/runtime/mcp.js';

const GET_USER: OperationSpec = {
  id: 'mock-api.get-user',
  method: 'GET',
  path: '/users/{userId}',
  params: [{ name: 'userId', in: 'path', required: true }],
};
const USERS: Record<string, unknown> = {
  'u-1': { id: 'u-1', name: 'Alice' },
  'u-2': { id: 'u-2', name: 'Bob' },
};
const calls: Array<Record<string, unknown>> = [];
const invoke: Invoke = async (_op, params) => {
  calls.push(params);
  return { data: (USERS[String(params.userId)] ?? null) as never, status: 200 };
};

let tmp: string;
let client: Client;

function spec(docs: string): McpServerSpec {
  return {
    name: 'resources-test',
    version: '0.0.0',
    tools: [],
    resources: [
      { name: 'docs', uri: 'data://docs', location: pathToFileURL(docs).href },
      {
        name: 'user-name',
        uri: 'data://users/{userId}/name',
        call: GET_USER,
        with: { userId: { input: 'userId' } },
        output: [{ kind: 'path', path: '$.name' }],
      },
      {
        name: 'user-raw',
        uri: 'data://users/{userId}/raw',
        call: GET_USER,
        with: { userId: { input: 'userId' } },
        output: [{ kind: 'path', path: '$.missing' }],
      },
    ],
    prompts: [
      {
        name: 'greet',
        arguments: [
          { name: 'name', required: true },
          { name: 'team', required: false },
        ],
        messages: [{ role: 'user', content: 'Hello {{name}} from {{team}}!' }],
      },
    ],
  };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-resources-'));
  const docs = path.join(tmp, 'docs');
  fs.mkdirSync(path.join(docs, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(docs, 'guide.md'), '# guide\n');
  fs.writeFileSync(path.join(docs, 'data.json'), '{}\n');
  fs.writeFileSync(path.join(docs, 'sub', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]));
  fs.writeFileSync(path.join(docs, '.env'), 'SECRET=1\n');
  fs.writeFileSync(path.join(docs, 'big.txt'), 'x'.repeat(1024 * 1024 + 1));
  fs.writeFileSync(path.join(tmp, 'secrets.txt'), 'do-not-read\n');
  fs.symlinkSync(path.join(tmp, 'secrets.txt'), path.join(docs, 'link.txt'));
  fs.symlinkSync(tmp, path.join(docs, 'up'));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMcpServer(spec(docs), invoke).connect(serverSide);
  client = new Client({ name: 'test', version: '0' });
  await client.connect(clientSide);
});

afterAll(async () => {
  await client?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('URI templates (ResourceHandler.matchTemplate)', () => {
  it('match exactly, extract one or several placeholders, never across a slash', () => {
    expect(matchUriTemplate('data://databases/schema', 'data://databases/schema')).toEqual({});
    expect(matchUriTemplate('data://databases/schema', 'data://databases/other')).toBeUndefined();
    expect(matchUriTemplate('data://users/{userId}/profile', 'data://users/42/profile')).toEqual({
      userId: '42',
    });
    expect(
      matchUriTemplate('data://orgs/{orgId}/users/{userId}', 'data://orgs/acme/users/bob'),
    ).toEqual({ orgId: 'acme', userId: 'bob' });
    expect(
      matchUriTemplate('data://users/{userId}/profile', 'data://users/a/b/profile'),
    ).toBeUndefined();
    expect(matchUriTemplate('data://x.y/{id}', 'data://xzy/1')).toBeUndefined();
  });
});

describe('prompt substitution (PromptHandler.substitute)', () => {
  it('substitutes, leaves unknown placeholders, never re-expands, keeps $ and \\ literal', () => {
    expect(
      substitute('Hello {{name}}, welcome to {{product}}!', { name: 'Alice', product: 'Naftiko' }),
    ).toBe('Hello Alice, welcome to Naftiko!');
    expect(substitute('Hello {{name}} from {{team}}!', { name: 'Alice' })).toBe(
      'Hello Alice from {{team}}!',
    );
    expect(substitute('{{greeting}} there', { greeting: 'Hi {{admin}}' })).toBe(
      'Hi {{admin}} there',
    );
    expect(substitute('Path: {{value}}', { value: 'C:\\Users\\$HOME $& $1' })).toBe(
      'Path: C:\\Users\\$HOME $& $1',
    );
    expect(substitute('{{constructor}} {{__proto__}}', {})).toBe('{{constructor}} {{__proto__}}');
  });

  it('prompts/get keeps the placeholder of a missing optional argument, refuses a missing required one', async () => {
    const got = await client.getPrompt({ name: 'greet', arguments: { name: 'Alice' } });
    expect(got.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Hello Alice from {{team}}!' } },
    ]);
    await expect(client.getPrompt({ name: 'greet', arguments: { team: 'x' } })).rejects.toThrow(
      /Missing required argument of prompt greet: name/,
    );
    await expect(client.getPrompt({ name: 'nope' })).rejects.toThrow(/Unknown prompt: "nope"/);
    await expect(
      client.getPrompt({ name: 'greet', arguments: { name: 'x'.repeat(1024 * 1024 + 1) } }),
    ).rejects.toThrow(/would render more than/);
  });
});

describe('static resources (ResourceHandlerSafetyTest)', () => {
  it('lists each servable file under the prefix, with its media type; no dot files, links or big-file reads', async () => {
    const { resources } = await client.listResources();
    const files = resources.filter((r) => r.name === 'docs');
    expect(files.map((r) => [r.uri, r.mimeType])).toEqual([
      ['data://docs/big.txt', 'text/plain'],
      ['data://docs/data.json', 'application/json'],
      ['data://docs/guide.md', 'text/markdown'],
      ['data://docs/sub/logo.png', 'image/png'],
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'data://users/{userId}/name',
      'data://users/{userId}/raw',
    ]);
  });

  it('reads text as text, binary as a base64 blob', async () => {
    expect((await client.readResource({ uri: 'data://docs/guide.md' })).contents).toEqual([
      { uri: 'data://docs/guide.md', mimeType: 'text/markdown', text: '# guide\n' },
    ]);
    expect((await client.readResource({ uri: 'data://docs/sub/logo.png' })).contents).toEqual([
      { uri: 'data://docs/sub/logo.png', mimeType: 'image/png', blob: 'iVBOR/8=' },
    ]);
  });

  it.each([
    [
      'data://docs/../secrets.txt',
      /Path traversal detected for resource URI: data:\/\/docs\/\.\.\/secrets\.txt/,
    ],
    ['data://docs/%2e%2e/secrets.txt', /Path traversal detected/],
    ['data://docs/sub%2f..%2f..%2fsecrets.txt', /Path traversal detected/],
    ['data://docs/..%5csecrets.txt', /Path traversal detected/],
    ['data://docs//etc/passwd', /Invalid path segment/],
    ['data://docs/.env', /Invalid path segment/],
    ['data://docs/%zz', /Malformed percent-encoding/],
    ['data://docs', /Resource URI resolves to a directory, not a file: data:\/\/docs/],
    ['data://docs/sub', /it is a folder, not a file/],
    ['data://docs/link.txt', /the file is a link/],
    ['data://docs/up/secrets.txt', /the path goes through a link/],
    ['data://docs/big.txt', /larger than 1048576 bytes/],
    ['data://docs/missing.md', /Unknown resource URI: data:\/\/docs\/missing\.md/],
    ['data://unknown', /Unknown resource URI: data:\/\/unknown/],
    [`data://docs/${'a'.repeat(5000)}`, /Resource URI too long/],
  ])('refuses %s', async (uri, message) => {
    await expect(client.readResource({ uri })).rejects.toThrow(message);
  });
});

describe('dynamic resources (ResourceHandlerDynamicTest)', () => {
  it('passes the URI placeholder to the call and returns the mapped output as JSON, or the raw answer', async () => {
    calls.length = 0;
    expect((await client.readResource({ uri: 'data://users/u-1/name' })).contents).toEqual([
      { uri: 'data://users/u-1/name', mimeType: 'application/json', text: '"Alice"' },
    ]);
    const raw = await client.readResource({ uri: 'data://users/u-2/raw' });
    expect((raw.contents[0] as { text: string }).text).toContain('"id":"u-2"');
    expect(raw.contents[0].mimeType).toBe('application/json');
    expect(calls).toEqual([{ userId: 'u-1' }, { userId: 'u-2' }]);
  });

  it('decodes placeholder values, refuses . and .. (raw or encoded)', async () => {
    calls.length = 0;
    await client.readResource({ uri: 'data://users/a%2Fb/name' });
    expect(calls).toEqual([{ userId: 'a/b' }]);
    for (const uri of ['data://users/../name', 'data://users/%2E%2E/name', 'data://users/./name'])
      await expect(client.readResource({ uri })).rejects.toThrow(/Path traversal detected/);
    expect(calls).toHaveLength(1);
  });
});
