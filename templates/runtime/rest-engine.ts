/**
 * The REST adapter's engine: routing, inbound auth, request parsing and validation, the upstream call
 * and the answer. It works on a small request view ({@link RequestView}) so that both the web-standard
 * handler (rest.ts) and the node:http fast path (node-rest.ts) can drive it. Web-standard: no Node
 * built-in is imported here.
 */
import { isBinaryBody, passThrough } from './binary.js';
import { markOperation, observeInbound, telemetryEnabled } from './telemetry.js';
import type { InboundAuth, Invoke, InvokeContext, JsonValue, OutputMapping } from './contract.js';
import { authSecrets } from './credentials.js';
import { checkShape, DEFAULT_SHAPE_LIMITS, type ShapeLimits } from './limits.js';
import { originChecker } from './origin.js';
import { secretRedactor } from './redact.js';
import { applyOutput, bindInputs, isIdentityOutput, mappingsUseEnv } from './output.js';
import { checkAuth } from './rest-auth.js';
import {
  coerceQueryParam,
  coerceTextParam,
  MalformedQueryError,
  parseQuery,
  type ParsedQuery,
} from './rest-query.js';
import {
  errorResponse,
  forbidden,
  invalidRequest,
  methodNotAllowed,
  payloadTooLarge,
  truncate,
  unknownParameter,
  unsupportedMediaType,
} from './rest-responses.js';
import { Router } from './rest-router.js';
import type {
  CompiledRoute,
  CoreResponse,
  RequestView,
  RestAdapterSpec,
  RestHandlerOptions,
  RestInput,
  RestRoute,
} from './rest-types.js';
import { describeError, safeHeaderValue, upstreamError } from './rest-upstream.js';
import { validateValue } from './validate.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Routes that upload files (multipart upstream) take their files base64-encoded in JSON. */
const DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
const HEALTHZ_BODY = '{"status":"ok"}';

export class RestEngine {
  readonly router: Router;
  private readonly healthzOpen: boolean;
  private readonly maxBodyBytes: number;
  private readonly maxUploadBytes: number;
  private readonly env: Record<string, string | undefined>;
  private readonly log: (line: string) => void;
  private readonly auth: Exclude<InboundAuth, { type: 'none' }> | undefined;
  /** For apikey-in-query auth: the query parameter that carries the key (not an input). */
  private readonly authQueryParam: string | undefined;
  private readonly originAllowed: (origin: string) => boolean;
  private readonly bodyLimits: ShapeLimits;
  /** Scrubs every inbound and upstream credential value from text that may reach a caller or a log. */
  readonly redact: (text: string) => string;
  /** Requests may share their connection's signal (see `Invoke.releasesSignal`). */
  readonly sharedSignal: boolean;

