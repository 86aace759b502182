/**
 * Types of the REST adapter runtime: the adapter description generated code passes in (plain data),
 * the handler options, and the small request/response views the engine works on, so that the
 * web-standard handler (rest.ts) and the node:http server (node-rest.ts) can both drive it.
 */
import type {
  Binding,
  HttpMethod,
  InboundAuth,
  Invoke,
  JsonSchema,
  OperationSpec,
  OutputMapping,
  Runner,
} from './contract.js';
import type { ShapeLimits } from './limits.js';

/** One input of an exposed REST operation. `in: 'body'` is the whole JSON request body. */
export interface RestInput {
  name: string;
  in: 'path' | 'query' | 'body';
  required: boolean;
  schema: JsonSchema;
}

/** One exposed REST operation: a path and method, its inputs, and the upstream call it makes. */
export interface RestRoute {
  /** The path exactly as written in the capability, with `{param}` placeholders. */
  path: string;
  method: HttpMethod;
  operationName: string;
  inputs: RestInput[];
  /** The upstream operation to call (simple mode). */
  call?: OperationSpec;
  /** Upstream parameter name -> where its value comes from. */
  with?: Record<string, Binding>;
  /** Output mappings; absent means the upstream body as is. */
  output?: OutputMapping[];
  /** Runs the route instead of `call` (steps, mock outputs, aggregate functions); see orchestrate.ts. */
  run?: Runner;
}

/** A capability's REST exposure (an exposes block of type rest). */
export interface RestAdapterSpec {
  namespace: string;
  routes: RestRoute[];
  /** How callers authenticate; open when absent (or `type: 'none'`). `/healthz` is always open. */
  auth?: InboundAuth;
  /** Largest accepted request body in bytes; default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Largest accepted request body of a route that uploads files (base64 in JSON, see binary.ts) in
   * bytes; default 16 MiB.
   */
  maxUploadBytes?: number;
  /** Browser origins allowed besides loopback ones and the server's own; see RestHandlerOptions. */
  allowedOrigins?: string[];
  /**
   * Pass-through resources (`forward`), tried when no route matches: see rest-forward.ts, which
   * makes it. Undefined for a path it does not serve.
   */
  forward?: (req: RequestView) => Promise<CoreResponse | undefined>;
}

/** The upstream call (see contract.ts). */
export type { Invoke };

/** A web-standard request handler. */
export type RestHandler = (request: Request) => Promise<Response>;

export interface RestHandlerOptions {
  /** Environment for inbound-auth secrets and output templates, read at request time; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where unexpected (500) errors and start-up warnings go, with secrets redacted; default `console.error`. */
  log?: (line: string) => void;
  /**
   * Browser origins allowed to call the adapter, besides `http(s)://localhost`, `127.0.0.1` and
   * `[::1]` on any port and the adapter's own origin. A request from any other `Origin` gets 403;
   * requests without `Origin` (non-browser callers) are not affected.
   */
  allowedOrigins?: string[];
  /** Limits on the JSON request body's nesting and size (see limits.ts); default 32 levels, 100 000 values. */
  bodyLimits?: ShapeLimits;
}

/** Response header carrying the upstream request id. */
export const UPSTREAM_REQUEST_ID_HEADER = 'x-upstream-request-id';

/** What the engine needs from an incoming request. */
export interface RequestView {
  readonly method: string;
  /** Raw path, still percent-encoded, without query string. */
  readonly path: string;
  /** Raw query string without '?', '' when absent. */
  readonly query: string;
  /** First value of a header; `name` is lower-case. */
  header(name: string): string | undefined;
  /** 0: no body; n > 0: declared Content-Length; -1: a body of unknown length. */
  bodyLength(): number;
  /** The body as UTF-8 text, or null when it exceeds `limit` bytes. */
  readBody(limit: number): Promise<string | null>;
  /** The body as bytes, or null when it exceeds `limit` bytes (forwarded requests). */
  readBytes(limit: number): Promise<Uint8Array | null>;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal | undefined;
}

/** The engine's answer, turned into a Response or written to a ServerResponse. */
export interface CoreResponse {
  status: number;
  /**
   * JSON text (as a string, or UTF-8 bytes passed on from the upstream), or '' for no body (or for a
   * binary one).
   */
  body: string | Uint8Array;
  /** A binary body passed through from the upstream, with its media type. */
  binary?: { contentType: string; bytes: Uint8Array };
  /** Extra headers (Allow, WWW-Authenticate); a forwarded answer's headers. */
  headers?: Record<string, string>;
  upstreamRequestId?: string;
  /** A forwarded answer's body, streamed as it comes (then `body` is unused and headers are all). */
  stream?: ReadableStream<Uint8Array>;
}

/** A compiled route: the route plus lookups precomputed from its inputs. */
export interface CompiledRoute {
  route: RestRoute;
  pathInputs: Map<string, RestInput>;
  queryInputs: Map<string, RestInput>;
  requiredInputs: RestInput[];
  bodyInput: RestInput | undefined;
  /** Whether output mappings read environment variables (then the response is redacted). */
  outputUsesEnv: boolean;
  /** Whether the answer is the upstream body unchanged (no mapping, or `$`): its bytes pass through. */
  identityOutput: boolean;
  /** Whether the route uploads files (its body limit is `maxUploadBytes`). */
  uploads: boolean;
}

/** Whether a response has a JSON body (a binary one is `binary`). */
export function hasBody(core: CoreResponse): boolean {
  return typeof core.body === 'string' ? core.body !== '' : core.body.byteLength > 0;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
