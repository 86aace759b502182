/**
 * README.md is emitted in its final layout: nothing formats it afterwards (generator/format.ts),
 * so what emit/readme.ts, the Markdown escaping of emit/escape.ts and emit/table-layout.ts write
 * must be byte for byte what prettier prints. Checked on escaped text of every kind (hostile
 * strings included) in every place the README puts it, on the client example at every name length,
 * on the READMEs of every capability of specs/ and of the test fixtures (the public OpenAPI
 * documents of test/fixtures/apis imported), of a batch of the hostile property test's cases, and
 * of the 62 capabilities `capgen import` makes from Stripe's full spec (skipped with a notice when
 * ../shared/stripe/spec3.json is absent). And a generate run does not load prettier's Markdown
 * plugin at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import * as prettier from 'prettier';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  markdownBlock,
  markdownCell,
  markdownCode,
  markdownHeading,
  markdownInline,
  markdownLinkTarget,
} from '../generator/emit/escape.js';
import { clientCode } from '../generator/emit/readme.js';
import { markdownTable } from '../generator/emit/table-layout.js';
import { PRETTIER_OPTIONS } from '../generator/format.js';
import { runCli } from '../generator/cli.js';
import { runPipeline } from '../generator/pipeline.js';
import { writeModesCapability } from './helpers/modes-capability.js';
import { run } from './helpers/process.js';
import { BASE, OPENAPI } from './helpers/hostile-corpus.js';
import { applyEdits, caseArbitrary, documents, hostile } from './helpers/hostile-documents.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SPEC = path.join(ROOT, '..', 'shared', 'stripe', 'spec3.json');
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const prettierMarkdown = (text: string) =>
  prettier.format(text, { ...PRETTIER_OPTIONS, parser: 'markdown' });

/** The first line where prettier's output differs from `text`, or undefined when they are equal. */
async function firstDifference(text: string): Promise<string | undefined> {
  const formatted = await prettierMarkdown(text);
  if (formatted === text) return undefined;
  const a = text.split('\n');
  const b = formatted.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  return `${line + 1}: ${JSON.stringify(a[line])} → ${JSON.stringify(b[line])}`;
}

/** Every README.md of `files` prettier would change, with the first line that differs. */
async function notPrettier(files: Array<{ path: string; contents: string }>): Promise<string[]> {
  const wrong: string[] = [];
  for (const file of files.filter((f) => f.path.endsWith('/README.md'))) {
    const difference = await firstDifference(file.contents);
    if (difference) wrong.push(`${file.path}:${difference}`);
  }
  return wrong;
}

/** A fresh project folder in the repository's .tmp. */
function projectDir(prefix: string): string {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, '.tmp', `${prefix}-`));
  temps.push(dir);
  return dir;
}

/** The READMEs a project generates (in memory), after checking that it generates. */
async function readmes(root: string): Promise<Array<{ path: string; contents: string }>> {
  const result = await runPipeline(root, {}, { emit: true });
  expect(result.bag.items.filter((d) => d.severity === 'error')).toEqual([]);
  return result.files!.filter((f) => f.path.endsWith('/README.md'));
}

/** A project of the capability files `capgen import` makes (in specs/<name>/) from `spec`. */
async function imported(name: string, spec: string, ...args: string[]): Promise<string> {
  const root = projectDir(`readme-${name}`);
  const copy = `specs/${path.basename(spec)}`;
  fs.mkdirSync(path.join(root, 'specs'));
  fs.copyFileSync(spec, path.join(root, copy));
  const io = { cwd: root, stdout: () => {}, stderr: () => {}, color: false };
  const command = ['import', '--openapi', copy, '--out', `specs/${name}`, ...args];
  expect(await runCli(command, io)).toBe(0);
  return root;
}

