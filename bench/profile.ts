/**
 * CPU profile of one benchmark server under load: where its time goes, by function (self time).
 *
 *   npx tsx bench/profile.ts [role=rest] [seconds=5] [connections=50]
 *
 * Starts the upstream and the server `role` (see bench/lib/child.ts: rest, rest-main, proxy, mcp) with
 * `--cpu-prof`, loads it with autocannon (for mcp: JSON-RPC tools/call POSTs), stops it, and prints
 * the top functions by self time of the server's main thread, then by inclusive time those of
 * generated/ (the .cpuprofile files stay in a temporary folder, path printed).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { BENCH_API_KEY, startChild } from './lib/common.js';

const role = process.argv[2] ?? 'rest';
const seconds = Number(process.argv[3] ?? 5);
const connections = Number(process.argv[4] ?? 50);
const routes: Record<string, string> = {
  rest: '/v1/v1/checkout/sessions?limit=3',
  'rest-main': '/v1/v1/checkout/sessions?limit=3',
  proxy: '/v1/checkout/sessions?limit=3',
  mcp: '/mcp',
};
const mcpRequest = {
  method: 'POST',
  body: JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'stripe-get-checkout-sessions', arguments: { limit: 3 } },
  }),
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
};
if (!(role in routes)) throw new Error(`role must be one of ${Object.keys(routes).join(', ')}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'capgen-cpuprof-'));
const upstream = await startChild('upstream');
const server = await startChild(role, {
  upstream: upstream.url,
  stdout: 'ignore',
  stderr: 'ignore',
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
try {
  const result = await autocannon({
    url: `${server.url}${routes[role]}`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${BENCH_API_KEY}` },
    ...(role === 'mcp' ? mcpRequest : {}),
  });
  console.log(
    `${role}: ${Math.round(result.requests.total / result.duration)} req/s, ${result.errors} errors, ${result.non2xx} non-2xx`,
  );
} finally {
  await server.stop();
  await upstream.stop();
}

// One file per thread; the main thread's is numbered .0.
const file =
  readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ??
  readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
const label = (n: ProfileNode): string => {
  const { functionName, url, lineNumber, columnNumber } = n.callFrame;
  const where = url
    ? `${url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '')}:${lineNumber + 1}:${columnNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
};
const self = new Map<string, number>();
for (const n of profile.nodes) self.set(label(n), (self.get(label(n)) ?? 0) + (n.hitCount ?? 0));
// Inclusive time: each sample counts once for every distinct function on its stack.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const n of profile.nodes) {
  if (!n.hitCount) continue;
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const key = label(byId.get(id)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + n.hitCount);
  }
}
const print = (title: string, entries: [string, number][]) => {
  console.log(title);
  for (const [key, hits] of entries)
    console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${key}`);
};
console.log(`profile: ${path.join(dir, file)} (${total} samples)`);
print('self time:', [...self].sort((a, b) => b[1] - a[1]).slice(0, 25));
print(
  'inclusive time, generated/ and @modelcontextprotocol:',
  [...inclusive]
    .filter(([k]) => /generated\/|@modelcontextprotocol/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30),
);
