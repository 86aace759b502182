/**
 * Hostile specs: a fixed corpus, one case per way a third-party capability file or OpenAPI
 * document (or a link next to them) tried to break out of generated code or out of the project,
 * each of which worked on the generator before these defences. Every case is a small project
 * under .tmp/ built from the malformed-input corpus's valid base with one hostile edit.
 *
 * A case either generates, and then its output must be inert (see helpers/inert.ts: it compiles
 * under strict, no payload becomes code, no JSDoc tag is injected, importing every module prints
 * nothing and touches no global), or it is refused with a positioned diagnostic, exit 1, no stack
 * trace, and nothing in or beside the project changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli } from '../generator/cli.js';
import {
  compileErrors,
  importAll,
  scratchDir,
  shapeOf,
  tsFiles,
  type ImportReport,
} from './helpers/inert.js';

import {
  BASE,
  CONSUMES,
  MCP,
  OPENAPI,
  PATH_CASES,
  PAYLOAD,
  project,
  prose,
  readme,
  REST,
  SECRET,
  write,
  type Case,
} from './helpers/hostile-corpus.js';

const cases: Case[] = [
  // --- spec text breaking out of generated comments, strings and templates ---------------------
  {
    name: 'label-closes-the-header-comment',
    attack: 'info.label `*/ code /*` ran on import of client.ts',
    setup: project([[['info', 'label'], `W */ ${PAYLOAD}; /* `]]),
    expect: { generates: true },
  },
  {
    name: 'consumes-description-closes-a-doc-comment',
    attack: 'a consumed API description closed the doc comment of its ApiSpec constant',
    setup: project([[[...CONSUMES, 'description'], `*/ ${PAYLOAD}; /*`]]),
    expect: { generates: true },
  },
  {
    name: 'ten-kilobyte-payload',
    attack: 'the same with a 10 KB description',
    setup: project([[[...CONSUMES, 'description'], `*/ ${PAYLOAD}; /*`.repeat(160)]]),
    expect: { generates: true },
  },
  {
    name: 'resource-path-closes-a-doc-comment',
    attack: 'a consumed resource path closed the comment above its OperationSpec constant',
    setup: project([[[...CONSUMES, 'resources', 0, 'path'], `/v1/widgets/{id}/*/${PAYLOAD};/*`]]),
    expect: { generates: true },
  },
  {
    name: 'operation-id-closes-a-doc-comment',
    attack: 'an OpenAPI operationId closed the comment above its OperationSpec constant',
    setup: project(
      [],
      [[['paths', '/v1/widgets/{id}', 'get', 'operationId'], `G */ ${PAYLOAD}; /*`]],
    ),
    expect: { generates: true },
  },
  {
    name: 'openapi-description-adds-a-jsdoc-tag',
    attack: 'an OpenAPI parameter description added @deprecated to the generated parameter type',
    setup: project(
      [],
      [
        [
          ['paths', '/v1/widgets/{id}', 'get', 'parameters', 0, 'description'],
          'The id.\n@deprecated do not call this',
        ],
      ],
    ),
    expect: { generates: true },
  },
  {
    name: 'component-texts-add-jsdoc-tags-to-shared-types',
    attack:
      'a component schema description, property description or example (keys included) added JSDoc tags to types/<api>.ts',
    setup: project(
      [],
      [
        [
          ['paths', '/v1/widgets/{id}', 'get', 'responses', '200', 'content'],
          { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } },
        ],
        [
          ['components'],
          {
            schemas: {
              Widget: {
                type: 'object',
                title: 'Widget */ @deprecated',
                description: 'A widget.\n@deprecated\u2028@internal */ /* @see x',
                example: { '\u2028@deprecated': '*/ @internal', id: 'w\u2029@see' },
                properties: {
                  id: { type: 'string', description: '\u2028@readonly', example: '@example' },
                  size: { type: 'integer', default: 1, format: 'int\n@deprecated' },
                },
              },
            },
          },
        ],
      ],
    ),
    expect: {
      generates: true,
      check: (out) =>
        expect(fs.readFileSync(path.join(out, 'types/example.ts'), 'utf8')).toContain(
          'export interface Widget {',
        ),
    },
  },
  {
    name: 'ref-without-a-pointer',
    attack: "a response schema {$ref: 'Widget */ ...'} ended in `internal error` (exit 70)",
    setup: project(
      [],
      [
        [
          ['paths', '/v1/widgets/{id}', 'get', 'responses', '200', 'content'],
          { 'application/json': { schema: { $ref: `Widget */ ${PAYLOAD}; /*` } } },
        ],
      ],
    ),
    expect: { generates: true },
  },
  {
    name: 'api-named-like-a-name-of-types-ts',
    attack:
      "an API at json-value.example became the namespace JsonValue, declared twice in types.ts next to the runtime's JsonValue",
    setup: project(
      [[[...CONSUMES, 'baseUri'], 'https://json-value.example']],
      [
        [['servers', 0, 'url'], 'https://json-value.example'],
        [
          ['paths', '/v1/widgets/{id}', 'get', 'responses', '200', 'content'],
          { 'application/json': { schema: { $ref: '#/components/schemas/Widget' } } },
        ],
        [['components'], { schemas: { Widget: { type: 'object' } } }],
      ],
    ),
    expect: {
      generates: true,
      check: (out) =>
        expect(fs.readFileSync(path.join(out, 'widgets/types.ts'), 'utf8')).toContain(
          'export type { JsonValue, JsonValue2 };',
        ),
    },
  },
  {
    name: 'operation-description-adds-a-jsdoc-tag',
    attack: 'a consumed operation description added @deprecated to a client method',
    setup: project([
      [
        [...CONSUMES, 'resources', 0, 'operations', 0, 'description'],
        'Gets a widget.\n@deprecated use nothing',
      ],
    ]),
    expect: { generates: true },
  },
  {
    name: 'rest-namespace-in-a-template-literal',
    attack: 'an exposes namespace `${...}` ran inside the REST adapter start-up message',
    setup: project([[[...REST, 'namespace'], `w\${${PAYLOAD}}\`\\`]]),
    // Refused since the schema check (names of letters, digits and '-'); the message reads the
    // namespace from REST_ADAPTER at run time anyway.
    expect: { rule: 'naftiko/invalid-value', at: 'specs/widgets.yaml:35:18' },
  },
  {
    name: 'mcp-namespace-in-a-template-literal',
    attack: 'an exposes namespace `${...}` ran inside the MCP server start-up message',
    setup: project([[[...MCP, 'namespace'], `m\${${PAYLOAD}}`]]),
    // Refused since the schema check; the message reads MCP_SERVER.name at run time anyway.
    expect: { rule: 'naftiko/invalid-value', at: 'specs/widgets.yaml:50:18' },
  },
  {
    name: 'ref-marker-as-output-value',
    attack:
      "'@@ref:process@@' as an output value became the identifier `process`: the REST adapter answered with process.env",
    setup: project([
      [
        [...REST, 'resources', 0, 'operations', 0, 'outputParameters'],
        [{ type: 'string', value: '@@ref:process@@' }],
      ],
    ]),
    expect: {
      generates: true,
      async check(out) {
        const rest = (await import(path.join(out, 'widgets/rest.ts'))) as {
          createHandler: (options: object) => (request: Request) => Promise<Response>;
        };
        const handler = rest.createHandler({
          apiKey: 'k',
          fetch: async () => Response.json({ id: 'w1' }),
        });
        const response = await handler(new Request('http://localhost/widgets/w1'));
        expect(await response.json()).toBe('@@ref:process@@');
      },
    },
  },
  {
    name: 'ref-marker-as-with-literal',
    attack: "'@@ref:globalThis@@' as a `with` literal became the identifier `globalThis`",
    setup: project([[[...MCP, 'tools', 0, 'with', 'expand'], '@@ref:globalThis@@']]),
    expect: { generates: true },
  },
  {
    name: 'operation-marker-as-with-literal',
    attack: "'@@operation:process@@' as a `with` literal became the identifier `process`",
    setup: project([
      [[...REST, 'resources', 0, 'operations', 0, 'with', 'expand'], '@@operation:process@@'],
    ]),
    expect: { generates: true },
  },
  {
    name: 'capability-named-api',
    attack: 'specs/api.yaml made a client type ApiClient that clashed with the runtime import',
    setup: project([], [], 'specs/api.yaml'),
    expect: {
      generates: true,
      check: (out) => expect(fs.existsSync(path.join(out, 'api/client.ts'))).toBe(true),
    },
  },
  {
    name: 'namespaces-equal-after-normalization',
    attack: "consumes namespaces 'widgets' and 'Widgets' declared the same client variable twice",
    setup: (root) =>
      write(root, {
        'specs/widgets.yaml': (() => {
          const doc = YAML.parseDocument(BASE);
          const second = (doc.getIn(CONSUMES) as YAML.YAMLMap).clone() as YAML.YAMLMap;
          second.set('namespace', 'Widgets');
          (doc.getIn(['capability', 'consumes']) as YAML.YAMLSeq).add(second);
          return doc.toString();
        })(),
        'specs/widgets.openapi.yaml': OPENAPI,
      }),
    expect: { generates: true },
  },
  {
    name: 'source-path-closes-the-header-comment',
    attack: "a capability file under a folder named 'w*' put '*/' in every file header",
    setup: (root) =>
      write(root, {
        'capgen.config.yaml':
          "openapi: [specs/widgets.openapi.yaml]\ncapabilities: ['specs/w*/*.yaml']\n",
        'specs/w*/widgets.yaml': BASE,
        'specs/widgets.openapi.yaml': OPENAPI,
      }),
    expect: { generates: true },
  },

  // --- descriptions: entities, HTML and Markdown ------------------------------------------------
  {
    name: 'hex-entity',
    attack: "'&#x41;' in a description ended in `internal error`, exit 70",
    setup: project([[['info', 'description'], 'Caf&#xE9; &#x41;&#66; &amp;']]),
    expect: {
      generates: true,
      check: (out) => expect(readme(out)).toContain('Café AB \\&'),
    },
  },
  {
    name: 'out-of-range-entities',
    attack: "'&#1114112;' and '&#xFFFFFFFF;' threw a RangeError (exit 70)",
    setup: project([
      [[...MCP, 'tools', 0, 'description'], 'Odd &#1114112; &#xFFFFFFFF; &#0; &bogus;'],
    ]),
    expect: { generates: true },
  },
  {
    name: 'html-in-the-readme',
    attack: 'an entity-encoded <script> reached the README as raw HTML',
    setup: project([
      [
        ['info', 'description'],
        '&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;',
      ],
    ]),
    expect: {
      generates: true,
      check: (out) => expect(prose(readme(out)).join('\n')).not.toMatch(/(?<!\\)<(script|img)/i),
    },
  },
  {
    name: 'code-fence-in-the-readme',
    attack: 'a description line ``` opened a code block that swallowed the rest of the README',
    setup: project([[['info', 'description'], 'Intro.\n\n```\n\n# Injected heading\n\n~~~']]),
    expect: {
      generates: true,
      check: (out) => {
        const lines = readme(out).split('\n');
        expect(lines.filter((l) => /^(```|~~~)/.test(l))).toHaveLength(8);
        expect(prose(readme(out)).filter((l) => /^#/.test(l))).toEqual([
          '# Widgets',
          '## Environment',
          '## Client',
          '## REST adapter',
          '## MCP server',
        ]);
      },
    },
  },
  {
    name: 'pipe-and-backtick-in-a-table',
    attack: 'a route path with | and ` broke the README table and its code span',
    setup: project([[[...REST, 'resources', 0, 'path'], '/widgets/{id}/a|b`c']]),
    expect: {
      generates: true,
      check: (out) => {
        for (const line of readme(out)
          .split('\n')
          .filter((l) => l.startsWith('|'))) {
          const cells = line.replace(/\\\|/g, '').split('|').length;
          const header = readme(out)
            .split('\n')
            .filter((l) => l.startsWith('|'))
            .find((l) => l.replace(/\\\|/g, '').split('|').length === cells);
          expect(header, line).toBeDefined();
        }
        expect(readme(out)).toContain('`/widgets/{id}/a\\|b`c`');
      },
    },
  },

  // --- MCP resources and prompts, skills ----------------------------------------------------------
  {
    name: 'resource-and-prompt-texts-break-out',
    attack:
      'resource names, URIs and descriptions and prompt texts are new spec text in mcp.ts and the README',
    setup: project([
      [
        [...MCP, 'resources'],
        [
          {
            name: 'card',
            label: `Card */ ${PAYLOAD}; /*`,
            uri: `card://'); ${PAYLOAD}; ('/{id}`,
            description: '<script>alert(1)</script> | `x` @deprecated',
            mimeType: 'application/json',
            call: 'widgets.get-widget',
            with: { id: '{{id}}' },
          },
        ],
      ],
      [
        [...MCP, 'prompts'],
        [
          {
            name: 'p',
            label: '${' + PAYLOAD + '}',
            description: '*/ @internal',
            arguments: [{ name: 'x', description: '`); ' + PAYLOAD + '; (`' }],
            template: [{ role: 'user', content: '{{x}} \u2028 ${' + PAYLOAD + '} </script>' }],
          },
        ],
      ],
    ]),
    expect: {
      generates: true,
      check: (out) => {
        const mcp = fs.readFileSync(path.join(out, 'widgets/mcp-handler.ts'), 'utf8');
        expect(mcp).toContain('resources: [');
        expect(mcp).toContain('prompts: [');
        expect(readme(out)).not.toContain('<script>');
      },
    },
  },
  {
    name: 'skill-texts-break-the-front-matter',
    attack:
      'skill descriptions, metadata keys and values, allowed-tools and hints in the YAML front matter of SKILL.md',
    setup: project([
      [
        ['capability', 'exposes', 2],
        {
          type: 'skill',
          namespace: 'widgets-skills',
          port: 9091,
          description: '<script>alert(1)</script>',
          skills: [
            {
              name: 'widget-care',
              description: 'Care.\n---\nname: evil\n...\n<!-- `x` */ ' + PAYLOAD,
              metadata: { 'evil: key\n---': '"\n---', '--- ': "'" },
              'allowed-tools': 'get "\n---\n',
              'argument-hint': '\u2028---\u2029',
              tools: [
                {
                  name: 'get',
                  description: `Get. */ ${PAYLOAD}; /*`,
                  from: { sourceNamespace: 'widgets-mcp', action: 'get-widget' },
                },
              ],
            },
          ],
        },
      ],
    ]),
    expect: {
      generates: true,
      check: (out) => {
        const text = fs.readFileSync(path.join(out, 'widgets/skills/widget-care/SKILL.md'), 'utf8');
        const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
        expect(YAML.parse(front)).toEqual({
          name: 'widget-care',
          description: 'Care.\n---\nname: evil\n...\n<!-- `x` */ ' + PAYLOAD,
          'allowed-tools': 'get-widget " ---',
          metadata: { 'evil: key\n---': '"\n---', '--- ': "'" },
          'argument-hint': '\u2028---\u2029',
        });
        // The body escapes the description: no tag or comment opens in it.
        expect(text.slice(front.length + 8)).not.toMatch(/(^|[^\\])<(script>|!-- `x`)/);
      },
    },
  },
  {
    name: 'instruction-file-outside-the-skill-folder',
    attack: 'an instruction path climbing out of the skill folder, copied or served',
    setup: project([
      [
        ['capability', 'exposes', 2],
        {
          type: 'skill',
          namespace: 'widgets-skills',
          port: 9091,
          skills: [
            {
              name: 'widget-care',
              description: 'Care.',
              location: 'file:///tmp/capgen-hostile-skill',
              tools: [{ name: 'read', description: 'Read.', instruction: '../../etc/passwd' }],
            },
          ],
        },
      ],
    ]),
    expect: { rule: 'naftiko/invalid-value', at: 'specs/widgets.yaml:72:28' },
  },

  ...PATH_CASES,
];

// --- harness ------------------------------------------------------------------------------------

const DIAGNOSTIC = /^(\S+:\d+:\d+) {2}(error|warning) {2}(\S+) {2}\S/;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let scratch: string;
const results = new Map<string, { code: number; output: string; dir: string; before: string }>();
let compiled: Map<string, string>;
let imported: ImportReport;
let shapes: Map<string, string[]>;

/** Every path under `dir` (links not followed) with its contents or link target. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isSymbolicLink()) out.push(`${full} -> ${fs.readlinkSync(full)}`);
      else if (entry.isDirectory()) {
        out.push(`${full}/`);
        walk(full);
      } else out.push(`${full}: ${fs.readFileSync(full, 'base64')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

beforeAll(async () => {
  scratch = scratchDir('hostile-');
  for (const c of cases) {
    const dir = path.join(scratch, c.name);
    const root = path.join(dir, 'project');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    c.setup(root, outside);
    const before = snapshot(dir);
    let output = '';
    const write = (text: string) => (output += text);
    const code = await runCli(['generate', ...(c.args ?? [])], {
      cwd: root,
      stdout: write,
      stderr: write,
      color: false,
    });
    results.set(c.name, { code, output, dir, before });
  }
  // The output of every case that generates: compiled as one program, imported in one process.
  const generated = cases
    .filter((c) => 'generates' in c.expect && results.get(c.name)?.code === 0)
    .flatMap((c) => tsFiles(path.join(scratch, c.name, 'project/generated')));
  const own = generated.filter((f) => !f.includes(`${path.sep}runtime${path.sep}`));
  compiled = compileErrors(generated);
  imported = await importAll(own, scratch);
  shapes = new Map(own.map((f) => [f, shapeOf(fs.readFileSync(f, 'utf8')).problems]));
}, 240_000);

afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('hostile spec corpus', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it('importing the output of every case prints nothing and touches no global', () => {
    expect(imported.failures).toEqual([]);
    expect(imported.changes).toEqual([]);
    expect(imported.stdout).toBe('');
    expect(imported.stderr).toBe('');
  });
});

describe.each(cases)('$name', (c) => {
  const expected = c.expect;
  const title =
    'generates' in expected
      ? `generates inert code (was: ${c.attack})`
      : `is refused: ${expected.at} ${expected.rule} (was: ${c.attack})`;
  it(title, async () => {
    const { code, output, dir, before } = results.get(c.name)!;
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toMatch(/internal error/);
    expect(output).not.toContain(SECRET);
    const lines = output.split('\n');
    lines.forEach((line, i) => {
      if (DIAGNOSTIC.test(line))
        expect(lines[i + 1], `no hint after: ${line}`).toMatch(/^ {4}hint: \S/);
    });
    if ('generates' in expected) {
      expect(code, output).toBe(0);
      const out = path.join(dir, 'project/generated');
      const files = tsFiles(out).filter((f) => !f.includes(`${path.sep}runtime${path.sep}`));
      expect(files.length).toBeGreaterThanOrEqual(4);
      for (const file of tsFiles(out)) expect(compiled.get(file), file).toBeUndefined();
      for (const file of files) expect(shapes.get(file), file).toEqual([]);
      await expected.check?.(out);
    } else {
      expect(code, output).toBe(1);
      const found = lines.some((line) => {
        const m = DIAGNOSTIC.exec(line);
        return m?.[1] === expected.at && m[2] === 'error' && m[3] === expected.rule;
      });
      expect(found, `no '${expected.at}  error  ${expected.rule}' in:\n${output}`).toBe(true);
      expect(output).toMatch(/nothing was written\n$/);
      expect(snapshot(dir)).toBe(before);
    }
  });
});
