/**
 * The web-standard entry points of the runtime (REST handler, MCP server and fetch handler, the
 * client) bundle for an edge runtime with no externals: neither they nor anything they import reach
 * a Node built-in. Node-only code lives in node-*.ts.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNTIME = fileURLToPath(new URL('../../templates/runtime/', import.meta.url));

async function bundleInputs(entry: string): Promise<{ inputs: string[]; imports: string[] }> {
  const result = await build({
    entryPoints: [`${RUNTIME}${entry}`],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser', 'import'],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const imports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.map((i) => i.path),
  );
  return { inputs, imports };
}

describe('web-standard runtime entry points', () => {
  for (const entry of [
    'rest.ts',
    'mcp.ts',
    'client.ts',
    'skill-server.ts',
    'orchestrate.ts',
    'rest-forward.ts',
    'control.ts',
    'telemetry.ts',
  ]) {
    it(`${entry} bundles with no externals and no node:* import`, async () => {
      const { inputs, imports } = await bundleInputs(entry);
      expect(imports.filter((path) => path.startsWith('node:'))).toEqual([]);
      expect(inputs.filter((path) => /(^|\/)node-[^/]*\.ts$/.test(path))).toEqual([]);
    });
  }
});
