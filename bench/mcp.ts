/**
 * Part 4: tools/call round trip through the generated checkout-sessions MCP server against calling the
 * generated client directly.
 *
 *   npx tsx bench/mcp.ts      (BENCH_MCP_CALLS=<n> calls per variant, default 1000)
 *
 * Processes: the fixed-JSON upstream and the MCP server (generated `main()`: Streamable HTTP,
 * stateless, JSON responses) each in a child process; this process is the caller. All calls are
 * sequential (one in flight), so the figures are latencies, not throughput. Variants, run in
 * interleaved blocks of 50 calls (order rotating), after a warm-up (2000 calls each, 300 for the
 * SDK client, see WARMUP):
 * - direct:   `client.getCheckoutSessions({ limit: 3 })` from this process to the upstream;
 * - MCP (SDK client): `Client.callTool({ name: 'stripe-get-checkout-sessions', arguments: { limit: 3 } })`
 *   over the SDK's StreamableHTTPClientTransport (fetch), connected (initialized) once;
 * - MCP (raw POST): the same JSON-RPC tools/call request written by hand over a keep-alive node:http
 *   agent, which separates the SDK client's own cost from the server's;
 * - floor (SDK client): the same SDK client call against the least an MCP server can do for this
 *   tool (bench/lib/child.ts `mcp-floor`: same tool list, one upstream GET, the same answer, no
 *   validation): what any MCP server adds with this client, whoever writes it.
 */
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { createCheckoutSessionsClient } from '../generated/checkout-sessions/client.js';
import {
  BENCH_API_KEY,
  isMain,
  percentile,
  rotations,
  runStandalone,
  startChild,
  type PartResult,
} from './lib/common.js';
import { cpuMs } from './lib/proc.js';

const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 1000);
const BLOCK = 50;
/**
 * Calls per variant before measuring, so that the figures are those of warmed-up processes: with 300,
 * the server's CPU per call still carried JIT compilation (0.6 ms where 2000 gave 0.38 ms, same
 * minutes), and the direct client's p50 was 0.2 ms against 0.09 ms warmed.
 */
const WARMUP = Number(process.env.BENCH_MCP_WARMUP ?? 2000);
/**
 * The SDK client's own warm-up is capped: its transport sends every POST with one AbortSignal, and
 * each fetch leaves an abort listener on it until garbage collection (Node warns past 1500). The
 * server is warmed by the raw requests, which take the same path through it.
 */
const SDK_WARMUP = Math.min(WARMUP, 300);
const TOOL = 'stripe-get-checkout-sessions';
/** A block of calls stops after this long, whatever its count. */
const BLOCK_MAX_MS = 15_000;

type Call = () => Promise<void>;

