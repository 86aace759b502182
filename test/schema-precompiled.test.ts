/**
 * Validators compiled at build time (ajv's standalone code, schema-compile.ts's standaloneModule,
 * which `npm run build` writes into dist/validators/) explain exactly as the same schema compiled at
 * run time: the same issues, to the schema objects they carry, and the same diagnostics, for both
 * built-in Naftiko versions on every example, seed and malformed-corpus capability file, mutations
 * of each, and hostile documents; and for the config schema. The modules are written here, from
 * the sources, into a temporary folder; the last test checks dist/ holds the same ones when built.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_VERSIONS,
  builtinSchema,
  builtinValidatorsName,
} from '../generator/check/naftiko-schema.js';
import { compileSchema, standaloneModule } from '../generator/check/schema-compile.js';
import { ExplainingValidator, type SchemaIssue } from '../generator/check/schema-explain.js';
import { precompileSchemas } from '../generator/check/schema-precompile.js';
import { loadPrecompiled, validatorsModule } from '../generator/check/schema-precompiled.js';
import { reportSchemaIssues } from '../generator/check/schema-report.js';
import { CONFIG_SCHEMA } from '../generator/config.js';
import { DiagnosticBag } from '../generator/diagnostics.js';
import { parseSource } from '../generator/load/source.js';
import { capability, hostile } from './helpers/hostile-documents.js';
import { cases, mutations } from './helpers/naftiko-cases.js';

type Schema = Record<string, unknown>;
// Inside the checkout (.tmp/ is ignored): the modules `require` ajv's runtime from node_modules.
const ROOT = path.resolve(import.meta.dirname, '..');
fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
const work = fs.mkdtempSync(path.join(ROOT, '.tmp', 'precompiled-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The same schema, compiled now and precompiled. */
function pair(name: string, schema: Schema) {
  const file = path.join(work, validatorsModule(name));
  fs.writeFileSync(file, standaloneModule(schema));
  return {
    runtime: new ExplainingValidator(compileSchema(schema)),
    precompiled: new ExplainingValidator(loadPrecompiled(file, () => schema)),
  };
}

const diagnostics = (text: string, issues: SchemaIssue[]) => {
  const bag = new DiagnosticBag();
  reportSchemaIssues(parseSource('doc.yaml', text, new DiagnosticBag()), bag, issues);
  return bag.sorted();
};

describe('precompiled validators ⇔ validators compiled at run time', () => {
  const validators = new Map<string, ReturnType<typeof pair>>(
    BUILTIN_VERSIONS.map((v) => [v, pair(builtinValidatorsName(v), builtinSchema(v))]),
  );
  const counts = { documents: 0, invalid: 0, unions: 0 };

  const same = (name: string, version: string, data: unknown, text?: string) => {
    const { runtime, precompiled } = validators.get(version)!;
    const expected = runtime.validate(data);
    const actual = precompiled.validate(data);
    // Deep: the issue's path, keyword and params, and the schema objects hints read.
    expect(actual, name).toEqual(expected);
    if (text !== undefined)
      expect(diagnostics(text, actual), name).toEqual(diagnostics(text, expected));
    counts.documents++;
    if (expected.length) counts.invalid++;
    if (expected.some((i) => 'alternatives' in i.params || 'passingSchemas' in i.params))
      counts.unions++;
  };

  it('every example, seed and malformed-corpus capability file, and 12 mutations of each', () => {
    for (const c of cases()) {
      const data = parseDocument(c.text).toJS() as unknown;
      same(c.name, c.version, data, c.text);
      mutations(data, 12).forEach((mutated, i) =>
        same(`${c.name}, mutation ${i}`, c.version, mutated),
      );
    }
  });

  it('hostile documents', () => {
    const strings = fc.sample(hostile, { numRuns: 60, seed: 14 });
    strings.forEach((text, i) => {
      const doc = capability('api.example.com', 1) as Record<string, unknown>;
      for (const mutated of [doc, ...mutations(doc, 8)]) {
        // A hostile string at one place of every mutation.
        const copy = structuredClone(mutated) as Record<string, unknown>;
        const keys = Object.keys(copy);
        copy[keys[i % keys.length]] = text;
        const version = BUILTIN_VERSIONS[i % BUILTIN_VERSIONS.length];
        same(`hostile ${i}`, version, mutated);
        same(`hostile ${i}: ${JSON.stringify(text)}`, version, copy);
      }
    });
  });

  it('covered valid and invalid documents and explained unions', () => {
    console.log(
      `schema-precompiled: ${counts.documents} documents, ${counts.invalid} invalid, ${counts.unions} with merged or ambiguous unions; identical`,
    );
    expect(counts.invalid).toBeGreaterThan(counts.documents / 3);
    expect(counts.documents - counts.invalid).toBeGreaterThan(0);
    expect(counts.unions).toBeGreaterThan(0);
  });

  it('the config schema', () => {
    const { runtime, precompiled } = pair('config', CONFIG_SCHEMA);
    const configs = [
      {},
      { targets: ['node', 'workers'], schema: 'vendor/naftiko.json', typeDepth: 3 },
      { schema: 42, typeDepth: 0, image: 'Not An Image', unknown: true },
      { targets: ['node', 'node', 'mainframe'], rules: { x: 'loud' }, openapi: 'one.yaml' },
      [],
      'text',
    ];
    for (const config of configs) {
      const text = JSON.stringify(config);
      const expected = runtime.validate(config);
      expect(precompiled.validate(config)).toEqual(expected);
      expect(diagnostics(text, precompiled.validate(config))).toEqual(diagnostics(text, expected));
    }
  });
});

describe('the build', () => {
  const dist = path.join(ROOT, 'dist/validators');
  it.skipIf(!fs.existsSync(dist))('dist/validators holds what the sources precompile now', () => {
    const fresh = path.join(work, 'fresh');
    for (const file of precompileSchemas(fresh))
      expect(
        fs.readFileSync(path.join(dist, path.basename(file)), 'utf8'),
        `${path.basename(file)}: run npm run build`,
      ).toBe(fs.readFileSync(file, 'utf8'));
  });
});
