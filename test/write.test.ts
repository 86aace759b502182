/**
 * All-or-nothing writes: a failure anywhere (a full disk mid-write, a refused rename at the swap,
 * a folder of the user's where a generated file must go) leaves the previous output byte-identical
 * and nothing beside it; a successful write keeps the user's files (the very same files) and
 * drops only files capgen wrote that are unedited and whose source is gone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';
import { runPipeline } from '../generator/pipeline.js';
import { OutputStore } from '../generator/store.js';
import { apply, plan, withManifest, type WriteOps } from '../generator/write.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'malformed');
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

let root: string;
let out: string;

async function capgen(argv: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const write = (text: string) => (output += text);
  const code = await runCli(argv, { cwd: root, stdout: write, stderr: write, color: false });
  return { code, output };
}

/** Every entry of the project's parent folder, recursively, with file contents. */
function snapshot(): Record<string, string> {
  const result: Record<string, string> = {};
  const base = path.dirname(root);
  for (const entry of fs.readdirSync(base, { recursive: true }) as string[]) {
    const full = path.join(base, entry);
    result[entry] = fs.statSync(full).isDirectory() ? '<dir>' : fs.readFileSync(full, 'base64');
  }
  return result;
}

function relabel(): void {
  const spec = path.join(root, 'specs/widgets.yaml');
  fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('label: Widgets', 'label: Gadgets'));
}

/** The plan and files of a run with the capability's label changed (so every file changes). */
async function nextGeneration() {
  relabel();
  const result = await runPipeline(root, {}, { emit: true });
  expect(result.bag.hasErrors()).toBe(false);
  return plan(out, withManifest(result.files!));
}

/** The files of a run, generated into a staging store beside the output folder (as the CLI does). */
async function stagedGeneration(ops?: WriteOps) {
  const result = await runPipeline(
    root,
    {},
    {
      emit: true,
      store: (outDir) => OutputStore.staging(outDir, ops),
    },
  );
  return { result, files: result.files && withManifest(result.files, result.store) };
}

const failing = (at: (call: number, args: string[]) => boolean): WriteOps => {
  let calls = 0;
  const fail = (args: string[]) => {
    if (at(++calls, args))
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
  };
  return {
    writeFile: (file, contents) => (fail([file]), fs.writeFileSync(file, contents)),
    rename: (from, to) => (fail([from, to]), fs.renameSync(from, to)),
  };
};

beforeEach(async () => {
  const wrapper = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-write-'));
  temps.push(wrapper);
  root = path.join(wrapper, 'project');
  out = path.join(root, 'generated');
  fs.mkdirSync(path.join(root, 'specs'), { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, '_base.yaml'), path.join(root, 'specs/widgets.yaml'));
  fs.copyFileSync(
    path.join(FIXTURES, '_openapi.yaml'),
    path.join(root, 'specs/widgets.openapi.yaml'),
  );
  expect((await capgen(['generate'])).code).toBe(0);
  fs.writeFileSync(path.join(out, 'NOTES.md'), 'my notes\n');
  fs.mkdirSync(path.join(out, 'widgets/mine/empty'), { recursive: true });
  fs.writeFileSync(path.join(out, 'widgets/mine/extra.ts'), 'export const mine = 1;\n');
});

describe('a failing write', () => {
  it('a full disk on the third file leaves the previous output byte-identical, nothing beside it', async () => {
    const p = await nextGeneration();
    const before = snapshot();
    expect(() => apply(out, p, { ops: failing((call) => call === 3) })).toThrow(/ENOSPC/);
    expect(snapshot()).toEqual(before);
  });

  it('a refused swap (after the old folder was moved aside) puts the old folder back', async () => {
    const p = await nextGeneration();
    const before = snapshot();
    const swapIn = (_call: number, args: string[]) => args[1] === out && args[0] !== out;
    expect(() => apply(out, p, { ops: failing(swapIn) })).toThrow(/ENOSPC/);
    expect(snapshot()).toEqual(before);
  });

  it('a folder of the user where a generated file goes fails the run: exit 1, diagnostic, nothing written', async () => {
    fs.rmSync(path.join(out, 'widgets/mcp.ts'));
    fs.mkdirSync(path.join(out, 'widgets/mcp.ts'));
    fs.writeFileSync(path.join(out, 'widgets/mcp.ts/mine.txt'), 'in the way\n');
    const before = snapshot();
    const { code, output } = await capgen(['generate']);
    expect(code, output).toBe(1);
    expect(output).toMatch(/^generated:1:1 {2}error {2}io\/write-failed {2}could not write/m);
    expect(output).toMatch(/\n {4}hint: \S/);
    expect(output).toMatch(/nothing was written\n$/);
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(snapshot()).toEqual(before);
  });
});

