/**
 * Servers of the generated capabilities that would listen on the same port (the bundled capability
 * files all say 8080 and 9090): said at generate time as an info at each `port`, naming the others
 * and the variables that move one; at start the second one fails naming the flag and the variable.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { SourceDocument } from '../load/source.js';
import type { CapabilityModel, McpModel, RestModel } from './types.js';

interface Listener {
  capability: CapabilityModel;
  source: SourceDocument;
  adapter: RestModel | McpModel;
  kind: 'REST adapter' | 'MCP server';
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '[::]', '']);

export function reportPortConflicts(
  built: Array<{ capability: CapabilityModel; source: SourceDocument }>,
  bag: DiagnosticBag,
): void {
  const listeners: Listener[] = [];
  for (const { capability, source } of built) {
    if (capability.rest)
      listeners.push({ capability, source, adapter: capability.rest, kind: 'REST adapter' });
    if (capability.mcp && capability.mcp.transport === 'http')
      listeners.push({ capability, source, adapter: capability.mcp, kind: 'MCP server' });
  }
  for (const listener of listeners) {
    const { adapter } = listener;
    if (adapter.port === 0) continue; // any free port
    const others = listeners.filter(
      (o) => o !== listener && o.adapter.port === adapter.port && sameAddress(o.adapter, adapter),
    );
    if (!others.length) continue;
    const exposes = listener.source.data as {
      capability?: { exposes?: Array<{ namespace?: string }> };
    };
    const index = (exposes.capability?.exposes ?? []).findIndex(
      (e) => e.namespace === adapter.namespace,
    );
    bag.info(
      listener.source.file,
      listener.source.locate(index < 0 ? [] : ['capability', 'exposes', index, 'port']),
      'capgen/port-conflict',
      `the ${listener.kind} ${adapter.namespace} listens on port ${adapter.port}, like ${others.map((o) => `the ${o.kind} ${o.adapter.namespace} (${o.source.file})`).join(', ')}: they cannot run at the same time`,
      `give each server its own port in the capability files, or at run time: --port or ${adapter.portEnv}`,
    );
  }
}

function sameAddress(a: RestModel | McpModel, b: RestModel | McpModel): boolean {
  return a.address === b.address || ANY_ADDRESS.has(a.address) || ANY_ADDRESS.has(b.address);
}
