// Bundles the Node server of every capability in this output folder (<capability>/rest.ts, mcp.ts
// and control.ts) into <destination>/<capability>/<rest|mcp|control>.mjs with esbuild, and copies start.sh and
// healthcheck.mjs beside them: the container image's /app, which needs no node_modules.
//   node <out>/container/build.mjs <destination>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const generated = path.dirname(here);

function fail(message) {
  console.error(`error: ${message}`);
  process.exit(1);
}

const destination = process.argv[2];
if (!destination || process.argv.length > 3) fail('usage: node build.mjs <destination folder>');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  fail("esbuild is not installed in this project: add it with 'npm install --save-dev esbuild'");
}

// A file that marks a capability folder with that mode's entry (runtime/ has a rest.ts and a
// control.ts of its own, but neither handler module nor types.ts).
const MARKERS = { rest: 'rest-handler.ts', mcp: 'mcp-handler.ts', control: 'types.ts' };
const entryPoints = {};
for (const entry of fs.readdirSync(generated, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const folder = path.join(generated, entry.name);
  for (const [mode, marker] of Object.entries(MARKERS)) {
    const file = path.join(folder, `${mode}.ts`);
    if (fs.existsSync(path.join(folder, marker)) && fs.existsSync(file))
      entryPoints[`${entry.name}/${mode}`] = file;
  }
}
if (Object.keys(entryPoints).length === 0) fail(`no REST adapter or MCP server in ${generated}`);

const options = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: destination,
  outExtension: { '.js': '.mjs' },
  // Bundled CommonJS packages may require() Node built-ins, which an ES module has no require for.
  banner: {
    js: "import { createRequire as capgenCreateRequire } from 'node:module'; const require = capgenCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
};

/**
 * In control.mjs the adapters' entry modules share the bundle's `import.meta.url`, so their own
 * `if (isMainModule(import.meta.url))` would start each of them a second time, from the command
 * line meant for the control port: there, that test is false.
 */
const adaptersNotMain = {
  name: 'adapters-not-main',
  setup(build) {
    build.onLoad({ filter: /[\\/](rest|mcp|skills)\.ts$/ }, async (args) => {
      if (!fs.existsSync(path.join(path.dirname(args.path), MARKERS.control))) return undefined;
      const text = await fs.promises.readFile(args.path, 'utf8');
      return { contents: text.replace('isMainModule(import.meta.url)', 'false'), loader: 'ts' };
    });
  },
};

const pick = (control) =>
  Object.fromEntries(
    Object.entries(entryPoints).filter(([name]) => name.endsWith('/control') === control),
  );
const servers = pick(false);
const controls = pick(true);
if (Object.keys(servers).length) await esbuild.build({ ...options, entryPoints: servers });
if (Object.keys(controls).length)
  await esbuild.build({ ...options, entryPoints: controls, plugins: [adaptersNotMain] });
for (const file of ['start.sh', 'healthcheck.mjs'])
  fs.copyFileSync(path.join(here, file), path.join(destination, file));
console.log(`${Object.keys(entryPoints).sort().join(', ')} → ${destination}`);
