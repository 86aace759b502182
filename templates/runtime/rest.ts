/**
 * The REST adapter runtime: serves a capability's exposed REST routes by validating each request,
 * calling the upstream operation through an injected {@link Invoke} function, and shaping the answer.
 *
 * Generated code passes a {@link RestAdapterSpec} (plain data) and an `invoke` bound to the upstream
 * API client. This module is the web-standard entry point:
 *
 * - {@link createRestHandler}: a web-standard `(Request) => Promise<Response>` handler, usable on any
 *   runtime with the Fetch API (Node, Deno, Bun, edge workers). Neither this module nor anything it
 *   imports touches a Node built-in, so it bundles for edge runtimes without externals.
 * - `serveRest` (node-rest.ts, Node only) runs the same engine on a `node:http` server.
 *
 * Modules: rest-engine.ts (the engine), rest-router.ts, rest-query.ts (query parsing), rest-auth.ts,
 * rest-responses.ts (error answers), rest-upstream.ts (upstream error mapping), rest-types.ts.
 *
 * Errors use Stripe's shape: `{"error": {"type": "invalid_request_error", "message": ..., "param": ...}}`.
 */
import { timingSafeEqual } from './credentials.js';
import { RestEngine } from './rest-engine.js';
import {
  hasBody,
  JSON_CONTENT_TYPE,
  UPSTREAM_REQUEST_ID_HEADER,
  type CoreResponse,
  type Invoke,
  type RequestView,
  type RestAdapterSpec,
  type RestHandler,
  type RestHandlerOptions,
} from './rest-types.js';
import { ClientClosedError } from './rest-engine.js';
import { WebRequestView } from './web-body.js';

export type {
  Invoke,
  RestAdapterSpec,
  RestHandler,
  RestHandlerOptions,
  RestInput,
  RestRoute,
} from './rest-types.js';
export { UPSTREAM_REQUEST_ID_HEADER } from './rest-types.js';
export { timingSafeEqual };

const ENGINE = Symbol('capgen.restEngine');

type EngineCarrier = { [ENGINE]?: RestEngine };

/** The engine behind a handler made by {@link createRestHandler} (node-rest.ts serves it directly). */
export function engineOf(handler: RestHandler): RestEngine | undefined {
  return (handler as EngineCarrier)[ENGINE];
}

/** A request view over a web `Request`. */
class WebRestView extends WebRequestView implements RequestView {
  constructor(request: Request) {
    super(
      request,
      () => new ClientClosedError('The request body stream failed before it was complete.'),
    );
  }

  bodyLength(): number {
    if (this.request.body === null) return 0;
    const declared = this.request.headers.get('content-length');
    if (declared !== null && /^\d+$/.test(declared)) return Number(declared);
    return -1;
  }
}

function toWebResponse(core: CoreResponse): Response {
  const headers = new Headers(core.headers);
  // A forwarded answer: the upstream's status, headers and bytes as they come.
  if (core.stream) return new Response(core.stream, { status: core.status, headers });
  const binary = core.binary;
  const body = binary === undefined && hasBody(core);
  if (binary !== undefined) headers.set('content-type', binary.contentType);
  else if (body) headers.set('content-type', JSON_CONTENT_TYPE);
  if (core.upstreamRequestId !== undefined)
    headers.set(UPSTREAM_REQUEST_ID_HEADER, core.upstreamRequestId);
  const payload = binary?.bytes ?? (body ? core.body : null);
  return new Response(payload as BodyInit | null, { status: core.status, headers });
}

/**
 * Builds the web-standard handler for a REST exposure. Routes and schemas are compiled once, here,
 * and the upstream configuration is checked (see `Invoke.check`: a ConfigurationError is thrown for
 * an invalid base URI, a warning logged for each unset credential); the returned function validates
 * each request, calls `invoke`, and answers.
 */
export function createRestHandler(
  spec: RestAdapterSpec,
  invoke: Invoke,
  options: RestHandlerOptions = {},
): RestHandler {
  const engine = new RestEngine(spec, invoke, options);
  engine.checkConfiguration(); // throws on an unusable upstream configuration, warns on unset credentials
  const handler: RestHandler & EngineCarrier = (request: Request) =>
    engine.handle(new WebRestView(request)).then(toWebResponse);
  // serveRest finds the engine here and skips the Request/Response conversion.
  Object.defineProperty(handler, ENGINE, { value: engine });
  return handler;
}
