/**
 * MCP runtime tests, driven by the SDK's own Client over Streamable HTTP and over stdio.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import {
  createMcpFetchHandler,
  STRUCTURED_RESULT_KEY,
  type Invoke,
} from '../../templates/runtime/mcp.js';
import { serveMcpHttp, type McpHttpServerHandle } from '../../templates/runtime/node-mcp.js';
import { fakeInvoke, fixtureSpec, INSTRUCTIONS, LEAKED_SECRET } from '../fixtures/mcp-fixture.js';

const STDIO_SERVER = fileURLToPath(new URL('../fixtures/mcp-stdio-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const quiet = (): void => {};

function newClient(): Client {
  return new Client({ name: 'capgen-test', version: '0.0.0' });
}

async function connectHttp(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = newClient();
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return client;
}

async function connectStdio(): Promise<Client> {
  const client = newClient();
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', STDIO_SERVER],
      cwd: ROOT,
      stderr: 'ignore',
    }),
  );
  return client;
}

function text(result: CallToolResult): string {
  return result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');
}

/** A minimal JSON-RPC POST, for checks below the SDK client. */
function rpc(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

// Behaviour every transport must share.
describe.each([
  { transport: 'streamable HTTP', stdio: false },
  { transport: 'stdio', stdio: true },
])('MCP over $transport', ({ stdio }) => {
  let client: Client;
  let handle: McpHttpServerHandle | undefined;

  beforeAll(async () => {
    if (stdio) {
      client = await connectStdio();
    } else {
      handle = await serveMcpHttp(fixtureSpec(), fakeInvoke(), {
        port: 0,
        host: '127.0.0.1',
        env: {},
        log: quiet,
      });
      client = await connectHttp(handle.url);
    }
  });
  afterAll(async () => {
    await client?.close();
    await handle?.close();
  });

  it('initializes with server info and instructions', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'test-customers', version: '1.2.3' });
    expect(client.getInstructions()).toBe(INSTRUCTIONS);
    expect(client.getServerCapabilities()?.tools).toBeDefined();
  });

  it('lists tools with annotations and schemas as written', async () => {
    const { tools } = await client.listTools();
    const spec = fixtureSpec();
    expect(tools.map((tool) => tool.name)).toEqual(spec.tools.map((tool) => tool.name));
    const get = tools.find((tool) => tool.name === 'get_customer');
    expect(get).toMatchObject({
      title: 'Get a customer',
      description: 'Retrieves a customer by id.',
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      },
    });
    expect(get?.inputSchema).toEqual(spec.tools[0].inputSchema);
    expect(get?.outputSchema).toEqual(spec.tools[0].outputSchema);
    const charge = tools.find((tool) => tool.name === 'charge_card');
    expect(charge?.annotations).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(charge?.outputSchema).toBeUndefined();
  });

  it('calls a tool: bound inputs, mapped output as structuredContent and JSON text', async () => {
    const result = (await client.callTool({
      name: 'get_customer',
      arguments: { id: 'cus_42' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ id: 'cus_42', email: 'jane@example.com' });
    expect(JSON.parse(text(result))).toEqual(result.structuredContent);
  });

  it('passes literals and arguments to the upstream', async () => {
    const result = (await client.callTool({
      name: 'create_customer',
      arguments: { email: 'a@b.co', plan: 'pro', seats: 3 },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      id: 'cus_new',
      echo: { email: 'a@b.co', plan: 'pro', seats: 3, source: 'mcp' },
    });
  });

  it('wraps a non-object output in { result }', async () => {
    const result = (await client.callTool({
      name: 'list_customer_ids',
      arguments: {},
    })) as CallToolResult;
    expect(result.structuredContent).toEqual({ [STRUCTURED_RESULT_KEY]: ['cus_1', 'cus_2'] });
  });

  it('rejects invalid arguments with an actionable isError result', async () => {
    const missing = (await client.callTool({
      name: 'create_customer',
      arguments: {},
    })) as CallToolResult;
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toBeUndefined();
    expect(text(missing)).toContain('email');

    const wrong = (await client.callTool({
      name: 'create_customer',
      arguments: { email: 7, plan: 'gold', seats: 0, colour: 'red' },
    })) as CallToolResult;
    expect(wrong.isError).toBe(true);
    const message = text(wrong);
    expect(message).toContain('create_customer');
    for (const fragment of ['email', 'string', 'plan', 'basic', 'seats', 'colour'])
      expect(message).toContain(fragment);

    // The server is still fine afterwards.
    const ok = (await client.callTool({
      name: 'get_customer',
      arguments: { id: 'cus_1' },
    })) as CallToolResult;
    expect(ok.isError).toBeFalsy();
  });

  it('reports an unknown tool as a JSON-RPC invalid-params error', async () => {
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it('reports an upstream API error with status, type, code, param and message', async () => {
    const result = (await client.callTool({
      name: 'charge_card',
      arguments: {},
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    const message = text(result);
    for (const fragment of [
      '402',
      'card_error',
      'card_declined',
      'source',
      'Your card was declined.',
      'req_declined',
    ]) {
      expect(message).toContain(fragment);
    }
    expect(message).not.toContain('do-not-show'); // the raw upstream body stays out
  });

  it('reports an unreachable upstream without leaking secrets', async () => {
    const result = (await client.callTool({ name: 'offline', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/could not connect/i);
    expect(text(result)).toContain('ECONNREFUSED');
    expect(text(result)).not.toContain(LEAKED_SECRET);
  });

  it('reports an upstream timeout', async () => {
    const result = (await client.callTool({ name: 'slow', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/did not answer .* in time/);
  });

  it('names the missing environment variable for missing upstream credentials', async () => {
    const result = (await client.callTool({ name: 'no_key', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('STRIPE_SECRET_KEY');
  });
});

describe('MCP over stdio: stdout hygiene', () => {
  it('writes nothing but JSON-RPC to stdout, even when a tool uses console.log', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', STDIO_SERVER], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    const done = new Promise<void>((resolve) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          lines.push(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          if (lines.some((line) => line.includes('"id":2'))) resolve();
        }
      });
    });
    const send = (message: object): boolean => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '0' },
      },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'noisy', arguments: {} } });
    await done;
    child.stdin.end();
    await new Promise((resolve) => child.once('exit', resolve));

    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(lines.join('\n')).not.toContain('noise');
    expect(stderr).toContain('noise that must not reach stdout');
  });
});

describe('MCP over streamable HTTP: endpoint policy', () => {
  let handle: McpHttpServerHandle;
  let base: string;

  beforeAll(async () => {
    handle = await serveMcpHttp(
      fixtureSpec({ allowedOrigins: ['https://app.example.com'] }),
      fakeInvoke(),
      { port: 0, host: '127.0.0.1', env: {}, log: quiet },
    );
    base = handle.url.replace(/\/mcp$/, '');
  });
  afterAll(() => handle.close());

  it('serves /healthz and 404s other paths', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await rpc(`${base}/mcp/extra`)).status).toBe(404);
  });

  it('answers GET and DELETE on /mcp with 405 (stateless: no SSE stream, no session)', async () => {
    const get = await fetch(handle.url, { headers: { Accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect((await fetch(handle.url, { method: 'DELETE' })).status).toBe(405);
  });

  it('accepts requests without Origin (non-browser clients)', async () => {
    const response = await rpc(handle.url);
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { result: { tools: unknown[] } }).result.tools.length,
    ).toBeGreaterThan(0);
  });

  it('accepts loopback and configured origins, with CORS headers', async () => {
    for (const origin of [
      'http://localhost:5173',
      'https://127.0.0.1',
      'http://[::1]:8080',
      'https://app.example.com',
    ]) {
      const response = await rpc(handle.url, { Origin: origin });
      expect(response.status, origin).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const preflight = await fetch(handle.url, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('rejects foreign origins with 403', async () => {
    for (const origin of [
      'https://evil.example',
      'http://localhost.evil.example',
      'null',
      'https://app.example.com:8443',
    ]) {
      const response = await rpc(handle.url, { Origin: origin });
      expect(response.status, origin).toBe(403);
    }
  });

  it('cancels the upstream call when the HTTP client hangs up', async () => {
    let seen: AbortSignal | undefined;
    const hanging: Invoke = (_op, _params, ctx) =>
      new Promise((_resolve, reject) => {
        seen = ctx.signal;
        ctx.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const handler = createMcpFetchHandler(fixtureSpec(), hanging, { env: {} });
    const controller = new AbortController();
    const pending = handler(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'get_customer', arguments: { id: 'cus_1' } },
        }),
        signal: controller.signal,
      }),
    );
    await vi.waitFor(() => expect(seen).toBeDefined());
    controller.abort();
    expect((await pending).status).toBe(499);
    expect(seen?.aborted).toBe(true);
  });

  it('binds 127.0.0.1 by default', async () => {
    const local = await serveMcpHttp(fixtureSpec(), fakeInvoke(), { port: 0, env: {}, log: quiet });
    try {
      expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    } finally {
      await local.close();
    }
  });
});

describe('MCP over streamable HTTP: inbound authentication', () => {
  const env = {
    MCP_TOKEN: 'token-0123456789abcdef',
    MCP_USER: 'agent',
    MCP_PASS: 'pass-0123456789',
  };

  it('bearer: 401 without or with a wrong token, works with the right one', async () => {
    const handle = await serveMcpHttp(
      fixtureSpec({ auth: { type: 'bearer', token: [{ env: 'MCP_TOKEN' }] } }),
      fakeInvoke(),
      { port: 0, env, log: quiet },
    );
    try {
      const none = await rpc(handle.url);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await rpc(handle.url, { Authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await rpc(handle.url, { Authorization: `Basic ${env.MCP_TOKEN}` })).status).toBe(401);
      expect((await fetch(handle.url.replace(/\/mcp$/, '/healthz'))).status).toBe(200);

      await expect(connectHttp(handle.url)).rejects.toThrow();
      const client = await connectHttp(handle.url, { Authorization: `Bearer ${env.MCP_TOKEN}` });
      const result = (await client.callTool({
        name: 'get_customer',
        arguments: { id: 'cus_9' },
      })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ id: 'cus_9' });
      await client.close();
    } finally {
      await handle.close();
    }
  });

  it('apikey header and basic auth', async () => {
    const apikey = createMcpFetchHandler(
      fixtureSpec({
        auth: {
          type: 'apikey',
          key: 'X-Api-Key',
          placement: 'header',
          value: [{ env: 'MCP_TOKEN' }],
        },
      }),
      fakeInvoke(),
      { env },
    );
    const basic = createMcpFetchHandler(
      fixtureSpec({
        auth: { type: 'basic', username: [{ env: 'MCP_USER' }], password: [{ env: 'MCP_PASS' }] },
      }),
      fakeInvoke(),
      { env },
    );
    const request = (headers: Record<string, string>): Request =>
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
    const b64 = (value: string): string => Buffer.from(value).toString('base64');

    expect((await apikey(request({}))).status).toBe(401);
    expect((await apikey(request({ 'X-Api-Key': 'nope' }))).status).toBe(401);
    expect((await apikey(request({ 'X-Api-Key': env.MCP_TOKEN }))).status).toBe(200);

    expect((await basic(request({}))).status).toBe(401);
    expect(
      (await basic(request({ Authorization: `Basic ${b64(`agent:${env.MCP_TOKEN}`)}` }))).status,
    ).toBe(401);
    expect(
      (await basic(request({ Authorization: `Basic ${b64(`agent:${env.MCP_PASS}`)}` }))).status,
    ).toBe(200);
  });

  it('refuses to start when an auth variable is unset or empty', () => {
    const spec = fixtureSpec({ auth: { type: 'bearer', token: [{ env: 'MCP_TOKEN' }] } });
    expect(() => createMcpFetchHandler(spec, fakeInvoke(), { env: {} })).toThrow(/MCP_TOKEN/);
    expect(() => createMcpFetchHandler(spec, fakeInvoke(), { env: { MCP_TOKEN: '' } })).toThrow(
      /MCP_TOKEN/,
    );
  });
});

