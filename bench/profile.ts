/**
 * CPU profile of one benchmark server under load: where its time goes, by function (self time).
 *
 *   npx tsx bench/profile.ts [role=rest] [seconds=5] [connections=50] [rate]
 *
 * Starts the upstream and the server `role` (see bench/lib/child.ts: rest, rest-main, proxy, mcp) with
 * `--cpu-prof`, loads it with autocannon (for mcp: JSON-RPC tools/call POSTs; with `rate`, that many
 * requests per second in all, which compares servers at the same load), stops it, and prints the top
 * functions by self time of the server's main thread, then by inclusive time those of generated/,
 * then self time by kind (system calls, node's HTTP and streams, GC, each runtime module, the MCP
 * SDK, ...) in µs per request. The .cpuprofile files stay in a temporary folder, path printed.
 *
 * The profiler samples wall-clock time: a thread preempted inside a system call is counted there, so
 * on a shared machine the system-call share is inflated. CPU time per request (bench/rest.ts, /proc)
 * is the figure to compare; the profile says where, within it, the JavaScript goes.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { BENCH_API_KEY, startChild } from './lib/common.js';

const role = process.argv[2] ?? 'rest';
const seconds = Number(process.argv[3] ?? 5);
const connections = Number(process.argv[4] ?? 50);
const rate = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
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
let requests = 0;
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
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
  requests = result.requests.total;
  console.log(
    `${role}: ${Math.round(requests / result.duration)} req/s, ${result.errors} errors, ${result.non2xx} non-2xx`,
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
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
};
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
// Self time by kind, in µs per request (the load's requests over the whole profile, start-up included).
const kind = (n: ProfileNode): string => {
  const { functionName: fn, url } = n.callFrame;
  if (fn === '(idle)' || fn === '(program)' || fn === '(garbage collector)') return fn;
  if (!url && /^(writev|writeLatin1String|writeUtf8String|writeBuffer|read|close)$/.test(fn))
    return 'system calls';
  if (/runMicrotasks|processTicksAndRejections/.test(fn)) return 'promise and tick queues';
  if (/generated\//.test(url)) return `runtime: ${url.replace(/.*\//, '')}`;
  if (/@modelcontextprotocol/.test(url)) return 'MCP SDK';
  if (/node_modules\/zod/.test(url)) return 'zod';
  if (/node_modules/.test(url)) return 'other packages';
  if (/^node:(_http|http|net|stream|events|internal\/(streams|stream_base|http))/.test(url))
    return "node's HTTP, sockets and streams";
  if (/abort_controller|event_target/.test(url)) return 'AbortSignal and EventTarget';
  if (/undici/.test(url)) return 'undici (fetch, Request, Response)';
  return url ? 'node, other' : `native: ${fn}`;
};
const usPerSample = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
const byKind = new Map<string, number>();
for (const n of profile.nodes) byKind.set(kind(n), (byKind.get(kind(n)) ?? 0) + (n.hitCount ?? 0));
console.log(`self time by kind, µs per request (${requests} requests):`);
for (const [key, hits] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((hits * usPerSample) / Math.max(1, requests)).toFixed(2).padStart(8)}  ${key}`);
print(
  'inclusive time, generated/ and @modelcontextprotocol:',
  [...inclusive]
    .filter(([k]) => /generated\/|@modelcontextprotocol/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30),
);
