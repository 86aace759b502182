/**
 * A generated Worker run as Wrangler would deploy it: its wrangler.jsonc read, its `main` bundled by
 * esbuild for a neutral platform with no externals, and the bundle started in workerd through
 * miniflare with the config's vars and the given extra bindings (secrets, a base URI pointing at a
 * local fake upstream).
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import fs from 'node:fs';
import path from 'node:path';

export interface WranglerConfig {
  name: string;
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars: Record<string, string>;
  secrets?: { required: string[] };
}

export interface RunningWorker {
  mf: Miniflare;
  wranglerText: string;
  wrangler: WranglerConfig;
  /** Every import path the bundle's inputs name (none is left external). */
  bundleImports: string[];
  /** The bundle's size in bytes, unminified. */
  bundleBytes: number;
  /** A request to the Worker at a workers.dev URL. */
  send(pathAndQuery: string, init?: RequestInit): Promise<Response>;
}

export async function startWorker(
  capabilityDir: string,
  bindings: Record<string, string>,
): Promise<RunningWorker> {
  const wranglerText = fs.readFileSync(path.join(capabilityDir, 'wrangler.jsonc'), 'utf8');
  const wrangler = JSON.parse(wranglerText.replace(/^\s*\/\/.*$/gm, '')) as WranglerConfig;
  const bundle = await build({
    entryPoints: [path.join(capabilityDir, wrangler.main)],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    // A temporary project has no node_modules: packages come from capgen's.
    nodePaths: [path.resolve('node_modules')],
    metafile: true,
    logLevel: 'silent',
  });
  const bundleImports = Object.values(bundle.metafile.inputs).flatMap((i) =>
    i.imports.map((x) => x.path),
  );
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0].text,
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags ?? [],
    bindings: { ...wrangler.vars, ...bindings },
  });
  await mf.ready;
  const host = `https://${wrangler.name}.example.workers.dev`;
  return {
    mf,
    wranglerText,
    wrangler,
    bundleImports,
    bundleBytes: bundle.outputFiles[0].contents.byteLength,
    send: (pathAndQuery, init = {}) =>
      mf.dispatchFetch(`${host}${pathAndQuery}`, init as never) as unknown as Promise<Response>,
  };
}
