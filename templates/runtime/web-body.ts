/**
 * What the REST and MCP web handlers share about a web `Request`: its path and query, headers, body
 * read as text or bytes up to a byte limit, and signal.
 */

/**
 * The body as UTF-8 text; null once it passes `limit` bytes (the rest is not read). A failing stream
 * (the caller went away) rejects with `streamFailed()`.
 */
export async function readBodyText(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  streamFailed: () => Error,
): Promise<string | null> {
  const decoder = new TextDecoder();
  let text = '';
  const complete = await readChunks(body, limit, streamFailed, (value) => {
    text += decoder.decode(value, { stream: true });
  });
  return complete ? text + decoder.decode() : null;
}

/** The body as bytes (a forwarded request's); null once it passes `limit` bytes. */
export async function readBodyBytes(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  streamFailed: () => Error,
): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const complete = await readChunks(body, limit, streamFailed, (value) => {
    chunks.push(value);
    size += value.byteLength;
  });
  if (!complete) return null;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Feeds each chunk to `take`; false once the body passes `limit` bytes (the rest is not read). */
async function readChunks(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  streamFailed: () => Error,
  take: (value: Uint8Array) => void,
): Promise<boolean> {
  if (body === null) return true;
  const reader = body.getReader();
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw streamFailed();
    }
    const { done, value } = chunk;
    if (done) return true;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return false;
    }
    take(value);
  }
}

/** A request view over a web `Request` (extended by the REST and MCP web handlers). */
export class WebRequestView {
  readonly method: string;
  /** Raw path, still percent-encoded, without query string. */
  readonly path: string;
  /** Raw query string without '?', '' when absent. */
  readonly query: string;

  constructor(
    protected readonly request: Request,
    private readonly streamFailed: () => Error,
  ) {
    this.method = request.method;
    const url = request.url;
    const scheme = url.indexOf('://');
    let start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
    if (start < 0) start = url.length;
    let end = url.indexOf('#', start);
    if (end < 0) end = url.length;
    const q = url.indexOf('?', start);
    if (q >= 0 && q < end) {
      this.path = url.slice(start, q) || '/';
      this.query = url.slice(q + 1, end);
    } else {
      this.path = url.slice(start, end) || '/';
      this.query = '';
    }
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  readBody(limit: number): Promise<string | null> {
    return readBodyText(this.request.body, limit, this.streamFailed);
  }

  /** The body as bytes (a forwarded request's), null past `limit`. */
  readBytes(limit: number): Promise<Uint8Array | null> {
    return readBodyBytes(this.request.body, limit, this.streamFailed);
  }

  get signal(): AbortSignal {
    return this.request.signal;
  }
}
