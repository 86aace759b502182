/**
 * capgen as users get it: `npm pack`, install the tarball into a fresh project that has only its
 * own specs, and run `npx capgen generate` (and the drift check) there.
 */
import { execFileSync } from 'node:child_process';
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

describe('the packed package', () => {
  it("installs into a fresh project and generates from that project's own specs", () => {
    const packed = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', work], ROOT),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0].files.map((f) => f.path);
    expect(files).toContain('bin/capgen.js');
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
      'mcp.ts',
      'openapi.json',
      'README.md',
    ]) {
      expect(fs.existsSync(path.join(project, 'generated/link-account-sessions', file)), file).toBe(
        true,
      );
    }
    expect(run('npx', ['capgen', 'generate', '--check'], project)).toMatch(/up to date/);
  }, 240_000);
});
