/**
 * Every generated file goes through prettier with fixed options (never the user's config), so the
 * output is the same on every machine.
 */
import * as prettier from 'prettier';
import type { GeneratedFile } from './emit/index.js';

const OPTIONS: prettier.Options = { printWidth: 100, singleQuote: true, trailingComma: 'all', proseWrap: 'preserve', endOfLine: 'lf' };

const PARSERS: Record<string, string> = { ts: 'typescript', json: 'json', md: 'markdown' };

export async function formatFiles(files: GeneratedFile[]): Promise<GeneratedFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const parser = PARSERS[file.path.slice(file.path.lastIndexOf('.') + 1)];
      if (!parser) return file;
      return { ...file, contents: await prettier.format(file.contents, { ...OPTIONS, parser }) };
    }),
  );
}
