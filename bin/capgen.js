#!/usr/bin/env node
// capgen's command line. It runs the JavaScript build in dist/ (`npm run build`, which `npm ci`,
// `npm install` and `npm pack` run). In a git checkout whose generator/ sources (the .ts files, and
// the .yaml schema the build precompiles) are newer than that build, or that has none, it runs the
// TypeScript sources through tsx instead: slower to start, never stale.
import fs from 'node:fs';

const root = new URL('../', import.meta.url);
const build = new URL('dist/cli.js', root);

/** Newest modification time of the .ts and .yaml files under a folder (0 when there is none). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = new URL(`${entry.name}${entry.isDirectory() ? '/' : ''}`, dir);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(child));
    else if (/\.(ts|yaml)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(child).mtimeMs);
  }
  return newest;
}

function buildIsCurrent() {
  if (!fs.existsSync(build)) return false;
  // An installed package is what `npm pack` built: only a checkout can have edited sources.
  if (!fs.existsSync(new URL('.git', root))) return true;
  return fs.statSync(build).mtimeMs >= newestSource(new URL('generator/', root));
}

let runCli;
if (buildIsCurrent()) {
  ({ runCli } = await import(build.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  globalThis[Symbol.for('capgen.tsx-registered')] = true;
  if (process.stderr.isTTY)
    process.stderr.write(
      'capgen: running the TypeScript sources (`npm run build` starts faster)\n',
    );
  ({ runCli } = await import('../generator/cli.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
