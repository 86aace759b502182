/**
 * The generator formats every file with prettier except those it knows are formatted already (the
 * slowest stage skipped where it would change nothing). This test keeps that knowledge true.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { PREFORMATTED, PRETTIER_OPTIONS } from '../generator/format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const generated = path.join(ROOT, 'generated');

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'));
}

describe('files the generator does not pass through prettier', () => {
  const skipped = files(generated).filter((f) => PREFORMATTED(f) && /\.(ts|json)$/.test(f));

  it('are the runtime files', () => {
    expect(skipped.length).toBeGreaterThan(5);
    expect(skipped.every((f) => f.startsWith('runtime/'))).toBe(true);
  });

  it.each(skipped)('%s is exactly what prettier would print', async (file) => {
    const text = fs.readFileSync(path.join(generated, file), 'utf8');
    expect(await prettier.format(text, { ...PRETTIER_OPTIONS, parser: 'typescript' })).toBe(text);
  });
});
