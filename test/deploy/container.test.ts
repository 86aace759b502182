/**
 * The `container` target, checked offline (no Docker engine here): generated/container/Dockerfile
 * (this repository's capgen.config.yaml enables the target) is parsed with dockerfile-ast and its
 * instructions asserted; then the image is reproduced as far as a machine without Docker can: the
 * build stage's bundling RUN runs as written (its /app in a temporary folder), and the run stage's
 * exact ENTRYPOINT and CMD start a server as an unprivileged user, with the image's ENV, probed by
 * its exact HEALTHCHECK command and stopped with its STOPSIGNAL while a request is in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { run } from '../helpers/process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONTAINER = path.join(ROOT, 'generated/container');
const IMAGE_APP = '/app';
const SECRET = 'sk_test_container_0123456789';
const SESSION = '/v1/v1/link-account-sessions/fcsess_c1';

let dockerfile: Dockerfile;
let app: string;
let upstream: FakeUpstream;

const instructions = (keyword: string, from: Instruction[] = dockerfile.getInstructions()) =>
  from.filter((i) => i.getKeyword() === keyword);
const args = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue());
/** The run stage: the instructions after the last FROM. */
const runStage = () => {
  const all = dockerfile.getInstructions();
  return all.slice(all.lastIndexOf(dockerfile.getFROMs().at(-1)!));
};
const buildStage = () => {
  const all = dockerfile.getInstructions();
  return all.slice(0, all.lastIndexOf(dockerfile.getFROMs().at(-1)!));
};
/** A path of the image, in the temporary folder that stands for it here. */
const local = (imagePath: string) => imagePath.replace(/^\/app(?=\/|$)/, app);
const jsonForm = (instruction: Instruction): string[] =>
  JSON.parse(instruction.getArgumentsContent()!.replace(/^CMD\s+/, '')) as string[];

beforeAll(async () => {
  dockerfile = DockerfileParser.parse(fs.readFileSync(path.join(CONTAINER, 'Dockerfile'), 'utf8'));
  app = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-image-')), 'app');
  // The unprivileged user must be able to read the image's files, as in the image.
  fs.chmodSync(path.dirname(app), 0o755);
  upstream = await fakeUpstream((seen, res) => reply(res, seen.url));
}, 60_000);

afterAll(async () => {
  await upstream?.close();
  if (app) fs.rmSync(path.dirname(app), { recursive: true, force: true });
});

function reply(res: ServerResponse, url: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_c' });
  res.end(JSON.stringify({ id: url.split('/').pop(), object: 'financial_connections.session' }));
}

describe('Dockerfile', () => {
  it('is multi-stage: a build stage that installs and bundles, a run stage on the same Node', () => {
    const froms = dockerfile.getFROMs();
    expect(froms).toHaveLength(2);
    expect(froms[0].getBuildStage()).toBe('build');
    expect(froms.map((f) => f.getImageName())).toEqual(['node', 'node']);
    expect(froms[1].getImageTag()).toBe(froms[0].getImageTag());
    expect(froms[1].getImageTag()).toMatch(/^20-/);
    expect(dockerfile.getDirectives().map((d) => [d.getName(), d.getValue()])).toEqual([
      ['syntax', 'docker/dockerfile:1'],
    ]);
    const runs = instructions('RUN', buildStage()).map(args);
    expect(runs).toEqual([
      ['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund'],
      ['node', 'generated/container/build.mjs', IMAGE_APP],
    ]);
    // The run stage copies only the bundles, and runs no command of its own.
    const copies = dockerfile.getCOPYs().filter((c) => runStage().includes(c));
    expect(copies).toHaveLength(1);
    expect(copies[0].getFlags().map((f) => [f.getName(), f.getValue()])).toEqual([
      ['from', 'build'],
    ]);
    expect(args(copies[0])).toEqual([IMAGE_APP, IMAGE_APP]);
    expect(instructions('RUN', runStage())).toEqual([]);
  });

  it('runs as a non-root user, exposes the port it listens on, and stops on SIGTERM', () => {
    const [user] = instructions('USER', runStage()).map(args);
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^[1-9]\d*:[1-9]\d*$/); // numeric, so Kubernetes can verify runAsNonRoot
    const env = Object.fromEntries(
      dockerfile
        .getENVs()
        .flatMap((e) => e.getProperties())
        .map((p) => [p.getName(), p.getValue()]),
    );
    expect(env).toEqual({ NODE_ENV: 'production', PORT: '8080', ADDRESS: '0.0.0.0' });
    expect(instructions('EXPOSE').map(args)).toEqual([[env.PORT]]);
    expect(instructions('STOPSIGNAL').map(args)).toEqual([['SIGTERM']]);
    // No secret, and no capability's name: the image serves any of them.
    expect(fs.readFileSync(path.join(CONTAINER, 'Dockerfile'), 'utf8')).not.toMatch(
      /STRIPE|API_KEY|checkout|link-account/,
    );
  });

  it('has a HEALTHCHECK with timings, in exec form, and exec-form ENTRYPOINT and CMD', () => {
    const [healthcheck] = dockerfile.getHEALTHCHECKs();
    expect(
      Object.fromEntries(healthcheck.getFlags().map((f) => [f.getName(), f.getValue()])),
    ).toEqual({
      interval: '15s',
      timeout: '5s',
      'start-period': '10s',
      retries: '3',
    });
    expect(jsonForm(healthcheck)).toEqual(['node', '/app/healthcheck.mjs']);
    expect(
      dockerfile
        .getENTRYPOINTs()[0]
        .getJSONStrings()
        .map((s) => s.getJSONValue()),
    ).toEqual(['/bin/sh', '/app/start.sh']);
    expect(dockerfile.getCMDs()[0].getJSONStrings()).toEqual([]);
  });

  it('its Dockerfile.dockerignore keeps local secrets and dependencies out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(CONTAINER, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    for (const pattern of ['**/node_modules', '**/.git', '**/.env', '**/.env.*', '**/.dev.vars'])
      expect(ignored).toContain(pattern);
  });
});

