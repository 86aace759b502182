/** Every generated identifier is derived here, once. */

/** Words of an identifier-ish string: `link-account_sessions` → ['link', 'account', 'sessions']. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export const pascalCase = (text: string): string =>
  words(text)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
export const camelCase = (text: string): string => {
  const pascal = pascalCase(text);
  return pascal ? pascal[0].toLowerCase() + pascal.slice(1) : pascal;
};
export const constantCase = (text: string): string => words(text).join('_').toUpperCase();

/**
 * A method name from HTTP method and path, the way Stripe's operationIds read:
 * GET /v1/checkout/sessions/{session}/line_items → getCheckoutSessionsSessionLineItems.
 * A leading version segment (v1, v2…) carries no meaning and is dropped.
 */
export function operationMethodName(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  if (segments.length > 1 && /^v\d+$/i.test(segments[0])) segments.shift();
  return camelCase([method, ...segments.map((s) => s.replace(/[{}]/g, ''))].join(' '));
}

/** Makes names unique by numbering later duplicates: a, a2, a3. */
export class NameRegistry {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name);
  }

  claim(name: string): string {
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}${n}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** A valid JS identifier from any string (for object keys we prefer quoting instead). */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}
