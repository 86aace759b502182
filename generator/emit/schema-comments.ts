/**
 * Doc comments of OpenAPI schemas in generated types: what openapi-typescript's `addJSDocComment`
 * collects (summary, format, deprecation, description, default, examples), written as a person
 * writes them: the description first, without its tag (unless it starts with `@` itself), then the
 * other lines. The schema's texts must be escaped for doc comments already (openapi-comments.ts).
 */
import { isRecord } from '../check/paths.js';

const LINE_BREAK = /\r?\n/g;

/** `/** ... *\/` and a line break, or '' when the schema says nothing to comment on. */
export function docComment(schema: unknown): string {
  if (!isRecord(schema)) return '';
  const items: string[] = [];
  const multiline = (text: string) => text.trim().replace(LINE_BREAK, '\n    ');
  if (typeof schema.title === 'string' && schema.title) items.push(multiline(schema.title));
  if (typeof schema.summary === 'string' && schema.summary) items.push(multiline(schema.summary));
  if (schema.format) items.push(`Format: ${String(schema.format)}`);
  if (schema.deprecated) items.push('@deprecated');
  for (const field of ['description', 'default', 'example'] as const) {
    const value = schema[field];
    if (value === undefined || (value === '' && field === 'description')) continue;
    const text = typeof value === 'object' ? JSON.stringify(value, null, 2) : String(value);
    items.push(field === 'description' ? `\0${multiline(text)}` : `@${field} ${multiline(text)}`);
  }
  if (Array.isArray(schema.examples))
    for (const example of schema.examples)
      items.push(
        `@example ${multiline(typeof example === 'object' ? JSON.stringify(example, null, 2) : String(example))}`,
      );
  if ('const' in schema) items.push('@constant');
  // The description leads; one that starts with `@` keeps its tag, so it reads as text.
  const at = items.findIndex((i) => i.startsWith('\0'));
  const description = at < 0 ? [] : [items[at].slice(1)];
  if (description.length && description[0].startsWith('@'))
    description[0] = `@description ${description[0]}`;
  const ordered = [...description, ...items.filter((_, i) => i !== at)]
    .map((item) => item.replace(/\*\//g, '*\\/'))
    .flatMap((item) => item.split('\n').map((line) => line.replace(/^ {4}/, '')));
  if (!ordered.length) return '';
  if (ordered.length === 1) return `/** ${ordered[0].trim()} */\n`;
  return `/**\n${ordered.map((line) => ` * ${line}`.replace(/ +$/, '')).join('\n')}\n */\n`;
}
