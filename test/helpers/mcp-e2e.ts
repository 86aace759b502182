/**
 * Shared helpers for the end-to-end MCP tests (test/mcp.e2e.test.ts, test/mcp.inspector.test.ts,
 * test/examples.mcp.test.ts): a fake Stripe on a real local port (for servers running in a child
 * process, where msw cannot reach), the capability specs, and small result helpers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parse as parseYaml } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A test-mode key; the tests check that it reaches Stripe and never leaks anywhere else. */
export const TEST_API_KEY = 'sk_test_capgenE2eSecret0123456789';

/** What the fake Stripe (or msw) saw: enough to compare with what Stripe would receive. */
export interface SeenRequest {
  method: string;
  path: string;
  /** Decoded query pairs, in order. */
  query: Array<[string, string]>;
  /** Decoded form body pairs, in order ([] when there is no body). */
  form: Array<[string, string]>;
  headers: Record<string, string>;
}

export function seenFrom(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string,
): SeenRequest {
  return {
    method,
    path: url.pathname,
    query: [...url.searchParams.entries()],
    form: body ? [...new URLSearchParams(body).entries()] : [],
    headers,
  };
}

/** A financial_connections.session as Stripe returns it (conforms to the bundled OpenAPI schema). */
export function linkSession(id = 'fcsess_1Nc0ixLkdIwHu7ix'): Record<string, unknown> {
  return {
    id,
    object: 'financial_connections.session',
    account_holder: { type: 'customer', customer: 'cus_PfVgYQ3b9MX7Zn' },
    accounts: {
      object: 'list',
      data: [],
      has_more: false,
      url: '/v1/financial_connections/accounts',
    },
    client_secret: `${id}_secret_Sn1pJhB3ZlM3`,
    filters: { countries: ['US'] },
    livemode: false,
    permissions: ['balances', 'payment_method'],
    prefetch: ['balances'],
    return_url: 'https://example.com/return',
  };
}

export type Reply = (request: SeenRequest) => { status: number; body: unknown };

export interface FakeStripe {
  /** Base URI, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  requests: SeenRequest[];
  /** Replaces the reply function (default: 200 with a link session whose id is the last path segment). */
  reply(fn: Reply): void;
  close(): Promise<void>;
}

const defaultReply: Reply = (request) => ({
  status: 200,
  body: linkSession(
    request.path.startsWith('/v1/link_account_sessions/')
      ? request.path.split('/').pop()
      : undefined,
  ),
});

/** A fake Stripe API on 127.0.0.1 and a free port, recording every request. */
export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: SeenRequest[] = [];
  let replyFn = defaultReply;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers))
        if (typeof value === 'string') headers[key] = value;
      const seen = seenFrom(
        req.method ?? 'GET',
        new URL(req.url ?? '/', 'http://stripe.local'),
        headers,
        Buffer.concat(chunks).toString('utf8'),
      );
      requests.push(seen);
      const { status, body } = replyFn(seen);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': `req_fake_${requests.length}`,
      });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (fn) => {
      replyFn = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The text blocks of a tool result, joined. */
export function textOf(result: CallToolResult): string {
  return result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Capability specs, read from specs/*.yaml so expectations follow the specs rather than the generator.

export interface SpecTool {
  name: string;
  label?: string;
  description: string;
  hints?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
  call: string;
}

export interface SpecMcp {
  namespace: string;
  description: string;
  tools: SpecTool[];
}

export interface CapabilitySpec {
  /** Directory under generated/ and file name under specs/. */
  cap: string;
  mcp: SpecMcp;
  /** consumes namespace → its baseUri environment variable, e.g. CHECKOUT_SESSIONS_BASE_URI. */
  baseUriEnv: string;
  /** Consumed operations by `call` reference (`namespace.operation`): method and path template. */
  operations: Record<string, { method: string; path: string }>;
}

export const CAPABILITIES = [
  'checkout-sessions',
  'identity-sessions',
  'link-account-sessions',
] as const;
export type Cap = (typeof CAPABILITIES)[number];

export function loadCapability(cap: Cap): CapabilitySpec {
  const doc = parseYaml(fs.readFileSync(`${ROOT}/specs/${cap}.yaml`, 'utf8')) as {
    capability: {
      consumes: Array<{
        namespace: string;
        resources: Array<{ path: string; operations: Array<{ name: string; method: string }> }>;
      }>;
      exposes: Array<{ type: string } & SpecMcp>;
    };
  };
  const mcp = doc.capability.exposes.find((e) => e.type === 'mcp');
  if (!mcp) throw new Error(`specs/${cap}.yaml has no mcp exposes block`);
  const consumes = doc.capability.consumes[0];
  const operations: CapabilitySpec['operations'] = {};
  for (const resource of consumes.resources) {
    for (const op of resource.operations)
      operations[`${consumes.namespace}.${op.name}`] = { method: op.method, path: resource.path };
  }
  return {
    cap,
    mcp,
    operations,
    baseUriEnv: `${consumes.namespace.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_BASE_URI`,
  };
}

/** Naftiko hints → MCP annotations, with the Naftiko defaults for omitted hints. */
export function expectedAnnotations(hints: SpecTool['hints'] = {}): Record<string, boolean> {
  return {
    readOnlyHint: hints.readOnly ?? false,
    destructiveHint: hints.destructive ?? true,
    idempotentHint: hints.idempotent ?? false,
    openWorldHint: hints.openWorld ?? true,
  };
}

/** A spec description (HTML) as plain text: `<code>` becomes backticks, other tags go, spaces collapse. */
export function plainText(html: string): string {
  return html
    .replace(/<code>(.*?)<\/code>/g, '`$1`')
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Keeps the log lines of servers started in this process (generated `main()` logs to stderr) out of the
 * test output and collects them, so tests can check them (for secrets, say). Other stderr output passes.
 * Returns the collected lines and a function that restores process.stderr.write.
 */
export function captureServerLog(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = process.stderr.write;
  const write = original.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d|MCP server at http/.test(text)) {
      lines.push(text);
      return true;
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { lines, restore: () => void (process.stderr.write = original) };
}

export { run } from './process.js';
