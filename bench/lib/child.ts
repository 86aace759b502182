/**
 * One benchmark process, started by `startChild()` in common.ts as
 * `node --import tsx bench/lib/child.ts <role>`. It listens on 127.0.0.1:0, reports its port over
 * IPC and exits when the parent disconnects. Roles:
 *
 * - upstream:  fixed ~1 KB Stripe-like list JSON for every request (a stand-in for api.stripe.com);
 * - proxy:     minimal node:http pass-through to BENCH_UPSTREAM with a keep-alive http.Agent
 *              (the reference for the REST adapter);
 * - rest:      the generated checkout-sessions REST adapter, `serveRest(createHandler(...), {log: false})`;
 * - rest-main: the same through the generated `main()`, as shipped (one access-log line per request
 *              on stdout, which the parent points at /dev/null);
 * - mcp:       the generated checkout-sessions MCP server through its `main()` (Streamable HTTP,
 *              stateless, JSON responses; one log line per request on stderr).
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
    const { createHandler } = await import('../../generated/checkout-sessions/rest.js');
    const { serveRest } = await import('../../generated/runtime/node-rest.js');
    const server = await serveRest(createHandler(clientOptions), {
      port: 0,
      host: '127.0.0.1',
      log: false,
    });
    report(Number(new URL(server.url).port));
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

  default:
    process.stderr.write(`bench child: unknown role '${role}'\n`);
    process.exit(2);
}
