/**
 * A client we did not write: the MCP Inspector CLI (@modelcontextprotocol/inspector, CLI mode) drives
 * the generated link-account-sessions server, over Streamable HTTP (server in this process) and over
 * stdio (the inspector spawns `capgen serve --mcp --stdio`). Stripe is a local fake on a real port.
 *
 * The inspector is run through its package bin (`mcp-inspector`, resolved from its package.json), which
 * is what `npx @modelcontextprotocol/inspector --cli ...` runs; going through npx only adds ~1 s of npm
 * start-up per call. Equivalent commands:
 *
 *   npx @modelcontextprotocol/inspector --cli http://127.0.0.1:PORT/mcp --transport http --method tools/list
 *   npx @modelcontextprotocol/inspector --cli http://127.0.0.1:PORT/mcp --transport http \
 *     --method tools/call --tool-name <tool> --tool-arg session=fcsess_123
 *   npx @modelcontextprotocol/inspector --cli -e STRIPE_API_KEY=... \
 *     node bin/capgen.js serve link-account-sessions --mcp --stdio --method tools/list
 *
 * If the inspector CLI cannot start on this Node version (probe: its inner CLI's --help), the tests are
 * skipped with a printed notice giving the exact error, instead of failing or passing silently.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { main } from '../generated/link-account-sessions/mcp.js';
import type { McpHttpServerHandle } from '../generated/runtime/node-mcp.js';
import { inspect, inspector } from './helpers/inspector.js';
import {
  captureServerLog,
  linkSession,
  loadCapability,
  startFakeStripe,
  TEST_API_KEY,
  type FakeStripe,
} from './helpers/mcp-e2e.js';

const LINK_CREATE = 'p-to-launch-financial-connections-authorization';
const LINK_RETRIEVE = 'p-retrieves-details-financial-connections-code-session';
const SPEC = loadCapability('link-account-sessions');

// ---------------------------------------------------------------------------------------------------

// Each inspector run is a separate Node process (~1 s), so the runs go in parallel; every test checks
// only the upstream requests it caused (distinct session ids), and the totals are checked at the end.
describe.skipIf(!inspector.ok)(
  `MCP Inspector CLI ${inspector.version} against link-account-sessions`,
  () => {
    let fake: FakeStripe;
    let server: McpHttpServerHandle;
    const serverLog = captureServerLog();

    beforeAll(async () => {
      fake = await startFakeStripe();
      const handle = await main({ port: 0 }, { apiKey: TEST_API_KEY, baseUri: fake.url });
      if (!handle) throw new Error('main() did not start an HTTP server');
      server = handle;
    });

    afterAll(async () => {
      await server?.close();
      await fake?.close();
      serverLog.restore();
    });

    const requestsTo = (path: string) => fake.requests.filter((r) => r.path === path);

    it.concurrent('Streamable HTTP: tools/list', async ({ expect }) => {
      const listed = await inspect<{ tools: Tool[] }>([
        server.url,
        '--transport',
        'http',
        '--method',
        'tools/list',
      ]);
      expect(listed.tools.map((t) => t.name)).toEqual(SPEC.mcp.tools.map((t) => t.name));
      const body = listed.tools[0].inputSchema.properties?.body as {
        type: string;
        required: string[];
      };
      expect(body.type).toBe('object');
      expect(body.required).toEqual(['account_holder', 'permissions']);
      expect(listed.tools[1].annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
      });
    });

    it.concurrent(
      'Streamable HTTP: tools/call with string and array arguments',
      async ({ expect }) => {
        const result = await inspect<CallToolResult>([
          server.url,
          '--transport',
          'http',
          '--method',
          'tools/call',
          '--tool-name',
          LINK_RETRIEVE,
          '--tool-arg',
          'session=fcsess_inspector',
          'expand=["accounts"]',
        ]);
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toEqual(linkSession('fcsess_inspector'));
        expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(
          linkSession('fcsess_inspector'),
        );
        expect(requestsTo('/v1/link_account_sessions/fcsess_inspector')).toMatchObject([
          { method: 'GET', query: [['expand[0]', 'accounts']] },
        ]);
      },
    );

    it.concurrent(
      'Streamable HTTP: tools/call with a structured body (JSON argument)',
      async ({ expect }) => {
        const result = await inspect<CallToolResult>([
          server.url,
          '--transport',
          'http',
          '--method',
          'tools/call',
          '--tool-name',
          LINK_CREATE,
          '--tool-arg',
          `body=${JSON.stringify({ account_holder: { type: 'account', account: 'acct_1' }, permissions: ['ownership'] })}`,
        ]);
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toEqual(linkSession());
        const posts = requestsTo('/v1/link_account_sessions');
        expect(posts).toHaveLength(1);
        expect(posts[0].method).toBe('POST');
        expect(posts[0].form).toEqual([
          ['account_holder[type]', 'account'],
          ['account_holder[account]', 'acct_1'],
          ['permissions[0]', 'ownership'],
        ]);
      },
    );

    it.concurrent(
      'Streamable HTTP: invalid arguments come back as an isError result naming them',
      async ({ expect }) => {
        const result = await inspect<CallToolResult>([
          server.url,
          '--transport',
          'http',
          '--method',
          'tools/call',
          '--tool-name',
          LINK_RETRIEVE,
          '--tool-arg',
          'sesion=typo',
        ]);
        expect(result.isError).toBe(true);
        const text = (result.content[0] as { text: string }).text;
        expect(text).toContain('sesion');
        expect(text).toContain('session');
      },
    );

    it.concurrent(
      'stdio: the inspector spawns `capgen serve --mcp --stdio` and calls a tool',
      async ({ expect }) => {
        const result = await inspect<CallToolResult>(
          [
            '-e',
            `STRIPE_API_KEY=${TEST_API_KEY}`,
            '-e',
            `${SPEC.baseUriEnv}=${fake.url}`,
            'node',
            'bin/capgen.js',
            'serve',
            'link-account-sessions',
            '--mcp',
            '--stdio',
            '--method',
            'tools/call',
            '--tool-name',
            LINK_RETRIEVE,
            '--tool-arg',
            'session=fcsess_stdio',
          ],
          // The child must not inherit a real key or base URI from the developer's shell.
          { ...process.env, STRIPE_API_KEY: '', [SPEC.baseUriEnv]: '' },
        );
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent).toEqual(linkSession('fcsess_stdio'));
        const seen = requestsTo('/v1/link_account_sessions/fcsess_stdio');
        expect(seen).toMatchObject([{ method: 'GET' }]);
        expect(seen[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
      },
    );

    // Runs after the concurrent tests above: the invalid call (and tools/list) sent nothing upstream.
    describe('afterwards', () => {
      it('the server log has the calls and no secret', () => {
        const log = serverLog.lines.join('');
        expect(log).toContain(`tool ${LINK_RETRIEVE}: invalid arguments (2 issues)`);
        expect(log).not.toContain(TEST_API_KEY);
      });

      it('Stripe saw exactly the three valid calls', () => {
        expect(fake.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
          'GET /v1/link_account_sessions/fcsess_inspector',
          'GET /v1/link_account_sessions/fcsess_stdio',
          'POST /v1/link_account_sessions',
        ]);
      });
    });
  },
);