  constructor(
    readonly spec: RestAdapterSpec,
    private readonly invoke: Invoke,
    options: RestHandlerOptions,
  ) {
    this.router = new Router(spec.routes.map(compileRoute));
    this.healthzOpen = !spec.routes.some((r) => r.path === '/healthz');
    this.maxBodyBytes = spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxUploadBytes = spec.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    this.env =
      options.env ??
      (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ??
      {};
    this.log = options.log ?? ((line) => console.error(line));
    this.auth = spec.auth === undefined || spec.auth.type === 'none' ? undefined : spec.auth;
    this.authQueryParam =
      this.auth?.type === 'apikey' && this.auth.placement === 'query' ? this.auth.key : undefined;
    this.originAllowed = originChecker([
      ...(spec.allowedOrigins ?? []),
      ...(options.allowedOrigins ?? []),
    ]);
    this.bodyLimits = options.bodyLimits ?? DEFAULT_SHAPE_LIMITS;
    this.sharedSignal = invoke.releasesSignal === true;
    this.redact = secretRedactor(
      () => authSecrets(this.auth, this.env),
      () => invoke.secrets?.() ?? [],
    );
  }

  /**
   * Start-up check of the upstream configuration (see `Invoke.check`): throws when no call could
   * work, logs a warning for each credential that is not set yet.
   */
  checkConfiguration(): void {
    for (const warning of this.invoke.check?.() ?? []) this.log(`warning: ${this.redact(warning)}`);
  }

  /** Answers one request. Never rejects. */
  handle(req: RequestView): Promise<CoreResponse> {
    if (!telemetryEnabled()) return this.handleUnsafe(req).catch(this.internalError);
    return observeInbound(
      this.spec.namespace,
      req.method,
      (name) => req.header(name),
      () => this.handleUnsafe(req).catch(this.internalError),
    );
  }

  private readonly internalError = (error: unknown): CoreResponse => {
    // The caller left while sending its body: nobody will read an answer, nothing to report.
    if (error instanceof ClientClosedError)
      return errorResponse(499, 'invalid_request_error', error.message);
    // Otherwise only reached on bugs; upstream errors are classified in upstreamError.
    this.log(`capgen rest: internal error: ${this.redact(describeError(error))}`);
    return errorResponse(500, 'api_error', 'An internal error occurred in the REST adapter.');
  };

  private async handleUnsafe(req: RequestView): Promise<CoreResponse> {
    const method = req.method;
    if (this.healthzOpen && req.path === '/healthz') {
      if (method === 'GET' || method === 'HEAD') return { status: 200, body: HEALTHZ_BODY };
      return methodNotAllowed(method, req.path, 'GET, HEAD');
    }

    const origin = req.header('origin');
    if (origin !== undefined && !this.originAllowed(origin) && !sameOrigin(origin, req)) {
      return forbidden(
        `Requests from the browser origin ${JSON.stringify(truncate(origin, 100))} are not allowed.`,
      );
    }

    let query: ParsedQuery | undefined;
    if (req.query !== '') {
      try {
        query = parseQuery(req.query);
      } catch (error) {
        if (error instanceof MalformedQueryError) return invalidRequest(error.message);
        throw error;
      }
    }

    if (this.auth !== undefined) {
      let denied = checkAuth(this.auth, req, query, this.env, this.spec.namespace);
      if (denied instanceof Promise) denied = await denied;
      if (denied !== undefined) return denied;
    }

    const match = this.router.match(method, req.path);
    // Declared operations win over a forwarded resource (the specification's rule).
    if ((match === undefined || 'allow' in match) && this.spec.forward !== undefined) {
      const forwarded = await this.spec.forward(req);
      if (forwarded !== undefined) return forwarded;
    }
    if (match === undefined) {
      return errorResponse(
        404,
        'invalid_request_error',
        `Unrecognized request URL (${method}: ${truncate(req.path, 200)}).`,
      );
    }
    if ('allow' in match) return methodNotAllowed(method, req.path, match.allow);
    const compiled = match.route;
    markOperation(compiled.route.path);

    // Path parameters: one segment each, percent-decoded exactly once.
    const inputs: Record<string, unknown> = {};
    const names = match.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      let text = match.values[i];
      if (text.indexOf('%') >= 0) {
        try {
          text = decodeURIComponent(text);
        } catch {
          return invalidRequest(
            `Invalid ${name}: malformed percent-encoding in the URL path.`,
            name,
          );
        }
      }
      if (text === '.' || text === '..') {
        // Encoded as-is into the upstream URL these would walk up its path.
        return invalidRequest(`Invalid ${name}: "${text}" is not a valid value.`, name);
      }
      const input = compiled.pathInputs.get(name);
      if (input === undefined) {
        inputs[name] = text;
        continue;
      }
      const coerced = coerceTextParam(input.schema, text, name);
      if (!coerced.ok) return invalidRequest(coerced.issue.message, coerced.issue.param);
      inputs[name] = coerced.value;
    }

    // Query parameters, typed by their schemas.
    if (query !== undefined) {
      for (const [name, entries] of query) {
        if (name === this.authQueryParam) continue;
        const input = compiled.queryInputs.get(name);
        if (input === undefined) return unknownParameter(name, compiled);
        const coerced = coerceQueryParam(input.schema, entries, name);
        if (!coerced.ok) return invalidRequest(coerced.issue.message, coerced.issue.param);
        inputs[name] = coerced.value;
      }
    }

    // JSON body (read only when there is one).
    const headerCheck = this.checkBodyHeaders(req, compiled);
    const bodyResult =
      headerCheck === READ_BODY ? await this.readJsonBody(req, compiled) : headerCheck;
    if (bodyResult !== undefined && 'status' in bodyResult) return bodyResult;
    if (compiled.bodyInput !== undefined && bodyResult !== undefined)
      inputs[compiled.bodyInput.name] = bodyResult.value;

    for (const input of compiled.requiredInputs) {
      if (inputs[input.name] === undefined) {
        const message =
          input.in === 'body'
            ? `Missing required param: ${input.name}. Send a JSON request body (Content-Type: application/json).`
            : `Missing required param: ${input.name}.`;
        return invalidRequest(message, input.name);
      }
    }

    const idempotencyKey = req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return invalidRequest(
        'Invalid Idempotency-Key header: use 1 to 255 visible ASCII characters (a UUID, say).',
      );
    }

