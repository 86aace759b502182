/**
 * Node only: what the REST and MCP node:http servers share: listening with clear start-up errors
 * (naming the flag and environment variable to change), the announced URL of the address actually
 * bound, the `Host` check that stops DNS rebinding against a loopback server, and graceful shutdown.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FOLLOWERS, type FollowedSignal } from './cancellation.js';
import { ConfigurationError } from './errors.js';
import { hostName, isLoopbackName } from './origin.js';

/** Where to listen, and which settings name the port and address (for error hints). */
export interface ListenOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
  /** Environment variable that sets the port, named in the hint when the port is taken. */
  portEnv?: string;
  /** Environment variable that sets the address, named in the hint when it cannot be bound. */
  addressEnv?: string;
}

/** Listens, or rejects with a ConfigurationError saying what to change (no stack trace needed). */
export function listen(server: Server, options: ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(listenError(error, options));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function listenError(error: NodeJS.ErrnoException, options: ListenOptions): Error {
  const where = `${options.host}:${options.port}`;
  const portHint = `choose another port with --port${options.portEnv ? ` or ${options.portEnv}` : ''} (0 picks a free one)`;
  const addressHint = `choose another address with --address${options.addressEnv ? ` or ${options.addressEnv}` : ''}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ConfigurationError(
        `Port ${options.port} on ${options.host} is already in use.`,
        portHint,
      );
    case 'EACCES':
      return new ConfigurationError(
        `No permission to listen on ${where} (ports below 1024 need privileges).`,
        portHint,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigurationError(
        `Cannot listen on address ${options.host}: not an address of this machine.`,
        addressHint,
      );
    default:
      return new ConfigurationError(
        `Cannot listen on ${where}: ${error.message}`,
        `${portHint}, or ${addressHint}`,
      );
  }
}

/** `http://<bound address>:<port>`, IPv6 in brackets: what the server is really listening on. */
export function boundUrl(server: Server): string {
  const address = server.address();
  if (address === null || typeof address !== 'object') return 'http://localhost';
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * For a server bound to a loopback address, a check that the `Host` header names a loopback host
 * too: a page on another site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own
 * name. Undefined (no check) for servers bound elsewhere. Requests without `Host` pass.
 */
export function hostChecker(server: Server): ((req: IncomingMessage) => boolean) | undefined {
  const address = server.address();
  if (address === null || typeof address !== 'object') return undefined;
  const bound = address.address;
  if (!isLoopbackName(bound) && !bound.startsWith('127.')) return undefined;
  let lastAllowed = '';
  return (req) => {
    const host = req.headers.host;
    if (host === undefined || host === lastAllowed) return true;
    const name = hostName(host);
    const allowed = isLoopbackName(name) || name === bound || name.startsWith('127.');
    if (allowed) lastAllowed = host;
    return allowed;
  };
}

/**
 * One AbortController per connection, aborted when the connection closes: a caller goes away by
 * closing it, which ends every request in flight on it at once. Made on first use and shared by the
 * requests of a keep-alive connection (an AbortController per request costs several microseconds).
 */
const connectionSignals = new WeakMap<Socket, FollowedSignal>();

function connectionSignal(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (signal === undefined) {
    const controller = new AbortController();
    const followers = new Set<{ handleEvent(): void }>();
    signal = controller.signal as FollowedSignal;
    signal[FOLLOWERS] = followers; // the client's attempts join this set rather than listen
    connectionSignals.set(socket, signal);
    const abort = (): void => {
      controller.abort();
      for (const follower of followers) follower.handleEvent();
    };
    if (socket.destroyed)
      abort(); // already gone
    else socket.once('close', abort);
  }
  return signal;
}

/**
 * A signal aborted when the caller goes away before its answer is written: the connection's, shared
 * by its requests, when `shared` (for an `Invoke` that releases the signal, see `releasesSignal`),
 * else one for this request.
 */
export function requestSignal(
  req: IncomingMessage,
  res: ServerResponse,
  shared: boolean,
): AbortSignal {
  if (shared) return connectionSignal(req.socket);
  const controller = new AbortController();
  if (req.socket.destroyed && !res.writableFinished)
    controller.abort(); // already gone
  else
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
  return controller.signal;
}

/**
 * The request body as UTF-8 text, or null once it passes `limit` bytes (the rest is left unread:
 * node discards it when the response is sent). Rejects with `closed(reason)` when the client goes
 * away before the end.
 */
export function readNodeBody(
  req: IncomingMessage,
  limit: number,
  closed: (reason: string) => Error,
): Promise<string | null> {
  return collectNodeBody(req, limit, closed, (chunks, size) =>
    chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
  );
}

/** The body as bytes (a forwarded request's); null once it passes `limit` bytes. */
export function readNodeBytes(
  req: IncomingMessage,
  limit: number,
  closed: (reason: string) => Error,
): Promise<Uint8Array | null> {
  return collectNodeBody(req, limit, closed, (chunks, size) =>
    chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
  );
}

function collectNodeBody<T>(
  req: IncomingMessage,
  limit: number,
  closed: (reason: string) => Error,
  finish: (chunks: Buffer[], size: number) => T,
): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(finish(chunks, size));
    };
    const onError = (): void => {
      // `aborted` / ECONNRESET: the client went away mid-upload.
      cleanup();
      reject(closed('The client aborted the request while sending its body.'));
    };
    const onClose = (): void => {
      cleanup();
      reject(closed('The client closed the connection while sending the request body.'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Splits a request target into raw path and query; handles absolute-form targets. */
export function splitTarget(target: string): { path: string; query: string } {
  if (target.charCodeAt(0) !== 47 /* / */) {
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.search.slice(1) };
    } catch {
      return { path: target, query: '' };
    }
  }
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, q), query: target.slice(q + 1) };
}

let lastLogMs = 0;
let lastLogTime = '';

/** ISO timestamp, formatted at most once per millisecond. */
export function logTimestamp(): string {
  const now = Date.now();
  if (now !== lastLogMs) {
    lastLogMs = now;
    lastLogTime = new Date(now).toISOString();
  }
  return lastLogTime;
}

/** Graceful shutdown of a node:http server, see {@link gracefulShutdown}. */
export interface Shutdown {
  /** True once shutdown has begun: answer new requests with 503 and `Connection: close`. */
  readonly closing: boolean;
  /** Idempotent; resolves once every connection is closed. */
  close(): Promise<void>;
}

/**
 * Stops accepting connections, lets in-flight requests finish (their responses should carry
 * `Connection: close`, see `closing`), closes keep-alive connections as they go idle, and drops
 * whatever is left after `timeoutMs`.
 */
export function gracefulShutdown(server: Server, timeoutMs: number): Shutdown {
  let closing = false;
  let closed: Promise<void> | undefined;
  return {
    get closing() {
      return closing;
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing = true;
        // Keep-alive connections that go idle after their last response (written before shutdown
        // began) are closed by this sweep; in-flight responses carry `Connection: close`.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
        sweep.unref();
        force.unref();
        server.close((error) => {
          clearInterval(sweep);
          clearTimeout(force);
          if (error !== undefined) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