describe('the image, reproduced without Docker', () => {
  let bundled: string[] = [];

  beforeAll(async () => {
    // The build stage's bundling step, exactly as the Dockerfile says, with /app here.
    const [command, ...rest] = args(instructions('RUN', buildStage()).at(-1)!);
    const built = await run(command, rest.map(local), { cwd: ROOT, timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    bundled = fs
      .readdirSync(app, { recursive: true })
      .map(String)
      .filter((f) => /\.(mjs|sh)$/.test(f))
      .sort();
  }, 180_000);

  it('holds one bundle per capability server, and the scripts the instructions name', () => {
    expect(bundled).toEqual([
      'checkout-sessions/mcp.mjs',
      'checkout-sessions/rest.mjs',
      'healthcheck.mjs',
      'identity-sessions/mcp.mjs',
      'identity-sessions/rest.mjs',
      'link-account-sessions/mcp.mjs',
      'link-account-sessions/rest.mjs',
      'start.sh',
    ]);
  });

  it('ENTRYPOINT + CMD serve a REST adapter as an unprivileged user; SIGTERM lets a request finish', async () => {
    const server = await start({ CAPABILITY: 'link-account-sessions' });
    try {
      expect(await healthcheck(server.port)).toBe(0);
      const ok = await fetch(`http://127.0.0.1:${server.port}${SESSION}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ id: 'fcsess_c1' });
      expect(upstream.seen.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(server.output()).toContain('listening on http://0.0.0.0:');
      // The server process itself (sh exec'd node) runs as the image's USER.
      const uid = /^Uid:\s+(\d+)/m.exec(
        fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8'),
      );
      expect(uid?.[1]).toBe(args(instructions('USER', runStage())[0])[0].split(':')[0]);

      // Hold the next upstream answer, signal the server while the request waits on it.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      upstream.handle((seen, res) => void held.then(() => reply(res, seen.url)));
      const inFlight = fetch(`http://127.0.0.1:${server.port}${SESSION.replace('c1', 'c2')}`);
      await until(() => upstream.seen.some((s) => s.url.endsWith('fcsess_c2')));
      server.child.kill(stopSignal());
      await until(() => server.output().includes('SIGTERM received'));
      release();
      const late = await inFlight;
      expect(late.status).toBe(200);
      expect(await late.json()).toMatchObject({ id: 'fcsess_c2' });
      expect(await server.exit).toBe(0);
      expect(await healthcheck(server.port)).toBe(1);
    } finally {
      upstream.reset();
      server.child.kill('SIGKILL');
    }
  });

  it('the capability and mode as arguments: an MCP server over HTTP', async () => {
    const server = await start({}, ['link-account-sessions', 'mcp']);
    try {
      expect(await healthcheck(server.port)).toBe(0);
      const response = await fetch(`http://127.0.0.1:${server.port}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { result: { tools: unknown[] } };
      expect(body.result.tools).toHaveLength(2);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exit).toBe(0);
    }
  });

  it('a capability or mode the image does not have: exit 2, naming what it serves', async () => {
    const [command, ...entry] = entrypoint();
    const unknown = await run(command, [...entry, 'nope'], { env: imageEnv({}) });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no rest server for 'nope'.*link-account-sessions\/rest/);
    const noName = await run(command, entry, { env: imageEnv({}) });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toMatch(/name the capability \(CAPABILITY/);
    const badMode = await run(command, [...entry, 'link-account-sessions', 'grpc'], {
      env: imageEnv({}),
    });
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toMatch(/mode must be rest, mcp or control/);
  });
});

/** The signal the Dockerfile's STOPSIGNAL names. */
const stopSignal = () => args(instructions('STOPSIGNAL')[0])[0] as NodeJS.Signals;

/** ENTRYPOINT then CMD, paths in the temporary /app; under setpriv as the image's USER when root. */
function entrypoint(): string[] {
  const command = [
    ...dockerfile
      .getENTRYPOINTs()[0]
      .getJSONStrings()
      .map((s) => s.getJSONValue()),
    ...dockerfile
      .getCMDs()[0]
      .getJSONStrings()
      .map((s) => s.getJSONValue()),
  ].map(local);
  if (process.getuid?.() !== 0) return command;
  const [uid, gid] = args(instructions('USER', runStage())[0])[0].split(':');
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', ...command];
}

/** The image's ENV, plus what `docker run -e` would add. */
function imageEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  for (const property of dockerfile.getENVs().flatMap((e) => e.getProperties()))
    env[property.getName()] = property.getValue() ?? '';
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function start(env: Record<string, string>, extraArgs: string[] = []) {
  const port = await freePort();
  const [command, ...rest] = entrypoint();
  const child: ChildProcess = spawn(command, [...rest, ...extraArgs], {
    env: imageEnv({
      ...env,
      PORT: String(port),
      STRIPE_API_KEY: SECRET,
      LINK_LINK_ACCOUNT_SESSIONS_BASE_URI: upstream.url,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(() => /listening on|MCP server at/.test(output) || child.exitCode !== null);
  expect(child.exitCode, output).toBeNull();
  return { child, port, exit, output: () => output };
}

/** The HEALTHCHECK command as the image runs it; its exit code. */
async function healthcheck(port: number): Promise<number | null> {
  const [command, ...rest] = jsonForm(instructions('HEALTHCHECK')[0]).map(local);
  return (await run(command, rest, { env: imageEnv({ PORT: String(port) }) })).code;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(condition()).toBe(true);
}
