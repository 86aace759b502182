/**
 * HTTP transports for the capgen client.
 *
 * A transport sends one fully-built request and returns the whole response: status, headers and the
 * body's bytes (text decoded on demand), read as a stream and refused past `maxResponseBytes`.
 * Transports never follow redirects (the client decides, see client.ts). Retries, timeouts, auth and
 * error mapping live in `client.ts`; a transport only moves bytes.
 *
 * Two implementations:
 * - `fetchTransport`: the WHATWG `fetch` (global by default, or an injected one). Runs anywhere:
 *   Node, Deno, Bun, Cloudflare Workers, browsers.
 * - `nodeHttpTransport`: Node's `node:http` / `node:https` with keep-alive agents. Measured on
 *   Node 20.20 against a local server (~1 KB JSON, 5000 GETs, 2 cores; capgen's
 *   test/runtime/transport-bench.ts), full client: ~3.4k calls/s sequential and ~6.3k/s at 8 in
 *   flight, versus ~2.1-2.6k/s and ~3.4-3.7k/s over Node's built-in fetch (undici), and
 *   ~2.5k/s / ~3.9-4.5k/s for the `stripe` package itself. The modules are obtained lazily with
 *   `process.getBuiltinModule`, so this file has no static Node import and loads on edge runtimes.
 *   `http.request` is looked up at call time, so interceptors that patch it (msw, nock) still work.
 *
 * `defaultTransport()` picks the Node transport under Node and `fetch` elsewhere.
 *
 * This file deliberately declares the few Node shapes it uses instead of importing `@types/node`,
 * so it type-checks in projects without Node typings.
 */

/** One request, ready to send. */
export interface TransportRequest {
  method: string;
  /** Absolute URL, already percent-encoded. */
  url: string;
  headers: Record<string, string>;
  /** Text is sent as UTF-8. */
  body?: string | Uint8Array;
  /** Aborts the request (timeout or caller abort); the transport then rejects. */
  signal: AbortSignal;
  /** Largest response body accepted, in bytes; past it the transport rejects with ResponseTooLargeError. */
  maxResponseBytes?: number;
}

/** A complete response. */
export interface TransportResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 ('' when empty); the built-in transports decode it on first read. */
  readonly body: string;
  /** The body's bytes, when the transport has them (the built-in transports do). */
  readonly bytes?: Uint8Array;
}

/** The response body was larger than the request's `maxResponseBytes`. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly limit: number) {
    super(`The response body is larger than the ${limit}-byte limit`);
  }
}

/** A response over raw bytes whose text is decoded once, on first read. */
class BytesResponse implements TransportResponse {
  private text: string | undefined;
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly bytes: Uint8Array,
  ) {}

  get body(): string {
    this.text ??= this.bytes.byteLength === 0 ? '' : new TextDecoder('utf-8').decode(this.bytes);
    return this.text;
  }
}

/** A response over raw bytes whose text is decoded once, on first read. */
export function bytesResponse(
  status: number,
  headers: Record<string, string>,
  bytes: Uint8Array,
): TransportResponse {
  return new BytesResponse(status, headers, bytes);
}

/** Appends chunks up to `limit` bytes; `add` returns false once the limit is passed. */
class BodyCollector {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  add(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength;
    if (this.size > this.limit) return false;
    this.chunks.push(chunk);
    return true;
  }

  bytes(): Uint8Array {
    const chunks = this.chunks;
    if (chunks.length === 1) return chunks[0];
    const all = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of chunks) {
      all.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return all;
  }
}

const NO_LIMIT = Number.POSITIVE_INFINITY;

/** A declared Content-Length over the limit is refused before reading anything. */
function declaredTooLarge(contentLength: string | undefined | null, limit: number): boolean {
  return contentLength !== undefined && contentLength !== null && Number(contentLength) > limit;
}

/**
 * Sends a request. Rejects on network failure; when `request.signal` aborts it rejects with the
 * signal's `reason` (or with some error: the client checks `signal.aborted` itself).
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The `fetch` signature accepted by the client. */
export type FetchLike = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

// ---------------------------------------------------------------------------------------------
// fetch

/**
 * A transport over `fetch`. Without an argument it uses `globalThis.fetch`, looked up on every
 * call (so a fetch patched later, e.g. by msw, is used).
 */
export function fetchTransport(fetchImpl?: FetchLike): Transport {
  return async (request) => {
    const doFetch: FetchLike = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    const response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | undefined,
      signal: request.signal,
      // The client decides about redirects: fetch would follow them anywhere, with the credentials.
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      // forEach yields each Set-Cookie separately; join them like the other repeated headers.
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    });
    const limit = request.maxResponseBytes ?? NO_LIMIT;
    const body = response.body;
    if (declaredTooLarge(headers['content-length'], limit)) {
      await body?.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(limit);
    }
    const collector = new BodyCollector(limit);
    if (body !== null) {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!collector.add(value)) {
          await reader.cancel().catch(() => undefined);
          throw new ResponseTooLargeError(limit);
        }
      }
    }
    return bytesResponse(response.status, headers, collector.bytes());
  };
}

