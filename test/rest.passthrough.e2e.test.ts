/**
 * The generated REST adapter passes a 2xx JSON answer on as the upstream sent it when its output is
 * the upstream body (`mapping: $.`): the same bytes, not parsed and serialised again. What must
 * still hold: a credential in the answer, in any of its encodings, is redacted (the answer then takes
 * the decoding path); an answer that is not a JSON document is refused as before; a route that maps
 * the output still parses and maps it; an operation with a non-JSON output format has its answer
 * converted, even one declared JSON. Against a fake upstream on 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKOUT_SESSIONS_API,
  createCheckoutSessionsClient,
} from '../generated/checkout-sessions/client.js';
import { REST_ADAPTER } from '../generated/checkout-sessions/rest.js';
import { ApiClient, type ClientOptions } from '../generated/runtime/client.js';
import type { Invoke, OperationSpec, OutputFormat } from '../generated/runtime/contract.js';
import { invokeThrough } from '../generated/runtime/operation.js';
import { serveRest, type RestServer } from '../generated/runtime/node-rest.js';
import { createForwarder } from '../generated/runtime/rest-forward.js';
import { createRestHandler, type RestAdapterSpec } from '../generated/runtime/rest.js';
import { fakeUpstream, type FakeUpstream, type Handler } from './helpers/fake-upstream.js';

/** A credential whose variable name would not look secret: it is redacted by value. */
const CREDENTIAL = 'plain-credential-0123456789abcdef';
/** One that each encoding changes. */
const SPECIAL = 'key/with space+"quote"&0123456789';
const SESSIONS = '/v1/v1/checkout/sessions';

let upstream: FakeUpstream;
const servers: RestServer[] = [];

/** The adapter as generated, or with its routes changed by `routes`. */
async function adapter(
  routes: (spec: RestAdapterSpec) => RestAdapterSpec = (spec) => spec,
  apiKey = CREDENTIAL,
): Promise<RestServer> {
  const options: ClientOptions = { apiKey, baseUri: upstream.url, maxRetries: 0 };
  const handler = createRestHandler(
    routes(REST_ADAPTER),
    createCheckoutSessionsClient(options).invoke,
  );
  const server = await serveRest(handler, { port: 0, host: '127.0.0.1', log: false });
  servers.push(server);
  return server;
}

/** The upstream answers `body` as it is, declared JSON unless told otherwise. */
const raw =
  (body: string | Buffer, contentType = 'application/json'): Handler =>
  (_seen, res) => {
    res.writeHead(200, { 'content-type': contentType, 'request-id': 'req_raw' });
    res.end(body);
  };

async function get(server: RestServer, target = `${SESSIONS}?limit=3`) {
  const response = await fetch(`${server.url}${target}`);
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

beforeAll(async () => {
  upstream = await fakeUpstream();
});
afterEach(async () => {
  upstream.reset();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => upstream.close());

describe('an answer that is the upstream body', () => {
  it('is passed on byte for byte: layout, key order, duplicate keys and big integers kept', async () => {
    const body =
      '{\n  "object": "list",\n  "b": 1, "a": 2, "a": 3,\n  "big": 12345678901234567890123,\n  "data": [],\n  "name": "Zo\\u00eb 😀"\n}\n';
    upstream.handle(raw(body));
    const server = await adapter();
    const answer = await get(server);
    expect(answer.status).toBe(200);
    expect(answer.bytes.toString('utf8')).toBe(body);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(answer.headers.get('x-upstream-request-id')).toBe('req_raw');
  });

  it.each([
    ['as it is', CREDENTIAL, CREDENTIAL],
    ['URL-encoded', SPECIAL, encodeURIComponent(SPECIAL)],
    ['JSON-escaped', SPECIAL, JSON.stringify(SPECIAL).slice(1, -1)],
  ])(
    'still has the credential redacted when the upstream echoes it (%s)',
    async (how, credential, echoed) => {
      const body = `{"object":"list","data":[],"echo":"key ${echoed} here"}`;
      expect(body.includes(echoed)).toBe(true);
      upstream.handle(raw(body));
      const server = await adapter(undefined, credential);
      const answer = await get(server);
      expect(answer.status).toBe(200);
      const text = answer.bytes.toString('utf8');
      expect(text, how).not.toContain(echoed);
      expect(JSON.parse(text).echo).toBe('key [REDACTED] here');
    },
  );

  it('is refused as before when it is declared JSON but is not a JSON document', async () => {
    upstream.handle(raw('<html>Bad gateway</html>'));
    const server = await adapter();
    const answer = await get(server);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.bytes.toString('utf8')).error.type).toBe('api_error');
  });

  it('is decoded and answered as JSON as before when it is not declared JSON', async () => {
    upstream.handle(raw('{"object":"list","data":[]}', 'text/plain'));
    const server = await adapter();
    const answer = await get(server);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.bytes.toString('utf8'))).toEqual({ object: 'list', data: [] });
  });

  it('is passed on unparsed: a body malformed inside its braces reaches the caller as sent, as through a proxy', async () => {
    upstream.handle(raw('{"object": "list", "data": [1, 2,]}'));
    const server = await adapter();
    const answer = await get(server);
    expect(answer.status).toBe(200);
    expect(answer.bytes.toString('utf8')).toBe('{"object": "list", "data": [1, 2,]}');
  });
});

