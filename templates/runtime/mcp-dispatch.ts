/**
 * The stateless fast path of the MCP HTTP server: `tools/call` and `tools/list` answered without
 * building an SDK `Server` and transport per request. Only requests in their plain form take it (a
 * JSON-RPC request with a string or integer id, a known tool, no task or progress token, supported
 * protocol headers); the answer is the one the SDK gives to the same request, and everything else
 * (initialize, notifications, pings, malformed or unusual requests, unknown tools) goes to the SDK.
 * Web-standard: no Node built-in is imported here.
 */
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';

import type { Invoke } from './contract.js';
import {
  callTool,
  IDEMPOTENCY_KEY_META,
  type PreparedServer,
  type PreparedTool,
  type ToolCallContext,
} from './mcp-server.js';
import { markMcpRequest } from './telemetry.js';

/** A request the fast path answers. */
export type FastRequest =
  | { method: 'tools/list'; id: string | number }
  | {
      method: 'tools/call';
      id: string | number;
      tool: PreparedTool;
      args: Record<string, unknown>;
      idempotencyKey: unknown;
    };

/** What the fast path needs of the HTTP request: its headers (lower-case names). */
export interface HeaderView {
  header(name: string): string | undefined;
}

/**
 * The request, when the fast path can answer it: the headers the SDK's transport checks have plain
 * values (it accepts JSON and SSE, sends JSON, speaks a supported protocol version) and the message
 * is a plain `tools/list` or `tools/call` of a known tool. Undefined sends it to the SDK.
 */
export function fastRequest(
  message: unknown,
  headers: HeaderView,
  prepared: PreparedServer,
): FastRequest | undefined {
  if (!isRecord(message) || message.jsonrpc !== '2.0' || !onlyKeys(message, MESSAGE_KEYS))
    return undefined;
  const id = message.id;
  if (typeof id !== 'string' && !Number.isInteger(id)) return undefined;
  const params = message.params === undefined ? {} : message.params;
  if (!isRecord(params) || !plainHeaders(headers)) return undefined;
  if (message.method === 'tools/list') {
    const cursor = params.cursor;
    if (!onlyKeys(params, LIST_KEYS) || (cursor !== undefined && typeof cursor !== 'string'))
      return undefined;
    return { method: 'tools/list', id: id as string | number };
  }
  if (message.method !== 'tools/call' || !onlyKeys(params, CALL_KEYS)) return undefined;
  const tool = typeof params.name === 'string' ? prepared.tools.get(params.name) : undefined;
  const args = params.arguments === undefined ? {} : params.arguments;
  const meta = params._meta === undefined ? {} : params._meta;
  if (tool === undefined || !isRecord(args) || !isRecord(meta) || !onlyKeys(meta, META_KEYS))
    return undefined;
  return {
    method: 'tools/call',
    id: id as string | number,
    tool,
    args,
    idempotencyKey: meta[IDEMPOTENCY_KEY_META],
  };
}

/** The JSON-RPC response to a fast request, as JSON text (what the SDK would send). */
export async function answerFast(
  request: FastRequest,
  prepared: PreparedServer,
  invoke: Invoke,
  ctx: Omit<ToolCallContext, 'idempotencyKey'>,
): Promise<string> {
  const id = JSON.stringify(request.id);
  if (request.method === 'tools/list')
    return `{"result":{"tools":${listingJson(prepared)}},"jsonrpc":"2.0","id":${id}}`;
  const answer = await callTool(request.tool, request.args, invoke, {
    ...ctx,
    idempotencyKey: request.idempotencyKey,
  });
  const text = `{"type":"text","text":${JSON.stringify(answer.text)}}`;
  // A successful answer's text is a JSON object: it is also the structured content, as it is; a
  // binary answer has its embedded resource instead.
  const result = answer.isError
    ? `{"content":[${text}],"isError":true}`
    : answer.resource !== undefined
      ? `{"content":[${text},{"type":"resource","resource":${JSON.stringify(answer.resource)}}]}`
      : `{"content":[${text}],"structuredContent":${answer.text}}`;
  return `{"result":${result},"jsonrpc":"2.0","id":${id}}`;
}

/**
 * Names the inbound request's SERVER span after its JSON-RPC method and, for `tools/call` of a
 * known tool, the tool. Methods outside MCP's own are `_OTHER`, unknown tools are left out: span
 * names and metric labels stay bounded whatever a client sends.
 */
export function markInbound(
  message: unknown,
  fast: FastRequest | undefined,
  prepared: PreparedServer,
): void {
  if (fast !== undefined) {
    markMcpRequest(fast.method, fast.method === 'tools/call' ? fast.tool.spec.name : undefined);
    return;
  }
  const method =
    isRecord(message) && typeof message.method === 'string' && MCP_METHODS.has(message.method)
      ? message.method
      : '_OTHER';
  const params = isRecord(message) ? message.params : undefined;
  const name = isRecord(params) ? params.name : undefined;
  const tool =
    method === 'tools/call' && typeof name === 'string' && prepared.tools.has(name)
      ? name
      : undefined;
  markMcpRequest(method, tool);
}

/** The requests and notifications an MCP client sends a server. */
const MCP_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
]);

const listings = new WeakMap<PreparedServer, string>();

/** The `tools/list` answer's tools as JSON, serialised once per server. */
function listingJson(prepared: PreparedServer): string {
  let json = listings.get(prepared);
  if (json === undefined) {
    json = JSON.stringify(prepared.listing);
    listings.set(prepared, json);
  }
  return json;
}

const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const LIST_KEYS = new Set(['cursor']);
const CALL_KEYS = new Set(['name', 'arguments', '_meta']);
const META_KEYS = new Set([IDEMPOTENCY_KEY_META]);

/** Headers the SDK's transport would accept as they are (else it answers, with its own errors). */
function plainHeaders(headers: HeaderView): boolean {
  const accept = headers.header('accept');
  const contentType = headers.header('content-type');
  const version = headers.header('mcp-protocol-version');
  return (
    accept !== undefined &&
    accept.includes('application/json') &&
    accept.includes('text/event-stream') &&
    contentType !== undefined &&
    JSON_MEDIA_TYPE.test(contentType) &&
    (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  );
}

/** `application/json`, with at most a charset parameter. */
const JSON_MEDIA_TYPE = /^application\/json(\s*;\s*charset=("?)utf-8\2)?$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(value)) if (!allowed.has(key)) return false;
  return true;
}
