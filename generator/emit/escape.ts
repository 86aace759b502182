/**
 * The one way spec text reaches a generated file. Capability files and OpenAPI documents come from
 * third parties, so every value taken from them is turned into output by a function named after
 * what it makes: a TypeScript string literal, doc-comment text, an identifier, an object key,
 * Markdown text, a table cell or code span, JSON. Each returns a branded string type, and the
 * templates only accept branded values (see render.ts), so raw spec text cannot reach a template
 * slot without the compiler noticing.
 */

import { Document, isScalar, stringify as stringifyYaml, visit } from 'yaml';
import { isBindingName, isIdentifier } from '../model/names.js';
import { plainText } from '../model/text.js';

declare const brand: unique symbol;

/** Text that is safe to place in a TypeScript file where the emitter puts it. */
export type TsCode = string & { readonly [brand]: 'ts' };
/** Text that is safe to place in a Markdown file where the emitter puts it. */
export type MarkdownText = string & { readonly [brand]: 'md' };
/** Text that is safe to place in a Dockerfile where the emitter puts it. */
export type DockerfileText = string & { readonly [brand]: 'dockerfile' };

/** Marks text the generator wrote itself (never spec text) as TypeScript. */
export const trustedTs = (text: string): TsCode => text as TsCode;
/** Marks text the generator wrote itself (never spec text) as Markdown. */
export const trustedMarkdown = (text: string): MarkdownText => text as MarkdownText;

/**
 * A TypeScript code fragment built from other escaped fragments and numbers only:
 * ts`${name}: ${literal}` compiles only when every interpolated value is already `TsCode`.
 */
export function ts(strings: TemplateStringsArray, ...values: Array<TsCode | number>): TsCode {
  return trustedTs(strings.reduce((out, s, i) => out + String(values[i - 1]) + s));
}

/** Joins escaped fragments. */
export const joinTs = (parts: readonly TsCode[], separator: string): TsCode =>
  trustedTs(parts.join(separator));

// --- plain text --------------------------------------------------------------------------------

/** Plain text on one line. */
export function oneLine(text: string): string {
  return plainText(text).replace(/\s*\n\s*/g, ' ');
}

// --- TypeScript --------------------------------------------------------------------------------

/**
 * A string literal: quotes, backslashes and every line terminator (U+2028 and U+2029 included)
 * escaped, lone surrogates as escapes, and `</` written `<\/` so no `</script>` appears.
 */
export function tsString(value: string): TsCode {
  return trustedTs(escapeJsonText(JSON.stringify(value)));
}

/** What JSON leaves raw that must not appear in a literal embedded anywhere (JS, HTML). */
function escapeJsonText(json: string): string {
  // Most text has none of them: one search instead of three replacing passes.
  if (!/[\u2028\u2029]|<\//.test(json)) return json;
  return json
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/<\//g, '<\\/');
}

/**
 * Doc-comment text: no `*\/` can close the comment, no `/*` opens one, and no `@` can start a
 * JSDoc tag (TypeScript reads `@word` after whitespace as a tag): it becomes `\@`. Line breaks of
 * every kind become `\n`, for `docComment` to prefix each line.
 */
export function docText(text: string): string {
  return plainText(text)
    .replace(/\*\//g, '*\\/')
    .replace(/\/\*/g, '/\\*')
    .replace(/(^|[^A-Za-z0-9])@/g, '$1\\@');
}

/** Doc-comment text on one line, for a slot inside `/** ... *\/` in a template. */
export function docInline(text: string): TsCode {
  return trustedTs(oneLine(docText(text)).trim());
}

/**
 * A complete `/** ... *\/` comment (with a trailing newline), every line prefixed by `indent`;
 * empty text gives nothing.
 */
export function docBlock(text: string | undefined, indent = ''): TsCode {
  const body = text === undefined ? '' : docText(text).trim();
  if (!body) return trustedTs('');
  const lines = body.split('\n');
  if (lines.length === 1) return trustedTs(`${indent}/** ${lines[0]} */\n`);
  return trustedTs(
    `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`,
  );
}

/**
 * An identifier the generator declares or refers to. Names are derived safe by construction
 * (model/names.ts); one that is not is a bug in the generator, never something a spec can cause.
 */
export function identifier(name: string): TsCode {
  if (!isBindingName(name))
    throw new Error(`capgen bug: '${oneLine(name)}' is not a valid identifier`);
  return trustedTs(name);
}

/** A property name in a type: bare when it is an identifier name, else a string literal. */
export function typeKey(name: string): TsCode {
  return isIdentifier(name) ? trustedTs(name) : tsString(name);
}

/**
 * A property name in an object literal. `__proto__` written plainly would set the prototype, so it
 * becomes a computed key, which defines an own property like every other key.
 */
export function objectKey(name: string): TsCode {
  if (name === '__proto__') return trustedTs(`[${tsString(name)}]`);
  return typeKey(name);
}

// --- Markdown ----------------------------------------------------------------------------------
//
// What these functions write is Markdown in its final layout, the one prettier prints (README.md
// is not formatted after emitting; test/readme-layout.test.ts holds it to prettier's output): one
// space between words, code spans with prettier's fences, every character with an inline meaning
// escaped, and block text made of paragraphs and tight `- ` lists a blank line apart.

/** Characters with a meaning in inline Markdown (or HTML), escaped with a backslash. */
const MARKDOWN_INLINE = /[\\`*_[\]<>&|~]/g;

function escapeInline(text: string): string {
  return text.replace(MARKDOWN_INLINE, (c) => `\\${c}`);
}

/** One line, every run of whitespace (of any kind: Markdown collapses them) one space, trimmed. */
function words(text: string): string {
  return plainText(text).replace(/\s+/g, ' ').trim();
}

/**
 * A code span holding `text` on one line (whitespace runs made one space, as Markdown renders
 * them): fenced by the fewest backticks that no run inside it has (as prettier writes it), padded
 * when it starts or ends with one. `|` is escaped for tables (GitHub reads `\|` as `|` even inside
 * code spans; a backslash before it in the text gets another, so the run before `|` is odd).
 */
export function markdownCode(text: string): MarkdownText {
  // A pipe ends a table cell unless an odd run of backslashes precedes it.
  const body = words(text).replace(/(\\*)\|/g, (_, run: string) =>
    run.length % 2 ? `${run}\\\\|` : `${run}\\|`,
  );
  const runs = new Set([...body.matchAll(/`+/g)].map((m) => m[0].length));
  let ticks = 1;
  while (runs.has(ticks)) ticks++;
  const fence = '`'.repeat(ticks);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return trustedMarkdown(`${fence}${pad}${body}${pad}${fence}`);
}

