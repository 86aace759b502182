/**
 * One benchmark process, started by `startChild()` in common.ts as
 * `node --import tsx bench/lib/child.ts <role>`. It listens on 127.0.0.1:0, reports its port over
 * IPC and exits when the parent disconnects. Roles:
 *
 * - upstream:  fixed ~1 KB Stripe-like list JSON for every request (a stand-in for api.stripe.com);
 * - proxy:     minimal node:http pass-through to BENCH_UPSTREAM with a keep-alive http.Agent
 *              (the reference for the REST adapter);
 * - rest:      the generated checkout-sessions REST adapter, `serveRest(createHandler(...), {log: false})`;
 * - rest-observed: the same adapter with observability on: the OpenTelemetry SDK started as a
 *              control port starts it (spans into the /traces ring buffer, metrics for /metrics,
 *              no exporter over the network);
 * - rest-main: the same through the generated `main()`, as shipped (one access-log line per request
 *              on stdout, which the parent points at /dev/null);
 * - mcp:       the generated checkout-sessions MCP server through its `main()` (Streamable HTTP,
 *              stateless, JSON responses; one log line per request on stderr).
 * - mcp-floor: the least an MCP server over Streamable HTTP can do for the same tool: node:http,
 *              `initialize`, `tools/list` answering BENCH_MCP_TOOLS (the generated server's list, so
 *              the client validates the same output schema), and `tools/call` as one keep-alive GET
 *              to the upstream whose body goes back as text and `structuredContent`, as the
 *              generated server's does; no validation, no logging (the peer for the MCP server).
 * - faulty-upstream: the upstream's answer, except that a seeded draw per request resets 10% of
 *              connections, answers 5% with a Stripe-style 500 and leaves 5% hanging; it counts
 *              POSTs per Idempotency-Key and reports them when sent the message 'stats';
 * - rest-faults: the generated adapter through its `main()` with small time limits (1 s per attempt,
 *              2.5 s per call, 2 retries), as one would configure it in front of a flaky upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_PAYLOAD } from './payload.js';

const role = process.argv[2];
const upstream = process.env.BENCH_UPSTREAM ?? '';
const apiKey = process.env.BENCH_API_KEY ?? 'sk_test_bench';
/** What the generated servers get: the local upstream, no retries (a benchmark must not hide failures). */
const clientOptions = { apiKey, baseUri: upstream, maxRetries: 0 };

function report(port: number): void {
  process.send?.({ port });
}

process.on('disconnect', () => process.exit(0));

async function listen(server: http.Server): Promise<number> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The generated checkout-sessions adapter on serveRest, access log off; reports its port. */
async function serveCheckoutRest(): Promise<void> {
  const { createHandler } = await import('../../generated/checkout-sessions/rest.js');
  const { serveRest } = await import('../../generated/runtime/node-rest.js');
  const server = await serveRest(createHandler(clientOptions), {
    port: 0,
    host: '127.0.0.1',
    log: false,
  });
  report(Number(new URL(server.url).port));
}

