/**
 * Which browser origins and `Host` names a server accepts: the defence against cross-site requests
 * and DNS rebinding, shared by the REST adapter and the MCP server. Web-standard.
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for `localhost`, `127.0.0.1` and `::1` (bracketed or not). */
export function isLoopbackName(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase());
}

/**
 * Loopback origins are always allowed (any port); `extra` adds exact origins such as
 * `https://app.example.com`. Requests without an `Origin` header (non-browser callers) are not
 * checked here.
 */
export function originChecker(extra: readonly string[]): (origin: string) => boolean {
  const allowed = new Set(extra.map(normaliseOrigin));
  return (origin) => {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false; // includes the opaque origin "null"
    }
    if (allowed.has(parsed.origin.toLowerCase())) return true;
    return (
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      isLoopbackName(parsed.hostname)
    );
  };
}

function normaliseOrigin(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin.replace(/\/+$/, '').toLowerCase();
  }
}

/** The host name of a `Host` header value (`[::1]:8080` -> `[::1]`, `Example.com:80` -> `example.com`). */
export function hostName(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    return close < 0 ? value : value.slice(0, close + 1);
  }
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}
