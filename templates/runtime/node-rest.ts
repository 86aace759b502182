/**
 * Node only: serves a REST handler on `node:http`. For handlers made by `createRestHandler` it runs the
 * engine directly on Node's request/response objects (no Request/Response conversion, which costs
 * measurable throughput); any other web handler is served through conversion. Also: the access log
 * and graceful shutdown.
 */
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import {
  boundUrl,
  gracefulShutdown,
  hostChecker,
  listen,
  logTimestamp,
  readNodeBody,
  readNodeBytes,
  requestSignal,
  splitTarget,
  type ListenOptions,
  type Shutdown,
} from './node-http.js';
import { engineOf } from './rest.js';
import { ClientClosedError } from './rest-engine.js';
import { errorResponse } from './rest-responses.js';
import {
  JSON_CONTENT_TYPE,
  UPSTREAM_REQUEST_ID_HEADER,
  type CoreResponse,
  type RequestView,
  type RestHandler,
} from './rest-types.js';

export interface ServeRestOptions extends ListenOptions {
  /** One access-log line per request; default: stdout. `false` disables it. */
  log?: ((line: string) => void) | false;
  /**
   * The upstream request id (e.g. Stripe's `req_...`) is always logged; with `'expose'` (default) it is
   * also returned to callers in the `x-upstream-request-id` header, with `'log-only'` it is not.
   */
  upstreamRequestIds?: 'expose' | 'log-only';
  /** After this long, `close()` stops waiting and drops remaining connections; default 10 s. */
  shutdownTimeoutMs?: number;
  /**
   * Serve `createRestHandler` handlers directly on node:http objects (default true). `false` forces
   * the Request/Response conversion path, for comparison. Note that path cannot carry a body on a
   * GET request (the Fetch API forbids it).
   */
  fastPath?: boolean;
}

/** A running server. */
export interface RestServer {
  /** Base URL of the address bound, e.g. `http://127.0.0.1:53123` (the real port when 0 was asked for). */
  readonly url: string;
  /** The underlying node:http server. */
  readonly server: Server;
  /**
   * Graceful shutdown: stops accepting connections, answers requests that arrive on open
   * keep-alive connections with 503, waits for in-flight requests to finish, then resolves.
   * Idempotent.
   */
  close(): Promise<void>;
}

/** A request view over node's IncomingMessage (the fast path). */
class NodeRequestView implements RequestView {
  private aborted: AbortSignal | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly sharedSignal: boolean,
    readonly method: string,
    readonly path: string,
    readonly query: string,
  ) {}

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return typeof value === 'string' ? value : value?.[0];
  }

  bodyLength(): number {
    const headers = this.req.headers;
    const declared = headers['content-length'];
    if (declared !== undefined) return /^\d+$/.test(declared) ? Number(declared) : -1;
    return headers['transfer-encoding'] !== undefined ? -1 : 0;
  }

  readBody(limit: number): Promise<string | null> {
    return readNodeBody(this.req, limit, (reason) => new ClientClosedError(reason));
  }

  /** The body as bytes (a forwarded request's), null past `limit`. */
  readBytes(limit: number): Promise<Uint8Array | null> {
    return readNodeBytes(this.req, limit, (reason) => new ClientClosedError(reason));
  }

  /** Made on first use (only requests that reach the upstream call need it), see requestSignal. */
  get signal(): AbortSignal {
    this.aborted ??= requestSignal(this.req, this.res, this.sharedSignal);
    return this.aborted;
  }
}

/** Printable, bounded path for the access log (no query string, no control characters). */
function loggablePath(path: string): string {
  const bounded = path.length > 300 ? `${path.slice(0, 297)}...` : path;
  return /^[\x21-\x7e]*$/.test(bounded)
    ? bounded
    : bounded.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
}

function accessLogLine(
  method: string,
  path: string,
  status: number,
  startedAt: number,
  upstreamRequestId: string | undefined,
): string {
  const ms = performance.now() - startedAt;
  return `time=${logTimestamp()} method=${method} path=${loggablePath(path)} status=${status} duration_ms=${ms.toFixed(2)} upstream_request_id=${upstreamRequestId ?? '-'}`;
}

const SHUTTING_DOWN = errorResponse(
  503,
  'api_error',
  'The server is shutting down; retry on another instance.',
);

/** Answers a request whose Host names another site than this loopback server (DNS rebinding). */
const FOREIGN_HOST = errorResponse(
  403,
  'invalid_request_error',
  'The Host header does not name this server: it is bound to a loopback address and answers only to localhost, 127.0.0.1 and [::1].',
);

/**
 * Serves `handler` on node:http at `options.host`:`options.port` (0 picks a free port). Resolves
 * once listening. See {@link RestServer} for shutdown.
 */
