/**
 * The command line end to end: help and version, validate (and --strict) on the real specs, the
 * generate --check / generate cycle on a temp copy of the project's specs (drift detection, the
 * manifest, stale files, user files, nothing outside the out dir), colour, determinism, and the
 * real bin/capgen.js.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type CliIO } from '../generator/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SPECS = path.join(ROOT, 'specs');
const CAPABILITIES = ['checkout-sessions', 'identity-sessions', 'link-account-sessions'];
const MANIFEST = '.capgen-manifest.json';
const ANSI = /\u001b\[/;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/**
 * The real binary runs in its own process, started as this file loads so that it overlaps the
 * in-process tests; its test awaits the result.
 */
let child: ReturnType<typeof spawn> | undefined;
const binary = new Promise<{ status: number | null; stdout: string; stderr: string }>(
  (resolve, reject) => {
    child = spawn(process.execPath, ['bin/capgen.js', 'generate', '--check'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  },
);
binary.catch(() => undefined); // reported by its test; not an unhandled rejection when that test is filtered out

const temps: string[] = [];
/** The out dir of the first generate in a fresh project (compared with a second one for determinism). */
let firstGeneration: Record<string, string> = {};
afterAll(() => {
  if (child && child.exitCode === null) child.kill();
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A fresh project: `<wrapper>/project/specs/` holding a copy of the real specs, and a file beside the project. */
function freshProject(): { wrapper: string; root: string } {
  const wrapper = tempDir('capgen-cli-');
  const root = path.join(wrapper, 'project');
  fs.cpSync(SPECS, path.join(root, 'specs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'README.md'), '# my project\n');
  fs.writeFileSync(path.join(wrapper, 'victim.txt'), 'outside the project\n');
  return { wrapper, root };
}

async function capgen(
  cwd: string,
  argv: string[],
  color = false,
): Promise<{ code: number; stdout: string; stderr: string; output: string }> {
  let stdout = '';
  let stderr = '';
  let output = '';
  const io: CliIO = {
    cwd,
    color,
    stdout: (t) => {
      stdout += t;
      output += t;
    },
    stderr: (t) => {
      stderr += t;
      output += t;
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr, output };
}

/** Every file under `dir`: relative POSIX path → contents. */
function tree(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!fs.existsSync(dir)) return result;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    result[path.relative(dir, absolute).split(path.sep).join('/')] = fs.readFileSync(
      absolute,
      'utf8',
    );
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `tree`, without the files under `exclude` (a path relative to dir). */
function treeWithout(
  dir: string | Record<string, string>,
  exclude: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(typeof dir === 'string' ? tree(dir) : dir).filter(
      ([p]) => p !== exclude && !p.startsWith(`${exclude}/`),
    ),
  );
}

/** Lines `<verb>  generated/<path>` of a --check report. */
function listed(stdout: string, verb: 'added' | 'changed' | 'removed'): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(`${verb} `))
    .map((l) =>
      l
        .slice(verb.length)
        .trim()
        .replace(/^generated\//, ''),
    )
    .sort();
}

describe('help and version', () => {
  it('--help exits 0 and prints the usage and the commands', async () => {
    const { code, stdout } = await capgen(ROOT, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: capgen \[options\] \[command\]/);
    for (const command of ['generate', 'validate', 'serve']) expect(stdout).toContain(command);
  });

  it('generate --help exits 0 and documents --check and --strict', async () => {
    const { code, stdout } = await capgen(ROOT, ['generate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: capgen generate \[options\]/);
    expect(stdout).toContain('--check');
    expect(stdout).toContain('--strict');
  });

  it('--version exits 0 and prints the version from package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await capgen(ROOT, ['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${version}\n`);
  });

  it('an unknown command exits 2 without a stack trace', async () => {
    const { code, output } = await capgen(ROOT, ['generat']);
    expect(code).toBe(2);
    expect(output).toContain("unknown command 'generat'");
    expect(output).not.toMatch(STACK_FRAME);
  });
});

describe('validate on the real specs', () => {
  it('--verbose exits 0 with warnings only, lists each with a hint, and prints the summary', async () => {
    const { code, stdout, stderr } = await capgen(ROOT, ['validate', '--verbose']);
    expect(code).toBe(0);
    const lines = stderr.split('\n');
    const diagnostics = lines.filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const line of diagnostics)
      expect(line).toMatch(/^specs\/[\w.-]+:\d+:\d+ {2}(warning|info) {2}[a-z-]+\/[a-z-]+ {2}\S/);
    lines.forEach((line, i) => {
      if (/^\S+:\d+:\d+ {2}/.test(line)) expect(lines[i + 1], line).toMatch(/^ {4}hint: \S/);
    });
    // The infos: the bundled capabilities' servers all default to ports 8080 and 9090.
    const infos = diagnostics.filter((l) => / {2}info {2}/.test(l));
    expect(infos.length).toBe(6);
    for (const line of infos) expect(line).toMatch(/ {2}capgen\/port-conflict {2}/);
    const [, warnings, infoCount] = /^0 errors, (\d+) warning\(s\), (\d+) info\(s\)$/m.exec(
      stderr,
    )!;
    expect(Number(warnings) + Number(infoCount)).toBe(diagnostics.length);
    expect(stdout).toBe('✓ 3 capabilities are valid\n');
  });

  it('without --verbose shows each rule once per file at its first position, with how many more, and the same summary', async () => {
    const verbose = await capgen(ROOT, ['validate', '--verbose']);
    const { code, stdout, stderr } = await capgen(ROOT, ['validate']);
    expect(code).toBe(0);
    const all = [...verbose.stderr.matchAll(/^(\S+):(\d+):(\d+) {2}warning {2}(\S+) {2}/gm)];
    const lines = stderr.split('\n');
    const shown = new Set<string>();
    lines.forEach((line, i) => {
      const m = /^(\S+):(\d+):(\d+) {2}warning {2}(\S+) {2}/.exec(line);
      if (!m) return;
      const group = `${m[1]} ${m[4]}`;
      expect(shown.has(group), `${group} shown twice`).toBe(false);
      shown.add(group);
      const same = all.filter((v) => v[1] === m[1] && v[4] === m[4]);
      // The first position of the rule in the file, in the sorted order --verbose prints.
      expect(`${m[2]}:${m[3]}`).toBe(`${same[0][2]}:${same[0][3]}`);
      const more = /^ {4}… and (\d+) more (\S+) in (\S+) \(--verbose lists them\)$/.exec(
        lines[i + 2] ?? '',
      );
      if (same.length > 1) expect(more?.slice(1)).toEqual([String(same.length - 1), m[4], m[1]]);
      else expect(more).toBeNull();
    });
    expect(shown.size).toBe(new Set(all.map((v) => `${v[1]} ${v[4]}`)).size);
    expect(shown.size).toBeLessThan(all.length);
    const summary = /^0 errors, \d+ warning\(s\)(, \d+ info\(s\))?$/m;
    expect(summary.exec(stderr)?.[0]).toBe(summary.exec(verbose.stderr)?.[0]);
    expect(stdout).toBe('✓ 3 capabilities are valid\n');
  });

  it('rules in capgen.config.yaml set severities: deviations off and body-ignored as an error make --strict fail only on that', async () => {
    const { root } = freshProject();
    fs.writeFileSync(
      path.join(root, 'capgen.config.yaml'),
      'rules:\n  schema/deviation: off\n  openapi/*: off\n  capgen/body-ignored: error\n  capgen/port-conflict: off\n',
    );
    const { code, stderr } = await capgen(root, ['validate', '--verbose']);
    expect(code).toBe(1);
    const rules = new Set(
      [...stderr.matchAll(/^\S+:\d+:\d+ {2}(\S+) {2}(\S+) {2}/gm)].map((m) => `${m[1]} ${m[2]}`),
    );
    expect([...rules]).toEqual(['error capgen/body-ignored']);
    fs.writeFileSync(
      path.join(root, 'capgen.config.yaml'),
      'rules:\n  schema/deviation: off\n  openapi/*: off\n  capgen/body-ignored: off\n  capgen/port-conflict: off\n',
    );
    const strict = await capgen(root, ['validate', '--strict']);
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(0);
  });

  it('--strict exits 1: every warning becomes an error', async () => {
    const { code, stdout, stderr } = await capgen(ROOT, ['validate', '--strict', '--verbose']);
    expect(code).toBe(1);
    const diagnostics = stderr.split('\n').filter((l) => /^\S+:\d+:\d+ {2}/.test(l));
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const line of diagnostics) expect(line).toMatch(/ {2}error {2}/);
    expect(stderr).toMatch(
      new RegExp(
        `^${diagnostics.length} error\\(s\\), 0 warning\\(s\\); nothing was written$`,
        'm',
      ),
    );
    expect(stdout).toBe('');
  });

  it('generate --strict exits 1 and writes nothing', async () => {
    const { wrapper } = freshProject();
    const before = tree(wrapper);
    const { code } = await capgen(path.join(wrapper, 'project'), ['generate', '--strict']);
    expect(code).toBe(1);
    expect(tree(wrapper)).toEqual(before);
  });
});

describe('generate and generate --check on a fresh copy of the specs', () => {
  let wrapper: string;
  let root: string;
  let out: string;
  let generatedFiles: string[];

  beforeAll(() => {
    ({ wrapper, root } = freshProject());
    out = path.join(root, 'generated');
  });

  it('--check before generating exits 1, lists every file as added, and writes nothing', async () => {
    const before = tree(wrapper);
    const { code, stdout } = await capgen(root, ['generate', '--check']);
    expect(code).toBe(1);
    const added = listed(stdout, 'added');
    expect(added).toContain(MANIFEST);
    for (const id of CAPABILITIES) expect(added).toContain(`${id}/client.ts`);
    expect(listed(stdout, 'changed')).toEqual([]);
    expect(listed(stdout, 'removed')).toEqual([]);
    expect(stdout).toMatch(
      new RegExp(`✗ generated/ is out of date: ${added.length} added, 0 changed, 0 removed\\.`),
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(tree(wrapper)).toEqual(before);
    generatedFiles = added;
  });

  it('generate writes exactly the files --check listed, and touches nothing outside the out dir and its cache', async () => {
    const outside = treeWithout(wrapper, 'project/generated');
    expect(fs.existsSync(path.join(root, '.capgen-cache'))).toBe(false);
    const { code, stdout } = await capgen(root, ['generate']);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `✓ 3 capabilities → generated/: ${generatedFiles.length} added, 0 changed, 0 removed, 0 unchanged`,
    );
    firstGeneration = tree(out);
    expect(Object.keys(firstGeneration).sort()).toEqual(generatedFiles);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, MANIFEST), 'utf8')) as {
      files: string[];
    };
    expect([...manifest.files, MANIFEST].sort()).toEqual(generatedFiles);
    // The generation cache (cache.test.ts), ignored by git through a .gitignore of its own.
    expect(fs.readFileSync(path.join(root, '.capgen-cache/.gitignore'), 'utf8')).toContain('*');
    expect(treeWithout(treeWithout(wrapper, 'project/.capgen-cache'), 'project/generated')).toEqual(
      outside,
    );
  });

  it('--check after generating exits 0, writing nothing anywhere (not even a temporary file)', async () => {
    const writes = [
      vi.spyOn(fs, 'writeFileSync'),
      vi.spyOn(fs, 'mkdirSync'),
      vi.spyOn(fs, 'renameSync'),
      vi.spyOn(fs, 'mkdtempSync'),
    ];
    const { code, stdout } = await capgen(root, ['generate', '--check']);
    for (const spy of writes) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    expect(code).toBe(0);
    expect(stdout).toBe(
      `✓ generated/ is up to date (${generatedFiles.length} files, 3 capabilities)\n`,
    );
  });

  it('--check after editing a generated file exits 1 and lists it as changed with a short diff', async () => {
    const file = path.join(out, 'link-account-sessions', 'client.ts');
    const original = fs.readFileSync(file, 'utf8');
    const lines = original.split('\n');
    const target = lines.findIndex((l) => l.startsWith('export const '));
    expect(target).toBeGreaterThanOrEqual(0);
    lines.splice(target, 0, '// a hand edit that the next generate will undo');
    fs.writeFileSync(file, lines.join('\n'));

    const before = tree(wrapper);
    const { code, stdout } = await capgen(root, ['generate', '--check']);
    expect(code).toBe(1);
    expect(listed(stdout, 'changed')).toEqual(['link-account-sessions/client.ts']);
    expect(listed(stdout, 'added')).toEqual([]);
    expect(listed(stdout, 'removed')).toEqual([]);
    const report = stdout.split('\n');
    const at = report.indexOf('changed  generated/link-account-sessions/client.ts');
    const diff: string[] = [];
    for (let i = at + 1; i < report.length && report[i].startsWith('    '); i++)
      diff.push(report[i]);
    expect(diff).toContain('    -// a hand edit that the next generate will undo');
    expect(diff.some((l) => l.startsWith('    @@'))).toBe(true);
    expect(diff.length).toBeLessThanOrEqual(21);
    expect(stdout).toContain('0 added, 1 changed, 0 removed');
    expect(tree(wrapper)).toEqual(before);
    // The next step's generate rewrites it; --check compares against the original.
    expect(diff.length).toBeGreaterThan(2);
    fs.writeFileSync(file, original);
  });

  it('--check with a stale file in the manifest exits 1 and lists it as removed; generate removes it, never a path outside the out dir', async () => {
    fs.mkdirSync(path.join(out, 'retired'), { recursive: true });
    fs.writeFileSync(
      path.join(out, 'retired', 'client.ts'),
      '// from a capability that no longer exists\n',
    );
    const manifestPath = path.join(out, MANIFEST);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
      files: string[];
      sha256: Record<string, string>;
    };
    manifest.files.push('retired/client.ts', '../README.md', '../../victim.txt');
    // As capgen records a file it wrote: with the hash of its contents (an edited one is kept).
    manifest.sha256['retired/client.ts'] = createHash('sha256')
      .update('// from a capability that no longer exists\n')
      .digest('hex');
    fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

    const before = tree(wrapper);
    const { code, stdout } = await capgen(root, ['generate', '--check']);
    expect(code).toBe(1);
    expect(listed(stdout, 'removed')).toEqual(['retired/client.ts']);
    expect(listed(stdout, 'changed')).toEqual([MANIFEST]);
    expect(tree(wrapper)).toEqual(before);

    const outside = treeWithout(wrapper, 'project/generated');
    const generated = await capgen(root, ['generate']);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('0 added, 1 changed, 1 removed');
    expect(fs.existsSync(path.join(out, 'retired'))).toBe(false);
    expect(treeWithout(wrapper, 'project/generated')).toEqual(outside);
  });

  it("generate removes the files of a deleted capability and leaves the user's own file alone", async () => {
    const notes = path.join(out, 'NOTES.md');
    fs.writeFileSync(notes, 'my notes, not capgen’s\n');
    const ownInCapabilityDir = path.join(out, 'identity-sessions', 'extra.ts');
    fs.writeFileSync(ownInCapabilityDir, 'export const mine = 1;\n');
    const keptBefore = treeWithout(out, 'identity-sessions');
    fs.rmSync(path.join(root, 'specs', 'identity-sessions.yaml'));

    const { code, stdout } = await capgen(root, ['generate']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^✓ 2 capabilities → generated\/: 0 added, \d+ changed, \d+ removed, \d+ unchanged\n$/,
    );
    const after = tree(out);
    // Every file capgen wrote for identity-sessions is gone; the user's file in that folder stays.
    expect(Object.keys(after).filter((p) => p.startsWith('identity-sessions/'))).toEqual([
      'identity-sessions/extra.ts',
    ]);
    expect(after['NOTES.md']).toBe('my notes, not capgen’s\n');
    // The other capabilities' files are untouched (the manifest and index-like files may change).
    for (const id of ['checkout-sessions', 'link-account-sessions']) {
      for (const [p, text] of Object.entries(keptBefore))
        if (p.startsWith(`${id}/`)) expect(after[p], p).toBe(text);
    }
    const manifest = JSON.parse(after[MANIFEST]) as { files: string[] };
    expect(manifest.files.some((f) => f.startsWith('identity-sessions/'))).toBe(false);
    expect(manifest.files).not.toContain('NOTES.md');
    expect(fs.readFileSync(path.join(wrapper, 'victim.txt'), 'utf8')).toBe('outside the project\n');
  });
});

describe('output', () => {
  it('is deterministic: two runs into two temp projects produce byte-identical trees', async () => {
    // The first run is the one of the generate/--check cycle above (or a new one when that was filtered out).
    if (!Object.keys(firstGeneration).length) {
      const a = freshProject().root;
      expect((await capgen(a, ['generate'])).code).toBe(0);
      firstGeneration = tree(path.join(a, 'generated'));
    }
    expect(Object.keys(firstGeneration).length).toBeGreaterThan(10);
    const b = freshProject().root;
    expect((await capgen(b, ['generate'])).code).toBe(0);
    expect(tree(path.join(b, 'generated'))).toEqual(firstGeneration);
    // No absolute path of either project leaks into the output.
    for (const [file, text] of Object.entries(firstGeneration)) {
      expect(text.includes(b), file).toBe(false);
      expect(text.includes(os.tmpdir()), file).toBe(false);
    }
  });

  it('has no ANSI escapes when color is false, and has them when color is true', async () => {
    const plain = await capgen(ROOT, ['validate'], false);
    expect(plain.output).not.toMatch(ANSI);
    const colored = await capgen(ROOT, ['validate'], true);
    expect(colored.output).toMatch(ANSI);
  });

  describe('default io (a TTY)', () => {
    const saved = {
      isTTY: process.stdout.isTTY,
      noColor: process.env.NO_COLOR,
      term: process.env.TERM,
    };
    afterEach(() => {
      process.stdout.isTTY = saved.isTTY;
      if (saved.noColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved.noColor;
      process.env.TERM = saved.term;
      vi.restoreAllMocks();
    });

    async function runOnTty(env: Record<string, string | undefined>): Promise<string> {
      process.stdout.isTTY = true;
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      let output = '';
      const capture = (chunk: string | Uint8Array) => {
        output += String(chunk);
        return true;
      };
      vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
      vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
      const cwd = vi.spyOn(process, 'cwd').mockReturnValue(ROOT);
      const code = await runCli(['validate']);
      cwd.mockRestore();
      vi.restoreAllMocks();
      expect(code).toBe(0);
      return output;
    }

    it('NO_COLOR turns the colour off', async () => {
      expect(await runOnTty({ NO_COLOR: '1', TERM: 'xterm-256color' })).not.toMatch(ANSI);
    });

    it('without NO_COLOR a TTY gets colour', async () => {
      expect(await runOnTty({ NO_COLOR: undefined, TERM: 'xterm-256color' })).toMatch(ANSI);
    });
  });
});

describe('the real binary', () => {
  it('node bin/capgen.js generate --check exits 0 in the project root (generated/ is up to date)', async () => {
    const result = await binary;
    expect(result.stdout, result.stdout + result.stderr).toMatch(
      /^✓ generated\/ is up to date \(\d+ files, 3 capabilities\)\n$/,
    );
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(ANSI);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
