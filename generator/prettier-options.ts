/**
 * prettier's options for every generated file: fixed (never the user's config), so the output is
 * the same on every machine. Apart from prettier.ts so that reading them does not load prettier.
 */
import type { Options } from 'prettier';

export const PRETTIER_OPTIONS: Options = {
  printWidth: 100,
  singleQuote: true,
  trailingComma: 'all',
  proseWrap: 'preserve',
  endOfLine: 'lf',
};

/** prettier's parser for each extension capgen formats. */
export const PARSERS: Readonly<Record<string, string>> = {
  ts: 'babel-ts',
  md: 'markdown',
  json: 'json',
};
