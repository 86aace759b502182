/**
 * The hostile spec corpus's building blocks (the valid base project, edits, links beside it) and
 * its cases about the project's folders: links, paths outside, reserved names. The cases about
 * spec text breaking out of generated code are in ../hostile.test.ts, which runs them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { PAYLOAD_MARKER } from './inert.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/malformed');
export const BASE = fs.readFileSync(path.join(FIXTURES, '_base.yaml'), 'utf8');
export const OPENAPI = fs.readFileSync(path.join(FIXTURES, '_openapi.yaml'), 'utf8');
export const PAYLOAD = `globalThis.${PAYLOAD_MARKER} = 1; globalThis.process.stdout.write("PWNED")`;
export const SECRET = 'sk_live_hostile_corpus_secret_0123456789';

export type Edit = [Array<string | number>, unknown];

/** YAML text of `text` with each edit applied (values serialized by the yaml package). */
export function edited(text: string, edits: Edit[]): string {
  const doc = YAML.parseDocument(text);
  for (const [at, value] of edits) doc.setIn(at, value);
  return doc.toString({ lineWidth: 0 });
}

/** Writes `files` (path relative to `dir` → contents) under `dir`. */
export function write(dir: string, files: Record<string, string>): void {
  for (const [file, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), contents);
  }
}

/** The valid base project with edits to the capability and the OpenAPI document. */
export const project =
  (edits: Edit[], openapi: Edit[] = [], file = 'specs/widgets.yaml') =>
  (root: string) =>
    write(root, {
      [file]: edited(BASE, edits),
      'specs/widgets.openapi.yaml': edited(OPENAPI, openapi),
    });

/**
 * The valid base project, with `at` (a path in the project) a link to `target` beside the project
 * (a folder unless `outsideFiles` makes it a file), and more files in the project.
 */
export const baseWithLink =
  (
    at: string,
    target: string,
    outsideFiles: Record<string, string> = {},
    projectFiles: Record<string, string> = {},
  ) =>
  (root: string, outside: string) => {
    project([])(root);
    write(root, projectFiles);
    write(outside, outsideFiles);
    if (!fs.existsSync(path.join(outside, target)))
      fs.mkdirSync(path.join(outside, target), { recursive: true });
    fs.mkdirSync(path.dirname(path.join(root, at)), { recursive: true });
    fs.symlinkSync(path.join(outside, target), path.join(root, at));
  };

export const REST = ['capability', 'exposes', 0];
export const MCP = ['capability', 'exposes', 1];
export const CONSUMES = ['capability', 'consumes', 0];

export interface Case {
  name: string;
  /** What the generator did with this before. */
  attack: string;
  /** Builds the case in `dir`: the project is `dir/project`, `dir/outside` lies beside it. */
  setup: (project: string, outside: string) => void;
  args?: string[];
  /** Generates: then `check` looks at the output folder. Refused: the diagnostic expected. */
  expect:
    | { generates: true; check?: (out: string) => void | Promise<void> }
    | { rule: string; at: string };
}

export const readme = (out: string) => fs.readFileSync(path.join(out, 'widgets/README.md'), 'utf8');
/** Lines of a README outside fenced code blocks. */
export const prose = (text: string) =>
  text
    .split('\n')
    .filter(
      (line, i, lines) => lines.slice(0, i).filter((l) => l.startsWith('```')).length % 2 === 0,
    )
    .filter((line) => !line.startsWith('```'));

