/**
 * What the generated server entry files share: command-line flags, listen address from flags,
 * environment and spec (in that order), and error output without stack traces.
 */

export interface EntryArgs {
  port?: number;
  address?: string;
  stdio?: boolean;
  /** MCP: Streamable HTTP even where the capability declares stdio (a container serves over the network). */
  http?: boolean;
  /** Upstream base URI for every consumed API (else `<NAMESPACE>_BASE_URI`, else the spec's). */
  baseUri?: string;
}

export interface ListenDefaults {
  port: number;
  address: string;
  portEnv: string;
  addressEnv: string;
}

/** True when this module is the program being run (`node --import tsx rest.ts`, `tsx rest.ts`). */
export function isMainModule(moduleUrl: string): boolean {
  const entry = globalThis.process?.argv?.[1];
  if (!entry) return false;
  const normalized = entry.replace(/\\/g, '/');
  const modulePath = decodeURIComponent(new URL(moduleUrl).pathname);
  return (
    modulePath === normalized ||
    modulePath.replace(/\.ts$/, '') === normalized.replace(/\.(ts|js)$/, '')
  );
}

/** `--port 8080 --address 0.0.0.0 --stdio`, `--http` (also `--port=8080`). Unknown flags are an error. */
export function parseEntryArgs(argv: readonly string[]): EntryArgs {
  const args: EntryArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--port' || flag === '-p') args.port = parsePort(value(), flag);
    else if (flag === '--address' || flag === '-a') args.address = value();
    else if (flag === '--stdio') args.stdio = true;
    else if (flag === '--http') args.http = true;
    else if (flag === '--base-uri') args.baseUri = value();
    else
      throw new Error(
        `unknown option '${argv[i]}' (expected --port, --address, --base-uri, --stdio or --http)`,
      );
  }
  return args;
}

function parsePort(text: string | undefined, source: string): number {
  const port = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${source} must be a port number from 0 to 65535, got '${text ?? ''}'`);
  }
  return port;
}

/**
 * Port and address: flag, then environment variable, then the spec's value; with the variables' names,
 * which the servers name in their hints when the address cannot be bound.
 */
export function listenAddress(
  args: EntryArgs,
  defaults: ListenDefaults,
  env: Record<string, string | undefined> = globalThis.process?.env ?? {},
): { port: number; host: string; portEnv: string; addressEnv: string } {
  const envPort = env[defaults.portEnv];
  return {
    port: args.port ?? (envPort ? parsePort(envPort, defaults.portEnv) : defaults.port),
    host: args.address ?? env[defaults.addressEnv] ?? defaults.address,
    portEnv: defaults.portEnv,
    addressEnv: defaults.addressEnv,
  };
}

/** Prints what went wrong (and the error's `hint`, when it has one), without a stack trace, and exits 1. */
export function exitWithError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const hint = (error as { hint?: unknown } | null)?.hint;
  globalThis.process?.stderr?.write(
    `error: ${message}\n${typeof hint === 'string' ? `  hint: ${hint}\n` : ''}`,
  );
  globalThis.process?.exit(1);
  throw error;
}
