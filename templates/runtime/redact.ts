/**
 * Redaction by value: every resolved secret (upstream credentials, inbound credentials) is replaced
 * wherever it appears, in the encodings it could be echoed in, whatever the environment variable
 * holding it is called. Used by the client on everything it returns or throws, and by both servers
 * on everything they answer or log.
 */

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not redacted (they would match ordinary text). */
export const MIN_SECRET_LENGTH = 4;

/** A secret and the encodings under which it could appear in a message or a body. */
export function secretForms(secret: string): string[] {
  if (!secret) return [];
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  try {
    forms.add(encodeURIComponent(secret));
    // Form encoding (stripe-node's): encodeURIComponent plus `!'()*`, with brackets left readable.
    forms.add(
      encodeURIComponent(secret)
        .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
        .replace(/%5B/g, '[')
        .replace(/%5D/g, ']'),
    );
  } catch {
    // Lone surrogates: only the raw and JSON forms can appear.
  }
  return [...forms];
}

/** Replaces every occurrence of each secret in `text`. Secrets shorter than 4 chars are ignored. */
export function redactString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Header values with secrets redacted; the same object when none contains one (the usual case). */
export function redactHeaders(
  headers: Record<string, string>,
  secrets: readonly string[],
): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    const redacted = redactString(value, secrets);
    if (redacted !== value) (out ??= { ...headers })[name] = redacted;
  }
  return out ?? headers;
}

/**
 * A redactor over secrets read when it runs (credentials can change with the environment): `sources`
 * each return secret values; their forms are replaced, longest first so that a secret containing
 * another is replaced whole.
 */
export function secretRedactor(
  ...sources: Array<() => readonly string[]>
): (text: string) => string {
  return (text) => {
    const secrets = new Set<string>();
    for (const source of sources)
      for (const secret of source()) for (const form of secretForms(secret)) secrets.add(form);
    return redactString(
      text,
      [...secrets].sort((a, b) => b.length - a.length),
    );
  };
}
