/**
 * Node only: serves MCP on a `node:http` server (the web-standard handler of mcp-http.ts) or over
 * stdin/stdout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Invoke } from './contract.js';
import { createMcpFetchHandler, type McpFetchHandlerOptions } from './mcp-http.js';
import {
  createMcpServer,
  defaultEnv,
  errorText,
  mcpRedactor,
  type McpRuntimeOptions,
  type McpServerSpec,
} from './mcp-server.js';
import {
  boundUrl,
  gracefulShutdown,
  hostChecker,
  listen,
  type ListenOptions,
  type Shutdown,
} from './node-http.js';

export interface ServeMcpHttpOptions extends McpFetchHandlerOptions, Partial<ListenOptions> {
  /** TCP port; 0 picks a free one (see the returned `url`). */
  port: number;
  /** Interface to bind; default `127.0.0.1` (local only). */
  host?: string;
  /** After this long, `close()` stops waiting and drops remaining connections; default 10 s. */
  shutdownTimeoutMs?: number;
}

export interface McpHttpServerHandle {
  /** URL of the MCP endpoint on the address bound, e.g. `http://127.0.0.1:3000/mcp`. */
  url: string;
  /**
   * Graceful shutdown: stops accepting connections, answers requests arriving on open keep-alive
   * connections with 503, lets in-flight calls finish (up to `shutdownTimeoutMs`), then resolves.
   */
  close(): Promise<void>;
}

const SHUTTING_DOWN = jsonRpcErrorBody(
  -32000,
  'The server is shutting down; retry on another instance.',
);
const FOREIGN_HOST = jsonRpcErrorBody(
  -32000,
  'Forbidden: the Host header does not name this server (bound to a loopback address, it answers only to localhost, 127.0.0.1 and [::1])',
);

/**
 * Serves `createMcpFetchHandler` on a Node HTTP server. Binds 127.0.0.1 unless `host` says otherwise;
 * logs to stderr unless `log` is given. Resolves once listening; rejects with a ConfigurationError
 * (naming the flag and variable to change) when the address cannot be bound.
 */
export async function serveMcpHttp(
  spec: McpServerSpec,
  invoke: Invoke,
  options: ServeMcpHttpOptions,
): Promise<McpHttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? stderrLog;
  const env = options.env ?? defaultEnv();
  const redact = options.redact ?? mcpRedactor(spec, invoke, env);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const handler = createMcpFetchHandler(spec, invoke, { ...options, env, log, redact });
  // Loaded here, not at the top, so that importing this module stays cheap where it is not used.
  const { createServer: createHttpServer } = await import('node:http');
  // Settled once listening; nothing reads them before a request arrives.
  let shutdown: Shutdown | undefined;
  let hostAllowed: ((req: IncomingMessage) => boolean) | undefined;
  let origin = '';

  const httpServer = createHttpServer((req, res) => {
    const refusal = shutdown?.closing
      ? { status: 503, body: SHUTTING_DOWN }
      : hostAllowed !== undefined && !hostAllowed(req)
        ? { status: 403, body: FOREIGN_HOST }
        : undefined;
    if (refusal !== undefined) {
      res.writeHead(refusal.status, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(refusal.body);
      return;
    }
    handleNodeRequest(req, res).catch((error: unknown) => {
      log(redact(`http: failed to answer ${req.method ?? '?'}: ${errorText(error)}`));
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
    if (body === 'aborted') return; // the client went away mid-upload: nobody to answer
    if (body === 'too-large') {
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(
        jsonRpcErrorBody(
          -32000,
          `Payload Too Large: the request body must not exceed ${maxBodyBytes} bytes`,
        ),
      );
      return;
    }

    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const method = req.method ?? 'GET';
    const request = new Request(new URL(req.url ?? '/', origin), {
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
    if (shutdown?.closing) outHeaders.connection = 'close';
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

  await listen(httpServer, { ...options, port: options.port, host });
  origin = boundUrl(httpServer);
  hostAllowed = hostChecker(httpServer);
  shutdown = gracefulShutdown(httpServer, options.shutdownTimeoutMs ?? 10_000);
  const url = `${origin}${options.path ?? '/mcp'}`;
  log(`MCP server ${spec.name} ${spec.version} listening on ${url}`);
  return { url, close: shutdown.close };
}

/**
 * The body, up to `limit` bytes: 'too-large' as soon as it passes the limit (the rest is discarded
 * when the 413 closes the connection), 'aborted' when the client goes away before the end.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too-large' | 'aborted'): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish('too-large');
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(Buffer.concat(chunks));
    const onAborted = (): void => finish('aborted');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onAborted);
  });
}

function jsonRpcErrorBody(code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
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
  const redact = options.redact ?? mcpRedactor(spec, invoke, env);
  for (const warning of invoke.check?.() ?? []) log(`warning: ${redact(warning)}`);
  console.log = console.info = console.debug = console.error;

  const server = createMcpServer(spec, invoke, { env, log, redact });
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const transport = new StdioServerTransport();
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  log(`MCP server ${spec.name} ${spec.version} serving on stdio`);
}

function stderrLog(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}
