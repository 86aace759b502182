/**
 * All benchmarks: `npm run bench` (= `tsx bench/run.ts`), or some of them: `npm run bench -- rest mcp`.
 * Prints each part's table as it finishes, then every aim. Exits 1 only if a part failed to run;
 * missed aims are reported, not failures. See bench/README.md.
 */
import { formatPart, machineLine, type PartResult } from './lib/common.js';

const PARTS: Record<string, () => Promise<{ run: () => Promise<PartResult> }>> = {
  client: () => import('./client.js'),
  generate: () => import('./generate.js'),
  rest: () => import('./rest.js'),
  observability: () => import('./observability.js'),
  mcp: () => import('./mcp.js'),
  orchestrate: () => import('./orchestrate.js'),
  cli: () => import('./cli.js'),
  faults: () => import('./faults.js'),
  corpus: () => import('./corpus.js'),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((p) => !(p in PARTS));
if (unknown.length > 0) {
  console.error(`unknown part(s): ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
const parts = asked.length > 0 ? asked : Object.keys(PARTS);

console.log(`# capgen benchmarks · ${machineLine()}`);
const results: PartResult[] = [];
let failed = false;
for (const name of parts) {
  const started = performance.now();
  try {
    const { run } = await PARTS[name]();
    const result = await run();
    results.push(result);
    console.log(formatPart(result));
    console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  } catch (error) {
    failed = true;
    console.error(
      `\n## ${name}: FAILED\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

console.log('\n## Aims');
for (const r of results) {
  if (r.skipped) console.log(`  [skip] ${r.part}: ${r.skipped}`);
  for (const aim of r.aims)
    console.log(`  [${aim.met ? 'met ' : 'MISS'}] ${r.part}: ${aim.text}: ${aim.detail}`);
}
process.exitCode = failed ? 1 : 0;