// Spec text of every kind: hostile fragments, arbitrary code points, words, Markdown's own syntax.
const text = fc.oneof(
  hostile,
  fc.string({ maxLength: 60, unit: 'binary' }),
  fc.lorem({ maxCount: 12 }),
  fc
    .array(
      fc.constantFrom(
        '- ',
        '* ',
        '+ ',
        '1. ',
        '2) ',
        '# ',
        ' #',
        '#',
        '> ',
        '---',
        '===',
        '$$',
        '$x$',
        '`code`',
        '``',
        '` a `',
        '\n',
        '\n\n',
        '  ',
        '\t',
        '\u00a0',
        '\u3000',
        'word',
        'snake_case_name',
        '_',
        '*',
        '~~',
        '<b>',
        '&amp;',
        'https://example.com/a_b',
        'www.example.com',
        '[x]',
        '{{ x }}',
        '{% x %}',
        '|',
        '\\',
        '漢字',
        '😀',
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join('')),
);

describe('escaped Markdown text', () => {
  it('is what prettier prints in every place a README puts it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 6, maxLength: 6 }), async (t) => {
        const doc = [
          '<!-- header -->',
          markdownHeading(1, t[0]),
          markdownBlock(t[1]),
          `Generated from [${markdownCode(t[2])}](${markdownLinkTarget(t[2])}) with ${markdownInline(t[3])}.`,
          '```ts\nconst x = 1;\n```',
          markdownTable(
            ['Name', 'Description'],
            [
              [markdownCode(t[4]), markdownCell(t[5])],
              [markdownInline(t[2]), markdownCell(t[3])],
            ],
          ),
          markdownBlock(t[5]),
          '## Section',
        ]
          .filter(Boolean)
          .join('\n\n');
        expect(await firstDifference(`${doc}\n`)).toBeUndefined();
      }),
      { numRuns: 400, seed: 14 },
    );
  });
});

describe('the client example', () => {
  it('is laid out as prettier lays it out, whatever the names’ lengths', async () => {
    for (let n = 1; n <= 130; n += 1) {
      const name = `a${'b'.repeat(n - 1)}`;
      for (const first of [
        undefined,
        { method: name, paginated: true },
        { method: name, paginated: false },
      ]) {
        const code = `${clientCode(`create${name}`, `./out/${name}/client.js`, first)}\n`;
        expect(await prettier.format(code, { ...PRETTIER_OPTIONS, parser: 'typescript' })).toBe(
          code,
        );
      }
    }
    const quoted = `${clientCode('createX', "./it's/x/client.js", undefined)}\n`;
    expect(await prettier.format(quoted, { ...PRETTIER_OPTIONS, parser: 'typescript' })).toBe(
      quoted,
    );
  });
});

describe('a generate run', () => {
  it(
    'of this repository loads no prettier parser, let alone the Markdown one',
    { timeout: 120_000 },
    async () => {
      const dir = projectDir('readme-plugins');
      // A module hook reporting each module of prettier the run resolves.
      fs.writeFileSync(
        path.join(dir, 'hooks.mjs'),
        `export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        if (resolved.url.includes('/node_modules/prettier/')) console.error('prettier', resolved.url);
        return resolved;
      }\n`,
      );
      fs.writeFileSync(
        path.join(dir, 'register.mjs'),
        "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
      );
      const out = path.relative(ROOT, path.join(dir, 'out'));
      const args = ['--import', path.join(dir, 'register.mjs'), 'bin/capgen.js'];
      args.push('generate', '--no-cache', '--out', out);
      const result = await run(process.execPath, args, { timeoutMs: 110_000 });
      expect(result.code, result.stderr).toBe(0);
      const loaded = [
        ...result.stderr.matchAll(/^prettier .*\/node_modules\/prettier\/(.+)$/gm),
      ].map((m) => m[1]);
      expect(loaded).toContain('doc.mjs'); // the hook sees what the run loads: the document printer
      expect(loaded.filter((file) => file.startsWith('plugins/'))).toEqual([]);
    },
  );
});