// ---------------------------------------------------------------------------------------------
// node:http

/** The parts of `node:http`'s IncomingMessage used here. */
interface NodeIncomingMessage {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  complete: boolean;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(error?: Error): unknown;
}

/** The parts of `node:http`'s ClientRequest used here. */
interface NodeClientRequest {
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(body?: string | Uint8Array): unknown;
  destroy(error?: Error): unknown;
}

interface NodeRequestOptions {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  method: string;
  headers: Record<string, string>;
  agent: unknown;
}

/** The parts of `node:http` / `node:https` used here. */
interface NodeHttpModule {
  request(
    options: NodeRequestOptions,
    callback: (response: NodeIncomingMessage) => void,
  ): NodeClientRequest;
  Agent: new (options: { keepAlive: boolean }) => unknown;
}

interface NodeProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcessLike | undefined {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  return proc && typeof proc.versions?.node === 'string' ? proc : undefined;
}

/**
 * True when running on Node.js itself, not on a runtime that emulates parts of it (Deno, Bun,
 * Cloudflare Workers with nodejs_compat), where fetch is the native, better-supported path.
 */
export function isNodeRuntime(): boolean {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; navigator?: { userAgent?: string } };
  if (g.Deno !== undefined || g.Bun !== undefined) return false;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return false;
  return nodeProcess() !== undefined;
}

interface NodeModules {
  http: NodeHttpModule;
  https: NodeHttpModule;
  httpAgent: unknown;
  httpsAgent: unknown;
}

let nodeModules: NodeModules | null | undefined;

/** Loads node:http/node:https once (sync, via process.getBuiltinModule); null when unavailable. */
function loadNodeModules(): NodeModules | null {
  if (nodeModules !== undefined) return nodeModules;
  nodeModules = null;
  const proc = nodeProcess();
  if (!proc || typeof proc.getBuiltinModule !== 'function' || !isNodeRuntime()) return null;
  try {
    const http = proc.getBuiltinModule('node:http') as NodeHttpModule | undefined;
    const https = proc.getBuiltinModule('node:https') as NodeHttpModule | undefined;
    if (!http || !https) return null;
    nodeModules = {
      http,
      https,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
    };
  } catch {
    nodeModules = null;
  }
  return nodeModules;
}

/**
 * A transport over `node:http` / `node:https` with keep-alive agents shared by all clients in the
 * process. Returns `undefined` when those modules are not available (non-Node runtimes).
 */
export function nodeHttpTransport(): Transport | undefined {
  const modules = loadNodeModules();
  if (!modules) return undefined;

  return (request) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const { signal } = request;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const url = new URL(request.url);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        reject(new TypeError(`Unsupported URL protocol: ${url.protocol}`));
        return;
      }
      const mod = secure ? modules.https : modules.http;

      let settled = false;
      let req: NodeClientRequest | undefined;
      let res: NodeIncomingMessage | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const fail = (error: unknown): void => finish(() => reject(error));
      function onAbort(): void {
        const reason: unknown = signal.reason;
        fail(reason);
        res?.destroy();
        req?.destroy();
      }
      signal.addEventListener('abort', onAbort);

      const headers = { ...request.headers };
      const body = request.body;
      if (body !== undefined) {
        headers['Content-Length'] = String(
          typeof body === 'string' ? utf8Length(body) : body.byteLength,
        );
      }
      const limit = request.maxResponseBytes ?? NO_LIMIT;

      try {
        req = mod.request(
          {
            protocol: url.protocol,
            // URL keeps IPv6 literals bracketed; node:http wants them bare.
            hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
            port: url.port ? Number(url.port) : undefined,
            path: url.pathname + url.search,
            method: request.method,
            headers,
            agent: secure ? modules.httpsAgent : modules.httpAgent,
          },
          (response) => {
            res = response;
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value === undefined) continue;
              responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
            }
            if (declaredTooLarge(responseHeaders['content-length'], limit)) {
              fail(new ResponseTooLargeError(limit));
              response.destroy();
              return;
            }
            const collector = new BodyCollector(limit);
            response.on('data', (chunk) => {
              if (!collector.add(chunk)) {
                fail(new ResponseTooLargeError(limit));
                response.destroy();
              }
            });
            response.on('error', fail);
            response.on('close', () => {
              if (!response.complete)
                fail(new Error('Connection closed before the response was complete'));
            });
            response.on('end', () => {
              const bytes = collector.bytes();
              finish(() =>
                resolve(bytesResponse(response.statusCode ?? 0, responseHeaders, bytes)),
              );
            });
          },
        );
      } catch (error) {
        fail(error);
        return;
      }
      req.on('error', fail);
      req.end(body);
    });
}

/** Bytes of `text` in UTF-8, without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2; // a pair: 2 units, 4 bytes
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}

// ---------------------------------------------------------------------------------------------
// default

/** Node's keep-alive `node:http` transport under Node, `globalThis.fetch` elsewhere. */
export function defaultTransport(): Transport {
  return nodeHttpTransport() ?? fetchTransport();
}
