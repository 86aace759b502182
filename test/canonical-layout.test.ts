/**
 * The files whose templates are written in prettier's layout (generator/emit/canonical.ts: the
 * adapters, the entry points, the schemas, the Worker) skip prettier when every line is sure. The
 * bytes must be prettier's all the same: each project here is generated in-process twice, once as
 * capgen runs and once with every file given to prettier, and the two must agree file for file.
 * The projects: this repository's own, the generic and Stripe-surface fixtures, capabilities
 * imported from 13 public API documents, names long enough to break lines (which must fall back to
 * prettier), 30 hostile documents, and the Naftiko Framework's examples when ../shared holds them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ConfigFlags } from '../generator/config.js';
import type { GeneratedFile } from '../generator/emit/index.js';
import { acceptedHostileProjects } from './helpers/hostile-documents.js';
import { workspace } from './helpers/import.js';
import { APIS, importedProject } from './helpers/unseen-apis.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = path.resolve(ROOT, '../shared/naftiko/framework/examples');
const examplesAvailable = fs.existsSync(EXAMPLES);
if (!examplesAvailable)
  console.log(`notice: canonical-layout: the Naftiko examples are skipped, ${EXAMPLES} is absent`);

interface Run {
  files: Record<string, string>;
  /** Paths of the canonical files laid out without prettier, and of those that fell back. */
  laidOut: string[];
  fellBack: string[];
}

/** The TypeScript files of a project, generated in-process with or without the canonical path. */
async function generate(dir: string, canonical: boolean, flags: ConfigFlags = {}): Promise<Run> {
  vi.resetModules();
  const laidOut: string[] = [];
  const fellBack: string[] = [];
  vi.doMock('../generator/emit/canonical.js', async (importOriginal) => {
    const real = await importOriginal<typeof import('../generator/emit/canonical.js')>();
    return {
      ...real,
      canonicalLayout: (...args: Parameters<typeof real.canonicalLayout>) => {
        const text = canonical ? real.canonicalLayout(...args) : undefined;
        (text === undefined ? fellBack : laidOut).push(args[0].slice(0, 200));
        return text;
      },
    };
  });
  const { runPipeline } = await import('../generator/pipeline.js');
  const result = await runPipeline(dir, flags, { emit: true });
  vi.doUnmock('../generator/emit/canonical.js');
  vi.resetModules();
  expect(
    result.bag.hasErrors(),
    result.bag
      .sorted()
      .map((d) => d.message)
      .join('\n'),
  ).toBe(false);
  const files = (result.files ?? []) as GeneratedFile[];
  return {
    files: Object.fromEntries(
      files.filter((f) => f.path.endsWith('.ts')).map((f) => [f.path, f.contents]),
    ),
    laidOut,
    fellBack,
  };
}

/** Both runs of a project, compared; the canonical run's counts. */
async function compare(dir: string, flags: ConfigFlags = {}): Promise<Run> {
  const ours = await generate(dir, true, flags);
  const prettier = await generate(dir, false, flags);
  expect(Object.keys(ours.files).sort()).toEqual(Object.keys(prettier.files).sort());
  for (const [file, text] of Object.entries(prettier.files))
    expect(ours.files[file], file).toBe(text);
  return ours;
}

const { project, remove } = workspace('canonical-layout');
afterAll(remove);

describe('canonical files are laid out as prettier lays them out', () => {
  it("this repository's capabilities, every canonical file without prettier", async () => {
    const run = await compare(ROOT);
    expect(run.fellBack).toEqual([]);
    expect(run.laidOut.length).toBeGreaterThanOrEqual(12);
  }, 60_000);

  for (const fixture of ['generic', 'stripe-surfaces'])
    it(`the ${fixture} fixture`, async () => {
      const run = await compare(path.join(ROOT, 'test/fixtures', fixture));
      expect(run.laidOut.length).toBeGreaterThan(0);
    }, 60_000);

  it('capabilities imported from public API documents', async () => {
    let laidOut = 0;
    for (const api of APIS) {
      const { dir, imported } = await importedProject(project, api, 'specs/caps');
      expect(imported.code, imported.all).toBe(0);
      laidOut += (await compare(dir)).laidOut.length;
    }
    expect(laidOut).toBeGreaterThan(APIS.length);
  }, 240_000);

  it('names too long for a line fall back to prettier', async () => {
    const dir = project('long-names');
    const long = 'a-capability-whose-name-runs-on-and-on-well-past-where-any-line-would-fit';
    const seed = fs.readFileSync(path.join(ROOT, 'specs/link-account-sessions.yaml'), 'utf8');
    fs.mkdirSync(path.join(dir, 'specs'), { recursive: true });
    fs.copyFileSync(
      path.join(ROOT, 'specs/stripe-link.openapi.yaml'),
      path.join(dir, 'specs/stripe-link.openapi.yaml'),
    );
    fs.writeFileSync(path.join(dir, 'specs', `${long}.yaml`), seed);
    fs.writeFileSync(
      path.join(dir, 'capgen.config.yaml'),
      `openapi: [specs/stripe-link.openapi.yaml]\ncapabilities: [specs/${long}.yaml]\n`,
    );
    const run = await compare(dir);
    expect(run.fellBack.length).toBeGreaterThan(0);
  }, 60_000);

  it('hostile documents (test/helpers/hostile-documents.ts)', async () => {
    let generated = 0;
    let laidOut = 0;
    for await (const { dir, flags } of acceptedHostileProjects(project, 30)) {
      generated++;
      laidOut += (await compare(dir, flags)).laidOut.length;
    }
    expect(generated).toBeGreaterThan(10);
    expect(laidOut).toBeGreaterThan(generated);
  }, 240_000);

  it.skipIf(!examplesAvailable)(
    "the Naftiko Framework's examples",
    async () => {
      const dir = project('examples');
      fs.cpSync(EXAMPLES, dir, { recursive: true });
      let laidOut = 0;
      let generated = 0;
      const capabilities = (folder: string): string[] =>
        fs.readdirSync(path.join(dir, folder), { withFileTypes: true }).flatMap((e) => {
          const file = path.posix.join(folder, e.name);
          if (e.isDirectory())
            return ['openapi', 'schemas', 'scripts', 'rules'].includes(e.name)
              ? []
              : capabilities(file);
          return /\.ya?ml$/.test(e.name) ? [file] : [];
        });
      for (const file of capabilities('').sort()) {
        fs.writeFileSync(
          path.join(dir, 'capgen.config.yaml'),
          `openapi: []\ncapabilities: [${file}]\n`,
        );
        const { runPipeline } = await import('../generator/pipeline.js');
        // Examples capgen rejects (an unknown ref) have nothing to compare.
        if ((await runPipeline(dir, {}, { emit: false })).bag.hasErrors()) continue;
        generated++;
        laidOut += (await compare(dir)).laidOut.length;
      }
      expect(generated).toBeGreaterThan(10);
      expect(laidOut).toBeGreaterThan(generated);
    },
    240_000,
  );
});
