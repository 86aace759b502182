/**
 * Stripe-style `application/x-www-form-urlencoded` encoding.
 *
 * `encodeForm` produces byte-for-byte the same string as the official `stripe` npm package
 * (`queryStringifyRequestData` in stripe-node's `utils`), which it uses both for v1 request
 * bodies and for query strings:
 *
 * - nested objects use bracket notation: `metadata[order_id]=42`
 * - arrays use indices: `expand[0]=data.customer`, `filters[countries][0]=US`
 * - an array element or object property that is `undefined` is omitted
 * - `null` becomes the empty string (`description=`), which Stripe reads as "unset"
 * - booleans and numbers are written with `String()` (`true`, `false`, `12.5`)
 * - a `Date` becomes its Unix timestamp in whole seconds
 * - empty arrays and empty objects produce nothing at all
 * - keys and values are percent-encoded with `encodeURIComponent`, additionally encoding
 *   `!*()'` (as the `qs` library does), while `[` and `]` are left readable
 *
 * This module has no dependencies and runs on any JavaScript runtime.
 */

/** Characters that both encodings leave as they are. */
const UNRESERVED = /^[\w.~-]*$/;

/**
 * Percent-encodes one key or value the way stripe-node does.
 * Throws `URIError` for strings containing lone UTF-16 surrogates (as stripe-node does).
 */
export function encodeFormComponent(value: string): string {
  if (UNRESERVED.test(value)) return value; // nothing to encode (most keys and values)
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%5B/g, '[')
    .replace(/%5D/g, ']');
}

/** Converts a leaf value to the string put on the wire. */
function leafToString(value: unknown): string {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000).toString();
  if (value === null) return '';
  return String(value);
}

/** Bounds on what {@link encodeForm} produces. */
export interface FormLimits {
  /** Deepest nesting of objects and arrays below a top-level parameter; default 32. */
  maxDepth?: number;
  /** Longest encoded string, in characters; default 16 MiB. */
  maxLength?: number;
}

const DEFAULT_MAX_DEPTH = 32;
const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;

/** A value that cannot be form-encoded within the limits (too deep, circular, or too large). */
export class FormEncodingError extends RangeError {
  override readonly name = 'FormEncodingError';
  constructor(
    message: string,
    /** The top-level parameter concerned. */
    readonly param: string,
  ) {
    super(message);
  }
}

/**
 * Encodes `params` as a Stripe-compatible form/query string (without a leading `?`).
 * Property order is the objects' own key order. Returns `''` when nothing is to be sent.
 *
 * Linear in the size of the output: each key segment is encoded once and the bracketed prefix is
 * extended as the walk descends. Throws {@link FormEncodingError} past `limits` (which also stops
 * circular structures).
 */
export function encodeForm(params: Record<string, unknown>, limits: FormLimits = {}): string {
  const state: EncodeState = {
    pairs: [],
    length: 0,
    param: '',
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxLength: limits.maxLength ?? DEFAULT_MAX_LENGTH,
  };
  if (typeof params === 'object' && params !== null) {
    const record: Record<string, unknown> = params;
    for (const key of Object.keys(record)) {
      state.param = key;
      visit(state, encodeFormComponent(key), record[key], 0);
    }
  }
  return state.pairs.join('&');
}

interface EncodeState {
  pairs: string[];
  length: number;
  /** The top-level parameter being encoded, for errors. */
  param: string;
  maxDepth: number;
  maxLength: number;
}

/**
 * `prefix` is already encoded; `[` and `]` are left readable by encodeFormComponent, so the encoding
 * of `a[b]` is the encoding of `a`, then `[`, the encoding of `b`, `]`.
 */
function visit(state: EncodeState, prefix: string, value: unknown, depth: number): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || value instanceof Date) {
    const pair = prefix + '=' + encodeFormComponent(leafToString(value));
    state.length += pair.length + 1;
    if (state.length > state.maxLength)
      throw new FormEncodingError(
        `Parameter ${state.param} is too large to encode: more than ${state.maxLength} characters.`,
        state.param,
      );
    state.pairs.push(pair);
    return;
  }
  if (depth >= state.maxDepth)
    throw new FormEncodingError(
      `Parameter ${state.param} is nested too deeply (or refers to itself): more than ${state.maxDepth} levels.`,
      state.param,
    );
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // Holes and undefined elements are skipped but still consume their index.
      if (value[i] !== undefined) visit(state, `${prefix}[${i}]`, value[i], depth + 1);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record))
    visit(state, `${prefix}[${encodeFormComponent(k)}]`, record[k], depth + 1);
}
