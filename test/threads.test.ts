/**
 * The JavaScript build formats on a worker thread (generator/format-thread.ts) when the machine has
 * a second core, and runs a large `generate` on a thread with a capped heap
 * (generator/generate-thread.ts); the TypeScript sources, which every other test runs, do both on
 * the main thread. Every path must give the same bytes and the same report: the real
 * bin/capgen.js, forced onto each, must find the committed generated/ up to date without its cache
 * (so that every file is made again), and a run that outgrows the cap must be done again, once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Newest modification time of the .ts files under `dir`, as bin/capgen.js reckons staleness. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(child));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(child).mtimeMs);
  }
  return newest;
}

const build = path.join(ROOT, 'dist', 'cli.js');
const buildIsCurrent =
  fs.existsSync(path.join(ROOT, 'dist', 'format-worker.js')) &&
  fs.existsSync(path.join(ROOT, 'dist', 'generate-worker.js')) &&
  fs.statSync(build).mtimeMs >= newestSource(path.join(ROOT, 'generator'));
if (!buildIsCurrent)
  console.log(
    'notice: threads test skipped: dist/ is missing or older than generator/ (npm run build)',
  );

describe.skipIf(!buildIsCurrent)('formatting on a worker thread', () => {
  it('formats on the thread that asked what the formatting thread has no memory for', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/capgen.js', 'generate', '--check', '--no-cache'],
      {
        cwd: ROOT,
        // 4 MB is less than prettier holds for any of this repository's files.
        env: {
          ...process.env,
          NO_COLOR: '1',
          CAPGEN_FORMAT_THREADS: '1',
          CAPGEN_FORMAT_HEAP_MB: '4',
        },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(result.stderr).not.toMatch(/capgen bug/);
    expect(result.stdout).toMatch(/generated\/ is up to date \(\d+ files, 3 capabilities\)/);
    expect(result.status).toBe(0);
  });

  it.each([
    ['a worker thread', '1'],
    ['the main thread', '0'],
  ])('formatting on %s reproduces generated/ byte for byte', (_, threads) => {
    const result = spawnSync(
      process.execPath,
      ['bin/capgen.js', 'generate', '--check', '--no-cache'],
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', CAPGEN_FORMAT_THREADS: threads },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(result.stderr).not.toMatch(/capgen bug|running the TypeScript sources/);
    expect(result.stdout).toMatch(/generated\/ is up to date \(\d+ files, 3 capabilities\)/);
    expect(result.status).toBe(0);
  });
});

/** bin/capgen.js with these environment variables, in the repository. */
const capgen = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['bin/capgen.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', CAPGEN_FORMAT_THREADS: '0', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });

/** Every file under `dir`, by relative path. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, file)] = fs.readFileSync(file, 'utf8');
  }
  return files;
}

describe.skipIf(!buildIsCurrent)('generating on a thread with a capped heap', () => {
  const work = path.join(ROOT, '.tmp-threads');
  const out = path.join(work, 'out');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("reproduces generated/ byte for byte, with the main thread's report", () => {
    const onThread = capgen(['generate', '--check', '--no-cache'], { CAPGEN_GENERATE_THREAD: '1' });
    const onMain = capgen(['generate', '--check', '--no-cache'], { CAPGEN_GENERATE_THREAD: '0' });
    expect(onThread.stderr).not.toMatch(/capgen bug|running the TypeScript sources/);
    expect(onThread.stdout).toMatch(/generated\/ is up to date \(\d+ files, 3 capabilities\)/);
    expect(onThread.status).toBe(0);
    expect(onThread.stdout).toBe(onMain.stdout);
    expect(onThread.stderr).toBe(onMain.stderr);
  });

  it('does a run that outgrows the cap again on the main thread: same files, said once, no staging left', () => {
    fs.rmSync(work, { recursive: true, force: true });
    const args = ['generate', '--no-cache', '--out', path.relative(ROOT, out)];
    const onMain = capgen(args, { CAPGEN_GENERATE_THREAD: '0' });
    expect(onMain.status, onMain.stderr).toBe(0);
    const expected = tree(out);
    fs.rmSync(work, { recursive: true, force: true });
    // 24 MB is less than a run of this repository's three capabilities holds.
    const outgrown = capgen(args, { CAPGEN_GENERATE_THREAD: '1', CAPGEN_GENERATE_HEAP_MB: '24' });
    expect(outgrown.status, outgrown.stderr).toBe(0);
    const note =
      /^note: generating needed more memory than the generate thread's cap \(24 MB\); running again without it .*\n/m;
    expect(outgrown.stderr).toMatch(note);
    expect(outgrown.stderr.replace(note, '')).toBe(onMain.stderr);
    expect(outgrown.stdout).toBe(onMain.stdout);
    expect(tree(out)).toEqual(expected);
    expect(fs.readdirSync(work).filter((name) => name.includes('.capgen-'))).toEqual([]);
  });
});
