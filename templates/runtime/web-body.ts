/** Reading a web request body as text, up to a byte limit (REST web handler and MCP handler). */

/**
 * The body as UTF-8 text; null once it passes `limit` bytes (the rest is not read). A failing stream
 * (the caller went away) rejects with `streamFailed()`.
 */
export async function readBodyText(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  streamFailed: () => Error,
): Promise<string | null> {
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw streamFailed();
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