switch (role) {
  case 'upstream': {
    const body = Buffer.from(UPSTREAM_PAYLOAD);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'request-id': 'req_bench0123456789',
    };
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, headers);
        res.end(body);
      });
    });
    report(await listen(server));
    break;
  }

  case 'faulty-upstream': {
    const body = Buffer.from(UPSTREAM_PAYLOAD);
    const error = JSON.stringify({ error: { type: 'api_error', message: 'Injected failure.' } });
    const random = seeded(0x9e3779b9);
    /** POST arrivals per Idempotency-Key, and 200s answered per key. */
    const arrivals = new Map<string, number>();
    const answered = new Map<string, number>();
    let posts = 0;
    let withoutCallerKey = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const key = req.headers['idempotency-key'];
        if (req.method === 'POST') {
          posts++;
          if (typeof key !== 'string' || !key.startsWith('bench-')) withoutCallerKey++;
          if (typeof key === 'string') arrivals.set(key, (arrivals.get(key) ?? 0) + 1);
        }
        const draw = random();
        if (draw < 0.1) {
          req.socket.destroy();
        } else if (draw < 0.15) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(error);
        } else if (draw < 0.2) {
          // hang: never answer
        } else {
          if (req.method === 'POST' && typeof key === 'string')
            answered.set(key, (answered.get(key) ?? 0) + 1);
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_faulty' });
          res.end(body);
        }
      });
    });
    process.on('message', (message) => {
      if (message !== 'stats') return;
      process.send?.({
        stats: {
          posts,
          keys: arrivals.size,
          withoutCallerKey,
          maxArrivalsPerKey: Math.max(0, ...arrivals.values()),
          keysAnsweredTwice: [...answered.values()].filter((n) => n > 1).length,
        },
      });
    });
    report(await listen(server));
    break;
  }

  case 'rest-faults': {
    const { main } = await import('../../generated/checkout-sessions/rest.js');
    const server = await main(
      { port: 0, address: '127.0.0.1' },
      {
        ...clientOptions,
        maxRetries: 2,
        timeoutMs: 1_000,
        deadlineMs: 2_500,
        retryBaseDelayMs: 50,
      },
    );
    report(Number(new URL(server.url).port));
    break;
  }

  case 'proxy': {
    const target = new URL(upstream);
    const agent = new http.Agent({ keepAlive: true });
    const server = http.createServer((req, res) => {
      const headers = { ...req.headers, host: target.host };
      delete headers.connection;
      const out = http.request(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      out.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(out);
    });
    report(await listen(server));
    break;
  }

  case 'rest': {
    await serveCheckoutRest();
    break;
  }

  case 'rest-observed': {
    // This repository's capabilities have no control adapter, so their runtime holds no
    // node-telemetry.ts: the SDK is started from its template and registered globally, then the
    // generated runtime's hooks are turned on, as a program with its own SDK would do.
    const { startTelemetry } = await import('../../templates/runtime/node-telemetry.js');
    startTelemetry(
      {
        mode: 'spec',
        metricsEndpoint: true,
        tracesEndpoint: true,
        bufferSize: 100,
        sampling: 1,
        propagation: 'w3c',
      },
      { serviceName: 'bench', env: {} },
    );
    const { enableTelemetry } = await import('../../generated/runtime/telemetry.js');
    enableTelemetry();
    await serveCheckoutRest();
    break;
  }

  case 'rest-main': {
    const { main } = await import('../../generated/checkout-sessions/rest.js');
    const server = await main({ port: 0, address: '127.0.0.1' }, clientOptions);
    report(Number(new URL(server.url).port));
    break;
  }

  case 'mcp': {
    const { main } = await import('../../generated/checkout-sessions/mcp.js');
    const server = await main({ port: 0, address: '127.0.0.1' }, clientOptions);
    if (!server) throw new Error('the MCP server did not start over HTTP');
    report(Number(new URL(server.url).port));
    break;
  }

  case 'mcp-floor': {
    const tools = JSON.parse(process.env.BENCH_MCP_TOOLS ?? '[]') as unknown[];
    const agent = new http.Agent({ keepAlive: true });
    const target = new URL(upstream);
    const answer = (res: http.ServerResponse, id: unknown, result: string) => {
      const body = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    };
    const server = http.createServer((req, res) => {
      if (req.method !== 'POST') {
        // No stream of server messages (GET) and no session (DELETE): stateless, as the generated one.
        req.resume();
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          id?: unknown;
          method: string;
          params?: { protocolVersion?: string; arguments?: { limit?: number } };
        };
        if (message.id === undefined) {
          res.writeHead(202).end();
        } else if (message.method === 'initialize') {
          answer(
            res,
            message.id,
            JSON.stringify({
              protocolVersion: message.params?.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: 'floor', version: '0.0.0' },
            }),
          );
        } else if (message.method === 'tools/list') {
          answer(res, message.id, JSON.stringify({ tools }));
        } else {
          const limit = Number(message.params?.arguments?.limit ?? 10);
          http
            .get(
              {
                hostname: target.hostname,
                port: target.port,
                path: `/v1/checkout/sessions?limit=${limit}`,
                agent,
                headers: { authorization: `Bearer ${apiKey}` },
              },
              (up) => {
                const parts: Buffer[] = [];
                up.on('data', (c: Buffer) => parts.push(c));
                up.on('end', () => {
                  const text = Buffer.concat(parts).toString('utf8');
                  answer(
                    res,
                    message.id,
                    `{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}}`,
                  );
                });
              },
            )
            .on('error', () => res.writeHead(502).end());
        }
      });
    });
    report(await listen(server));
    break;
  }

  default:
    process.stderr.write(`bench child: unknown role '${role}'\n`);
    process.exit(2);
}

/** A small seeded PRNG (mulberry32), so that every run injects the same sequence of faults. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
