/**
 * capgen as users get it: `npm pack` (which builds dist/), install the tarball into a fresh project
 * that has only its own specs, and run `npx capgen generate` (and the drift check), `import` and
 * `serve` there. The CLI runs the JavaScript build: it keeps working with tsx removed, except
 * `serve`, which loads tsx to run the generated TypeScript servers.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-pack-'));
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false' },
  });

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** `capgen serve link-account-sessions --rest --port 0` in the project: the status of GET /healthz. */
function servesHealth(project: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // node on the installed bin directly (not npx), so that the kill below reaches the server.
    const child = spawn(
      process.execPath,
      [
        path.join(project, 'node_modules/capgen/bin/capgen.js'),
        'serve',
        'link-account-sessions',
        '--rest',
        '--port',
        '0',
      ],
      { cwd: project, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const done = (error?: Error, status?: number) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      if (error) reject(error);
      else resolve(status!);
    };
    const timer = setTimeout(() => done(new Error(`no server within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /https?:\/\/[^\s:]+:(\d+)/.exec(output)?.[1];
      if (!port) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => done(undefined, r.status),
        (e: Error) => done(e),
      );
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => done(e));
  });
}

describe('the packed package', () => {
  it("installs into a fresh project and generates from that project's own specs", async () => {
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', work], ROOT),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('bin/capgen.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/format-worker.js');
    expect(files).toContain('dist/generate-worker.js');
    // capgen's own schemas, compiled at build time (generator/check/schema-precompile.ts).
    for (const name of ['naftiko-1.0.0-alpha2.cjs', 'naftiko-1.0.0-alpha3.cjs', 'config.cjs'])
      expect(files).toContain(`dist/validators/${name}`);
    expect(files).toContain('generator/cli.ts');
    expect(files).toContain('templates/runtime/client.ts');
    expect(
      files.some(
        (f) => f.startsWith('test/') || f.startsWith('generated/') || f.startsWith('specs/'),
      ),
    ).toBe(false);

    const project = path.join(work, 'user-project');
    fs.mkdirSync(path.join(project, 'specs'), { recursive: true });
    fs.writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
    );
    for (const name of ['link-account-sessions.yaml', 'stripe-link.openapi.yaml'])
      fs.copyFileSync(path.join(ROOT, 'specs', name), path.join(project, 'specs', name));
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        path.join(work, packed[0].filename),
      ],
      project,
    );

    const generated = run('npx', ['capgen', 'generate'], project);
    expect(generated).toMatch(/1 capabilities → generated\/: \d+ added/);
    for (const file of [
      'client.ts',
      'types.ts',
      'rest.ts',
      'rest-handler.ts',
      'mcp.ts',
      'mcp-handler.ts',
      'openapi.json',
      'README.md',
    ]) {
      expect(fs.existsSync(path.join(project, 'generated/link-account-sessions', file)), file).toBe(
        true,
      );
    }
    expect(run('npx', ['capgen', 'generate', '--check'], project)).toMatch(/up to date/);
    // The installed package serves a generated adapter (serve loads tsx for the TypeScript) ...
    expect(await servesHealth(project)).toBe(200);

    // No deploy file unless its target is on; with `container`, the image's build step works with
    // what installing capgen brought (esbuild).
    expect(fs.existsSync(path.join(project, 'generated/container'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'generated/runtime/worker.ts'))).toBe(false);
    fs.writeFileSync(path.join(project, 'capgen.config.yaml'), 'targets: [node, container]\n');
    // Five container files added; every header now names the config file in its regenerate command,
    // so every file changes but the one without a header (openapi.json).
    expect(run('npx', ['capgen', 'generate'], project)).toMatch(
      /: 5 added, \d+ changed, 0 removed, 1 unchanged/,
    );
    expect(fs.readFileSync(path.join(project, 'generated/container/build.mjs'), 'utf8')).toContain(
      'npx capgen generate (settings: capgen.config.yaml)',
    );
    expect(run('node', ['generated/container/build.mjs', path.join(work, 'app')], project)).toMatch(
      /link-account-sessions\/mcp, link-account-sessions\/rest → /,
    );
    expect(fs.readdirSync(path.join(work, 'app/link-account-sessions')).sort()).toEqual([
      'mcp.mjs',
      'rest.mjs',
    ]);

    // ... and the rest of the CLI runs from dist/ alone: no tsx needed.
    fs.renameSync(path.join(project, 'node_modules/tsx'), path.join(work, 'tsx-away'));
    expect(run('npx', ['capgen', '--version'], project).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run('npx', ['capgen', 'generate', '--check'], project)).toMatch(/up to date/);
    const imported = run(
      'npx',
      ['capgen', 'import', '--openapi', 'specs/stripe-link.openapi.yaml', '--out', 'specs/link'],
      project,
    );
    expect(imported).toMatch(/✓ \d+ operations of .* capabilities in specs\/link\//);
  }, 240_000);
});
