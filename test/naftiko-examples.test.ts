/**
 * The Naftiko Framework's own example capabilities (../shared/naftiko/framework/examples, 32 files)
 * validated as a user would: `capgen validate`, checked by the official JSON Schema and Spectral
 * ruleset named on the command line (`--schema`, `--ruleset`), as they are (alpha3) and with
 * their version changed to alpha2, and by capgen's built-in schema. Only what the engine's own tests
 * call invalid fails: aggregate-invalid-ref.yaml's unknown `ref`; the ruleset finds the semantic
 * inconsistencies of spectral-semantics-inconsistent.yaml and nothing in the consistent one.
 * Parts capgen does not generate yet (only the control adapters now) are warnings, never errors.
 *
 * Reads ../shared; skips with a printed notice where it is absent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FRAMEWORK = path.resolve(ROOT, '../shared/naftiko/framework');
const EXAMPLES = path.join(FRAMEWORK, 'examples');
const SCHEMAS = [
  path.resolve(ROOT, '../shared/naftiko/naftiko-schema-1.0.0-alpha2.json'),
  path.join(FRAMEWORK, 'naftiko-schema-1.0.0-alpha3.json'),
];
const RULESET = path.join(FRAMEWORK, 'rules/naftiko-rules.yml');
const available =
  fs.existsSync(EXAMPLES) && fs.existsSync(RULESET) && SCHEMAS.every((s) => fs.existsSync(s));
if (!available) console.warn(`naftiko-examples: skipped, ${FRAMEWORK} is not there`);

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function capabilityFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory())
        return ['openapi', 'schemas', 'scripts'].includes(e.name)
          ? []
          : capabilityFiles(full, base);
      return /\.ya?ml$/.test(e.name) ? [path.relative(base, full).split(path.sep).join('/')] : [];
    })
    .sort();
}

/** A project holding the examples (version rewritten), listed in its capgen.config.yaml. */
function project(version?: string): { root: string; files: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'capgen-naftiko-examples-'));
  temps.push(root);
  fs.cpSync(EXAMPLES, root, { recursive: true });
  const files = capabilityFiles(root);
  fs.mkdirSync(path.join(root, 'vendor'));
  if (version)
    for (const file of files) {
      const full = path.join(root, file);
      fs.writeFileSync(
        full,
        fs.readFileSync(full, 'utf8').replace(/^naftiko:.*$/m, `naftiko: "${version}"`),
      );
    }
  fs.writeFileSync(
    path.join(root, 'capgen.config.yaml'),
    `openapi: []\ncapabilities:\n${files.map((f) => `  - ${f}\n`).join('')}`,
  );
  // The official schemas and ruleset (with its functions) too: capgen reads only inside its project.
  for (const schema of SCHEMAS) fs.copyFileSync(schema, path.join(root, vendored(schema)));
  fs.cpSync(path.dirname(RULESET), path.join(root, path.dirname(vendored(RULESET))), {
    recursive: true,
  });
  return { root, files };
}

/** Where a project keeps its copy of an official file: vendor/<name>, rules under vendor/rules/. */
function vendored(file: string): string {
  return file === RULESET ? 'vendor/rules/naftiko-rules.yml' : `vendor/${path.basename(file)}`;
}

async function validate(root: string, args: string[]) {
  let stderr = '';
  let stdout = '';
  const code = await runCli(['validate', '--verbose', ...args], {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    color: false,
  });
  const diagnostics = [
    ...stderr.matchAll(/^(\S+):(\d+):(\d+) {2}(error|warning|info) {2}(\S+) {2}(.*)$/gm),
  ].map((m) => ({ file: m[1], at: `${m[2]}:${m[3]}`, severity: m[4], rule: m[5], message: m[6] }));
  return { code, stderr, stdout, diagnostics };
}

const official = [
  '--ruleset',
  vendored(RULESET),
  ...SCHEMAS.flatMap((s) => ['--schema', vendored(s)]),
];

