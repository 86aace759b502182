/**
 * The JavaScript build formats on a worker thread (generator/format-thread.ts) when the machine has
 * a second core; the TypeScript sources, which every other test runs, format on the main thread.
 * Both must give the same bytes: the real bin/capgen.js, forced onto each path, must find the
 * committed generated/ up to date without its cache (so that every file is formatted again).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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
  fs.statSync(build).mtimeMs >= newestSource(path.join(ROOT, 'generator'));
if (!buildIsCurrent)
  console.log(
    'notice: format-thread test skipped: dist/ is missing or older than generator/ (npm run build)',
  );

describe.skipIf(!buildIsCurrent)('formatting on a worker thread', () => {
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
