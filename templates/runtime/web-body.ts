/** Reading a web request body as text or bytes, up to a byte limit (REST web handler and MCP handler). */

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
