/**
 * The client's hook for operations that declare a non-JSON `outputRawFormat`: a 2xx body goes
 * through the operation's converter (`OutputFormat.decode`, from a format-*.ts module the generated
 * client imports) instead of JSON parsing. A body the converter refuses is an InvalidResponseError
 * (not retried; the servers answer 502 with the reason). Text formats read the scrubbed text;
 * binary ones (avro, protobuf) read the bytes, and every credential is scrubbed from the strings
 * they yield.
 */
import type { JsonValue, OutputFormat } from './contract.js';
import { InvalidResponseError } from './errors.js';
import { redactString } from './redact.js';

const BINARY = new Set(['avro', 'protobuf']);
/** Longest converter message quoted in the error (it may quote the body). */
const MAX_REASON = 300;

export function decodeOutput(
  output: OutputFormat,
  response: { text: string; bytes?: Uint8Array },
  req: { method: string; path: string; secrets: string[] },
): { value: JsonValue } | { refused: InvalidResponseError } {
  const binary = BINARY.has(output.format);
  const bytes = response.bytes ?? new TextEncoder().encode(response.text);
  try {
    const value = output.decode({ text: response.text, bytes }, output);
    return { value: binary ? redactJson(value, req.secrets) : value };
  } catch (error) {
    let detail = error instanceof Error ? error.message : String(error);
    if (error instanceof RangeError && /call stack/i.test(detail))
      detail = 'it is nested too deeply';
    detail = redactString(detail.split('\n')[0], req.secrets);
    if (detail.length > MAX_REASON) detail = `${detail.slice(0, MAX_REASON)}...`;
    const reason = `it could not be read as ${output.format}: ${detail}`;
    return {
      refused: new InvalidResponseError(`The response to ${req.method} ${req.path}: ${reason}`, {
        method: req.method,
        path: req.path,
        reason,
      }),
    };
  }
}

/** Every string of a JSON value with the secrets scrubbed (keys too); depth is already bounded. */
function redactJson(value: JsonValue, secrets: string[]): JsonValue {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, secrets));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value).map((k) => [redactString(k, secrets), redactJson(value[k], secrets)]),
  );
}
