/**
 * The signal a server on node:http gives each upstream call (`InvokeContext.signal`): the
 * connection's, shared by its requests, for an `Invoke` that says it removes its listeners (the
 * generated clients' `invoke` does, and really leaves none behind); a signal per request for any
 * other. Either way a caller that hangs up cancels its call.
 */
import { getEventListeners } from 'node:events';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { FOLLOWERS, type FollowedSignal } from '../../templates/runtime/cancellation.js';
import { ApiClient } from '../../templates/runtime/client.js';
import type { ApiSpec, Invoke, OperationSpec } from '../../templates/runtime/contract.js';
import { serveMcpHttp } from '../../templates/runtime/node-mcp.js';
import { serveRest } from '../../templates/runtime/node-rest.js';
import { invokeThrough } from '../../templates/runtime/operation.js';
import { createRestHandler, type RestAdapterSpec } from '../../templates/runtime/rest.js';
import type { McpServerSpec } from '../../templates/runtime/mcp.js';
import { fakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

const OPERATION: OperationSpec = {
  id: 'things.list',
  method: 'GET',
  path: '/v1/things',
  params: [],
};

const REST: RestAdapterSpec = {
  namespace: 'things-rest',
  routes: [
    {
      path: '/things',
      method: 'GET',
      operationName: 'list',
      inputs: [],
      call: OPERATION,
      with: {},
    },
  ],
};

const MCP: McpServerSpec = {
  name: 'things-mcp',
  version: '1.0.0',
  tools: [
    {
      name: 'list-things',
      description: 'Lists things.',
      annotations: {
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      },
      inputSchema: { type: 'object', properties: {} },
      call: OPERATION,
      with: {},
    },
  ],
};

let upstream: FakeUpstream;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  upstream = await fakeUpstream();
});
afterEach(async () => {
  upstream.reset();
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(() => upstream.close());

/** The generated clients' invoke against the fake upstream, recording the signals it is given. */
function clientInvoke(seen: AbortSignal[]): Invoke {
  const api: ApiSpec = {
    namespace: 'things',
    baseUri: upstream.url,
    baseUriEnv: 'THINGS_BASE_URI',
    auth: { type: 'none' },
  };
  const inner = invokeThrough({ things: new ApiClient(api, { maxRetries: 0 }) });
  expect(inner.releasesSignal).toBe(true);
  const invoke: Invoke = (operation, params, context) => {
    if (context.signal) seen.push(context.signal);
    return inner(operation, params, context);
  };
  invoke.releasesSignal = inner.releasesSignal;
  return invoke;
}

/** An invoke that says nothing about its listeners, and hangs until its signal aborts. */
function hangingInvoke(seen: AbortSignal[]): Invoke {
  return (_operation, _params, context) =>
    new Promise((_resolve, reject) => {
      const signal = context.signal as AbortSignal;
      seen.push(signal);
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
}

async function rest(invoke: Invoke): Promise<string> {
  const server = await serveRest(createRestHandler(REST, invoke, { log: () => {} }), {
    port: 0,
    host: '127.0.0.1',
    log: false,
  });
  closers.push(server.close);
  return `${server.url}/things`;
}

async function mcp(invoke: Invoke): Promise<string> {
  const server = await serveMcpHttp(MCP, invoke, { port: 0, env: {}, log: () => {} });
  closers.push(server.close);
  return server.url;
}

const CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'list-things', arguments: {} },
});

/** One request on `agent` (keep-alive: requests share a connection), answered with its status. */
function send(agent: http.Agent, url: string, post: boolean): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: post ? 'POST' : 'GET',
        agent,
        headers: post
          ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
          : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(post ? CALL : undefined);
  });
}

/** Sends a request and closes its connection once the server has called `invoke`. */
async function hangUp(url: string, post: boolean, seen: AbortSignal[]): Promise<void> {
  const target = new URL(url);
  const socket = await new Promise<import('node:net').Socket>((resolve) => {
    const req = http.request({
      hostname: target.hostname,
      port: target.port,
      path: target.pathname,
      method: post ? 'POST' : 'GET',
      agent: false,
      headers: post
        ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
        : {},
    });
    req.on('error', () => undefined);
    req.on('socket', resolve);
    req.end(post ? CALL : undefined);
  });
  await expect.poll(() => seen.length).toBe(1);
  socket.destroy();
  await expect.poll(() => seen[0].aborted).toBe(true);
}

describe.each([
  { server: 'REST adapter', start: rest, post: false },
  { server: 'MCP server', start: mcp, post: true },
])('$server on node:http', ({ start, post }) => {
  it("shares the connection's signal with the generated client's invoke, which leaves no listener on it", async () => {
    const seen: AbortSignal[] = [];
    const url = await start(clientInvoke(seen));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) expect(await send(agent, url, post)).toBe(200);
    } finally {
      agent.destroy();
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(1);
    // The client's attempts follow the signal through its set of followers, and leave both empty.
    expect(getEventListeners(seen[0], 'abort')).toHaveLength(0);
    expect((seen[0] as FollowedSignal)[FOLLOWERS]?.size).toBe(0);
    expect(upstream.seen).toHaveLength(5);
  });

  it("cancels the client's upstream call when the caller hangs up", async () => {
    let upstreamClosed = false;
    upstream.handle((_seen, _res, req) => {
      req.socket.once('close', () => (upstreamClosed = true)); // never answered
    });
    const seen: AbortSignal[] = [];
    await hangUp(await start(clientInvoke(seen)), post, seen);
    await expect.poll(() => upstreamClosed).toBe(true);
  });

  it('gives any other invoke a signal per request', async () => {
    const seen: AbortSignal[] = [];
    const invoke: Invoke = (operation, params, context) => {
      if (context.signal) seen.push(context.signal);
      return Promise.resolve({ data: { ok: true }, status: 200 });
    };
    const url = await start(invoke);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 3; i++) expect(await send(agent, url, post)).toBe(200);
    } finally {
      agent.destroy();
    }
    expect(new Set(seen).size).toBe(3);
  });

  it('aborts the signal when the caller hangs up (per request)', async () => {
    const seen: AbortSignal[] = [];
    await hangUp(await start(hangingInvoke(seen)), post, seen);
  });

  it('aborts the signal when the caller hangs up (shared with the connection)', async () => {
    const seen: AbortSignal[] = [];
    const invoke = hangingInvoke(seen);
    invoke.releasesSignal = true;
    await hangUp(await start(invoke), post, seen);
  });
});
