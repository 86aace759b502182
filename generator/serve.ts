/**
 * `capgen serve <capability>`: runs a generated server entry (rest.ts, mcp.ts, skills.ts, or
 * control.ts, which runs the capability's adapters and its control port) in this process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIO } from './cli.js';
import { enableTypeScript } from './typescript.js';

export interface ServeOptions {
  rest?: boolean;
  mcp?: boolean;
  skills?: boolean;
  control?: boolean;
  stdio?: boolean;
  port?: number;
  address?: string;
  baseUri?: string;
  out: string;
}

interface ServerEntry {
  main(args: {
    port?: number;
    address?: string;
    stdio?: boolean;
    baseUri?: string;
  }): Promise<unknown>;
}

export async function serve(capability: string, options: ServeOptions, io: CliIO): Promise<number> {
  const kinds = (['rest', 'mcp', 'skills', 'control'] as const).filter((k) => options[k]);
  if (kinds.length !== 1) {
    io.stderr('capgen serve: choose one of --rest, --mcp or --skills, or --control\n');
    return 2;
  }
  const kind = kinds[0];
  const dir = path.resolve(io.cwd, options.out, capability);
  const entry = path.join(dir, `${kind}.ts`);
  if (!fs.existsSync(entry)) {
    const available = fs.existsSync(path.resolve(io.cwd, options.out))
      ? fs
          .readdirSync(path.resolve(io.cwd, options.out))
          .filter(
            (d) =>
              d !== 'runtime' && fs.existsSync(path.join(io.cwd, options.out, d, `${kind}.ts`)),
          )
      : [];
    io.stderr(
      `capgen serve: ${path.relative(io.cwd, entry)} does not exist. ${available.length ? `Capabilities with a ${kind} server: ${available.join(', ')}` : 'Run `npx capgen generate` first.'}\n`,
    );
    return 1;
  }
  await enableTypeScript();
  const module = (await import(pathToFileURL(entry).href)) as ServerEntry;
  try {
    await module.main({
      port: options.port,
      address: options.address,
      stdio: options.stdio,
      baseUri: options.baseUri,
    });
  } catch (error) {
    // Misconfiguration at start-up (port in use, bad base URI, unset inbound secret): the runtime's
    // message and hint, without a stack trace.
    const hint = (error as { hint?: unknown }).hint;
    io.stderr(
      `capgen serve: ${error instanceof Error ? error.message : String(error)}\n${typeof hint === 'string' ? `  hint: ${hint}\n` : ''}`,
    );
    return 1;
  }
  return 0;
}
