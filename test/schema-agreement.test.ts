/**
 * capgen's built-in Naftiko schema (generator/check/schema/) and the official one (read from
 * ../shared through the same mechanism a user's `schema:` setting uses) must agree: the same
 * verdict and the same causes at the same places, on every example capability of the Naftiko
 * Framework (as alpha3 and as alpha2), on our seed capability files, on every capability file of
 * the malformed corpus, and on mutations of all of them (a field removed, a value of the wrong
 * type, an unknown field, a wrong enum value, an emptied list).
 *
 * And both must agree with plain ajv: a document is valid exactly when ajv (draft 2020-12,
 * allErrors) says the official schema accepts it, and every cause capgen reports is at a place ajv
 * reports an error at (its instancePath, or the unknown property under it).
 *
 * Reads ../shared; skips with a printed notice where it is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  builtinSchemas,
  officialSchemas,
  schemaVersion,
} from '../generator/check/naftiko-schema.js';
import type { SchemaIssue } from '../generator/check/schema-explain.js';
import { reportSchemaIssues } from '../generator/check/schema-report.js';
import { cases, EXAMPLES, mutations, SHARED_NAFTIKO } from './helpers/naftiko-cases.js';
import { DiagnosticBag } from '../generator/diagnostics.js';
import { parseSource } from '../generator/load/source.js';

const Ajv2020 = Ajv2020Module.default;
const addFormats = (addFormatsModule as unknown as { default: (ajv: unknown) => void }).default;
const SHARED = SHARED_NAFTIKO;
const OFFICIAL = [
  path.join(SHARED, 'naftiko-schema-1.0.0-alpha2.json'),
  path.join(SHARED, 'framework/naftiko-schema-1.0.0-alpha3.json'),
];
const available = OFFICIAL.every((f) => fs.existsSync(f)) && fs.existsSync(EXAMPLES);
if (!available)
  console.warn(
    `schema-agreement: skipped, the official Naftiko schemas and examples are not in ${SHARED}`,
  );

type Data = Record<string, unknown>;

const placeOf = (issue: SchemaIssue) => {
  const extra = issue.params.additionalProperty ?? issue.params.unevaluatedProperty;
  return '/' + [...issue.path, ...(extra === undefined ? [] : [String(extra)])].join('/');
};

describe.skipIf(!available)('capgen built-in schema ⇔ official Naftiko schema ⇔ plain ajv', () => {
  // The describe body runs even when skipped: read the official files only when they are there.
  const official = officialSchemas(
    (available ? OFFICIAL : []).map((file) => ({
      file,
      schema: JSON.parse(fs.readFileSync(file, 'utf8')) as Data,
    })),
  );
  const builtin = builtinSchemas();
  const raw = new Map<string, ReturnType<InstanceType<typeof Ajv2020>['compile']>>();
  for (const file of available ? OFFICIAL : []) {
    const schema = JSON.parse(fs.readFileSync(file, 'utf8')) as Data;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    raw.set(schemaVersion(schema)!, ajv.compile(schema));
  }
  const all = available ? cases() : [];
  const counts = { documents: 0, mutations: 0, invalid: 0, causes: 0 };

  it('the official schemas are alpha2 and alpha3', () => {
    expect(official.versions.sort()).toEqual(['1.0.0-alpha2', '1.0.0-alpha3']);
    expect(all.filter((c) => c.name.startsWith('aggregates/')).length).toBeGreaterThan(0);
  });

  it.each(all.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const data = parseDocument(c.text).toJS() as unknown;
    const check = (value: unknown, withText: boolean) => {
      const ours = builtin.validator(c.version)!.validate(value);
      const theirs = official.validator(c.version)!.validate(value);
      const key = (i: SchemaIssue) => JSON.stringify([i.path, i.keyword, i.params]);
      // Same causes (kind, place and details), so the same messages at the same places.
      expect(ours.map(key).sort()).toEqual(theirs.map(key).sort());
      if (withText) {
        const diagnostics = (issues: SchemaIssue[]) => {
          const bag = new DiagnosticBag();
          reportSchemaIssues(parseSource(c.name, c.text, new DiagnosticBag()), bag, issues);
          return bag.sorted();
        };
        expect(diagnostics(ours)).toEqual(diagnostics(theirs));
      }
      // Plain ajv: the same verdict, and every cause at a place it names.
      const validate = raw.get(c.version)!;
      const valid = validate(value);
      expect(valid, JSON.stringify(theirs)).toBe(theirs.length === 0);
      const places = new Set(
        (validate.errors ?? []).flatMap((e) => {
          const extra = e.params.additionalProperty ?? e.params.unevaluatedProperty;
          return [
            e.instancePath || '/',
            ...(extra === undefined ? [] : [`${e.instancePath}/${String(extra)}`]),
          ];
        }),
      );
      for (const issue of theirs)
        expect(places, placeOf(issue)).toContain(placeOf(issue) === '/' ? '/' : placeOf(issue));
      counts.causes += theirs.length;
      if (!valid) counts.invalid++;
    };
    check(data, true);
    counts.documents++;
    for (const mutated of mutations(data, 12)) {
      check(mutated, false);
      counts.mutations++;
    }
  });

  it('covered every document and many failures', () => {
    console.log(
      `schema-agreement: ${counts.documents} documents and ${counts.mutations} mutations; ${counts.invalid} invalid, ${counts.causes} causes, identical in both schemas`,
    );
    expect(counts.documents).toBe(all.length);
    expect(counts.invalid).toBeGreaterThan(counts.mutations / 2);
  });
});
