/**
 * The container image's `control` mode, reproduced without Docker as container.test.ts does: a
 * capability with a REST adapter and a control port with observability is generated with the
 * `container` target, the image's bundling step (build.mjs) runs, and start.sh starts the control
 * bundle. The control port answers on PORT, the REST adapter on its own port; the image's
 * HEALTHCHECK command asks the control port's readiness; the bundled OpenTelemetry SDK records the
 * request's trace; SIGTERM stops the process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUpstream, json, type FakeUpstream } from '../helpers/fake-upstream.js';
import { generate } from '../helpers/generated-e2e.js';
import { run } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the repository, so that the bundler finds the OpenTelemetry packages in its node_modules.
const PROJECT = path.join(ROOT, '.tmp-container-control');
const OUT = path.join(PROJECT, 'generated');

const TRACED = `naftiko: "1.0.0-alpha3"
capability:
  exposes:
    - type: "rest"
      port: 9320
      namespace: "dock"
      resources:
        - path: "/ships/{{imo}}"
          operations:
            - method: "GET"
              name: "get-ship"
              call: fleet.get-ship
              with:
                imo: "{{imo}}"
    - type: "control"
      port: 9321
      observability:
        traces:
          local:
            buffer-size: 10
  consumes:
    - type: "http"
      namespace: "fleet"
      baseUri: "http://localhost:1/v1"
      resources:
        - path: "/ships/{{imo}}"
          name: "ships"
          operations:
            - method: "GET"
              name: "get-ship"
`;

let app: string;
let upstream: FakeUpstream;

beforeAll(async () => {
  fs.rmSync(PROJECT, { recursive: true, force: true });
  fs.mkdirSync(path.join(PROJECT, 'specs'), { recursive: true });
  fs.writeFileSync(path.join(PROJECT, 'specs/harbour.yaml'), TRACED);
  fs.writeFileSync(path.join(PROJECT, 'capgen.config.yaml'), 'targets: [node, container]\n');
  await generate(PROJECT, OUT);
  app = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-image-control-')), 'app');
  upstream = await fakeUpstream(json(200, { imo: '9321483', name: 'Northern Star' }));
}, 120_000);

afterAll(async () => {
  await upstream?.close();
  fs.rmSync(PROJECT, { recursive: true, force: true });
  if (app) fs.rmSync(path.dirname(app), { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the container image, mode control', () => {
  it('bundles the control entry, starts it with its adapter, passes the HEALTHCHECK, traces, stops on SIGTERM', async () => {
    const built = await run('node', [path.join(OUT, 'container/build.mjs'), app], { cwd: PROJECT });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain('harbour/control, harbour/rest');

    const [port, restPort] = [await freePort(), await freePort()];
    const env = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port) };
    const child = spawn('/bin/sh', [path.join(app, 'start.sh'), 'harbour', 'control'], {
      env: {
        ...env,
        ADDRESS: '127.0.0.1',
        DOCK_REST_PORT: String(restPort),
        FLEET_BASE_URI: `${upstream.url}/v1`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 400 && !/control port of/.test(output) && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(output, output).toMatch(/control port of harbour at http:\/\/127\.0\.0\.1:/);

      const health = await run('node', [path.join(app, 'healthcheck.mjs')], { env });
      expect(health.code, health.stderr).toBe(0);
      const answer = await fetch(`http://127.0.0.1:${restPort}/ships/9321483`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ imo: '9321483', name: 'Northern Star' });
      const traces = (await (await fetch(`http://127.0.0.1:${port}/traces`)).json()) as {
        traces: { spans: { kind: string; name: string }[] }[];
      };
      expect(traces.traces[0].spans.map((s) => `${s.kind} ${s.name}`).sort()).toEqual([
        'CLIENT GET fleet.get-ship',
        'SERVER GET /ships/{imo}',
      ]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit, output).toBe(0);
  }, 120_000);
});
