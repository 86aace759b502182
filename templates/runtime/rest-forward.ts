/**
 * Forwarded resources (`forward` in a capability): a path prefix whose requests go to a consumed
 * API as they are, and whose answers come back as they are (status, headers, streamed bytes).
 * Generated rest.ts files that declare one pass `createForwarder(...)` as the adapter's `forward`;
 * the engine tries it when no declared operation matches. Web-standard: fetch and web streams.
 *
 * What crosses, and the limits (the adapter's own):
 * - to the upstream: the method, the rest of the path (no `.`/`..` segment, even encoded), the
 *   query string, the body (up to the adapter's body limit), the headers the resource trusts, the
 *   body's Content-Type, the consumes block's fixed header values (Mustache: `{{<placeholder>}}`
 *   and bound variables, rendered once) and its authentication, which wins over a trusted header;
 * - back: the status, the headers but hop-by-hop ones (and Content-Length/Content-Encoding: fetch
 *   decodes the body), the body streamed, cut past 16 MiB, within one deadline (30 s);
 * - secrets: every credential the forward resolves (its authentication, bound header values) is
 *   redacted from response header values and from text bodies (JSON, text, XML, forms, JavaScript) as they stream,
 *   across chunk boundaries; binary bodies are passed as they are (as the client does with bytes).
 *   Redirects are not followed: a 30x comes back to the caller, and credentials never leave.
 */
import type { ApiSpec, ValueTemplate } from './contract.js';
import { resolveAuth } from './client-auth.js';
import { resolveBaseUri } from './client-url.js';
import { resolveValueTemplate } from './credentials.js';
import { REDACTED, secretForms } from './redact.js';
import { errorResponse, invalidRequest } from './rest-responses.js';
import type { CoreResponse, RequestView } from './rest-types.js';
import { markOperation, startUpstreamSpan } from './telemetry.js';

/** One forwarded resource, as generated code describes it. */
export interface ForwardSpec {
  /** What a request path must start with; the rest goes after the API's base URI. */
  prefix: string;
  /** The placeholder that takes the rest of the path, when the path ends with one. */
  param?: string;
  api: ApiSpec;
  /** Request headers passed on, lower-case. */
  trustedHeaders: string[];
  /** Fixed header values (the consumes block's header parameters with a `value`). */
  headers: Array<{ name: string; value: ValueTemplate }>;
}

/** What the forwarder reads from the client options (a `ClientOptions` object will do). */
export interface ForwardOptions {
  baseUri?: string;
  apiKey?: string;
  env?: Record<string, string | undefined>;
  fetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  /** Time for the whole exchange, answer streamed included; default 30 s. */
  deadlineMs?: number;
  /** Largest answer passed back, in bytes; default 16 MiB. */
  maxResponseBytes?: number;
  /** Largest request body passed on; default 1 MiB (the adapter's). */
  maxBodyBytes?: number;
}

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Never passed on, either way (RFC 9110 §7.6.1), nor what the transport sets itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-encoding',
]);

const TEXT_TYPE =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|javascript|x-www-form-urlencoded|x-ndjson))/i;

