/**
 * `outputRawFormat: csv`, `tsv`, `psv`: rows as objects keyed by the header row, every value a
 * string, as the Naftiko engine's converter reads them (comma, tab, pipe; `"` quotes; blank lines
 * skipped). Needs the `papaparse` package.
 */
import Papa from 'papaparse';
import type { JsonValue, OutputFormat, RawBody } from './contract.js';
import { FormatError } from './formats.js';

const SEPARATORS: Record<string, string> = { csv: ',', tsv: '\t', psv: '|' };

export function decodeDelimited(body: RawBody, output: OutputFormat): JsonValue {
  const delimiter = SEPARATORS[output.format];
  if (delimiter === undefined)
    throw new FormatError(`'${output.format}' is not a delimited format`);
  // Rows as arrays: header mode would assign each header as a property (a `__proto__` column...).
  const result = Papa.parse<string[]>(body.text, { delimiter, skipEmptyLines: true });
  const error = result.errors[0];
  if (error !== undefined)
    throw new FormatError(
      `${error.message}${error.row === undefined ? '' : ` (row ${error.row + 1})`}`,
    );
  const [headers, ...rows] = result.data;
  if (headers === undefined) return [];
  return rows.map((row, i) => {
    if (row.length > headers.length)
      throw new FormatError(`row ${i + 2} has ${row.length} values for ${headers.length} columns`);
    // Object.fromEntries defines properties: a `__proto__` header is an ordinary key.
    return Object.fromEntries(row.map((value, c) => [headers[c], value]));
  });
}
