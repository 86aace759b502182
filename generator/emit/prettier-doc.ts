/**
 * prettier's document builders and printer (`prettier/doc`: the part of prettier that breaks lines,
 * without its parsers), at the options capgen formats with, for what capgen lays out itself
 * (type-layout.ts, code-layout.ts).
 */
import * as doc from 'prettier/doc';

export type Doc = doc.builders.Doc;

export const { builders } = doc;

/** printWidth 100 and two-space indentation, as prettier-options.ts. */
const OPTIONS = { printWidth: 100, tabWidth: 2, useTabs: false };

/** A document printed. */
export const printDoc = (document: Doc): string =>
  doc.printer.printDocToString(document, OPTIONS).formatted;