export function createForwarder(
  specs: ForwardSpec[],
  options: ForwardOptions = {},
): (req: RequestView) => Promise<CoreResponse | undefined> {
  const env = (): Record<string, string | undefined> =>
    options.env ??
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
    {};
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return async (req) => {
    const spec = specs.find((s) =>
      s.param === undefined ? req.path === s.prefix : req.path.startsWith(s.prefix),
    );
    if (spec === undefined) return undefined;
    const rest = spec.param === undefined ? '' : req.path.slice(spec.prefix.length);
    if (spec.param !== undefined && rest === '') return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      return invalidRequest(`Invalid ${spec.param}: malformed percent-encoding in the URL path.`);
    }
    // Checked decoded too: an upstream that decodes %2F and %2E would walk up its own paths.
    if ([...rest.split('/'), ...decoded.split('/')].some(isDotSegment) || decoded.includes('\\'))
      return invalidRequest(`Invalid ${spec.param}: '.' and '..' segments are not forwarded.`);

    const vars = env();
    const secrets: string[] = [];
    const headers = new Headers({ 'accept-encoding': 'identity' });
    for (const name of spec.trustedHeaders) {
      const value = req.header(name);
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers.set(name, value);
    }
    const params = spec.param === undefined ? {} : { [spec.param]: decoded };
    for (const fixed of spec.headers) {
      const value = render(fixed.value, vars, params, secrets);
      if (value === undefined)
        return errorResponse(
          500,
          'api_error',
          `The forwarded header ${fixed.name} has no value: a bound variable is not set.`,
        );
      if (/[\r\n\0]/.test(value))
        return invalidRequest(`The forwarded header ${fixed.name} would hold a line break.`);
      headers.set(fixed.name, value);
    }
    let url: URL;
    let auth: ReturnType<typeof resolveAuth>;
    try {
      const baseUri = resolveBaseUri(spec.api, options.baseUri, vars);
      url = new URL(baseUri.origin + baseUri.pathname);
      auth = resolveAuth(spec.api.auth, spec.api.namespace, vars, options.apiKey);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return errorResponse(
        500,
        'api_error',
        `The forward to ${spec.api.namespace} is not configured: ${message}`,
      );
    }
    secrets.push(...auth.secrets);
    for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
    const base = url.pathname.replace(/\/+$/, '');
    url.pathname = rest === '' ? base || '/' : `${base}/${rest}`;
    const query = [req.query, auth.query].filter(Boolean).join('&');
    url.search = query ? `?${query}` : '';

    let body: Uint8Array | undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.bodyLength() !== 0) {
      const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const bytes = await req.readBytes(limit);
      if (bytes === null)
        return errorResponse(
          413,
          'invalid_request_error',
          `The request body is larger than ${limit} bytes.`,
        );
      body = bytes;
      const type = req.header('content-type');
      if (type !== undefined) headers.set('content-type', type);
    }

    const deadline = AbortSignal.timeout(options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    const signal = req.signal ? AbortSignal.any([req.signal, deadline]) : deadline;
    markOperation(spec.param === undefined ? spec.prefix : `${spec.prefix}{${spec.param}}`);
    const span = startUpstreamSpan(
      `${spec.api.namespace} forward`,
      req.method,
      `${url.origin}${url.pathname}`,
    );
    if (span !== undefined)
      for (const [name, value] of Object.entries(span.headers)) headers.set(name, value);
    let answer: Response;
    try {
      answer = await fetchImpl(url, {
        method: req.method,
        headers,
        ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      span?.end(undefined, error);
      return deadline.aborted
        ? errorResponse(
            504,
            'api_connection_error',
            `The upstream API did not answer in time (forward to ${spec.api.namespace}).`,
          )
        : errorResponse(
            502,
            'api_connection_error',
            `Could not reach the upstream API (forward to ${spec.api.namespace}).`,
          );
    }
    span?.end(answer.status);
    const max = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const declared = Number(answer.headers.get('content-length') ?? '0');
    if (declared > max) {
      await answer.body?.cancel().catch(() => undefined);
      return errorResponse(
        502,
        'api_connection_error',
        `The upstream API's answer was refused: larger than ${max} bytes (forward to ${spec.api.namespace}).`,
      );
    }
    const forms = [...new Set(secrets.flatMap(secretForms))].filter((f) => f.length >= 4);
    forms.sort((a, b) => b.length - a.length);
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) out[name] = redactText(value, forms);
    });
    const text = TEXT_TYPE.test(answer.headers.get('content-type') ?? '');
    const stream = (answer.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() }))
      .pipeThrough(capped(max))
      .pipeThrough(text && forms.length ? redacting(forms) : new TransformStream());
    return { status: answer.status, body: '', headers: out, stream };
  };
}

/** A template's value; undefined when a bound variable is unset. Params are the caller's. */
function render(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
  params: Record<string, string>,
  secrets: string[],
): string | undefined {
  let out = '';
  for (const part of template) {
    if ('param' in part) {
      out += params[part.param] ?? '';
      continue;
    }
    const { value, missing } = resolveValueTemplate([part], env);
    if (missing.length) return undefined;
    if (!('literal' in part)) secrets.push(value);
    out += value;
  }
  return out;
}

function isDotSegment(segment: string): boolean {
  const s = segment.replace(/%2e/gi, '.');
  return s === '.' || s === '..';
}

function redactText(text: string, forms: string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
  return out;
}

/** Passes bytes until `max`, then fails the stream (the caller sees a cut answer). */
function capped(max: number): TransformStream<Uint8Array, Uint8Array> {
  let size = 0;
  return new TransformStream({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > max) controller.error(new Error(`the upstream answer passed ${max} bytes`));
      else controller.enqueue(chunk);
    },
  });
}

/**
 * Redacts secrets from a UTF-8 text stream: each chunk is decoded, joined to the held-back tail of
 * the previous one (as long as the longest secret form, less one character), redacted, and all but
 * the new tail sent on, so a secret split across chunks is still found.
 */
function redacting(forms: string[]): TransformStream<Uint8Array, Uint8Array> {
  const keep = Math.max(...forms.map((f) => f.length)) - 1;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let tail = '';
  const flushUpTo = (text: string, final: boolean): string => {
    const redacted = redactText(text, forms);
    if (final) return redacted;
    // Hold back the end of the redacted text; a marker is never cut (it cannot match a secret).
    let cut = Math.max(0, redacted.length - keep);
    const marker = redacted.lastIndexOf(REDACTED, cut);
    if (marker >= 0 && marker + REDACTED.length > cut) cut = marker + REDACTED.length;
    tail = redacted.slice(cut);
    return redacted.slice(0, cut);
  };
  return new TransformStream({
    transform(chunk, controller) {
      const out = flushUpTo(tail + decoder.decode(chunk, { stream: true }), false);
      if (out) controller.enqueue(encoder.encode(out));
    },
    flush(controller) {
      const out = flushUpTo(tail + decoder.decode(), true);
      if (out) controller.enqueue(encoder.encode(out));
    },
  });
}
