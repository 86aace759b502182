/**
 * `outputRawFormat: markdown`: `{frontMatter, tables, sections}` as the Naftiko engine's converter
 * builds them: the YAML front matter between `---` lines (an object, else {}); the top-level GFM
 * tables as `[{column: value}]`; one section per heading (`heading`, `level`, `content`: the text
 * of the blocks up to the next heading, tables aside, markup dropped, one line per block), only
 * those whose heading starts with `outputSchema` when it is set. Needs the `markdown-it` and
 * `yaml` packages.
 */
import MarkdownIt from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import type { JsonValue, OutputFormat, RawBody } from './contract.js';
import { MAX_FORMAT_DEPTH, plainJson, tableHeaders, tableRows } from './formats.js';

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

// CommonMark with GFM tables, raw HTML as text; nesting bounded.
const markdown = new MarkdownIt({ html: false, linkify: false, maxNesting: MAX_FORMAT_DEPTH });

export function decodeMarkdown(body: RawBody, output: OutputFormat): JsonValue {
  const { frontMatter, rest } = splitFrontMatter(body.text.replace(/\r\n/g, '\n'));
  const tokens = markdown.parse(rest, {});
  return {
    frontMatter,
    tables: tables(tokens),
    sections: sections(tokens, output.schema),
  };
}

function splitFrontMatter(text: string): { frontMatter: JsonValue; rest: string } {
  if (!text.startsWith('---\n')) return { frontMatter: {}, rest: text };
  const end = text.indexOf('\n---\n', 4);
  if (end < 0) return { frontMatter: {}, rest: text };
  const yaml = text.slice(4, end).trim();
  const parsed = yaml === '' ? undefined : plainJson(parseYaml(yaml, { maxAliasCount: 100 }));
  const frontMatter =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  return { frontMatter, rest: text.slice(end + 5) };
}

/** The top-level blocks: each is its tokens from the opening one to the matching close. */
function blocks(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  for (let i = 0; i < tokens.length;) {
    let j = i;
    if (tokens[i].nesting === 1)
      while (j < tokens.length - 1 && !(tokens[j].level === 0 && tokens[j].nesting === -1)) j++;
    out.push(tokens.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

function tables(tokens: Token[]): JsonValue[] {
  const result: JsonValue[] = [];
  for (const block of blocks(tokens)) {
    if (block[0].type !== 'table_open') continue;
    const headerCells: string[] = [];
    const rows: string[][] = [];
    let section = '';
    let firstHeaderRow = true;
    for (const [i, token] of block.entries()) {
      if (token.type === 'thead_open' || token.type === 'tbody_open') section = token.type;
      else if (token.type === 'tr_open' && section === 'tbody_open') rows.push([]);
      else if (token.type === 'tr_close' && section === 'thead_open') firstHeaderRow = false;
      else if (
        token.type === 'inline' &&
        (block[i - 1]?.type === 'th_open' || block[i - 1]?.type === 'td_open')
      ) {
        if (section === 'thead_open' && firstHeaderRow) headerCells.push(inlineText(token).trim());
        else if (section === 'tbody_open') rows[rows.length - 1].push(inlineText(token).trim());
      }
    }
    const headers = tableHeaders(headerCells);
    if (headers.length > 0) result.push(tableRows(headers, rows));
  }
  return result;
}

function sections(tokens: Token[], prefix: string | undefined): JsonValue[] {
  const result: JsonValue[] = [];
  let current: { heading: string; level: number; content: string[] } | undefined;
  const close = () => {
    if (current && (!prefix?.trim() || current.heading.startsWith(prefix)))
      result.push({
        heading: current.heading,
        level: current.level,
        content: current.content.join('\n').trim(),
      });
  };
  for (const block of blocks(tokens)) {
    const first = block[0];
    if (first.type === 'heading_open') {
      close();
      current = {
        heading: blockText(block).trim(),
        level: Number(first.tag.slice(1)),
        content: [],
      };
    } else if (current && first.type !== 'table_open') {
      const text = blockText(block).trim();
      if (text !== '') current.content.push(text);
    }
  }
  close();
  return result;
}

/** The text of a block's inline content: code blocks and raw HTML left out, as the engine does. */
function blockText(block: Token[]): string {
  return block.map((token) => (token.type === 'inline' ? inlineText(token) : '')).join('');
}

function inlineText(token: Token): string {
  let text = '';
  for (const child of token.children ?? []) {
    if (child.type === 'text' || child.type === 'code_inline') text += child.content;
    else if (child.type === 'softbreak') text += ' ';
    else if (child.type === 'hardbreak') text += '\n';
    else if (child.type === 'image') text += inlineText(child);
  }
  return text;
}
