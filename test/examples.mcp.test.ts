/**
 * Runs examples/mcp.ts as a user would (node --import tsx examples/mcp.ts <session>) against a local
 * fake Stripe, in both of its modes (server in-process; MCP_URL to a running server), so the example
 * keeps compiling, running and printing what its comments promise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { main } from '../generated/link-account-sessions/mcp.js';
import type { McpHttpServerHandle } from '../generated/runtime/node-mcp.js';
import {
  captureServerLog,
  linkSession,
  loadCapability,
  run,
  startFakeStripe,
  TEST_API_KEY,
  type FakeStripe,
} from './helpers/mcp-e2e.js';
import { runExample as runExampleFile } from './helpers/process.js';

const SPEC = loadCapability('link-account-sessions');
const TOOLS = SPEC.mcp.tools.map((t) => t.name);

let fake: FakeStripe;
const serverLog = captureServerLog();

beforeAll(async () => {
  fake = await startFakeStripe();
  fake.reply((request) =>
    request.path.endsWith('/fcsess_missing')
      ? {
          status: 404,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: "No such session: 'fcsess_missing'",
            },
          },
        }
      : { status: 200, body: linkSession(request.path.split('/').pop()) },
  );
});

afterAll(async () => {
  await fake?.close();
  serverLog.restore();
});

const runExample = (args: string[], env: Record<string, string>) =>
  runExampleFile('mcp.ts', env, args);

// Each run is a Node process of about a second, so the runs go in parallel.
describe.concurrent('examples/mcp.ts', () => {
  it('starts the server in-process, lists the tools and calls one', async ({ expect }) => {
    const out = await runExample(['fcsess_example'], {
      STRIPE_API_KEY: TEST_API_KEY,
      [SPEC.baseUriEnv]: fake.url,
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(
        `^connected to ${SPEC.mcp.namespace} 0\\.1\\.0 at http://127\\.0\\.0\\.1:\\d+/mcp$`,
        'm',
      ),
    );
    expect(out.stdout).toContain(
      `  ${TOOLS[0]} (writes): To launch the Financial Connections authorization flow`,
    );
    expect(out.stdout).toContain(
      `  ${TOOLS[1]} (read-only): Retrieves the details of a Financial Connections \`Session\``,
    );
    expect(out.stdout).toContain(`calling ${TOOLS[1]} {"session":"fcsess_example"}`);
    expect(out.stdout).toContain('session fcsess_example: permissions balances, payment_method');
    const json = out.stdout.slice(out.stdout.indexOf('\n{') + 1);
    expect(JSON.parse(json)).toEqual(linkSession('fcsess_example'));

    const seen = fake.requests.filter((r) => r.path === '/v1/link_account_sessions/fcsess_example');
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
    expect(out.stdout + out.stderr).not.toContain(TEST_API_KEY);
    expect(out.ms).toBeLessThan(15_000); // it exits by itself: nothing is left running
  });

  it('connects to a running server given MCP_URL (no Stripe key needed on the client side)', async ({
    expect,
  }) => {
    const server = (await main(
      { port: 0 },
      { apiKey: TEST_API_KEY, baseUri: fake.url },
    )) as McpHttpServerHandle;
    try {
      const out = await runExample(['fcsess_remote'], { MCP_URL: server.url });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain(`connected to ${SPEC.mcp.namespace} 0.1.0 at ${server.url}`);
      expect(out.stdout).toContain('session fcsess_remote: permissions balances, payment_method');
      expect(
        fake.requests.filter((r) => r.path === '/v1/link_account_sessions/fcsess_remote'),
      ).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('prints the tool error and exits 1 when Stripe rejects the call', async ({ expect }) => {
    const out = await runExample(['fcsess_missing'], {
      STRIPE_API_KEY: TEST_API_KEY,
      [SPEC.baseUriEnv]: fake.url,
    });
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toContain('tool error:');
    expect(out.stdout).toContain('HTTP 404');
    expect(out.stdout).toContain("No such session: 'fcsess_missing'");
  });

  it('exits 2 with a usage line when no session id is given', async ({ expect }) => {
    const out = await runExample([], {});
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('usage: node --import tsx examples/mcp.ts');
  });
});

it('the example tests left the fake Stripe with exactly their calls', () => {
  expect(fake.requests.map((r) => r.path).sort()).toEqual([
    '/v1/link_account_sessions/fcsess_example',
    '/v1/link_account_sessions/fcsess_missing',
    '/v1/link_account_sessions/fcsess_remote',
  ]);
});
