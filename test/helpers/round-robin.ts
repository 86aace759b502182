/**
 * A round-robin load balancer on 127.0.0.1 in front of server instances, for the tests that show the
 * generated servers are stateless: request n goes to instance n mod count (path and query kept), and
 * every request is recorded with the instance that served it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  /** The proxy's origin, `http://127.0.0.1:<port>`. */
  url: string;
  /** [instance index, label] per proxied request, in order. */
  routed: Array<[number, string]>;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'];

export async function roundRobinProxy(
  targets: readonly string[],
  options: {
    /** The fetch to forward with (a test that mocks the global one passes the real one). */
    fetch?: typeof fetch;
    /** What `routed` records for a request; default `METHOD path`. */
    label?: (req: IncomingMessage, body: Buffer) => string;
  } = {},
): Promise<RoundRobinProxy> {
  const forward = options.fetch ?? globalThis.fetch;
  const label = options.label ?? ((req) => `${req.method} ${req.url}`);
  const routed: Array<[number, string]> = [];
  let next = 0;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const index = next++ % targets.length;
      const body = Buffer.concat(chunks);
      routed.push([index, label(req, body)]);
      const headers = new Headers();
      for (const [key, value] of Object.entries(req.headers))
        if (typeof value === 'string' && !HOP_BY_HOP.includes(key)) headers.set(key, value);
      try {
        const upstream = await forward(new URL(req.url ?? '/', targets[index]), {
          method: req.method,
          headers,
          ...(body.length > 0 ? { body } : {}),
        });
        const outHeaders: Record<string, string> = {};
        upstream.headers.forEach((value, key) => {
          if (!HOP_BY_HOP.includes(key) && key !== 'content-encoding') outHeaders[key] = value;
        });
        const payload = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, outHeaders);
        res.end(payload);
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close(() => resolve());
        proxy.closeAllConnections();
      }),
  };
}
