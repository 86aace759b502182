/**
 * Servers of the generated capabilities that would listen on the same port (the bundled capability
 * files all say 8080 and 9090): said at generate time as an info at each `port`, naming the others
 * and the variables that move one; at start the second one fails naming the flag and the variable.
 */
import type { DiagnosticBag, Position } from '../diagnostics.js';
import type { SourceDocument } from '../load/source.js';
import type { CapabilityModel } from './types.js';

/**
 * A server a capability listens with, as the check needs it: plain data, which the generation
 * cache keeps beside a capability's files (the check spans every capability of the run).
 */
export interface Listener {
  kind: 'REST adapter' | 'MCP server';
  namespace: string;
  port: number;
  address: string;
  portEnv: string;
  /** The capability file, and the position of the server's `port` there. */
  file: string;
  at: Position;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]', '']);

/** The servers of one capability that listen on a port (an MCP server over stdio does not). */
export function listenersOf(capability: CapabilityModel, source: SourceDocument): Listener[] {
  const exposes = source.data as { capability?: { exposes?: Array<{ namespace?: string }> } };
  const listeners: Listener[] = [];
  const add = (
    kind: Listener['kind'],
    adapter: NonNullable<CapabilityModel['rest'] | CapabilityModel['mcp']>,
  ) => {
    const index = (exposes.capability?.exposes ?? []).findIndex(
      (e) => e.namespace === adapter.namespace,
    );
    const { line, col } = source.locate(index < 0 ? [] : ['capability', 'exposes', index, 'port']);
    listeners.push({
      kind,
      namespace: adapter.namespace,
      port: adapter.port,
      address: adapter.address,
      portEnv: adapter.portEnv,
      file: source.file,
      at: { line, col },
    });
  };
  if (capability.rest) add('REST adapter', capability.rest);
  if (capability.mcp && capability.mcp.transport === 'http') add('MCP server', capability.mcp);
  return listeners;
}

export function reportPortConflicts(listeners: readonly Listener[], bag: DiagnosticBag): void {
  for (const listener of listeners) {
    if (listener.port === 0) continue; // any free port
    const others = listeners.filter(
      (o) => o !== listener && o.port === listener.port && sameAddress(o, listener),
    );
    if (!others.length) continue;
    bag.info(
      listener.file,
      listener.at,
      'capgen/port-conflict',
      `the ${listener.kind} ${listener.namespace} listens on port ${listener.port}, like ${others.map((o) => `the ${o.kind} ${o.namespace} (${o.file})`).join(', ')}: they cannot run at the same time`,
      `give each server its own port in the capability files, or at run time: --port or ${listener.portEnv}`,
    );
  }
}

function sameAddress(a: Listener, b: Listener): boolean {
  return a.address === b.address || ANY_ADDRESS.has(a.address) || ANY_ADDRESS.has(b.address);
}