export async function serveRest(
  handler: RestHandler,
  options: ServeRestOptions,
): Promise<RestServer> {
  const http = await import('node:http');
  const engine = options.fastPath === false ? undefined : engineOf(handler);
  const log =
    options.log === false
      ? undefined
      : (options.log ?? ((line: string) => void process.stdout.write(`${line}\n`)));
  const exposeIds = options.upstreamRequestIds !== 'log-only';
  // Settled once listening; nothing reads them before a request arrives.
  let shutdown: Shutdown | undefined;
  let hostAllowed: ((req: IncomingMessage) => boolean) | undefined;
  let baseUrl = '';
  let webTools: WebConversion | undefined;

  const writeCore = (res: ServerResponse, core: CoreResponse): void => {
    if (core.stream !== undefined) return writeStream(res, core, shutdown?.closing === true);
    // A binary answer passed through from the upstream, else JSON text or bytes.
    const binary = core.binary;
    const body = binary !== undefined ? binary.bytes : core.body;
    const length =
      typeof body === 'string' ? (body === '' ? 0 : Buffer.byteLength(body)) : body.byteLength;
    // As a flat list of names and values, which node writes as given.
    const headers: Array<string | number> = [];
    if (core.headers !== undefined)
      for (const name of Object.keys(core.headers)) headers.push(name, core.headers[name]);
    if (binary !== undefined) headers.push('content-type', binary.contentType);
    else if (length > 0) headers.push('content-type', JSON_CONTENT_TYPE);
    headers.push('content-length', length);
    if (exposeIds && core.upstreamRequestId !== undefined)
      headers.push(UPSTREAM_REQUEST_ID_HEADER, core.upstreamRequestId);
    if (shutdown?.closing) headers.push('connection', 'close');
    res.writeHead(core.status, headers as unknown as OutgoingHttpHeaders);
    res.end(body);
  };

  /** Reached if writing the response failed, or if a plain web handler (not from createRestHandler) threw. */
  const failed = (
    res: ServerResponse,
    method: string,
    path: string,
    startedAt: number,
    error: unknown,
  ): void => {
    try {
      if (!res.headersSent)
        writeCore(
          res,
          errorResponse(500, 'api_error', 'An internal error occurred in the REST adapter.'),
        );
      else res.destroy();
    } catch {
      res.destroy();
    }
    if (log === undefined) return;
    log(
      `capgen rest: failed to answer ${method} ${loggablePath(path)}: ${error instanceof Error ? error.name : 'error'}`,
    );
    log(accessLogLine(method, path, 500, startedAt, undefined));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const startedAt = log === undefined ? 0 : performance.now();
    const method = req.method ?? 'GET';
    const { path, query } = splitTarget(req.url ?? '/');
    const refusal = shutdown?.closing
      ? SHUTTING_DOWN
      : hostAllowed !== undefined && !hostAllowed(req)
        ? FOREIGN_HOST
        : undefined;
    if (refusal !== undefined) {
      writeCore(res, refusal);
      log?.(accessLogLine(method, path, refusal.status, startedAt, undefined));
      return;
    }
    // Inline callbacks (no per-request named closures: under tsx each would be named at run time).
    if (engine !== undefined) {
      engine
        .handle(new NodeRequestView(req, res, engine.sharedSignal, method, path, query))
        .then((core) => {
          writeCore(res, core);
          log?.(accessLogLine(method, path, core.status, startedAt, core.upstreamRequestId));
        })
        .catch((error: unknown) => failed(res, method, path, startedAt, error));
    } else {
      (async () => {
        webTools ??= await loadWebConversion();
        const status = await serveThroughWebHandler(
          handler,
          req,
          res,
          webTools,
          exposeIds,
          shutdown?.closing ?? false,
          baseUrl,
        );
        log?.(accessLogLine(method, path, status.status, startedAt, status.upstreamRequestId));
      })().catch((error: unknown) => failed(res, method, path, startedAt, error));
    }
  };

  const server = http.createServer(onRequest);
  await listen(server, options);
  baseUrl = boundUrl(server);
  hostAllowed = hostChecker(server);
  shutdown = gracefulShutdown(server, options.shutdownTimeoutMs ?? 10_000);
  return { url: baseUrl, server, close: shutdown.close };
}

// Conversion between node:http and web Request/Response (used for handlers not made by createRestHandler).

interface WebConversion {
  toWeb(stream: IncomingMessage): ReadableStream<Uint8Array>;
}

async function loadWebConversion(): Promise<WebConversion> {
  const { Readable } = await import('node:stream');
  return { toWeb: (stream) => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array> };
}

async function serveThroughWebHandler(
  handler: RestHandler,
  req: IncomingMessage,
  res: ServerResponse,
  tools: WebConversion,
  exposeIds: boolean,
  closing: boolean,
  baseUrl: string,
): Promise<{ status: number; upstreamRequestId: string | undefined }> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = req.method ?? 'GET';
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (req.headers['content-length'] !== undefined
      ? req.headers['content-length'] !== '0'
      : req.headers['transfer-encoding'] !== undefined);
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
  if (hasBody) {
    // Streamed, not buffered: the handler reads it with its own size limit.
    init.body = tools.toWeb(req);
    init.duplex = 'half';
  }
  const response = await handler(new Request(`${baseUrl}${req.url ?? '/'}`, init));

  const upstreamRequestId = response.headers.get(UPSTREAM_REQUEST_ID_HEADER) ?? undefined;
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name === UPSTREAM_REQUEST_ID_HEADER && !exposeIds) return;
    out[name] = value;
  });
  if (closing) out.connection = 'close';
  res.writeHead(response.status, out);
  if (response.body === null) {
    res.end();
  } else {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
  return { status: response.status, upstreamRequestId };
}

/** A forwarded answer: status and headers, then the body as it comes, with back-pressure. */
function writeStream(res: ServerResponse, core: CoreResponse, closing: boolean): void {
  const headers: Record<string, string> = { ...core.headers };
  if (closing) headers.connection = 'close';
  res.writeHead(core.status, headers);
  void (async () => {
    try {
      for await (const chunk of core.stream as unknown as AsyncIterable<Uint8Array>)
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      res.end();
    } catch {
      res.destroy(); // cut short (too large, too slow, upstream gone): the caller sees it
    }
  })();
}
