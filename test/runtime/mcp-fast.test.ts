/**
 * The MCP server's stateless fast path (mcp-dispatch.ts) against the SDK's own `Server` and
 * transport: every request below is sent to a handler with the fast path and to one without it, and
 * the two answers must be the same (status, content type, JSON body). The fast path must also really
 * be taken for plain `tools/call` and `tools/list` requests, and only for those.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { JsonValue } from '../../templates/runtime/contract.js';
import {
  createMcpFetchHandler,
  type Invoke,
  type McpServerSpec,
} from '../../templates/runtime/mcp.js';
import { fakeInvoke, fixtureSpec } from '../fixtures/mcp-fixture.js';

/** An upstream answer as received: pretty-printed JSON, which a tool returning it as is passes on. */
const UPSTREAM_TEXT = '{\n  "id": "cus_raw",\n  "object": "customer",\n  "name": "Zoë \\u00e9"\n}';

/** The fixture, plus a tool whose result is the upstream body unchanged (`json` bytes given). */
function spec(): McpServerSpec {
  const base = fixtureSpec();
  return {
    ...base,
    tools: [
      ...base.tools,
      {
        name: 'raw_customer',
        description: 'Returns the upstream body as it is.',
        annotations: base.tools[0].annotations,
        inputSchema: { type: 'object', properties: {}, additionalProperties: false },
        call: { id: 'stripe.RawCustomer', method: 'GET', path: '/v1/raw', params: [] },
        with: {},
        output: [{ kind: 'path', path: '$.' }],
      },
      {
        // Another mode (steps, mock outputs, functions): a runner instead of a call.
        name: 'run_greeting',
        description: 'Answers from its runner, not from one upstream call.',
        annotations: base.tools[0].annotations,
        inputSchema: {
          type: 'object',
          properties: { name: { type: 'string' } },
          required: ['name'],
          additionalProperties: false,
        },
        run: {
          run: async (inputs, runInvoke, context) => {
            const customer = await runInvoke(
              base.tools[0].call!,
              { id: 'cus_1' },
              { signal: context.signal },
            );
            return {
              greeting: `Hello, ${String(inputs.name)}!`,
              upstream: customer.data as JsonValue,
            };
          },
        },
      },
    ],
    resources: [
      {
        name: 'customer',
        uri: 'data://customers/{id}',
        description: 'A customer, read on request.',
        call: base.tools[0].call!,
        with: { id: { input: 'id' } },
      },
    ],
    prompts: [
      {
        name: 'greet',
        description: 'Greets someone.',
        arguments: [{ name: 'who', required: true }],
        messages: [{ role: 'user', content: 'Say hello to {{who}}.' }],
      },
    ],
  };
}

function invoke(): Invoke {
  const fake = fakeInvoke();
  const wrapped: Invoke = async (operation, params, context) => {
    if (operation.id !== 'stripe.RawCustomer') return fake(operation, params, context);
    return {
      status: 200,
      data: JSON.parse(UPSTREAM_TEXT) as JsonValue,
      json: new TextEncoder().encode(UPSTREAM_TEXT),
    };
  };
  return wrapped;
}

const HEADERS = {
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
};

async function send(
  handler: (request: Request) => Promise<Response>,
  body: unknown,
  headers: Record<string, string> = HEADERS,
) {
  const response = await handler(
    new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: text === '' ? null : (JSON.parse(text) as unknown),
  };
}

const call = (name: string, args?: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name, ...(args === undefined ? {} : { arguments: args }), ...extra },
});

/** Plain requests: the fast path answers these. */
const FAST: Array<[string, unknown, Record<string, string>?]> = [
  ['tools/list', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }],
  ['tools/list without params, string id', { jsonrpc: '2.0', id: 'a-1', method: 'tools/list' }],
  [
    'tools/list with a cursor',
    { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'x' } },
  ],
  ['a mapped object', call('get_customer', { id: 'cus_9' })],
  ['a literal and arguments', call('create_customer', { email: 'a@b.c', plan: 'pro', seats: 3 })],
  ['a non-object output, wrapped', call('list_customer_ids', {})],
  ['no arguments at all', call('list_customer_ids')],
  ['the upstream body as received', call('raw_customer', {})],
  ['a tool with a runner (another mode)', call('run_greeting', { name: 'Ada' })],
  ['invalid arguments', call('create_customer', { email: 5, plan: 'gold', extra: true })],
  ['an upstream API error', call('charge_card', {})],
  ['an unreachable upstream', call('offline', {})],
  ['a timeout', call('slow', {})],
  ['missing credentials', call('no_key', {})],
  [
    'a valid idempotency key',
    call('create_customer', { email: 'a@b.c' }, { _meta: { idempotencyKey: 'k-1' } }),
  ],
  [
    'an invalid idempotency key',
    call('create_customer', { email: 'a@b.c' }, { _meta: { idempotencyKey: 'k'.repeat(300) } }),
  ],
  [
    'a supported protocol version header',
    call('get_customer', { id: 'cus_1' }),
    { ...HEADERS, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION },
  ],
  [
    'JSON with a charset',
    call('get_customer', { id: 'cus_1' }),
    { ...HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
  ],
];

