/**
 * The MCP Inspector CLI (@modelcontextprotocol/inspector, CLI mode), run through its package bin
 * (`mcp-inspector`, resolved from its package.json), which is what
 * `npx @modelcontextprotocol/inspector --cli ...` runs. `inspector.ok` is false (with the exact
 * error printed once) where the CLI cannot start on this Node version, so that tests skip instead of
 * failing or passing silently.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { ROOT, run } from './mcp-e2e.js';

export interface Probe {
  ok: boolean;
  bin: string;
  version: string;
  reason?: string;
}

async function probeInspector(): Promise<Probe> {
  const require = createRequire(import.meta.url);
  let pkgFile: string;
  try {
    pkgFile = require.resolve('@modelcontextprotocol/inspector/package.json');
  } catch (error) {
    return {
      ok: false,
      bin: '',
      version: '?',
      reason: `@modelcontextprotocol/inspector is not installed: ${String(error)}`,
    };
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };
  const bin = path.join(path.dirname(pkgFile), pkg.bin['mcp-inspector']);
  // The bin only forwards to cli/build/index.js (the real CLI, which loads the MCP SDK); probe that one.
  const inner = path.join(path.dirname(bin), 'index.js');
  if (!fs.existsSync(bin) || !fs.existsSync(inner)) {
    return {
      ok: false,
      bin,
      version: pkg.version,
      reason: `inspector CLI entry not found (${bin}, ${inner})`,
    };
  }
  const probe = await run(process.execPath, [inner, '--help'], { timeoutMs: 15_000 });
  if (probe.code !== 0 || !probe.stdout.includes('--tool-arg')) {
    return {
      ok: false,
      bin,
      version: pkg.version,
      reason: `\`node ${path.relative(ROOT, inner)} --help\` exited ${probe.code} on Node ${process.version}: ${(probe.stderr || probe.stdout).trim()}`,
    };
  }
  return { ok: true, bin, version: pkg.version };
}

export const inspector = await probeInspector();
if (!inspector.ok) {
  console.warn(
    `\n[MCP Inspector tests] SKIPPED: the MCP Inspector CLI ${inspector.version} cannot run here.\n` +
      `Reason: ${inspector.reason}\n`,
  );
}

/** Runs the inspector CLI (`mcp-inspector --cli ...`) and parses the JSON it prints. */
export async function inspect<T>(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const result = await run(process.execPath, [inspector.bin, '--cli', ...args], {
    env,
    timeoutMs: 20_000,
  });
  if (result.code !== 0) {
    throw new Error(
      `inspector exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `inspector printed no JSON\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    );
  }
}