describe('MCP over streamable HTTP: several instances behind a load balancer', () => {
  const calls: Array<Array<{ op: string; params: Record<string, unknown> }>> = [[], []];
  const instances: McpHttpServerHandle[] = [];
  const hits = [0, 0];
  let proxy: HttpServer;
  let proxyUrl: string;

  beforeAll(async () => {
    for (const log of calls) {
      instances.push(
        await serveMcpHttp(fixtureSpec(), fakeInvoke(log), { port: 0, env: {}, log: quiet }),
      );
    }
    // Round-robin reverse proxy: request n goes to instance n % 2, whatever it is.
    let next = 0;
    proxy = createServer((req: IncomingMessage, res) => {
      const index = next++ % instances.length;
      hits[index]++;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = new Headers();
        for (const [key, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(key))
            headers.set(key, value);
        }
        const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && chunks.length > 0;
        fetch(instances[index].url.replace(/\/mcp$/, '') + (req.url ?? '/'), {
          method: req.method,
          headers,
          ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
        })
          .then(async (upstream) => {
            const out: Record<string, string> = {};
            upstream.headers.forEach((value, key) => {
              if (key !== 'content-length' && key !== 'transfer-encoding' && key !== 'connection')
                out[key] = value;
            });
            const body = Buffer.from(await upstream.arrayBuffer());
            res.writeHead(upstream.status, out).end(body);
          })
          .catch(() => res.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await Promise.all(instances.map((instance) => instance.close()));
  });

  it("spreads one client session's requests over both instances, all succeeding", async () => {
    const client = await connectHttp(proxyUrl);
    expect(client.getInstructions()).toBe(INSTRUCTIONS);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) {
      const result = (await client.callTool({
        name: 'get_customer',
        arguments: { id: `cus_${i}` },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ id: `cus_${i}` });
    }
    await client.close();

    expect(hits[0]).toBeGreaterThan(0);
    expect(hits[1]).toBeGreaterThan(0);
    // The six tool calls were consecutive requests, so they alternated between the instances.
    expect(calls[0].length).toBe(3);
    expect(calls[1].length).toBe(3);
  });
});