/** Anything else: the SDK answers (the fast path must send these on, unchanged). */
const SDK: Array<[string, unknown, Record<string, string>?]> = [
  [
    'initialize',
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '1' },
      },
    },
  ],
  ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }],
  ['ping', { jsonrpc: '2.0', id: 3, method: 'ping' }],
  ['an unknown method', { jsonrpc: '2.0', id: 4, method: 'completion/complete', params: {} }],
  ['resources/list', { jsonrpc: '2.0', id: 8, method: 'resources/list', params: {} }],
  [
    'resources/templates/list',
    { jsonrpc: '2.0', id: 9, method: 'resources/templates/list', params: {} },
  ],
  [
    'resources/read',
    {
      jsonrpc: '2.0',
      id: 10,
      method: 'resources/read',
      params: { uri: 'data://customers/cus_7' },
    },
  ],
  ['prompts/list', { jsonrpc: '2.0', id: 11, method: 'prompts/list', params: {} }],
  [
    'prompts/get',
    {
      jsonrpc: '2.0',
      id: 12,
      method: 'prompts/get',
      params: { name: 'greet', arguments: { who: 'Ada' } },
    },
  ],
  ['an unknown tool', call('nope', {})],
  ['a tool name that is not a string', call(5 as unknown as string, {})],
  ['arguments that are not an object', call('get_customer', ['cus_1'])],
  ['null arguments', call('get_customer', null)],
  ['null params', { jsonrpc: '2.0', id: 5, method: 'tools/list', params: null }],
  ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'tools/list', params: {} }],
  ['a null id', { jsonrpc: '2.0', id: null, method: 'tools/list', params: {} }],
  ['no jsonrpc member', { id: 1, method: 'tools/list', params: {} }],
  ['an extra member', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {}, extra: 1 }],
  ['a progress token', call('get_customer', { id: 'cus_1' }, { _meta: { progressToken: 'p' } })],
  ['a task', call('get_customer', { id: 'cus_1' }, { task: { ttl: 1000 } })],
  [
    'a cursor that is not a string',
    { jsonrpc: '2.0', id: 6, method: 'tools/list', params: { cursor: 1 } },
  ],
  [
    'an unsupported protocol version',
    call('get_customer', { id: 'cus_1' }),
    { ...HEADERS, 'mcp-protocol-version': '1999-01-01' },
  ],
  [
    'no text/event-stream in Accept',
    call('get_customer', { id: 'cus_1' }),
    { ...HEADERS, Accept: 'application/json' },
  ],
  [
    'another Content-Type',
    call('get_customer', { id: 'cus_1' }),
    { ...HEADERS, 'Content-Type': 'text/plain' },
  ],
];

describe('MCP fast path: the same answers as the SDK', () => {
  afterEach(() => vi.restoreAllMocks());

  const fast = createMcpFetchHandler(spec(), invoke(), { env: {} });
  const sdk = createMcpFetchHandler(spec(), invoke(), { env: {}, fastPath: false });

  it.each(FAST)(
    '%s: answered without an SDK Server, as the SDK answers',
    async (_name, body, headers) => {
      const connect = vi.spyOn(Server.prototype, 'connect');
      const ours = await send(fast, body, headers);
      expect(connect).not.toHaveBeenCalled();
      const theirs = await send(sdk, body, headers);
      expect(connect).toHaveBeenCalledTimes(1);
      expect(ours).toEqual(theirs);
      expect(ours.status).toBe(200);
    },
  );

  it.each(SDK)('%s: left to the SDK', async (_name, body, headers) => {
    const connect = vi.spyOn(Server.prototype, 'connect');
    const ours = await send(fast, body, headers);
    expect(connect).toHaveBeenCalledTimes(1);
    expect(ours).toEqual(await send(sdk, body, headers));
  });

  it('passes an upstream body that is the result on as received: text as sent, structuredContent parsed', async () => {
    const { body } = await send(fast, call('raw_customer', {}));
    const result = (
      body as { result: { content: Array<{ text: string }>; structuredContent: unknown } }
    ).result;
    expect(result.content[0].text).toBe(UPSTREAM_TEXT);
    expect(result.structuredContent).toEqual({ id: 'cus_raw', object: 'customer', name: 'Zoë é' });
  });

  it('serves resources, prompts and runner tools with their results (not errors) beside it', async () => {
    const read = await send(fast, SDK.find(([name]) => name === 'resources/read')![1]);
    expect(read.body).toMatchObject({
      result: { contents: [{ uri: 'data://customers/cus_7', mimeType: 'application/json' }] },
    });
    const prompt = await send(fast, SDK.find(([name]) => name === 'prompts/get')![1]);
    expect(prompt.body).toMatchObject({
      result: {
        messages: [{ role: 'user', content: { type: 'text', text: 'Say hello to Ada.' } }],
      },
    });
    const run = await send(fast, call('run_greeting', { name: 'Ada' }));
    expect(run.body).toMatchObject({
      result: { structuredContent: { greeting: 'Hello, Ada!' } },
    });
  });
});