function rawCaller(url: string): Call {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let id = 0;
  return () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        jsonrpc: '2.0',
        id: ++id,
        method: 'tools/call',
        params: { name: TOOL, arguments: { limit: 3 } },
      });
      const req = http.request(
        {
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const answer = JSON.parse(text) as { result?: { isError?: boolean } };
            if (res.statusCode !== 200 || !answer.result || answer.result.isError) {
              reject(new Error(`raw tools/call: ${res.statusCode} ${text.slice(0, 300)}`));
            } else resolve();
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

async function timeBlock(call: Call, count: number, into: number[]): Promise<void> {
  const deadline = performance.now() + BLOCK_MAX_MS;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await call();
    into.push(performance.now() - t0);
  }
}

export async function run(): Promise<PartResult> {
  const upstream = await startChild('upstream');
  const mcpServer = await startChild('mcp', { upstream: upstream.url, stderr: 'ignore' });
  const mcpUrl = `${mcpServer.url}/mcp`;
  const sdk = new Client({ name: 'capgen-bench', version: '0.0.0' });
  const floorSdk = new Client({ name: 'capgen-bench', version: '0.0.0' });
  let floorServer: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    await sdk.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
    const tools = await sdk.listTools();
    if (!tools.tools.some((t) => t.name === TOOL))
      throw new Error(`MCP server has no tool ${TOOL}`);
    floorServer = await startChild('mcp-floor', {
      upstream: upstream.url,
      env: { BENCH_MCP_TOOLS: JSON.stringify(tools.tools) },
    });
    await floorSdk.connect(new StreamableHTTPClientTransport(new URL(`${floorServer.url}/mcp`)));
    await floorSdk.listTools();

    const client = createCheckoutSessionsClient({
      apiKey: BENCH_API_KEY,
      baseUri: upstream.url,
      maxRetries: 0,
    });
    const variants: { name: string; call: Call }[] = [
      {
        name: 'direct',
        call: async () => {
          const page = (await client.getCheckoutSessions({ limit: 3 })) as {
            data?: unknown[];
          } | null;
          if (page?.data?.length !== 3) throw new Error('direct: unexpected answer');
        },
      },
      {
        name: 'sdk',
        call: async () => {
          const result = await sdk.callTool({ name: TOOL, arguments: { limit: 3 } });
          if (result.isError)
            throw new Error(`MCP tools/call failed: ${JSON.stringify(result).slice(0, 300)}`);
        },
      },
      { name: 'raw', call: rawCaller(mcpUrl) },
      {
        name: 'floor',
        call: async () => {
          const result = await floorSdk.callTool({ name: TOOL, arguments: { limit: 3 } });
          if (result.isError) throw new Error('floor tools/call failed');
        },
      },
    ];
    for (const v of variants)
      await timeBlock(v.call, v.name === 'sdk' || v.name === 'floor' ? SDK_WARMUP : WARMUP, []);

    const samples: Record<string, number[]> = { direct: [], sdk: [], raw: [], floor: [] };
    let serverCpu = 0;
    let serverCalls = 0;
    for (const order of rotations(variants, Math.ceil(CALLS / BLOCK))) {
      for (const v of order) {
        const before = cpuMs(mcpServer.pid);
        const n = samples[v.name].length;
        await timeBlock(v.call, BLOCK, samples[v.name]);
        if (v.name === 'sdk' || v.name === 'raw') {
          serverCpu += cpuMs(mcpServer.pid) - before;
          serverCalls += samples[v.name].length - n;
        }
      }
    }

    const p = (name: string, q: number) => percentile(samples[name], q);
    const addedSdk = p('sdk', 50) - p('direct', 50);
    const addedRaw = p('raw', 50) - p('direct', 50);
    const addedFloor = p('floor', 50) - p('direct', 50);
    const cpuPerCall = serverCpu / Math.max(1, serverCalls);
    return {
      part: 'mcp',
      title: 'MCP server: tools/call round trip vs the generated client called directly',
      setup: `${samples.direct.length} sequential calls per variant (blocks of ${BLOCK}, interleaved); upstream and MCP server (generated main(), Streamable HTTP, stateless, JSON) in child processes.`,
      oursName: 'via MCP',
      peerName: 'direct client',
      rows: [
        {
          metric: 'SDK client: p50',
          ours: p('sdk', 50),
          peer: p('direct', 50),
          unit: 'ms',
          decimals: 3,
        },
        {
          metric: 'SDK client: p99',
          ours: p('sdk', 99),
          peer: p('direct', 99),
          unit: 'ms',
          decimals: 3,
        },
        {
          metric: 'SDK client, minimal MCP server: p50',
          ours: p('floor', 50),
          peer: p('direct', 50),
          unit: 'ms',
          decimals: 3,
        },
        {
          metric: 'raw JSON-RPC POST: p50',
          ours: p('raw', 50),
          peer: p('direct', 50),
          unit: 'ms',
          decimals: 3,
        },
        {
          metric: 'raw JSON-RPC POST: p99',
          ours: p('raw', 99),
          peer: p('direct', 99),
          unit: 'ms',
          decimals: 3,
        },
      ],
      aims: [
        {
          text: 'server CPU per tools/call ≤ 0.6 ms',
          met: cpuPerCall <= 0.6,
          detail: `${cpuPerCall.toFixed(3)} ms (from /proc)`,
        },
        {
          text: '≤ 1 ms added at p50 (SDK client)',
          met: addedSdk <= 1,
          detail: `${addedSdk.toFixed(3)} ms added`,
        },
        {
          text: '≤ 1 ms added at p50 (raw POST)',
          met: addedRaw <= 1,
          detail: `${addedRaw.toFixed(3)} ms added`,
        },
      ],
      notes: [
        `MCP server CPU per tools/call: ${cpuPerCall.toFixed(3)} ms (from /proc, over the SDK and raw blocks)`,
        `added at p50 with the SDK client: ${addedSdk.toFixed(3)} ms through the generated server, ${addedFloor.toFixed(3)} ms through the minimal one (what any server adds with this client); the generated server's own share: ${(addedSdk - addedFloor).toFixed(3)} ms`,
      ],
    };
  } finally {
    await sdk.close().catch(() => {});
    await floorSdk.close().catch(() => {});
    await floorServer?.stop();
    await mcpServer.stop();
    await upstream.stop();
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
