/**
 * The modes beyond one call in the `workers` target: one capability with an orchestrated route and
 * tool (call → call, mappings), a mock route, a forwarded resource, MCP resources (a fixed URI and a
 * template) and a prompt, generated with `targets: [workers]`, bundled and run in workerd through
 * miniflare (test/helpers/worker.ts) against a fake upstream on 127.0.0.1. A static resource reads
 * files from a folder, which a Worker does not have: it answers a JSON-RPC error, and the Worker
 * keeps serving.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../generator/cli.js';
import { startFakeUpstream, type RecordingUpstream } from '../helpers/fake-upstream.js';
import { startWorker, type RunningWorker } from '../helpers/worker.js';

const FLEET_KEY = 'fleet-key-for-the-worker-0123';

const capability = (docs: string) => `naftiko: "1.0.0-alpha3"
info:
  label: "Fleet"
  description: "Voyages and ships, for the Worker's modes test."
binds:
  - namespace: env
    keys:
      FLEET_KEY: FLEET_KEY
capability:
  aggregates:
    - label: "Greeting"
      namespace: "greeting"
      functions:
        - name: "hello"
          description: "A greeting from its input, without an upstream."
          inputParameters:
            - name: "name"
              type: "string"
              description: "Name to greet."
          outputParameters:
            - name: "message"
              type: "string"
              value: "Hello, {{name}}!"
  exposes:
    - type: "rest"
      address: "localhost"
      port: 9310
      namespace: "fleet-rest"
      resources:
        - path: "/voyages/{{voyageId}}/summary"
          name: "voyage-summary"
          operations:
            - method: "GET"
              name: "voyage-summary"
              inputParameters:
                - name: "voyageId"
                  in: "path"
                  type: "string"
                  description: "The voyage."
              steps:
                - type: call
                  name: voyage
                  call: fleet.get-voyage
                  with:
                    voyageId: "{{voyageId}}"
                - type: call
                  name: ship
                  call: fleet.get-ship
                  with:
                    shipId: "{{voyage.shipId}}"
              mappings:
                - targetName: "voyage.id"
                  value: "$.voyage.id"
                - targetName: "ship.name"
                  value: "$.ship.name"
        - path: "/hello"
          name: "hello"
          operations:
            - method: "GET"
              name: "hello"
              ref: "greeting.hello"
              inputParameters:
                - name: "name"
                  in: "query"
                  type: "string"
                  description: "Name to greet."
        - path: "/raw/{{path}}"
          forward:
            targetNamespace: fleet
            trustedHeaders:
              - X-Trace
    - type: "mcp"
      address: "localhost"
      port: 9311
      namespace: "fleet-mcp"
      description: "Fleet tools, resources and prompts."
      tools:
        - name: "voyage-summary"
          description: "A voyage and its ship."
          inputParameters:
            - name: "voyageId"
              type: "string"
              description: "The voyage."
          steps:
            - type: call
              name: voyage
              call: fleet.get-voyage
              with:
                voyageId: "{{voyageId}}"
            - type: call
              name: ship
              call: fleet.get-ship
              with:
                shipId: "{{voyage.shipId}}"
          mappings:
            - targetName: "ship"
              value: "$.ship.name"
      resources:
        - name: "ship-list"
          label: "Ships"
          uri: "data://fleet/ships"
          description: "Every ship."
          mimeType: "application/json"
          call: "fleet.get-ship"
          with:
            shipId: "all"
        - name: "ship"
          label: "Ship"
          uri: "data://fleet/ships/{shipId}"
          description: "One ship."
          mimeType: "application/json"
          call: "fleet.get-ship"
          with:
            shipId: "{{shipId}}"
        - name: "docs"
          label: "Docs"
          uri: "docs://fleet"
          description: "Files of a folder."
          location: ${JSON.stringify(docs)}
      prompts:
        - name: "brief"
          label: "Brief"
          description: "Brief a captain."
          arguments:
            - name: "captain"
              description: "Who."
          template:
            - role: "user"
              content: "Brief {{captain}} on the fleet."
  consumes:
    - type: "http"
      namespace: "fleet"
      baseUri: "http://localhost:1/v1"
      authentication:
        type: "bearer"
        token: "{{FLEET_KEY}}"
      resources:
        - path: "voyages/{{voyageId}}"
          name: "voyages"
          operations:
            - method: "GET"
              name: "get-voyage"
        - path: "ships/{{shipId}}"
          name: "ships"
          operations:
            - method: "GET"
              name: "get-ship"
`;

let dir: string;
let upstream: RecordingUpstream;
let worker: RunningWorker;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-worker-modes-'));
  fs.mkdirSync(path.join(dir, 'specs'));
  fs.mkdirSync(path.join(dir, 'docs'));
  fs.writeFileSync(path.join(dir, 'docs/readme.md'), '# Fleet\n');
  fs.writeFileSync(
    path.join(dir, 'specs/fleet.yaml'),
    capability(pathToFileURL(path.join(dir, 'docs')).href),
  );
  fs.writeFileSync(path.join(dir, 'capgen.config.yaml'), 'targets: [node, workers]\n');
  let stderr = '';
  const code = await runCli(['generate', '--out', 'out'], {
    cwd: dir,
    stdout: () => {},
    stderr: (text) => (stderr += text),
    color: false,
  });
  if (code !== 0) throw new Error(`capgen generate failed (${code}):\n${stderr}`);
  upstream = await startFakeUpstream(({ url }) => {
    const [, , kind, id] = url.pathname.split('/');
    if (kind === 'voyages') return { json: { id, shipId: 'ship-7' } };
    if (kind === 'ships') return { json: { id, name: `Ship ${id}` } };
    return { status: 418, json: { forwarded: url.pathname } };
  });
  worker = await startWorker(path.join(dir, 'out/fleet'), {
    FLEET_BASE_URI: `${upstream.url}/v1`,
    FLEET_KEY,
  });
}, 120_000);

afterAll(async () => {
  await worker?.mf.dispose();
  await upstream?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function rpc(method: string, params: Record<string, unknown> = {}) {
  const response = await worker.send('/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { result?: any; error?: { code: number; message: string } };
}

describe('orchestrations, mocks, forwards, resources and prompts in workerd (miniflare)', () => {
  it('the bundle imports no Node built-in; the upstream base URI and key are bindings', () => {
    expect(worker.bundleImports.filter((p) => p.startsWith('node:'))).toEqual([]);
    expect(worker.wrangler.compatibility_flags).toBeUndefined();
    expect(Object.keys(worker.wrangler.vars)).toEqual(['FLEET_BASE_URI']);
    expect(worker.wrangler.secrets?.required).toEqual(['FLEET_KEY']);
  });

  it('REST: an orchestrated route runs both calls, with the key, and maps the result', async () => {
    const before = upstream.seen.length;
    const response = await worker.send('/voyages/v-1/summary');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ voyage: { id: 'v-1' }, ship: { name: 'Ship ship-7' } });
    const seen = upstream.seen.slice(before);
    expect(seen.map((s) => s.url.pathname)).toEqual(['/v1/voyages/v-1', '/v1/ships/ship-7']);
    expect(seen.every((s) => s.headers.authorization === `Bearer ${FLEET_KEY}`)).toBe(true);
  });

  it('REST: a mock route answers from its inputs without an upstream call', async () => {
    const before = upstream.seen.length;
    const response = await worker.send('/hello?name=Nina');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Hello, Nina!' });
    expect(upstream.seen.length).toBe(before);
  });

  it('REST: a forwarded resource passes status, body and trusted headers; `..` never leaves', async () => {
    const before = upstream.seen.length;
    const response = await worker.send('/raw/reports/2026?q=1', {
      headers: { 'x-trace': 't-1', 'x-other': 'dropped' },
    });
    expect(response.status).toBe(418);
    expect(await response.json()).toEqual({ forwarded: '/v1/reports/2026' });
    const [seen] = upstream.seen.slice(before);
    expect(seen.url.search).toBe('?q=1');
    expect(seen.headers['x-trace']).toBe('t-1');
    expect(seen.headers['x-other']).toBeUndefined();
    const dotdot = await worker.send('/raw/a/%2e%2e%2fsecret');
    expect(dotdot.status).toBe(400);
    expect(upstream.seen.length).toBe(before + 1);
  });

  it('MCP: initialize advertises tools, resources and prompts', async () => {
    const { result } = await rpc('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'worker-modes', version: '1' },
    });
    expect(Object.keys(result.capabilities).sort()).toEqual(
      expect.arrayContaining(['prompts', 'resources', 'tools']),
    );
  });

  it('MCP: an orchestrated tool runs both calls', async () => {
    const { result } = await rpc('tools/call', {
      name: 'voyage-summary',
      arguments: { voyageId: 'v-2' },
    });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ ship: 'Ship ship-7' });
  });

  it('MCP: resources are listed and read through the upstream; a template fills its call', async () => {
    const { result: listed } = await rpc('resources/list');
    expect(listed.resources.map((r: { uri: string }) => r.uri)).toContain('data://fleet/ships');
    const { result: templates } = await rpc('resources/templates/list');
    expect(templates.resourceTemplates.map((r: { uriTemplate: string }) => r.uriTemplate)).toEqual([
      'data://fleet/ships/{shipId}',
    ]);
    const before = upstream.seen.length;
    const { result } = await rpc('resources/read', { uri: 'data://fleet/ships/s-9' });
    expect(JSON.parse(result.contents[0].text)).toEqual({ id: 's-9', name: 'Ship s-9' });
    expect(upstream.seen.slice(before).map((s) => s.url.pathname)).toEqual(['/v1/ships/s-9']);
  });

  it('MCP: a static resource (files of a folder) is an error in a Worker, which keeps serving', async () => {
    const { error } = await rpc('resources/read', { uri: 'docs://fleet/readme.md' });
    expect(error?.message).toBeTruthy();
    const { result } = await rpc('prompts/get', { name: 'brief', arguments: { captain: 'Ada' } });
    expect(result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Brief Ada on the fleet.' } },
    ]);
  });
});