/**
 * One line of Markdown text: code spans the text already has (balanced single backticks, as
 * htmlToText writes `<code>`) stay code spans; everything else is escaped, so no HTML tag, entity,
 * link, emphasis or table pipe comes from the text.
 */
export function markdownInline(text: string): MarkdownText {
  const line = words(text);
  let out = '';
  let last = 0;
  for (const match of line.matchAll(/`([^`]+)`/g)) {
    out += escapeInline(line.slice(last, match.index)) + markdownCode(match[1]);
    last = match.index + match[0].length;
  }
  return trustedMarkdown(out + escapeInline(line.slice(last)));
}

/** A table cell: one line, escaped, pipes included. */
export const markdownCell = markdownInline;

/**
 * An ATX heading of `level` (`## text`): the text as `markdownInline` writes it, a closing run of
 * `#` escaped (else it would close the heading), `#`s alone when the text is empty.
 */
export function markdownHeading(level: number, text: string): MarkdownText {
  const body = markdownInline(text).replace(/(^| )(#+)$/, '$1\\$2');
  return trustedMarkdown(body ? `${'#'.repeat(level)} ${body}` : '#'.repeat(level));
}

/**
 * Inline text made safe at the start of a line: a start that would make a heading, quote, rule,
 * list, math block or setext underline is escaped.
 */
function escapeLineStart(escaped: string): string {
  if (/^([#=+]|-|\$\$)/.test(escaped)) return `\\${escaped}`;
  return escaped.replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Paragraphs of Markdown text: line breaks kept, each line escaped as `markdownInline` does and at
 * its start (see escapeLineStart), except `- ` list items (as htmlToText writes `<li>`), which stay
 * list items. Blank lines separate paragraphs (one, however many the text has) and lists, whose
 * items stay tight (one line each, no blank line between them).
 */
export function markdownBlock(text: string): MarkdownText {
  const blocks: Array<{ list: boolean; lines: string[] }> = [];
  let blank = true;
  for (const line of plainText(text).split('\n')) {
    const trimmed = words(line);
    const item = /^- ./.test(trimmed);
    const body = item ? trimmed.slice(2) : trimmed;
    if (!body) {
      blank = true;
      continue;
    }
    const escaped = escapeLineStart(markdownInline(body));
    const last = blocks.at(-1);
    if (last && last.list === item && (item || !blank))
      last.lines.push(item ? `- ${escaped}` : escaped);
    else blocks.push({ list: item, lines: [item ? `- ${escaped}` : escaped] });
    blank = false;
  }
  return trustedMarkdown(blocks.map((block) => block.lines.join('\n')).join('\n\n'));
}

/**
 * A link destination: percent-encoded, so no space, parenthesis or angle bracket ends it early and
 * no `&` starts an entity reference (which Markdown would decode); `<>` when empty.
 */
export function markdownLinkTarget(target: string): MarkdownText {
  const encoded = encodeURI(oneLine(target))
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/&/g, '%26');
  return trustedMarkdown(encoded || '<>');
}

/** Text inside an HTML comment (`<!-- ... -->`): no `--` can end it. */
export function htmlCommentText(text: string): MarkdownText {
  return trustedMarkdown(
    oneLine(text)
      .replace(/-(?=-)/g, '- ')
      .replace(/[<>]/g, ' '),
  );
}

// --- line comments ---------------------------------------------------------------------------

/**
 * Comment lines for the formats with line comments (`//` in JSONC; `#` in YAML and Dockerfiles):
 * each line of the text becomes one comment line, whatever breaks it (YAML 1.1 also breaks lines at
 * U+0085, U+2028 and U+2029), and control characters become spaces, so no text can end the comment.
 */
export function lineComments(text: string, marker: '//' | '#'): string {
  return text
    .split(/\r\n|[\r\n\u0085\u2028\u2029]/)
    .map((line) => `${marker} ${line.replace(/[\u0000-\u001f\u007f]/g, ' ')}`.trimEnd())
    .join('\n');
}

// --- YAML --------------------------------------------------------------------------------------

/**
 * A YAML document of `value`, printed by the yaml package (which quotes by construction) with YAML
 * 1.1's rules, so that readers of either version (Kubernetes reads 1.1) get `value` back: `on`,
 * `no`, `0777` and `12:30` stay strings. Its strings are printable ASCII, which YAML 1.1 never reads
 * as a line break (the names the deploy files hold are; anything else is a generator bug).
 */
export function yamlText(value: unknown): string {
  const check = (v: unknown): void => {
    if (typeof v === 'string') {
      if (!/^[\x20-\x7e]*$/.test(v))
        throw new Error(`capgen bug: ${JSON.stringify(v)} in YAML is not printable ASCII`);
    } else if (Array.isArray(v)) v.forEach(check);
    else if (v !== null && typeof v === 'object')
      Object.entries(v).forEach((e) => e.forEach(check));
  };
  check(value);
  return stringifyYaml(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

// --- Dockerfile --------------------------------------------------------------------------------

/** `#` comment lines in a Dockerfile (see lineComments). */
export function dockerfileComment(text: string): DockerfileText {
  return lineComments(text, '#') as DockerfileText;
}

/**
 * A path written unquoted in a Dockerfile instruction: plain path characters only, so nothing in it
 * is a variable, a quote, a flag or a line break. The config refuses other output folders for the
 * container target (model/deploy.ts); one that reaches here is a bug in the generator.
 */
export function dockerfilePath(path: string): DockerfileText {
  if (!/^[A-Za-z0-9._/-]+$/.test(path) || path.startsWith('-'))
    throw new Error(`capgen bug: '${oneLine(path)}' cannot be written unquoted in a Dockerfile`);
  return path as DockerfileText;
}

// --- JSON --------------------------------------------------------------------------------------

/**
 * A JSON document (pretty-printed) with U+2028, U+2029 and `</` escaped, so it stays inert when
 * embedded in HTML or JavaScript.
 */
export function jsonText(value: unknown, indent = 2): string {
  return escapeJsonText(JSON.stringify(value, null, indent));
}

/**
 * Text for a slot in the middle of a line of a fenced code block: one line, so it can never start
 * the line that would close the fence.
 */
export function markdownCodeBlockText(text: string): MarkdownText {
  return trustedMarkdown(oneLine(text));
}

// --- YAML front matter ---------------------------------------------------------------------------

/** A key written plain in YAML: a simple name (anything else is double-quoted). */
const PLAIN_YAML_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A YAML front-matter block (its `---` lines included, and a blank line after) for the top of a
 * Markdown file, written by the `yaml` serializer, never by concatenation: every string value is
 * double-quoted on one line (JSON escapes, with U+2028 and U+2029 escaped too) and every key that is
 * not a simple name is quoted, so no value can end the block, start a document or add a key.
 */
export function yamlFrontMatter(data: Record<string, unknown>): MarkdownText {
  const doc = new Document(data);
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && !PLAIN_YAML_KEY.test(String(pair.key.value)))
        pair.key.type = 'QUOTE_DOUBLE';
    },
  });
  const body = doc
    .toString({
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN',
      doubleQuotedAsJSON: true,
      lineWidth: 0,
      minContentWidth: 0,
    })
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return trustedMarkdown(`---\n${body}---\n`);
}
