/**
 * The web-standard entry points of the runtime (REST handler, MCP server and fetch handler, the
 * client, the skill catalog, orchestrations and forwards) and of each generated capability
 * (rest-handler.ts, mcp-handler.ts, worker.ts) bundle for an edge
 * runtime with no externals: neither they nor anything they import reach a Node built-in. Node-only
 * code lives in node-*.ts, and in the generated rest.ts and mcp.ts entries.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNTIME = fileURLToPath(new URL('../../templates/runtime/', import.meta.url));
const GENERATED = fileURLToPath(new URL('../../generated/', import.meta.url));

async function bundleInputs(
  entry: string,
  external: string[] = [],
): Promise<{ inputs: string[]; imports: string[] }> {
  const result = await build({
    entryPoints: [entry],
    external,
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
  const entries = [
    ...[
      'rest.ts',
      'mcp.ts',
      'client.ts',
      'skill-server.ts',
      'orchestrate.ts',
      'rest-forward.ts',
      'telemetry.ts',
    ].map((file) => `${RUNTIME}${file}`),
    ...[
      'link-account-sessions/rest-handler.ts',
      'link-account-sessions/mcp-handler.ts',
      'link-account-sessions/worker.ts',
    ].map((file) => `${GENERATED}${file}`),
  ];
  for (const entry of entries) {
    it(`${entry.slice(entry.lastIndexOf('/', entry.lastIndexOf('/') - 1) + 1)} bundles with no externals and no node:* import`, async () => {
      const { inputs, imports } = await bundleInputs(entry);
      expect(imports.filter((path) => path.startsWith('node:'))).toEqual([]);
      expect(inputs.filter((path) => /(^|\/)node-[^/]*\.ts$/.test(path))).toEqual([]);
      expect(inputs.length).toBeGreaterThan(3);
    });
  }

  it('the Node entry rest.ts does reach node-*.ts and node:http (so the checks above can fail)', async () => {
    const { inputs, imports } = await bundleInputs(`${GENERATED}link-account-sessions/rest.ts`, [
      'node:*',
    ]);
    expect(inputs.some((path) => path.endsWith('runtime/node-rest.ts'))).toBe(true);
    expect(imports).toContain('node:http');
  });
});