    return await this.callUpstream(compiled, inputs, req, idempotencyKey);
  }

  /**
   * What the headers say about the body, before reading it: an error response, undefined when there
   * is none, or READ_BODY.
   */
  private checkBodyHeaders(
    req: RequestView,
    compiled: CompiledRoute,
  ): CoreResponse | undefined | typeof READ_BODY {
    const length = req.bodyLength();
    const method = req.method;
    const stateChanging = method === 'POST' || method === 'PUT' || method === 'PATCH';
    if (length === 0 && !stateChanging) return undefined;
    const contentType = req.header('content-type');
    // A state-changing request must say it is JSON, also with no body: browsers send such a header
    // cross-site only after a CORS preflight, which this adapter does not grant.
    if (stateChanging && !isJsonContentType(contentType, false))
      return unsupportedMediaType(contentType, true);
    if (length === 0) return undefined;
    if (length > 0 && !isJsonContentType(contentType, true))
      return unsupportedMediaType(contentType);
    const limit = this.bodyLimit(compiled);
    if (length > limit) return payloadTooLarge(limit);
    return READ_BODY;
  }

  /** The largest body a route takes: `maxUploadBytes` for one that uploads files (base64 in JSON). */
  private bodyLimit(compiled: CompiledRoute): number {
    return compiled.uploads ? this.maxUploadBytes : this.maxBodyBytes;
  }

  /**
   * Reads, parses and validates the JSON body (its headers passed {@link checkBodyHeaders}). Returns
   * undefined when it is blank, `{value}`, or an error response.
   */
  private async readJsonBody(
    req: RequestView,
    compiled: CompiledRoute,
  ): Promise<{ value: JsonValue } | CoreResponse | undefined> {
    const limit = this.bodyLimit(compiled);
    const text = await req.readBody(limit);
    if (text === null) return payloadTooLarge(limit);
    if (isBlank(text)) return undefined;
    if (!isJsonContentType(req.header('content-type'), true))
      return unsupportedMediaType(req.header('content-type'));

    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch (error) {
      const detail = error instanceof Error ? ` (${error.message})` : '';
      return invalidRequest(`Invalid JSON in the request body${detail}.`);
    }
    const tooBig = checkShape(value, 'the request body', this.bodyLimits);
    if (tooBig !== undefined) {
      return tooBig.kind === 'depth'
        ? invalidRequest(tooBig.message)
        : errorResponse(413, 'invalid_request_error', tooBig.message);
    }

    const input = compiled.bodyInput;
    if (input === undefined) {
      if (isEmptyObject(value)) return undefined;
      return invalidRequest(
        `${compiled.route.method} ${compiled.route.path} does not take a request body; pass its parameters in the path or query string.`,
      );
    }
    const issue = validateValue(input.schema, value, '');
    if (issue !== undefined) {
      return invalidRequest(issue.message, issue.param === '' ? input.name : issue.param);
    }
    return { value };
  }

  private async callUpstream(
    compiled: CompiledRoute,
    inputs: Record<string, unknown>,
    req: RequestView,
    idempotencyKey: string | undefined,
  ): Promise<CoreResponse> {
    const route = compiled.route;
    let result: Awaited<ReturnType<Invoke>>;
    try {
      // The one seam for other modes: a route that runs more than one call brings its runner.
      result = route.run
        ? {
            data: await route.run.run(inputs, this.invoke, {
              signal: req.signal,
              idempotencyKey,
              passThrough: compiled.identityOutput,
              env: this.env,
            }),
            status: 200,
          }
        : await this.invoke(
            route.call!,
            bindInputs(route.with ?? {}, inputs),
            new UpstreamContext(req, idempotencyKey, compiled.identityOutput),
          );
    } catch (error) {
      return this.upstreamError(route, error);
    }
    const upstreamRequestId = safeHeaderValue(result.requestId);
    const status = result.status >= 200 && result.status < 300 ? result.status : 200;
    if (status === 204 || status === 205) return { status, body: '', upstreamRequestId };
    // The upstream's own bytes, when they are the answer (checked JSON, no secret in them); first,
    // since reading `data` of an answer passed through parses it.
    if (compiled.identityOutput && result.json !== undefined && result.json.byteLength > 0)
      return { status, body: result.json, upstreamRequestId };
    // A binary answer (a PDF, an image) passes through as it came, whatever the output mapping.
    if (isBinaryBody(result.data))
      return { status, body: '', binary: passThrough(result.data), upstreamRequestId };
    let body: string;
    try {
      body =
        JSON.stringify(
          applyOutput(route.output, result.data, compiled.outputUsesEnv ? this.env : undefined),
        ) ?? 'null';
    } catch {
      // Only an answer nested beyond the stack's reach gets here (JSON.parse has no depth limit).
      return errorResponse(
        502,
        'api_error',
        `The upstream API's answer could not be returned: it is nested too deeply (${route.call?.id ?? route.operationName}).`,
      );
    }
    if (compiled.outputUsesEnv) body = this.redact(body);
    return { status, body, upstreamRequestId };
  }

  /** Maps an error thrown by `invoke` to a response. */
  private upstreamError(route: RestRoute, error: unknown): CoreResponse {
    return upstreamError(route, error, this.redact, this.log);
  }
}

