/**
 * Malformed input: every case is a small temp project (specs/ with one broken file, sometimes a
 * config or an OpenAPI file) whose out dir already holds a previous generation plus a user's own
 * file. `capgen generate` runs in-process and must:
 *   - exit with the expected code (1 for errors),
 *   - print `file:line:col  severity  rule-id  message` at the exact position, followed by a hint line,
 *   - print no stack trace and no "internal error",
 *   - leave the project byte-identical (the out dir and everything else) when it fails.
 *
 * The cases are in test/helpers/malformed-cases.ts and malformed-document-cases.ts, their files in
 * test/fixtures/malformed/: `_base.yaml` is a minimal valid capability and
 * `_openapi.yaml` a matching OpenAPI document; every other file (or folder) breaks one thing,
 * named after what it breaks, with a `# Breaks:` comment on its first line.
 *
 * Cases marked `knownBug` document a generator bug: they state the behaviour we expect and run as
 * `it.fails` until the generator is fixed (then vitest reports them, and the mark must go).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';
import { capabilityCases, type Case } from './helpers/malformed-cases.js';
import { documentCases } from './helpers/malformed-document-cases.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'malformed');

const cases: Case[] = [...capabilityCases, ...documentCases];

// --- harness ------------------------------------------------------------------------------------

const OUT = 'generated';
const SENTINEL = `${OUT}/NOTES.md`;
const SENTINEL_TEXT = 'A file of my own in the out dir: capgen must never touch it.\n';
const DIAGNOSTIC = /^(\S+:\d+:\d+) {2}(error|warning) {2}(\S+) {2}\S/;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let template: string;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Every file and folder under `root`: relative path → contents (folders map to '<dir>'). */
function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const absolute = path.join(dir, entry.name);
      const relative = path.relative(root, absolute).split(path.sep).join('/');
      if (entry.isDirectory()) {
        result[`${relative}/`] = '<dir>';
        walk(absolute);
      } else {
        result[relative] = fs.readFileSync(absolute).toString('base64');
      }
    }
  };
  walk(root);
  return result;
}

async function capgen(cwd: string, argv: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const write = (text: string) => {
    output += text;
  };
  const code = await runCli(argv, { cwd, stdout: write, stderr: write, color: false });
  return { code, output };
}

/** A project holding the case's files and, in its out dir, the template's previous generation. */
function project(c: Case): string {
  const root = tempDir(`capgen-malformed-${c.name}-`);
  fs.cpSync(path.join(template, OUT), path.join(root, OUT), { recursive: true });
  for (const [target, fixture] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(root, target)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, fixture), path.join(root, target));
  }
  return root;
}

beforeAll(async () => {
  // One previous generation from the valid base, shared by every case (copied into each project).
  template = tempDir('capgen-malformed-template-');
  fs.mkdirSync(path.join(template, 'specs'));
  fs.copyFileSync(path.join(FIXTURES, '_base.yaml'), path.join(template, 'specs/widgets.yaml'));
  fs.copyFileSync(
    path.join(FIXTURES, '_openapi.yaml'),
    path.join(template, 'specs/widgets.openapi.yaml'),
  );
  const { code, output } = await capgen(template, ['generate']);
  expect(output).not.toMatch(/warning|error/);
  expect(code).toBe(0);
  fs.writeFileSync(path.join(template, SENTINEL), SENTINEL_TEXT);
  expect(fs.existsSync(path.join(template, OUT, 'widgets', 'client.ts'))).toBe(true);
});

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('malformed input corpus', () => {
  it('has at least 35 cases and uses every fixture', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const used = new Set(cases.flatMap((c) => Object.values(c.files).map((f) => f.split('/')[0])));
    const fixtures = fs.readdirSync(FIXTURES).filter((f) => !f.startsWith('_'));
    expect(fixtures.filter((f) => !used.has(f))).toEqual([]);
  });
});

describe.each(cases)('$name', (c) => {
  const test = c.knownBug ? it.fails : it;
  const title = c.knownBug
    ? `KNOWN BUG (${c.knownBug}): reports ${c.expectPos} ${String(c.expectRule)} and exits ${c.expectExit}`
    : `reports ${c.expectPos} ${c.expectRule} and exits ${c.expectExit}`;
  test(title, async () => {
    const root = project(c);
    const before = snapshot(root);
    const { code, output } = await capgen(root, ['generate', ...(c.args ?? [])]);
    const lines = output.split('\n');

    // The diagnostic, at the exact position, with the expected severity and rule, then a hint.
    const at = lines.findIndex((line) => {
      const m = DIAGNOSTIC.exec(line);
      return (
        m !== null &&
        m[1] === c.expectPos &&
        m[2] === c.severity &&
        (typeof c.expectRule === 'string' ? m[3] === c.expectRule : c.expectRule.test(m[3]))
      );
    });
    expect(
      at,
      `no '${c.expectPos}  ${c.severity}  ${String(c.expectRule)}' line in:\n${output}`,
    ).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toMatch(/^ {4}hint: \S/);
    // Every diagnostic carries a hint.
    lines.forEach((line, i) => {
      if (DIAGNOSTIC.test(line))
        expect(lines[i + 1], `no hint after: ${line}`).toMatch(/^ {4}hint: \S/);
    });
    // No stack trace, no crash.
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toMatch(/internal error/);
    expect(code, output).toBe(c.expectExit);

    const after = snapshot(root);
    if (c.expectExit === 1) {
      expect(output).toMatch(/\d+ error\(s\), \d+ warning\(s\); nothing was written\n$/);
      // Nothing written, nothing removed: the whole project, out dir included, is byte-identical.
      expect(after).toEqual(before);
    } else {
      // Warnings only: the run generates, but leaves the user's file and everything outside the out dir alone.
      const outside = (s: Record<string, string>) =>
        Object.fromEntries(Object.entries(s).filter(([p]) => !p.startsWith(`${OUT}/`)));
      expect(outside(after)).toEqual(outside(before));
      expect(fs.readFileSync(path.join(root, SENTINEL), 'utf8')).toBe(SENTINEL_TEXT);
      expect(output).toMatch(/✓ 1 capabilities → generated\//);
    }
  });
});
