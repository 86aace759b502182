/**
 * Ports for the servers of imported capabilities: distinct, and stable when groups come and go.
 * Each capability gets a pair (REST on the even port, MCP on the odd one) in a slot chosen by a
 * hash of `<api namespace>/<group id>`; a taken slot moves to the next free one, in the sorted
 * order of the ids. Adding a group therefore moves no other group's ports unless it lands in its
 * slot first. `<NAMESPACE>_REST_PORT` / `_MCP_PORT` or `capgen serve --port` override them.
 */
export const DEFAULT_PORT_BASE = 20000;
/** Pairs of ports per import: 20000–27999 by default. */
export const PORT_SLOTS = 4000;

export interface PortPair {
  rest: number;
  mcp: number;
}

export function assignPorts(
  namespace: string,
  groupIds: string[],
  base = DEFAULT_PORT_BASE,
): Map<string, PortPair> {
  const slots = Math.min(PORT_SLOTS, Math.floor((65535 - base + 1) / 2));
  if (slots < groupIds.length)
    throw new RangeError(
      `${groupIds.length} capabilities need ${2 * groupIds.length} ports from ${base}; only ${2 * slots} are left below 65536`,
    );
  const taken = new Set<number>();
  const ports = new Map<string, PortPair>();
  for (const id of [...groupIds].sort()) {
    let slot = fnv1a(`${namespace}/${id}`) % slots;
    while (taken.has(slot)) slot = (slot + 1) % slots;
    taken.add(slot);
    ports.set(id, { rest: base + 2 * slot, mcp: base + 2 * slot + 1 });
  }
  return ports;
}

/** 32-bit FNV-1a: small, fast, and the same on every machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
