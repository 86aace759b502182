/**
 * Script steps (script.ts) on the Naftiko Framework's example scripts: results, dependencies, and
 * the hostile ones (an endless loop, a reach for the host, no result, a memory bomb) failing with a
 * clear error while the process goes on. Reads ../shared; skips with a printed notice without it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../templates/runtime/contract.js';
import type { ScriptSpec } from '../../templates/runtime/orchestrate.js';
import { runScript } from '../../templates/runtime/script.js';

const SCRIPTS = path.resolve(
  import.meta.dirname,
  '../../../shared/naftiko/framework/examples/scripts',
);
const available = fs.existsSync(SCRIPTS);
if (!available) console.warn(`script: skipped, ${SCRIPTS} is not there`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-scripts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
if (available) fs.cpSync(SCRIPTS, dir, { recursive: true });
fs.writeFileSync(
  path.join(dir, 'memory-bomb.js'),
  'var a = []; while (true) a.push(new Array(1e6).fill(1));\n',
);

const spec = (file: string, extra: Partial<ScriptSpec> = {}): ScriptSpec => ({
  language: 'javascript',
  location: pathToFileURL(dir).href,
  file,
  dependencies: [],
  timeoutMs: 200,
  memoryBytes: 16 * 1024 * 1024,
  ...extra,
});

const MEMBERS: JsonValue = [
  { login: 'ada', id: 1, type: 'User' },
  { login: 'bot', id: 2, type: 'Bot' },
];

describe.skipIf(!available)('script steps in the QuickJS sandbox', () => {
  it('runs a script on the previous outputs and returns its result', async () => {
    expect(await runScript(spec('filter-active.js'), { 'list-members': MEMBERS })).toEqual([
      { login: 'ada', id: 1 },
    ]);
    expect(await runScript(spec('simple-transform.js'), {})).toEqual({
      greeting: 'hello',
      count: 42,
      flag: true,
    });
  });

  it('evaluates dependencies first, and gives `with` values and camelCased globals', async () => {
    expect(
      await runScript(spec('active-members.js', { dependencies: ['lib/array-utils.js'] }), {
        'list-members': MEMBERS,
      }),
    ).toEqual([{ login: 'ada', id: 1 }]);
    fs.writeFileSync(path.join(dir, 'globals.js'), 'result = [listMembers.length, threshold];\n');
    expect(await runScript(spec('globals.js'), { 'list-members': MEMBERS, threshold: 5 })).toEqual([
      2, 5,
    ]);
  });

  it('stops an endless loop at its deadline', async () => {
    await expect(runScript(spec('infinite-loop.js'), {})).rejects.toThrow(
      'infinite-loop.js ran longer than 200 ms and was stopped',
    );
  });

  it('gives no host access: a reach for Java classes (or anything else) is a ReferenceError', async () => {
    await expect(runScript(spec('host-access.js'), {})).rejects.toThrow(
      'host-access.js: ReferenceError',
    );
    fs.writeFileSync(
      path.join(dir, 'probe.js'),
      'result = [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof std, typeof os];\n',
    );
    expect(await runScript(spec('probe.js'), {})).toEqual(Array(6).fill('undefined'));
  });

  it('refuses a script that assigns no result, and one that exhausts its memory', async () => {
    await expect(runScript(spec('no-result.js'), { 'some-step': 1 })).rejects.toThrow(
      'it did not assign a value to `result`',
    );
    await expect(
      runScript(spec('memory-bomb.js', { timeoutMs: 5000, memoryBytes: 8 * 1024 * 1024 }), {}),
    ).rejects.toThrow('memory-bomb.js used more memory than the sandbox allows');
  });

  it('reads only under its location', async () => {
    await expect(runScript(spec('../etc/passwd'), {})).rejects.toThrow('leaves its location');
    await expect(runScript(spec('missing.js'), {})).rejects.toThrow('cannot be read');
  });
});