/** Cases about the project's folders: links, paths outside, reserved names. */
export const PATH_CASES: Case[] = [
  {
    name: 'spec-linked-to-proc-environ',
    attack: 'a spec linked to /proc/self/environ printed the environment in diagnostics',
    setup: (root) => {
      write(root, { 'specs/widgets.openapi.yaml': OPENAPI });
      fs.symlinkSync('/proc/self/environ', path.join(root, 'specs/widgets.yaml'));
    },
    expect: { rule: 'io/symlink', at: 'specs/widgets.yaml:1:1' },
  },
  {
    name: 'spec-linked-outside',
    attack: 'a spec linked to a file outside the project was read and generated',
    setup: (root, outside) => {
      write(outside, { 'secret.yaml': edited(BASE, [[['info', 'label'], SECRET]]) });
      write(root, { 'specs/widgets.openapi.yaml': OPENAPI });
      fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'specs/widgets.yaml'));
    },
    expect: { rule: 'io/symlink', at: 'specs/widgets.yaml:1:1' },
  },
  {
    name: 'config-names-a-spec-outside',
    attack: 'capabilities: [../outside/…] in the config was read',
    setup: (root, outside) => {
      write(outside, { 'widgets.yaml': BASE });
      write(root, {
        'capgen.config.yaml':
          'openapi: [specs/widgets.openapi.yaml]\ncapabilities:\n  - ../outside/widgets.yaml\n',
        'specs/widgets.openapi.yaml': OPENAPI,
      });
    },
    expect: { rule: 'io/outside-project', at: 'capgen.config.yaml:3:5' },
  },
  {
    name: 'openapi-flag-outside',
    attack: '--openapi ../outside/… was read',
    setup: (root, outside) => {
      write(outside, { 'widgets.openapi.yaml': OPENAPI });
      write(root, { 'specs/widgets.yaml': BASE });
    },
    args: ['--openapi', '../outside/widgets.openapi.yaml'],
    expect: { rule: 'io/outside-project', at: '../outside/widgets.openapi.yaml:1:1' },
  },
  {
    name: 'config-schema-outside',
    attack: 'schema: [../outside/…] in the config was read (and its errors quoted it)',
    setup: (root, outside) => {
      write(outside, { 'naftiko.schema.json': `{"title": "${SECRET}"}` });
      project([])(root);
      write(root, { 'capgen.config.yaml': 'schema:\n  - ../outside/naftiko.schema.json\n' });
    },
    expect: { rule: 'io/outside-project', at: 'capgen.config.yaml:2:5' },
  },
  {
    name: 'ruleset-flag-outside',
    attack: '--ruleset ../outside/… was loaded, with the custom functions it names',
    setup: (root, outside) => {
      write(outside, { 'rules.yml': 'rules: {}\n' });
      project([])(root);
    },
    args: ['--ruleset', '../outside/rules.yml'],
    expect: { rule: 'io/outside-project', at: '../outside/rules.yml:1:1' },
  },
  {
    name: 'schema-linked-outside',
    attack: 'a schema file in the project linked to a file outside it was read',
    setup: (root, outside) => {
      write(outside, { 'naftiko.schema.json': `{"title": "${SECRET}"}` });
      project([])(root);
      write(root, { 'capgen.config.yaml': 'schema: vendor/naftiko.schema.json\n' });
      fs.mkdirSync(path.join(root, 'vendor'));
      fs.symlinkSync(
        path.join(outside, 'naftiko.schema.json'),
        path.join(root, 'vendor/naftiko.schema.json'),
      );
    },
    // The path is checked where the config names it: through the link, it leads outside.
    expect: { rule: 'io/outside-project', at: 'capgen.config.yaml:1:9' },
  },
  {
    name: 'config-out-outside',
    attack: 'out: ../outside/generated wrote outside the project',
    setup: (root) =>
      write(root, {
        'capgen.config.yaml': 'out: ../outside/generated\n',
        'specs/widgets.yaml': BASE,
        'specs/widgets.openapi.yaml': OPENAPI,
      }),
    expect: { rule: 'io/outside-project', at: 'capgen.config.yaml:1:6' },
  },
  {
    name: 'output-folder-linked-outside',
    attack: 'files were written through a linked output folder',
    setup: baseWithLink('generated', 'out'),
    expect: { rule: 'io/symlink', at: 'generated:1:1' },
  },
  {
    name: 'capability-folder-linked-outside',
    attack: 'files were written through a linked folder inside the output folder',
    setup: baseWithLink('generated/widgets', 'dir'),
    expect: { rule: 'io/symlink', at: 'generated/widgets:1:1' },
  },
  {
    name: 'check-diffs-a-linked-file',
    attack: '--check read a generated file linked outside and printed its contents in the diff',
    setup: baseWithLink('generated/widgets/README.md', 'secret.txt', {
      'secret.txt': `${SECRET}\n`,
    }),
    args: ['--check'],
    expect: { rule: 'io/symlink', at: 'generated/widgets/README.md:1:1' },
  },
  {
    name: 'cleanup-through-a-link',
    attack: 'the manifest cleanup deleted a file outside the output folder through a linked folder',
    setup: baseWithLink(
      'generated/old',
      'olddir',
      { 'olddir/stale.ts': 'export const mine = 1;\n' },
      { 'generated/.capgen-manifest.json': '{"generator":"capgen","files":["old/stale.ts"]}' },
    ),
    expect: { rule: 'io/symlink', at: 'generated/old:1:1' },
  },
  {
    name: 'capability-named-runtime',
    attack:
      'specs/runtime.yaml collided with generated/runtime: the write failed halfway and left .tmp files',
    setup: project([], [], 'specs/runtime.yaml'),
    expect: { rule: 'naftiko/reserved-name', at: 'specs/runtime.yaml:1:1' },
  },
  {
    name: 'ids-equal-after-normalization',
    attack: "specs/-widgets.yaml and specs/widgets.yaml made folders '-widgets' and 'widgets'",
    setup: (root) => {
      project([])(root);
      write(root, { 'specs/-widgets.yaml': BASE });
    },
    expect: { rule: 'naftiko/duplicate-name', at: 'specs/widgets.yaml:1:1' },
  },
];
