/**
 * Every generated file goes through prettier with fixed options (never the user's config), so the
 * output is the same on every machine.
 */
import * as prettier from 'prettier';
import type { GeneratedFile } from './emit/index.js';

export const PRETTIER_OPTIONS: prettier.Options = {
  printWidth: 100,
  singleQuote: true,
  trailingComma: 'all',
  proseWrap: 'preserve',
  endOfLine: 'lf',
};

const PARSERS: Record<string, string> = { ts: 'babel-ts', md: 'markdown', json: 'json' };

/**
 * Files that skip prettier: the runtime, already in prettier's format (kept formatted in
 * templates/runtime, a test checks; formatting is the slowest stage), and skill folders
 * (`<capability>/skills/...`): instruction files stay as written, and SKILL.md's front matter keeps
 * the serializer's quoting.
 */
export const PREFORMATTED = (path: string): boolean =>
  path.startsWith('runtime/') || /^[^/]+\/skills\//.test(path);

export async function formatFiles(files: GeneratedFile[]): Promise<GeneratedFile[]> {
  return Promise.all(
    files.map(async (file) => {
      const parser = PARSERS[file.path.slice(file.path.lastIndexOf('.') + 1)];
      if (!parser || PREFORMATTED(file.path)) return file;
      return {
        ...file,
        contents: await prettier.format(file.contents, { ...PRETTIER_OPTIONS, parser }),
      };
    }),
  );
}
