/**
 * The escape layer (generator/emit/escape.ts and literal.ts), function by function, on any string
 * fast-check makes (arbitrary code points, lone surrogates, controls included): what each function
 * makes is read back by TypeScript's parser or checked for what Markdown would read in it.
 */
import fc from 'fast-check';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  docBlock,
  docInline,
  htmlCommentText,
  jsonText,
  lineComments,
  markdownBlock,
  markdownCell,
  markdownCode,
  objectKey,
  tsString,
  typeKey,
  yamlFrontMatter,
} from '../generator/emit/escape.js';
import { CodeRef, dataLiteral } from '../generator/emit/literal.js';

const NASTY = [
  '*/',
  '/*',
  '`',
  '${',
  '"',
  "'",
  '\\',
  '\r',
  '\n',
  '\u2028',
  '\u0000',
  '@x',
  '</',
  '|',
  '<',
  '&',
  '-->',
  '\u0085',
  '\u2029',
];
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 8 }).map((p) => p.join('')),
);
const RUNS = { numRuns: 300, seed: 8 };

const parse = (source: string) =>
  ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
const wellFormed = (s: string) =>
  !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

describe('TypeScript', () => {
  it('tsString makes one string literal holding the text, on one line', () => {
    fc.assert(
      fc.property(text, (s) => {
        const literal = tsString(s);
        const file = parse(`export const x = ${literal};`);
        expect(file.statements).toHaveLength(1);
        const init = (file.statements[0] as ts.VariableStatement).declarationList.declarations[0]
          .initializer!;
        expect(ts.isStringLiteral(init)).toBe(true);
        if (wellFormed(s)) expect((init as ts.StringLiteral).text).toBe(s);
        expect(literal).not.toMatch(/[\n\r\u2028\u2029]|<\//);
      }),
      RUNS,
    );
  });

  it('docBlock and docInline make comments that stay closed and carry no JSDoc tag', () => {
    fc.assert(
      fc.property(text, (s) => {
        for (const comment of [docBlock(s, '  '), `/** ${docInline(s)} */\n`]) {
          const file = parse(`${comment}export const x = 1;`);
          expect(file.statements).toHaveLength(1);
          expect(ts.getJSDocTags(file.statements[0])).toEqual([]);
        }
      }),
      RUNS,
    );
  });

  it('typeKey and objectKey make property names that name exactly the key', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.constant('__proto__')), (s) => {
        fc.pre(wellFormed(s));
        const file = parse(`type T = { ${typeKey(s)}: 1 }; const o = { ${objectKey(s)}: 1 };`);
        expect(file.statements).toHaveLength(2);
        // The object literal defines an own property with that very name (evaluated as JSON-like data).
        const members = (file.statements[1] as ts.VariableStatement).declarationList.declarations[0]
          .initializer as ts.ObjectLiteralExpression;
        expect(members.properties).toHaveLength(1);
      }),
      RUNS,
    );
  });

  it('dataLiteral prints data that reads back equal, with references as identifiers', () => {
    const value = fc
      .jsonValue()
      .map((v) => ({ data: v, ref: new CodeRef('SOME_CONSTANT', './x.js') }));
    fc.assert(
      fc.property(value, ({ data, ref }) => {
        const input = Object.fromEntries([
          ['data', data],
          ['ref', ref],
          ['__proto__', [1]],
        ]);
        const { code, refs } = dataLiteral(input);
        expect(refs.map((r) => r.name)).toEqual(['SOME_CONSTANT']);
        const read = new Function('SOME_CONSTANT', `return (${code});`)('the ref') as Record<
          string,
          unknown
        >;
        expect(read.ref).toBe('the ref');
        expect(JSON.stringify(read.data)).toBe(JSON.stringify(data));
        expect(Object.hasOwn(read, '__proto__')).toBe(true);
        expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
      }),
      { ...RUNS, numRuns: 100 },
    );
  });

  it('CodeRef refuses anything but an identifier', () => {
    for (const bad of ['process.env', 'a b', '', '1a', 'delete', '@@ref:x@@'])
      expect(() => new CodeRef(bad)).toThrow(/not a valid identifier/);
  });
});

describe('Markdown and JSON', () => {
  /** Characters of `chars` in `md` that are neither backslash-escaped nor inside a code span. */
  const unescaped = (md: string, chars: string) =>
    [...md.replace(/\\[\s\S]/g, '').replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '')].filter((c) =>
      chars.includes(c),
    );

  it('markdownCell and markdownBlock leave no raw HTML, pipe or fence; cells stay on one line', () => {
    fc.assert(
      fc.property(text, (s) => {
        const cell = markdownCell(s);
        expect(cell).not.toMatch(/\n/);
        // Outside code spans, every <, &, | and backtick is escaped.
        expect(unescaped(cell, '<&|`')).toEqual([]);
        const block = markdownBlock(s);
        expect(block.split('\n').filter((l) => /^(```|~~~|#|>)/.test(l))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('markdownCode makes one code span holding the text', () => {
    fc.assert(
      fc.property(text, (s) => {
        const span = markdownCode(s);
        const fence = /^`+/.exec(span)![0];
        expect(span.endsWith(fence)).toBe(true);
        // The fence is a run of backticks the body has not (prettier's fewest).
        expect(span.slice(fence.length, -fence.length).match(/`+/g) ?? []).not.toContain(fence);
        expect(span).not.toMatch(/\n|(?<!\\)\|/);
      }),
      RUNS,
    );
  });

  it('htmlCommentText cannot close the comment; jsonText reads back equal', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(htmlCommentText(s)).not.toMatch(/--|[<>]/);
        expect(jsonText(s)).not.toMatch(/<\/|\u2028|\u2029/);
        expect(JSON.parse(jsonText({ s }))).toEqual({ s });
      }),
      RUNS,
    );
  });

  it('lineComments: every line of the output is a comment, whatever the text', () => {
    const YAML_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/;
    fc.assert(
      fc.property(text, fc.constantFrom('//' as const, '#' as const), (s, marker) => {
        const comment = lineComments(s, marker);
        for (const line of comment.split(YAML_BREAKS)) expect(line.startsWith(marker)).toBe(true);
        expect(comment).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      }),
      RUNS,
    );
  });
});

describe('yamlFrontMatter', () => {
  it('reads back as exactly the data: one line per string, no line that ends or starts a document', () => {
    fc.assert(
      fc.property(text, text, text, (description, key, value) => {
        const data = { name: 'n', description, metadata: { [key]: value, plain: value } };
        const block = yamlFrontMatter(data);
        expect(block.startsWith('---\n') && block.endsWith('\n---\n')).toBe(true);
        const body = block.slice(4, -4);
        expect(body.split('\n').filter((l) => /^(---|\.\.\.)/.test(l))).toEqual([]);
        expect(body).not.toMatch(/[\u2028\u2029\r]/);
        expect(body.split('\n').filter(Boolean)).toHaveLength(5);
        expect(YAML.parse(body)).toEqual(data);
      }),
      RUNS,
    );
  });
});
