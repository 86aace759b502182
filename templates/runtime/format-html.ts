/**
 * `outputRawFormat: html`: the answer's tables as `{tables: [[{column: value}]]}`, as the Naftiko
 * engine's converter extracts them: the tables `outputSchema` selects (a CSS selector; a matched
 * element that is not a table contributes the tables inside it), else every table; headers from the
 * first row of `thead` (else of the table) made of `th` cells; rows from `tbody` (else every row),
 * skipping rows that hold a `th`; cell text with whitespace collapsed. Needs the `htmlparser2` and
 * `css-select` packages.
 */
import { selectAll } from 'css-select';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { JsonValue, OutputFormat, RawBody } from './contract.js';
import { FormatError, tableHeaders, tableRows } from './formats.js';

type Document = ReturnType<typeof parseDocument>;
type Node = Document | Document['children'][number];
type Element = Extract<Node, { name: string }>;

/** css-select's query over htmlparser2's DOM: the elements matching `query` under `root`. */
const select = (query: string, root: Node): Element[] => selectAll<Node, Element>(query, root);

export function decodeHtml(body: RawBody, output: OutputFormat): JsonValue {
  const document = parseDocument(body.text);
  const tables: JsonValue[] = [];
  for (const table of selectedTables(document, output.schema)) {
    let headerCells = select('thead tr:first-child th', table);
    if (headerCells.length === 0) headerCells = select('tr:first-child th', table);
    const headers = tableHeaders(headerCells.map(text));
    if (headers.length === 0) continue;
    let rowElements = select('tbody tr', table);
    if (rowElements.length === 0) rowElements = select('tr', table);
    const rows: string[][] = [];
    for (const row of rowElements) {
      if (select('th', row).length > 0) continue; // a header row
      const cells = select('td', row);
      if (cells.length > 0) rows.push(cells.map(text));
    }
    tables.push(tableRows(headers, rows));
  }
  return { tables };
}

function selectedTables(document: Document, selector: string | undefined): Element[] {
  if (selector === undefined || selector.trim() === '') return select('table', document);
  let scoped: Element[];
  try {
    scoped = select(selector, document);
  } catch (error) {
    throw new FormatError(
      `outputSchema ${JSON.stringify(selector)} is not a CSS selector: ${(error as Error).message}`,
    );
  }
  return scoped.flatMap((element) =>
    element.name.toLowerCase() === 'table' ? [element] : select('table', element),
  );
}

/** An element's text, whitespace runs collapsed to one space and trimmed (as jsoup's text()). */
function text(element: Element): string {
  return DomUtils.textContent(element).replace(/\s+/g, ' ').trim();
}