describe('an answer with an output mapping', () => {
  it('is parsed and mapped (only the identity passes through)', async () => {
    upstream.handle(raw('{ "object": "list", "data": [ {"id": "cs_1"} ] }'));
    const server = await adapter((spec) => ({
      ...spec,
      routes: spec.routes.map((route) => ({
        ...route,
        output: [{ kind: 'path', path: '$.data[0].id' }],
      })),
    }));
    const answer = await get(server);
    expect(answer.status).toBe(200);
    expect(answer.bytes.toString('utf8')).toBe('"cs_1"');
  });
});

/** The generated adapter over a client whose operations are changed by `change`. */
async function adapterWithOperations(
  change: (operation: OperationSpec) => OperationSpec,
): Promise<RestServer> {
  const options: ClientOptions = { apiKey: CREDENTIAL, baseUri: upstream.url, maxRetries: 0 };
  const through = invokeThrough({
    [CHECKOUT_SESSIONS_API.namespace]: new ApiClient(CHECKOUT_SESSIONS_API, options),
  });
  const invoke: Invoke = Object.assign(
    (...[operation, params, context]: Parameters<Invoke>) =>
      through(change(operation), params, context),
    through,
  );
  const server = await serveRest(createRestHandler(REST_ADAPTER, invoke), {
    port: 0,
    host: '127.0.0.1',
    log: false,
  });
  servers.push(server);
  return server;
}

describe('an answer the client does not take as JSON', () => {
  it('is converted when the operation has a non-JSON output format, even one declared JSON', async () => {
    const body = '{"object":"list","data":[]}';
    upstream.handle(raw(body));
    const output: OutputFormat = {
      format: 'yaml',
      accept: 'application/yaml',
      decode: ({ text }) => ({ converted: text }),
    };
    const answer = await get(await adapterWithOperations((op) => ({ ...op, output })));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.bytes.toString('utf8'))).toEqual({ converted: body });
    expect(upstream.seen[0].headers.accept).toBe('application/yaml');
  });

  it('passes through as bytes with its own media type when the operation is binary', async () => {
    const body = '{"object":"list","data":[]}';
    upstream.handle(raw(body));
    const server = await adapterWithOperations((op) => ({ ...op, binaryResponse: true }));
    const answer = await get(server);
    expect(answer.status).toBe(200);
    expect(answer.bytes.toString('utf8')).toBe(body);
    expect(answer.headers.get('content-type')).toBe('application/json');
  });
});

describe('a forwarded resource on node:http (the engine served directly)', () => {
  /** The generated adapter plus a forward of /fwd/<rest> to the upstream, with a bearer credential. */
  async function forwarding(): Promise<RestServer> {
    const forward = createForwarder(
      [
        {
          prefix: '/fwd/',
          param: 'rest',
          api: {
            namespace: 'up',
            baseUri: `${upstream.url}/base`,
            baseUriEnv: 'UP_BASE_URI',
            auth: { type: 'bearer', token: [{ env: 'UP_TOKEN' }] },
          },
          trustedHeaders: ['x-trace'],
          headers: [],
        },
      ],
      { apiKey: CREDENTIAL, env: {} },
    );
    const options: ClientOptions = { apiKey: CREDENTIAL, baseUri: upstream.url, maxRetries: 0 };
    const handler = createRestHandler(
      { ...REST_ADAPTER, forward },
      createCheckoutSessionsClient(options).invoke,
    );
    const server = await serveRest(handler, { port: 0, host: '127.0.0.1', log: false });
    servers.push(server);
    return server;
  }

  it('passes a POST body on as bytes and streams the answer back, the credential redacted', async () => {
    upstream.handle((seen, res) => {
      res.writeHead(201, {
        'content-type': 'text/plain',
        'x-echo': seen.headers.authorization ?? '',
      });
      res.write('got ');
      res.end(`${seen.body} with ${seen.headers.authorization ?? 'nothing'}`);
    });
    const server = await forwarding();
    const response = await fetch(`${server.url}/fwd/things/1?x=y`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-trace': 't-1', 'x-other': 'dropped' },
      body: 'raw bytes \u00e9',
    });
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('got raw bytes \u00e9 with Bearer [REDACTED]');
    expect(response.headers.get('x-echo')).toBe('Bearer [REDACTED]');
    const seen = upstream.seen[0];
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/base/things/1?x=y');
    expect(seen.body).toBe('raw bytes \u00e9');
    expect(seen.headers.authorization).toBe(`Bearer ${CREDENTIAL}`);
    expect(seen.headers['x-trace']).toBe('t-1');
    expect(seen.headers['x-other']).toBeUndefined();
  });

  it('leaves declared routes to the engine, and refuses dot segments before any upstream call', async () => {
    upstream.handle(raw('{"object":"list","data":[]}'));
    const server = await forwarding();
    expect((await get(server)).status).toBe(200);
    const dots = await fetch(`${server.url}/fwd/%2e%2e%2fadmin`);
    expect(dots.status).toBe(400);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/checkout/sessions?limit=3']);
  });
});
