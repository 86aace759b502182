/**
 * Descriptions in specs are often HTML; generated comments, READMEs and tool descriptions want
 * plain text. htmlparser2 reads any HTML, malformed included, in one linear pass and decodes every
 * entity (named, decimal, hex; a numeric one that names no character is left as written).
 */
import { Parser } from 'htmlparser2';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085\v\f]/g;
/** C0 and C1 control characters other than tab and line feed, and the byte-order mark. */
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufeff]/g;

/**
 * Text as a person reads it: well-formed Unicode (lone surrogates replaced), one kind of line
 * break (`\n`), no control characters.
 */
export function plainText(text: string): string {
  // Most text is printable ASCII with `\n` line breaks: nothing to replace.
  if (PLAIN.test(text)) return text;
  return text.replace(LONE_SURROGATE, '\ufffd').replace(LINE_BREAKS, '\n').replace(CONTROLS, '');
}

/** Text none of plainText's replacements touch: printable ASCII, tabs and `\n`. */
const PLAIN = /^[\x20-\x7e\t\n]*$/;

/**
 * Plain text from HTML: `<br>` and paragraphs become line breaks, list items `- ` lines, `<code>`
 * backticks, links `text (href)`; other tags are dropped.
 */
export function htmlToText(html: string | undefined): string {
  if (!html) return '';
  // The same descriptions come back for every capability that reaches a schema: converted once.
  let text = converted.get(html);
  if (text === undefined) {
    if (converted.size >= MAX_CONVERTED) converted.clear();
    converted.set(html, (text = convert(html)));
  }
  return text;
}

const converted = new Map<string, string>();
/** Bounds the memory of `converted` (Stripe's whole spec has about 10,000 distinct descriptions). */
const MAX_CONVERTED = 50_000;

function convert(html: string): string {
  // Without a tag or a character reference, HTML is its own text: no parser needed.
  return tidy(/[<&]/.test(html) ? parse(html) : html);
}

function parse(html: string): string {
  let out = '';
  const hrefs: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'br') out += '\n';
        else if (name === 'p') out += '\n\n';
        else if (name === 'li') out += '\n- ';
        else if (name === 'code') out += '`';
        else if (name === 'a') hrefs.push(attributes.href ?? '');
      },
      onclosetag(name) {
        if (name === 'code') out += '`';
        else if (name === 'p') out += '\n\n';
        else if (name === 'a') {
          const href = hrefs.pop();
          if (href && !href.startsWith('#')) out += ` (${href})`;
        }
      },
      ontext(text) {
        out += text;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.end(keepInvalidReferences(html));
  return out;
}

/** One space between words, at most one blank line, no space around line breaks. */
function tidy(text: string): string {
  return plainText(text)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Decimal or hexadecimal character references. */
const NUMERIC_REFERENCE = /&#(x[0-9a-f]+|\d+);/gi;

/**
 * A numeric reference no character answers (`&#0;`, past U+10FFFF) stays as written, as it did
 * before htmlparser2 (which would turn it into U+FFFD): its `&` is escaped for the parser.
 */
function keepInvalidReferences(html: string): string {
  return html.replace(NUMERIC_REFERENCE, (reference, digits: string) => {
    const code = /^x/i.test(digits) ? parseInt(digits.slice(1), 16) : Number(digits);
    return code > 0 && code <= 0x10ffff ? reference : `&amp;${reference.slice(1)}`;
  });
}
