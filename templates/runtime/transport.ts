/**
 * HTTP transports for the capgen client.
 *
 * A transport sends one fully-built request and returns the whole response body as text. Retries,
 * timeouts, auth and error mapping live in `client.ts`; a transport only moves bytes.
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
  body?: string;
  /** Aborts the request (timeout or caller abort); the transport then rejects. */
  signal: AbortSignal;
}

/** A complete response. */
export interface TransportResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 ('' when empty). */
  body: string;
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
      body: request.body,
      signal: request.signal,
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      // forEach yields each Set-Cookie separately; join them like the other repeated headers.
      const key = name.toLowerCase();
      headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    });
    const body = await response.text();
    return { status: response.status, headers, body };
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
  end(body?: string): unknown;
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
      if (request.body !== undefined) {
        headers['Content-Length'] = String(new TextEncoder().encode(request.body).byteLength);
      }

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
            const chunks: Uint8Array[] = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('error', fail);
            response.on('close', () => {
              if (!response.complete)
                fail(new Error('Connection closed before the response was complete'));
            });
            response.on('end', () => {
              const responseHeaders: Record<string, string> = {};
              for (const [name, value] of Object.entries(response.headers)) {
                if (value === undefined) continue;
                responseHeaders[name.toLowerCase()] = Array.isArray(value)
                  ? value.join(', ')
                  : value;
              }
              const body = decodeUtf8(chunks);
              finish(() =>
                resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body }),
              );
            });
          },
        );
      } catch (error) {
        fail(error);
        return;
      }
      req.on('error', fail);
      req.end(request.body);
    });
}

function decodeUtf8(chunks: Uint8Array[]): string {
  if (chunks.length === 0) return '';
  const decoder = new TextDecoder('utf-8');
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}

// ---------------------------------------------------------------------------------------------
// default

/** Node's keep-alive `node:http` transport under Node, `globalThis.fetch` elsewhere. */
export function defaultTransport(): Transport {
  return nodeHttpTransport() ?? fetchTransport();
}
