/**
 * MCP runtime: serves a capability's tools over the Model Context Protocol.
 *
 * Generated code describes each tool as plain data (`McpToolSpec`): its JSON Schemas, the upstream
 * operation it calls, how tool arguments bind to upstream parameters and how the upstream response is
 * mapped back. This module is the web-standard entry point; neither it nor anything it imports
 * touches a Node built-in, so it bundles for edge runtimes without externals:
 *
 * - `createMcpServer` (mcp-server.ts) builds a low-level SDK `Server` with `tools/list` and
 *   `tools/call` handlers; failures become tool results (mcp-failures.ts). Resources
 *   (mcp-resources.ts) and prompts (mcp-prompts.ts) add their handlers when the server has some.
 * - `createMcpFetchHandler` (mcp-http.ts) is a web-standard `(Request) => Promise<Response>` handler
 *   speaking stateless Streamable HTTP at `/mcp` (the engine in mcp-engine.ts): plain `tools/call`
 *   and `tools/list` requests are answered directly (mcp-dispatch.ts), everything else by a
 *   per-request SDK `Server` and transport.
 * - `serveMcpHttp` and `serveMcpStdio` (node-mcp.ts, Node only) serve them on node:http or stdio.
 *
 * The upstream call itself is injected (`Invoke`), so this runtime does not depend on the HTTP client.
 *
 * Secrets: inbound credentials are read from the environment at start-up and compared in constant time.
 * Every message that leaves the server (tool results and log lines) passes through `redact`.
 */
export {
  createMcpServer,
  IDEMPOTENCY_KEY_META,
  mcpRedactor,
  STRUCTURED_RESULT_KEY,
  type Invoke,
  type McpEnv,
  type McpLog,
  type McpRuntimeOptions,
  type McpServerSpec,
  type McpToolSpec,
} from './mcp-server.js';
export { createMcpFetchHandler, type McpFetchHandlerOptions } from './mcp-http.js';
export { substitute, type McpPromptSpec } from './mcp-prompts.js';
export { matchUriTemplate, type McpResourceSpec } from './mcp-resources.js';