/**
 * What `invoke` is given. The signal is made only if `invoke` reads it (on Node an AbortController
 * per request costs a measurable share of the adapter's own CPU time). A class rather than an object
 * literal with a getter: V8 gives every such literal a hidden class of its own, held in old space,
 * which holds the getter and through it the whole request, so every request outlived the young
 * generation and was promoted (about a tenth of the adapter's CPU time went to that).
 */
class UpstreamContext implements InvokeContext {
  constructor(
    private readonly req: RequestView,
    readonly idempotencyKey: string | undefined,
    readonly passThrough: boolean,
  ) {}

  get signal(): AbortSignal | undefined {
    return this.req.signal;
  }
}

/** The client closed the connection before its request body was complete. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
}

function compileRoute(route: RestRoute): CompiledRoute {
  const pathInputs = new Map<string, RestInput>();
  const queryInputs = new Map<string, RestInput>();
  let bodyInput: RestInput | undefined;
  for (const input of route.inputs) {
    if (input.in === 'path') pathInputs.set(input.name, input);
    else if (input.in === 'query') queryInputs.set(input.name, input);
    else bodyInput = input;
  }
  return {
    route,
    pathInputs,
    queryInputs,
    requiredInputs: route.inputs.filter((i) => i.required),
    bodyInput,
    // A runner's result may hold bound values (output templates): always redacted, never passed on.
    outputUsesEnv: route.run !== undefined || mappingsUseEnv(route.output),
    identityOutput: route.run === undefined && isIdentityOutput(route.output),
    uploads: route.call?.body?.files !== undefined,
  };
}

/** Returned by checkBodyHeaders when the body must be read. */
const READ_BODY = Symbol('read body');

/** What an Idempotency-Key header may hold (Stripe allows up to 255 characters). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** An Origin naming the host the request was sent to (the adapter's own pages). */
function sameOrigin(origin: string, req: RequestView): boolean {
  const host = req.header('host');
  if (host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false;
  }
}

/** `unlabelled` says whether a missing or empty Content-Type counts as JSON. */
function isJsonContentType(contentType: string | undefined, unlabelled: boolean): boolean {
  if (contentType === undefined || contentType === '') return unlabelled;
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return (
    media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
  );
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return true;
}

function isEmptyObject(value: JsonValue): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}
