/**
 * Markdown tables written aligned, as prettier aligns them: each cell padded to its column's widest
 * cell (prettier's `getStringWidth`, 3 at least) and the delimiter row dashes of that width. A
 * cell's text is printed as it is only when prettier prints it back unchanged, which holds for what
 * the escaping functions of escape.ts write (whitespace runs made one space, every Markdown
 * character escaped, code spans with prettier's fences). test/readme-layout.test.ts compares with
 * prettier.
 */
import { trustedMarkdown, type MarkdownText } from './escape.js';
import { width } from './layout.js';

/**
 * A table (its lines, aligned): `header` the generator's own column titles, each row's cells
 * escaped (escape.ts).
 */
export function markdownTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly MarkdownText[]>,
): MarkdownText {
  for (const row of rows)
    if (row.length !== header.length)
      throw new Error(`capgen bug: a table row of ${row.length} cells under ${header.length}`);
  const widths = header.map((title, c) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[c]))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell + ' '.repeat(widths[c] - width(cell))).join(' | ')} |`;
  return trustedMarkdown(
    [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join(
      '\n',
    ),
  );
}