describe.skipIf(!available)('the Naftiko Framework examples', () => {
  it('are 32 capability files', () => {
    expect(project().files).toHaveLength(32);
  });

  it.each([
    ['alpha3 (as they are), official schema and ruleset', undefined, official],
    [
      'changed to alpha2, official schema and ruleset named in capgen.config.yaml',
      '1.0.0-alpha2',
      'config',
    ],
    ["alpha3, capgen's built-in schema", undefined, []],
    ["changed to alpha2, capgen's built-in schema", '1.0.0-alpha2', []],
  ] as const)('%s: only the unknown ref is an error', async (_title, version, how) => {
    const { root } = project(version);
    if (how === 'config')
      fs.appendFileSync(
        path.join(root, 'capgen.config.yaml'),
        `schema: [${SCHEMAS.map((s) => JSON.stringify(vendored(s))).join(', ')}]\nrulesets: [${JSON.stringify(vendored(RULESET))}]\n`,
      );
    const args = how === 'config' ? [] : how;
    const { code, diagnostics, stderr } = await validate(root, [...args]);
    expect(code).toBe(1);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors, stderr).toEqual([
      {
        file: 'aggregates/aggregate-invalid-ref.yaml',
        at: '32:16',
        severity: 'error',
        rule: 'naftiko/unknown-ref',
        message: "ref 'unknown.nonexistent' does not name an aggregate function",
      },
    ]);
    // Not generated yet is a warning of its own rule, never an invalid document. MCP resources and
    // prompts, skill adapters, control adapters and observability, steps, lookups, aggregates and
    // ref, forward, mock outputs, every output format and every authentication scheme are
    // generated: no such warning at all.
    const notGenerated = diagnostics.filter((d) => d.rule === 'capgen/not-generated');
    expect(notGenerated.map((d) => `${d.file} ${d.message}`)).toEqual([]);
    expect(diagnostics.filter((d) => d.rule === 'naftiko/unsupported')).toEqual([]);
    // The avro and protobuf examples name no schema file: generated, every call failing as with
    // the engine, and said so.
    expect(
      diagnostics
        .filter((d) => d.rule === 'capgen/output-schema-missing')
        .map((d) => `${d.file} ${d.severity}`),
    ).toEqual(['formats/avro-capability.yaml warning', 'formats/proto-capability.yaml warning']);
    expect(
      diagnostics.filter((d) => /^naftiko\/|^schema\//.test(d.rule) && d.severity === 'error'),
    ).toHaveLength(1);
    if (!args.length && how !== 'config') return;
    // The ruleset ran on every file, through Spectral, with its rule ids and positions.
    const findings = diagnostics.filter((d) => d.rule.startsWith('naftiko-rules/'));
    expect(findings.filter((d) => d.file === 'rules/spectral-semantics-consistent.yaml')).toEqual(
      [],
    );
    expect(
      findings
        .filter((d) => d.file === 'rules/spectral-semantics-inconsistent.yaml')
        .map((d) => `${d.at} ${d.severity} ${d.rule}`),
    ).toEqual([
      '49:23 warning naftiko-rules/naftiko-aggregate-semantics-consistency',
      '50:26 warning naftiko-rules/naftiko-aggregate-semantics-consistency',
      '59:23 warning naftiko-rules/naftiko-aggregate-semantics-consistency',
    ]);
    expect(findings.some((d) => d.rule === 'naftiko-rules/naftiko-consumes-description')).toBe(
      true,
    );
  });

  it('the ruleset reports an error of its own (duplicate namespaces) at its position, and the schema a version it lacks', async () => {
    const { root } = project();
    const file = path.join(root, 'mcp/mcp-capability.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('namespace: "mock-api"', 'namespace: "test-mcp"'),
    );
    const { diagnostics } = await validate(root, [...official]);
    const mine = diagnostics.filter((d) => d.file === 'mcp/mcp-capability.yaml');
    expect(mine.map((d) => `${d.at} ${d.severity} ${d.rule}`)).toContain(
      '18:18 error naftiko-rules/naftiko-namespaces-unique',
    );
    // capgen's own check says the same, with its own rule id.
    expect(mine.map((d) => `${d.at} ${d.rule}`)).toContain('18:18 naftiko/duplicate-name');

    const alpha2Only = await validate(root, ['--schema', vendored(SCHEMAS[0])]);
    expect(alpha2Only.code).toBe(1);
    const unknownVersion = alpha2Only.diagnostics.filter(
      (d) =>
        d.rule === 'naftiko/invalid-value' &&
        d.message.includes("'1.0.0-alpha3' has no schema here"),
    );
    expect(new Set(unknownVersion.map((d) => d.file)).size).toBe(32);
  });
});