describe('a failing run that stores its files on disk as they are made', () => {
  it('a full disk on the third stored file: an io/write-failed error, nothing beside the output', async () => {
    relabel();
    const before = snapshot();
    const { result } = await stagedGeneration(failing((call) => call === 3));
    expect(result.files).toBeUndefined();
    expect(result.store).toBeUndefined();
    const [error] = result.bag.items.filter((d) => d.severity === 'error');
    expect(error).toMatchObject({ file: 'generated', rule: 'io/write-failed' });
    expect(error.message).toMatch(/could not write the generated files: could not store .*ENOSPC/);
    expect(snapshot()).toEqual(before);
  });

  it('errors in a later capability, after the first one was stored: exit 1, nothing written, the store and cache entries gone', async () => {
    relabel();
    fs.writeFileSync(
      path.join(root, 'specs/zeta.yaml'),
      fs
        .readFileSync(path.join(root, 'specs/widgets.yaml'), 'utf8')
        .replace(/^naftiko: .*/m, 'naftiko: 0.0.1'),
    );
    const before = snapshot();
    const { code, output } = await capgen(['generate']);
    expect(code, output).toBe(1);
    expect(output).toContain('specs/zeta.yaml');
    expect(snapshot()).toEqual(before);
  });

  it('a refused swap removes the store and leaves the output byte-identical', async () => {
    relabel();
    const { result, files } = await stagedGeneration();
    const staged = result.store as OutputStore;
    expect(path.dirname(staged.folder)).toBe(root);
    const p = plan(out, files!);
    // The snapshot holds the store; after the failure, all of it but the store.
    const store = path.relative(path.dirname(root), staged.folder);
    const before = Object.fromEntries(
      Object.entries(snapshot()).filter(([k]) => k !== store && !k.startsWith(store + path.sep)),
    );
    const swapIn = (_call: number, args: string[]) => args[1] === out && args[0] !== out;
    expect(() => apply(out, p, { ops: failing(swapIn), staged })).toThrow(/ENOSPC/);
    expect(fs.existsSync(staged.folder)).toBe(false);
    expect(snapshot()).toEqual(before);
  });
});

describe('a successful write', () => {
  it('from a staging store: swaps it in without writing files again, keeps unchanged files untouched, reads contents from the output', async () => {
    const notes = fs.statSync(path.join(out, 'NOTES.md'));
    const runtime = fs.statSync(path.join(out, 'runtime/client.ts'));
    relabel();
    const { result, files } = await stagedGeneration();
    const staged = result.store as OutputStore;
    const client = files!.find((f) => f.path === 'widgets/client.ts')!;
    expect(client.location).toBe(path.join(staged.folder, 'widgets/client.ts'));
    expect(Buffer.byteLength(client.contents)).toBe(client.size);
    const p = plan(out, files!);
    expect(p.unchanged.map((f) => f.path)).toContain('runtime/client.ts');
    let writes = 0;
    apply(out, p, {
      staged,
      ops: { writeFile: () => writes++, rename: (from, to) => fs.renameSync(from, to) },
    });
    expect(writes).toBe(0);
    expect(staged.folder).toBe(out);
    expect(client.contents).toContain('Gadgets');
    expect(fs.readFileSync(path.join(out, 'widgets/client.ts'), 'utf8')).toBe(client.contents);
    expect(fs.statSync(path.join(out, 'NOTES.md')).ino).toBe(notes.ino);
    const after = fs.statSync(path.join(out, 'runtime/client.ts'));
    expect([after.ino, after.mtimeMs]).toEqual([runtime.ino, runtime.mtimeMs]);
    expect(fs.readdirSync(path.dirname(root))).toEqual(['project']);
  });

  it("swaps in the new output, keeping the user's files (the same files) and unchanged ones untouched", async () => {
    const notes = fs.statSync(path.join(out, 'NOTES.md'));
    const runtime = fs.statSync(path.join(out, 'runtime/client.ts'));
    const p = await nextGeneration();
    apply(out, p);
    expect(fs.readFileSync(path.join(out, 'widgets/client.ts'), 'utf8')).toContain('Gadgets');
    expect(fs.statSync(path.join(out, 'NOTES.md')).ino).toBe(notes.ino);
    expect(fs.readFileSync(path.join(out, 'widgets/mine/extra.ts'), 'utf8')).toBe(
      'export const mine = 1;\n',
    );
    expect(fs.statSync(path.join(out, 'widgets/mine/empty')).isDirectory()).toBe(true);
    const after = fs.statSync(path.join(out, 'runtime/client.ts'));
    expect([after.ino, after.mtimeMs]).toEqual([runtime.ino, runtime.mtimeMs]);
    expect(fs.readdirSync(path.dirname(root))).toEqual(['project']);
  });

  it('drops the unedited files of a removed capability and keeps an edited one, with a notice', async () => {
    fs.copyFileSync(path.join(root, 'specs/widgets.yaml'), path.join(root, 'specs/gadgets.yaml'));
    const first = await capgen(['generate']);
    expect(first.code, first.output).toBe(0);
    fs.appendFileSync(path.join(out, 'gadgets/client.ts'), '// my edit\n');
    fs.rmSync(path.join(root, 'specs/gadgets.yaml'));
    const { code, output } = await capgen(['generate']);
    expect(code, output).toBe(0);
    expect(output).toContain(
      'kept     generated/gadgets/client.ts: capgen wrote it, its source is gone, but it was edited since',
    );
    expect(fs.readdirSync(path.join(out, 'gadgets'))).toEqual(['client.ts']);
    expect(fs.readFileSync(path.join(out, 'gadgets/client.ts'), 'utf8')).toMatch(/\/\/ my edit\n$/);
  });
});
