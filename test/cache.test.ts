/**
 * The generation cache: a re-run regenerates only what changed, and the output never depends on
 * it. Each case compares a cached run with `--no-cache` output of the same inputs, byte for byte:
 * after a change to one capability, to a file a capability imports or reads (a skill's instruction
 * file, a protobuf schema), to the OpenAPI document, to the deploy settings, and with cache files
 * that are corrupt, forged or links. `--check` reads it too, and still sees every
 * drift in the output folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';
import { sha256 } from '../generator/cache.js';
import type { ConfigFlags } from '../generator/config.js';
import { runPipeline } from '../generator/pipeline.js';
import { writeModesCapability } from './helpers/modes-capability.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT_CASE = path.join(ROOT, 'test/fixtures/malformed/import-unknown-namespace');
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

let root: string;
const cacheDir = () => path.join(root, '.capgen-cache');

/**
 * A project with the repository's three capabilities and OpenAPI fragment, plus a capability that
 * imports its consumes block from a shared document.
 */
beforeEach(() => {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  root = fs.mkdtempSync(path.join(ROOT, '.tmp', 'cache-'));
  temps.push(root);
  fs.cpSync(path.join(ROOT, 'specs'), path.join(root, 'specs'), { recursive: true });
  fs.mkdirSync(path.join(root, 'specs/widgets'));
  fs.copyFileSync(
    path.join(IMPORT_CASE, 'widgets.yaml'),
    path.join(root, 'specs/widgets/widgets.yaml'),
  );
  fs.writeFileSync(
    path.join(root, 'specs/widgets/shared.consumes.yaml'),
    fs
      .readFileSync(path.join(IMPORT_CASE, 'shared.consumes.yaml'), 'utf8')
      .replace('namespace: gadgets', 'namespace: widgets'),
  );
});

async function capgen(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    cwd: root,
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    color: false,
  });
  return { code, out, err };
}

/** Every file of the output folder, by path. */
function tree(dir = path.join(root, 'generated')): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, entry);
    if (fs.statSync(full).isFile()) files[entry] = fs.readFileSync(full, 'utf8');
  }
  return files;
}

/** What `--no-cache` generates from the project as it is now (into a folder of its own). */
async function uncached(flags: ConfigFlags = {}): Promise<Record<string, string>> {
  const result = await runPipeline(root, flags, { emit: true });
  expect(result.bag.hasErrors()).toBe(false);
  return Object.fromEntries(result.files!.map((f) => [f.path, f.contents]));
}

/** The generated files of a cached run, as runPipeline returns them, and how many came from it. */
async function cached(flags: ConfigFlags = {}) {
  const result = await runPipeline(root, flags, { emit: true, cache: 'write' });
  expect(result.bag.hasErrors()).toBe(false);
  return {
    files: Object.fromEntries(result.files!.map((f) => [f.path, f.contents])),
    count: result.capabilityCount,
    fromCache: result.cachedCount,
    warnings: result.bag.items.map((d) => JSON.stringify(d)).sort(),
  };
}

/** A damage that rewrites an entry's payload and gives it the matching integrity hash. */
function forge(change: (payload: any) => unknown): (text: string) => string {
  return (text) => {
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline));
    const payload = JSON.stringify(change(JSON.parse(text.slice(newline + 1))));
    header.integrity = sha256(payload);
    return `${JSON.stringify(header)}\n${payload}`;
  };
}

function edit(file: string, from: string | RegExp, to: string): void {
  const full = path.join(root, file);
  const before = fs.readFileSync(full, 'utf8');
  const after = before.replace(from, to);
  expect(after).not.toBe(before);
  fs.writeFileSync(full, after);
}

