/**
 * For end-to-end tests of generated code: generation into a project folder, and the generated
 * servers loaded and connected (REST handler, MCP client over an in-memory transport). The fake
 * upstream they call is in fake-upstream.ts.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { expect } from 'vitest';
import { runCli } from '../../generator/cli.js';

/** `capgen generate --out <out>` in `project`; fails the test on a non-zero exit. */
export async function generate(project: string, out: string): Promise<void> {
  let output = '';
  const code = await runCli(['generate', '--out', out], {
    cwd: project,
    stdout: (t) => (output += t),
    stderr: (t) => (output += t),
    color: false,
  });
  expect(code, output).toBe(0);
}

export async function loadGenerated<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.resolve(file)).href)) as T;
}

/** The web-standard handler of a generated rest.ts. */
export async function restHandler(file: string): Promise<(request: Request) => Promise<Response>> {
  const rest = await loadGenerated<{
    createHandler(o?: object): (r: Request) => Promise<Response>;
  }>(file);
  return rest.createHandler({ maxRetries: 0 });
}

/** An MCP SDK client connected to a generated mcp.ts server, in memory. */
export async function mcpClient(file: string): Promise<Client> {
  const mcp = await loadGenerated<{ createServer(o?: object): Server }>(file);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.createServer({ maxRetries: 0 }).connect(serverSide);
  const client = new Client({ name: 'capgen-e2e-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** A POST of a JSON body. */
export function postJson(url: string, body: unknown): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
