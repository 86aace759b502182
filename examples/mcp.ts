/**
 * Example: connect an MCP client (the official SDK's `Client`) to the generated link-account-sessions
 * MCP server, list its tools and call one.
 *
 *   STRIPE_API_KEY=sk_test_... node --import tsx examples/mcp.ts fcsess_...
 *   MCP_URL=http://127.0.0.1:9090/mcp node --import tsx examples/mcp.ts fcsess_...
 *
 * - Without MCP_URL the server runs inside this program (on a free port, stopped at the end) and
 *   calls Stripe with STRIPE_API_KEY. LINK_LINK_ACCOUNT_SESSIONS_BASE_URI optionally sends the
 *   upstream calls somewhere other than https://api.stripe.com (a mock, a proxy).
 * - With MCP_URL the program connects to a server that is already running, for example one started
 *   with `npx capgen serve link-account-sessions --mcp` (the server then holds the Stripe key).
 * - The argument is the id of the Financial Connections session to retrieve.
 *
 * Exit status: 0 when the tool call succeeded, 1 when it returned an error, 2 on bad usage.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { main } from '../generated/link-account-sessions/mcp.js';

const TOOL = 'p-retrieves-details-financial-connections-code-session';

const sessionId = process.argv[2];
if (!sessionId) {
  console.error(
    'usage: node --import tsx examples/mcp.ts <financial connections session id, fcsess_...>',
  );
  process.exit(2);
}

// Connect to MCP_URL, or start the generated server here. main({ port: 0 }) listens on 127.0.0.1 and a
// free port; its second argument configures the upstream Stripe client.
const server = process.env.MCP_URL
  ? undefined
  : await main({ port: 0 }, { maxRetries: 1, timeoutMs: 10_000 });
const url = process.env.MCP_URL ?? server!.url;

const client = new Client({ name: 'capgen-example', version: '1.0.0' });
let failed = false;
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const info = client.getServerVersion();
  console.log(`connected to ${info?.name} ${info?.version} at ${url}`);

  // tools/list: names, hints and the JSON Schema of each tool's arguments.
  const { tools } = await client.listTools();
  console.log('tools:');
  for (const tool of tools) {
    const kind = tool.annotations?.readOnlyHint ? 'read-only' : 'writes';
    console.log(`  ${tool.name} (${kind}): ${tool.description}`);
  }

  // tools/call. Arguments are checked against the tool's input schema by the server; problems (and
  // Stripe errors) come back as a result with isError set, not as an exception.
  const args = { session: sessionId };
  console.log(`calling ${TOOL} ${JSON.stringify(args)}`);
  const result = (await client.callTool({ name: TOOL, arguments: args })) as CallToolResult;
  if (result.isError) {
    const text = result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');
    console.log(`tool error:\n${text}`);
    failed = true;
  } else {
    // structuredContent is the Stripe object (already checked by the client against the tool's output schema).
    const session = result.structuredContent as {
      id: string;
      permissions: string[];
      client_secret: string;
    };
    console.log(`session ${session.id}: permissions ${session.permissions.join(', ')}`);
    console.log(JSON.stringify(session, null, 2));
  }
} finally {
  await client.close();
  await server?.close();
}
process.exitCode = failed ? 1 : 0;
