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

/**
 * Percent-encodes one key or value the way stripe-node does.
 * Throws `URIError` for strings containing lone UTF-16 surrogates (as stripe-node does).
 */
export function encodeFormComponent(value: string): string {
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

/**
 * Encodes `params` as a Stripe-compatible form/query string (without a leading `?`).
 * Property order is the objects' own key order. Returns `''` when nothing is to be sent.
 */
export function encodeForm(params: Record<string, unknown>): string {
  const pairs: string[] = [];

  const visit = (key: string, value: unknown): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object' || value instanceof Date) {
      pairs.push(encodeFormComponent(key) + '=' + encodeFormComponent(leafToString(value)));
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        // Holes and undefined elements are skipped but still consume their index.
        if (value[i] !== undefined) visit(`${key}[${i}]`, value[i]);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) visit(`${key}[${k}]`, record[k]);
  };

  if (typeof params === 'object' && params !== null) {
    const record: Record<string, unknown> = params;
    for (const key of Object.keys(record)) visit(key, record[key]);
  }
  return pairs.join('&');
}
