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

import { CANCELLATION, type Cancellation } from './cancellation.js';

export { CANCELLATION, type Cancellation } from './cancellation.js';

/** One request, ready to send. */
export interface TransportRequest {
  method: string;
  /** Absolute URL, already percent-encoded. */
  url: string;
  headers: Record<string, string>;
  /** Text is sent as UTF-8. */
  body?: string | Uint8Array;
  /** Aborts the request (timeout or caller abort); the transport then rejects. */
  readonly signal: AbortSignal;
  /** Largest response body accepted, in bytes; past it the transport rejects with ResponseTooLargeError. */
  maxResponseBytes?: number;
  /**
   * The same cancellation as `signal`, without an `AbortSignal`: the client sets it on requests it
   * makes, and the built-in node:http transport watches it instead of `signal` (creating an
   * AbortController and listening to it costs several microseconds per request on Node 20).
   */
  readonly [CANCELLATION]?: Cancellation;
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
    this.text ??= this.bytes.byteLength === 0 ? '' : utf8Decoder.decode(this.bytes);
    return this.text;
  }
}

/** Decodes whole bodies (no streaming state is kept between calls). */
const utf8Decoder = new TextDecoder('utf-8');

/**
 * The bytes of a response made by {@link bytesResponse} (whose `body` is by construction their UTF-8
 * decoding), or undefined for other responses: what a custom transport puts in `bytes` is not trusted
 * to match its `body`.
 */
