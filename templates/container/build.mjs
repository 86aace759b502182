// Bundles the Node server of every capability in this output folder (<capability>/rest.ts and
// mcp.ts) into <destination>/<capability>/<rest|mcp>.mjs with esbuild, and copies start.sh and
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

const entryPoints = {};
for (const entry of fs.readdirSync(generated, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  for (const mode of ['rest', 'mcp']) {
    // The handler module marks a capability folder (runtime/ has a rest.ts of its own).
    if (fs.existsSync(path.join(generated, entry.name, `${mode}-handler.ts`)))
      entryPoints[`${entry.name}/${mode}`] = path.join(generated, entry.name, `${mode}.ts`);
  }
}
if (Object.keys(entryPoints).length === 0) fail(`no REST adapter or MCP server in ${generated}`);

await esbuild.build({
  entryPoints,
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
});
for (const file of ['start.sh', 'healthcheck.mjs'])
  fs.copyFileSync(path.join(here, file), path.join(destination, file));
console.log(`${Object.keys(entryPoints).sort().join(', ')} → ${destination}`);
