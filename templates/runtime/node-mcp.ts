/**
 * Node only: serves MCP on a `node:http` server (the web-standard handler of mcp-http.ts) or over
 * stdin/stdout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Invoke } from './contract.js';
import { createMcpFetchHandler, type McpFetchHandlerOptions } from './mcp-http.js';
import {
  createMcpServer,
  defaultEnv,
  errorText,
  redact,
  type McpRuntimeOptions,
  type McpServerSpec,
} from './mcp-server.js';

export interface ServeMcpHttpOptions extends McpFetchHandlerOptions {
  /** TCP port; 0 picks a free one (see the returned `url`). */
  port: number;
  /** Interface to bind; default `127.0.0.1` (local only). */
  host?: string;
  /** Largest request body accepted, in bytes; default 4 MiB. */
  maxBodyBytes?: number;
}

export interface McpHttpServerHandle {
  /** URL of the MCP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `createMcpFetchHandler` on a Node HTTP server. Binds 127.0.0.1 unless `host` says otherwise;
 * logs to stderr unless `log` is given. Resolves once listening.
 */
export async function serveMcpHttp(
  spec: McpServerSpec,
  invoke: Invoke,
  options: ServeMcpHttpOptions,
): Promise<McpHttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? stderrLog;
  const env = options.env ?? defaultEnv();
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const handler = createMcpFetchHandler(spec, invoke, { ...options, env, log });
  // Loaded here, not at the top, so that the fetch handler also loads on edge runtimes.
  const { createServer: createHttpServer } = await import('node:http');
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const httpServer = createHttpServer((req, res) => {
    handleNodeRequest(req, res).catch((error: unknown) => {
      log(
        redact(
          `http: failed to answer ${req.method ?? '?'} ${req.url ?? ''}: ${errorText(error)}`,
          env,
        ),
      );
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end();
    });
  });

  async function handleNodeRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Cancels in-flight work when the client goes away before the answer is written.
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort();
    });

    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          error: { code: -32000, message: 'Request body too large' },
          id: null,
        }),
      );
      return;
    }

    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const method = req.method ?? 'GET';
    const { port } = httpServer.address() as AddressInfo;
    const request = new Request(new URL(req.url ?? '/', `http://${urlHost}:${port}`), {
      method,
      headers,
      signal: aborter.signal,
      ...(method !== 'GET' && method !== 'HEAD' && body.length > 0
        ? { body: new Uint8Array(body) }
        : {}),
    });

    const response = await handler(request);
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      outHeaders[key] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (response.body && method !== 'HEAD') {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${urlHost}:${port}${options.path ?? '/mcp'}`;
  log(`MCP server ${spec.name} ${spec.version} listening on ${url}`);

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit)
        tooLarge = true; // keep draining so the connection stays usable
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------
// stdio
// ---------------------------------------------------------------------------------------------------

/**
 * Serves MCP over stdin/stdout. Resolves once the server is connected; the process then lives as long as
 * stdin is open. stdout carries nothing but protocol messages: logs go to stderr, and `console.log`,
 * `console.info` and `console.debug` are redirected to stderr so stray output cannot corrupt the stream.
 */
export async function serveMcpStdio(
  spec: McpServerSpec,
  invoke: Invoke,
  options: McpRuntimeOptions = {},
): Promise<void> {
  const log = options.log ?? stderrLog;
  const env = options.env ?? defaultEnv();
  console.log = console.info = console.debug = console.error;

  const server = createMcpServer(spec, invoke, { env, log });
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const transport = new StdioServerTransport();
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  log(`MCP server ${spec.name} ${spec.version} serving on stdio`);
}

function stderrLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}
