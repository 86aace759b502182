/**
 * Node only: serves MCP on a `node:http` server (the web-standard handler of mcp-http.ts) or over
 * stdin/stdout.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Invoke } from './contract.js';
import { McpHttpEngine, type McpFetchHandlerOptions, type McpRequestView } from './mcp-engine.js';
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
  logTimestamp,
  readNodeBody,
  requestSignal,
  splitTarget,
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
 * Serves MCP on a Node HTTP server, as `createMcpFetchHandler` does (the same engine, driven directly
 * by node's request and response objects). Binds 127.0.0.1 unless `host` says otherwise; logs to
 * stderr unless `log` is given. Resolves once listening; rejects with a ConfigurationError (naming
 * the flag and variable to change) when the address cannot be bound.
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
  const engine = new McpHttpEngine(spec, invoke, { ...options, env, log, redact });
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
    const view = new NodeMcpView(req, res, engine.sharedSignal, origin);
    engine
      .handle(view)
      .then((answer) => {
        // A body past the limit is left unread: the connection cannot serve another request.
        if (shutdown?.closing || answer.status === 413) answer.headers.connection = 'close';
        res.writeHead(answer.status, answer.headers);
        res.end(view.method === 'HEAD' ? undefined : (answer.body ?? undefined));
      })
      .catch((error: unknown) => {
        log(redact(`http: failed to answer ${req.method ?? '?'}: ${errorText(error)}`));
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end();
      });
  });

  await listen(httpServer, { ...options, port: options.port, host });
  origin = boundUrl(httpServer);
  hostAllowed = hostChecker(httpServer);
  shutdown = gracefulShutdown(httpServer, options.shutdownTimeoutMs ?? 10_000);
  const url = `${origin}${options.path ?? '/mcp'}`;
  log(`MCP server ${spec.name} ${spec.version} listening on ${url}`);
  return { url, close: shutdown.close };
}

/** A request view over node's IncomingMessage. */
class NodeMcpView implements McpRequestView {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  private aborted: AbortSignal | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly sharedSignal: boolean,
    private readonly origin: string,
  ) {
    const { path, query } = splitTarget(req.url ?? '/');
    this.method = req.method ?? 'GET';
    this.path = path;
    this.query = query;
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return typeof value === 'string' ? value : value?.join(', ');
  }

  readBody(limit: number): Promise<string | null> {
    return readNodeBody(this.req, limit, (reason) => new Error(reason));
  }

  /** Made on first use, see requestSignal. */
  get signal(): AbortSignal {
    this.aborted ??= requestSignal(this.req, this.res, this.sharedSignal);
    return this.aborted;
  }

  /**
   * For the SDK's transport: method, URL and headers (the body is read already; the transport does
   * not read the request's signal, the engine watches `signal` itself).
   */
  webRequest(): Request {
    const headers = new Headers();
    const raw = this.req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
    return new Request(new URL(this.req.url ?? '/', this.origin), { method: this.method, headers });
  }
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
  process.stderr.write(`${logTimestamp()} ${line}\n`);
}