describe('the generation cache', { timeout: 180_000 }, () => {
  it('serves unchanged capabilities, regenerates a changed one, and gives the uncached bytes', async () => {
    const first = await cached();
    expect(first).toMatchObject({ count: 5, fromCache: 0 });
    expect(fs.readFileSync(path.join(cacheDir(), '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    const again = await cached();
    expect(again.fromCache).toBe(5);
    expect(again.files).toEqual(first.files);
    // Diagnostics are replayed from the cache: the same warnings, whichever way they came.
    expect(again.warnings).toEqual(first.warnings);
    expect(again.warnings.length).toBeGreaterThan(0);
    // The servers' ports of cached capabilities still take part in the check that spans them all.
    expect(again.warnings.filter((w) => w.includes('capgen/port-conflict')).length).toBeGreaterThan(
      1,
    );

    edit('specs/checkout-sessions.yaml', /label: .*/, 'label: Checkout, edited');
    const changed = await cached();
    expect(changed.fromCache).toBe(4);
    expect(changed.files['checkout-sessions/client.ts']).toContain('Checkout, edited');
    expect(changed.files).toEqual(await uncached());
  });

  it('regenerates a capability when a file it imports changes', async () => {
    await cached();
    edit('specs/widgets/shared.consumes.yaml', 'path: /v1/widgets/{id}', 'path: /v2/widgets/{id}');
    const changed = await cached();
    // widgets.yaml imports it; the shared document is a capability of its own too.
    expect(changed.fromCache).toBe(3);
    expect(changed.files['widgets/client.ts']).toContain('/v2/widgets/');
    expect(changed.files).toEqual(await uncached());
  });

  it('regenerates everything when an OpenAPI document changes, the shared types included', async () => {
    await cached();
    edit(
      'specs/stripe-link.openapi.yaml',
      'A Financial Connections Session is the secure way',
      'An edited Financial Connections Session is the secure way',
    );
    const changed = await cached();
    expect(changed.fromCache).toBe(0);
    expect(changed.files['types/stripe.ts']).toContain('An edited Financial Connections Session');
    expect(changed.files).toEqual(await uncached());
  });

  it('covers every kind of output: orchestrations, forwards, resources, prompts, the control port and skill folders, whose instruction files it tracks', async () => {
    writeModesCapability(root);
    const first = await cached();
    expect(first.count).toBe(6);
    for (const file of [
      'shop/orchestrations.ts',
      'shop/rest.ts',
      'shop/mcp.ts',
      'shop/skills.ts',
      'shop/skills/orders/SKILL.md',
      'shop/skills/orders/references/guide.md',
      'shop/control.ts',
    ])
      expect(Object.keys(first.files)).toContain(file);
    expect(first.files).toEqual(await uncached());
    const again = await cached();
    expect(again.fromCache).toBe(6);
    expect(again.files).toEqual(first.files);

    // The capability file is unchanged; the instruction file its skill reads is not.
    edit('files/orders-skill/references/guide.md', 'List first', 'Always list first');
    const changed = await cached();
    expect(changed.fromCache).toBe(5);
    expect(changed.files['shop/skills/orders/references/guide.md']).toContain('Always list first');
    expect(changed.files).toEqual(await uncached());
  });

  it('covers the handler modules, the deploy files and the optional runtime modules; schema files and deploy settings are tracked', async () => {
    writeModesCapability(root);
    // A capability whose protobuf answers are decoded with a schema file from the project root.
    fs.writeFileSync(
      path.join(root, 'specs/records.yaml'),
      fs
        .readFileSync(
          path.join(ROOT, 'test/fixtures/malformed/output-schema-not-found.yaml'),
          'utf8',
        )
        .replace('schemas/missing.proto', 'schemas/records.proto'),
    );
    fs.mkdirSync(path.join(root, 'schemas'));
    const proto = (field: string) =>
      `syntax = "proto3";\nmessage Widget {\n  string ${field} = 1;\n}\n`;
    fs.writeFileSync(path.join(root, 'schemas/records.proto'), proto('id'));
    const config = (image: string, targets = '[node, workers, container, kubernetes]') =>
      fs.writeFileSync(
        path.join(root, 'capgen.config.yaml'),
        `targets: ${targets}\nimage: ${image}\n`,
      );
    config('registry.example/shop:1');

    const first = await cached();
    expect(first.count).toBe(7);
    for (const file of [
      'shop/rest-handler.ts',
      'shop/mcp-handler.ts',
      'shop/worker.ts',
      'shop/wrangler.jsonc',
      'kubernetes/shop.yaml',
      'records/worker.ts',
      'kubernetes/records.yaml',
      'container/Dockerfile',
      'container/start.sh',
      'runtime/worker.ts',
      'runtime/format-protobuf.ts',
      'runtime/node-control.ts',
      'runtime/node-telemetry.ts',
    ])
      expect(Object.keys(first.files)).toContain(file);
    expect(first.files).toEqual(await uncached());
    const again = await cached();
    expect(again.fromCache).toBe(7);
    // Served from the cache, the capabilities still ask for the runtime modules and the image.
    expect(again.files).toEqual(first.files);

    // The capability file is unchanged; the schema file it names is not.
    fs.writeFileSync(path.join(root, 'schemas/records.proto'), proto('code'));
    const edited = await cached();
    expect(edited.fromCache).toBe(6);
    expect(edited.files['records/client.ts']).toContain('string code = 1;');
    expect(edited.files).toEqual(await uncached());

    // A schema file appearing beside the capability is looked at first: it is now the one read.
    fs.mkdirSync(path.join(root, 'specs/schemas'));
    fs.writeFileSync(path.join(root, 'specs/schemas/records.proto'), proto('beside'));
    const beside = await cached();
    expect(beside.fromCache).toBe(6);
    expect(beside.files['records/client.ts']).toContain('string beside = 1;');
    expect(beside.files).toEqual(await uncached());

    // The image is in every manifest; the targets decide which deploy files there are.
    config('registry.example/shop:2');
    const image = await cached();
    expect(image.fromCache).toBe(0);
    expect(image.files['kubernetes/shop.yaml']).toContain('registry.example/shop:2');
    expect(image.files).toEqual(await uncached());
    config('registry.example/shop:2', '[node, container]');
    const targets = await cached();
    expect(Object.keys(targets.files).filter((f) => /worker|wrangler|kubernetes/.test(f))).toEqual(
      [],
    );
    expect(targets.files['container/Dockerfile']).toBeDefined();
    expect(targets.files).toEqual(await uncached());

    // Every header names the command that regenerates the output, with the run's options.
    const flags = { config: 'capgen.config.yaml' };
    const named = await cached(flags);
    expect(named.fromCache).toBe(0);
    expect(named.files['shop/client.ts']).toContain(
      'npx capgen generate --config capgen.config.yaml',
    );
    expect(named.files['container/Dockerfile']).toContain('--config capgen.config.yaml');
    expect(named.files).toEqual(await uncached(flags));
  });

  it('ignores corrupt, truncated, forged and linked cache files', async () => {
    const reference = (await cached()).files;
    const entries = () =>
      fs.readdirSync(cacheDir()).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    const corrupt: Array<(text: string) => string> = [
      () => 'not json {',
      (text) => text.slice(0, text.length >> 1),
      () => JSON.stringify({ format: 'capgen-cache/1' }),
      // A file whose integrity hash no longer matches its payload.
      (text) => text.replace(/"contents":"/, '"contents":"export const injected = 1;\\n'),
      // A forged entry, integrity recomputed, naming a path outside its capability's folder.
      forge((payload) => {
        if (Array.isArray(payload.files)) payload.files[0].path = '../escaped.ts';
        else return 42;
        return payload;
      }),
      // Forged diagnostics and roots of the wrong shape.
      forge((payload) =>
        payload.diagnostics ? { ...payload, diagnostics: [{ file: 1 }] } : { contents: 'x' },
      ),
      forge((payload) => (payload.roots ? { ...payload, roots: { '../x.ts': ['#/a'] } } : [])),
      // Needs naming a runtime module that does not exist.
      forge((payload) =>
        payload.needs ? { ...payload, needs: { runtimeModules: ['../x'], server: true } } : null,
      ),
    ];
    for (const damage of corrupt) {
      for (const name of entries()) {
        const file = path.join(cacheDir(), name);
        fs.writeFileSync(file, damage(fs.readFileSync(file, 'utf8')));
      }
      const run = await cached();
      expect(run.fromCache).toBe(0);
      expect(run.files).toEqual(reference);
      expect(fs.existsSync(path.join(root, 'escaped.ts'))).toBe(false);
    }
    // An entry that is a link to a file elsewhere is not read.
    for (const name of entries()) {
      const file = path.join(cacheDir(), name);
      const elsewhere = path.join(root, `${name}.elsewhere`);
      fs.renameSync(file, elsewhere);
      fs.symlinkSync(elsewhere, file);
    }
    expect((await cached()).fromCache).toBe(0);
  });

  it('is not used, nor written through, when its folder is a link', async () => {
    const target = fs.mkdtempSync(path.join(ROOT, '.tmp', 'cache-target-'));
    temps.push(target);
    fs.symlinkSync(target, cacheDir());
    const first = await cached();
    expect(first.fromCache).toBe(0);
    expect(fs.readdirSync(target)).toEqual([]);
    expect(first.files).toEqual(await uncached());
  });

  it('lives in node_modules/.cache/capgen when the project has node_modules', async () => {
    fs.mkdirSync(path.join(root, 'node_modules'));
    await cached();
    expect(fs.existsSync(cacheDir())).toBe(false);
    expect(fs.readdirSync(path.join(root, 'node_modules/.cache/capgen')).length).toBeGreaterThan(3);
    expect((await cached()).fromCache).toBe(5);
  });

  it('--check reads it, reports the capability that changed, and still sees edits to the output', async () => {
    expect((await capgen('generate')).code).toBe(0);
    const check = await capgen('generate', '--check', '--verbose');
    expect(check.code).toBe(0);
    expect(check.err).toContain('cache: 5 of 5 capabilities unchanged');

    edit('specs/link-account-sessions.yaml', /label: .*/, 'label: Link, edited');
    const drift = await capgen('generate', '--check', '--verbose');
    expect(drift.code).toBe(1);
    expect(drift.err).toContain('cache: 4 of 5 capabilities unchanged');
    const changed = [...drift.out.matchAll(/^changed\s+(\S+)/gm)].map((m) => m[1]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed).toContain('generated/link-account-sessions/client.ts');
    expect(
      changed
        .filter((f) => f !== 'generated/.capgen-manifest.json')
        .every((f) => f.startsWith('generated/link-account-sessions/')),
    ).toBe(true);

    // The cache holds what capgen makes, never what is on disk: an edited output file is drift.
    expect((await capgen('generate')).code).toBe(0);
    fs.appendFileSync(path.join(root, 'generated/checkout-sessions/client.ts'), '// edited\n');
    const edited = await capgen('generate', '--check');
    expect(edited.code).toBe(1);
    expect(edited.out).toContain('changed  generated/checkout-sessions/client.ts');
    expect((await capgen('generate')).code).toBe(0);
    expect(tree()).toEqual(await uncached().then((files) => withManifestOf(files)));
  });

  it('is not written by a failing run, and --no-cache neither reads nor writes it', async () => {
    edit('specs/checkout-sessions.yaml', /^naftiko: .*/m, 'naftiko: 0.0.1');
    expect((await capgen('generate')).code).toBe(1);
    expect(fs.existsSync(cacheDir())).toBe(false);
    edit('specs/checkout-sessions.yaml', /^naftiko: .*/m, 'naftiko: 1.0.0-alpha2');
    expect((await capgen('generate', '--no-cache')).code).toBe(0);
    expect(fs.existsSync(cacheDir())).toBe(false);
  });
});

/** The output folder as a run writes it: the files and the manifest. */
function withManifestOf(files: Record<string, string>): Record<string, string> {
  const written = tree();
  expect(Object.keys(written).sort()).toEqual(
    [...Object.keys(files), '.capgen-manifest.json'].sort(),
  );
  return { ...files, '.capgen-manifest.json': written['.capgen-manifest.json'] };
}