export function decodedBytes(response: TransportResponse): Uint8Array | undefined {
  return response instanceof BytesResponse ? response.bytes : undefined;
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
interface NodeIncomingMessage extends Carrier {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  complete: boolean;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(error?: Error): unknown;
}

/** The parts of `node:http`'s ClientRequest used here. */
interface NodeClientRequest extends Carrier {
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
  /** As a flat list of names and values, which node writes as given (no Host added for us). */
  headers: string[];
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
    new Promise<TransportResponse>((resolve, reject) =>
      new NodeExchange(request, resolve, reject).start(modules),
    );
}

/**
 * One request over node:http, from sending it to settling with the whole response. Its steps are
 * methods, and node calls them through listeners shared by every exchange (the exchange rides on the
 * request and response objects): no closure is made per request.
 */
class NodeExchange {
  private settled = false;
  private req: NodeClientRequest | undefined;
  private res: NodeIncomingMessage | undefined;
  private collector: BodyCollector | undefined;
  private responseHeaders: Record<string, string> = {};
  private readonly cancellation: Cancellation | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly limit: number;

  constructor(
    private readonly request: TransportRequest,
    private readonly resolve: (response: TransportResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.cancellation = request[CANCELLATION];
    this.signal = this.cancellation === undefined ? request.signal : undefined;
    this.limit = request.maxResponseBytes ?? NO_LIMIT;
  }

  start(modules: NodeModules): void {
    const request = this.request;
    const cancelled = this.cancellation ?? (this.signal as AbortSignal);
    if (cancelled.aborted) {
      this.reject(cancelled.reason);
      return;
    }
    const target = requestTarget(request.url);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') {
      this.reject(new TypeError(`Unsupported URL protocol: ${target.protocol}`));
      return;
    }
    const secure = target.protocol === 'https:';
    if (this.cancellation !== undefined) this.cancellation.watcher = this;
    else this.signal?.addEventListener('abort', this);

    const body = request.body;
    // A flat list: node writes it as it is, without the bookkeeping of a headers object. The body's
    // length is ours to state; a Host given by the caller wins over the URL's.
    const headers: string[] = [];
    let host = false;
    for (const name in request.headers) {
      const lower = name.length === 4 || name.length === 14 ? name.toLowerCase() : '';
      if (lower === 'content-length' && body !== undefined) continue;
      if (lower === 'host') host = true;
      headers.push(name, request.headers[name]);
    }
    if (!host) headers.push('Host', target.host);
    if (body !== undefined)
      headers.push(
        'Content-Length',
        String(typeof body === 'string' ? utf8Length(body) : body.byteLength),
      );
    let req: NodeClientRequest;
    try {
      req = (secure ? modules.https : modules.http).request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          method: request.method,
          headers,
          agent: secure ? modules.httpsAgent : modules.httpAgent,
        },
        onResponse,
      );
    } catch (error) {
      this.fail(error);
      return;
    }
    this.req = req;
    req[EXCHANGE] = this;
    req.on('error', onError);
    req.end(body);
  }

  received(response: NodeIncomingMessage): void {
    this.res = response;
    const headers = this.responseHeaders;
    const received = response.headers;
    for (const name in received) {
      const value = received[name];
      if (value === undefined) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    if (declaredTooLarge(headers['content-length'], this.limit)) {
      this.fail(new ResponseTooLargeError(this.limit));
      response.destroy();
      return;
    }
    this.collector = new BodyCollector(this.limit);
    response[EXCHANGE] = this;
    response.on('data', onData);
    response.on('error', onError);
    response.on('close', onClose);
    response.on('end', onEnd);
  }

  data(chunk: Uint8Array): void {
    if (!(this.collector as BodyCollector).add(chunk)) {
      this.fail(new ResponseTooLargeError(this.limit));
      this.res?.destroy();
    }
  }

  closed(): void {
    if (this.res?.complete === false)
      this.fail(new Error('Connection closed before the response was complete'));
  }

  end(): void {
    if (!this.settle()) return;
    const bytes = (this.collector as BodyCollector).bytes();
    this.resolve(bytesResponse(this.res?.statusCode ?? 0, this.responseHeaders, bytes));
  }

  /** The cancellation fired (as its watcher). */
  cancelled(): void {
    this.fail((this.cancellation ?? (this.signal as AbortSignal)).reason);
    this.res?.destroy();
    this.req?.destroy();
  }

  /** The signal aborted (as its listener). */
  handleEvent(): void {
    this.cancelled();
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  /** True the first time: the exchange stops watching for cancellation. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.cancellation !== undefined) this.cancellation.watcher = undefined;
    else this.signal?.removeEventListener('abort', this);
    return true;
  }
}

/** Where an exchange rides on node's request and response objects. */
const EXCHANGE = Symbol('capgen.exchange');

type Carrier = { [EXCHANGE]?: NodeExchange };

function exchangeOf(carrier: Carrier): NodeExchange {
  return carrier[EXCHANGE] as NodeExchange;
}

function onResponse(this: Carrier, response: NodeIncomingMessage): void {
  exchangeOf(this).received(response);
}

function onData(this: Carrier, chunk: Uint8Array): void {
  exchangeOf(this).data(chunk);
}

function onError(this: Carrier, error: Error): void {
  exchangeOf(this).fail(error);
}

function onClose(this: Carrier): void {
  exchangeOf(this).closed();
}

function onEnd(this: Carrier): void {
  exchangeOf(this).end();
}

interface RequestTarget {
  protocol: string;
  hostname: string;
  port: number | undefined;
  /** The Host header: host name (IPv6 in brackets) and port unless the default. */
  host: string;
  /** Path and query, as sent. */
  path: string;
}

/** Origins parsed so far (a client talks to one or two), without their path. */
const origins = new Map<string, Omit<RequestTarget, 'path'>>();

/**
 * What node:http needs from a URL. A path of characters that WHATWG URL parsing keeps as they are
 * (no dot segment, no `%2e`, no backslash, nothing it would percent-encode) is taken as written and
 * only the origin is parsed (once); any other URL is parsed whole.
 */
function requestTarget(url: string): RequestTarget {
  const scheme = url.indexOf('://');
  const slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
  const path = slash < 0 ? '' : url.slice(slash);
  if (slash > 0 && PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) {
    const origin = url.slice(0, slash);
    let parsed = origins.get(origin);
    if (parsed === undefined) {
      parsed = originOf(new URL(origin));
      if (origins.size >= 64) origins.clear();
      origins.set(origin, parsed);
    }
    return {
      protocol: parsed.protocol,
      hostname: parsed.hostname,
      port: parsed.port,
      host: parsed.host,
      path,
    };
  }
  const whole = new URL(url);
  const parsed = originOf(whole);
  return {
    protocol: parsed.protocol,
    hostname: parsed.hostname,
    port: parsed.port,
    host: parsed.host,
    path: whole.pathname + whole.search,
  };
}

function originOf(url: URL): Omit<RequestTarget, 'path'> {
  return {
    protocol: url.protocol,
    // URL keeps IPv6 literals bracketed; node:http wants them bare.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    host: url.host,
  };
}

/** Characters that URL parsing leaves alone in a path and query (no `"#'<>\^`{}`, spaces, controls). */
const PLAIN_PATH = /^\/[!$%&()*+,\-./0-9:;=?@A-Z[\]_a-z|~]*$/;
/** What URL parsing would resolve or rewrite: dot segments (also percent-encoded). */
const DOT_SEGMENT = /\/\.|%2e/i;

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
