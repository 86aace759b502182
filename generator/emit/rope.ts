/**
 * `parts.join(separator)` by concatenation. V8 keeps a string built with `+` as a rope until it is
 * read whole, where `join` copies every part: text nested level by level (a deep schema's type, a
 * data literal) would be copied once per level.
 */
export function joined(parts: readonly string[], separator = ''): string {
  let out = '';
  parts.forEach((part, i) => {
    out = i ? out + separator + part : part;
  });
  return out;
}
