/**
 * capgen's `schema/deviation` warnings must point at exactly the places where the official Naftiko
 * JSON Schema (1.0.0-alpha2) rejects our capability files: no more, no fewer.
 *
 * The schema is validated with ajv (draft 2020-12, allErrors). Raw, its errors are noisy: unions
 * (`oneOf`/`anyOf`) report the failures of every branch, e.g. a rest adapter checked against the
 * MCP, skill and control adapters too. Reduction, in two steps:
 *
 *  1. Discriminated unions. Before compiling, every union is rewritten into what it means, an
 *     `allOf` of `if`/`then` pairs, so only the branch the document selects is validated:
 *     - unions whose branches pin `type` with a `const` (exposes: rest/mcp/skill/control; consumes:
 *       http vs an import, which has no `type`; mapped output parameters: string/number/boolean/
 *       object/array) select the branch by the instance's `type`;
 *     - the mode unions of exposed operations and MCP tools select by mode key: `steps`, else
 *       `ref`, else `call`, else the branch that needs none of them.
 *     Nothing else changes, so every constraint of the selected branch still applies.
 *  2. Leaf causes. The `if` errors that only say "the selected branch failed" are dropped. What is
 *     left must be one of these kinds (anything else fails the test, so no error is ignored):
 *     - `additionalProperties` → the place is the offending key;
 *     - `pattern` → the place is the value;
 *     - `required: properties` on an exposed output parameter of `type: object` with a string
 *       `mapping` (the schema wants `mapping`'s job done by `properties`) → the place is the
 *       `mapping` key, where capgen reports it.
 *
 * Places are compared as `file:line:col` (1-based, as capgen prints them); ajv's instancePath is
 * turned into a position with yaml's parseDocument + LineCounter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module, { type ErrorObject } from 'ajv/dist/2020.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';

// ajv is CommonJS: under NodeNext the default import is its module.exports, whose `default` is the class.
const Ajv2020 = Ajv2020Module.default;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_PATH = path.resolve(ROOT, '../shared/naftiko/naftiko-schema-1.0.0-alpha2.json');
const SPEC_FILES = [
  'specs/checkout-sessions.yaml',
  'specs/identity-sessions.yaml',
  'specs/link-account-sessions.yaml',
];
const schemaAvailable = fs.existsSync(SCHEMA_PATH);
if (!schemaAvailable)
  console.warn(`schema-agreement: skipped, the official Naftiko schema is not at ${SCHEMA_PATH}`);

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// --- step 1: discriminated unions ------------------------------------------------------------------

const MODES = ['steps', 'ref', 'call'] as const;

function discriminateUnions(root: Schema): Schema {
  const defs = root.$defs as Record<string, Schema>;
  const deref = (s: Schema): Schema =>
    typeof s.$ref === 'string' && s.$ref.startsWith('#/$defs/')
      ? deref(defs[s.$ref.slice('#/$defs/'.length)])
      : s;
  /** The `type` const a branch pins (in its properties or an allOf part), if any. */
  const typeTag = (branch: Schema): string | undefined => {
    const s = deref(branch);
    const properties = isObject(s.properties) ? s.properties : {};
    if (isObject(properties.type) && typeof properties.type.const === 'string')
      return properties.type.const;
    for (const part of Array.isArray(s.allOf) ? s.allOf : []) {
      const tag = isObject(part) ? typeTag(part) : undefined;
      if (tag !== undefined) return tag;
    }
    return undefined;
  };
  const modeOf = (branch: Schema) =>
    MODES.find((m) =>
      (Array.isArray(deref(branch).required) ? (deref(branch).required as string[]) : []).includes(
        m,
      ),
    );

  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isObject(node)) return node;
    const out: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewrite(v)]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      const branches = out[key];
      if (!Array.isArray(branches) || !branches.every(isObject)) continue;
      const tags = branches.map(typeTag);
      let pairs: Schema[] | undefined;
      if (tags.some((t) => t !== undefined)) {
        pairs = branches.map((then, i) => ({
          if:
            tags[i] !== undefined
              ? { properties: { type: { const: tags[i] } }, required: ['type'] }
              : { not: { required: ['type'] } },
          then,
        }));
      } else {
        const modes = branches.map(modeOf);
        if (modes.includes('steps') || modes.includes('ref')) {
          const claimed = MODES.filter((m) => modes.includes(m));
          const condition = (mode: (typeof MODES)[number] | undefined): Schema =>
            mode === undefined
              ? { not: { anyOf: claimed.map((m) => ({ required: [m] })) } }
              : {
                  allOf: [
                    { required: [mode] },
                    ...MODES.slice(0, MODES.indexOf(mode)).map((earlier) => ({
                      not: { required: [earlier] },
                    })),
                  ],
                };
          pairs = branches.map((then, i) => ({ if: condition(modes[i]), then }));
        }
      }
      if (!pairs) continue;
      out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), ...pairs];
      delete out[key];
    }
    return out;
  };
  return rewrite(root) as Schema;
}

// --- step 2: leaf causes, as places ----------------------------------------------------------------

interface Place {
  /** `file:line:col` */
  at: string;
  /** JSON pointer of the flagged key or value, for readable failures. */
  pointer: string;
}

function pointerSegments(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The YAML position of the value at `pointer`, or of its key when `key` is set. */
function position(
  doc: Document,
  lines: LineCounter,
  pointer: string,
  key: boolean,
): { line: number; col: number } {
  const segments = pointerSegments(pointer);
  let node: unknown = doc.contents;
  let range: [number, number, number] | undefined;
  segments.forEach((segment, i) => {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) throw new Error(`no '${segment}' at ${pointer}`);
      if (key && i === segments.length - 1)
        range = (pair.key as { range?: [number, number, number] }).range;
      node = pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
    } else {
      throw new Error(`cannot follow ${pointer}`);
    }
  });
  range ??= (node as { range?: [number, number, number] }).range;
  if (!range) throw new Error(`no position for ${pointer}`);
  return lines.linePos(range[0]);
}

function valueAt(data: unknown, pointer: string): unknown {
  return pointerSegments(pointer).reduce<unknown>(
    (v, s) => (Array.isArray(v) ? v[Number(s)] : isObject(v) ? v[s] : undefined),
    data,
  );
}

const EXPOSED_OUTPUT =
  /^\/capability\/exposes\/\d+\/(resources\/\d+\/operations\/\d+|tools\/\d+)\/outputParameters\/\d+$/;

/** Reduces ajv's errors to leaf causes and places them; throws on an error of a kind not accounted for. */
function schemaPlaces(file: string, text: string, data: unknown, errors: ErrorObject[]): Place[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const places: Place[] = [];
  const place = (pointer: string, key: boolean) => {
    const { line, col } = position(doc, lines, pointer, key);
    places.push({ at: `${file}:${line}:${col}`, pointer });
  };
  const unaccounted: string[] = [];
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'if') continue;
    if (error.keyword === 'additionalProperties') {
      place(`${error.instancePath}/${String(params.additionalProperty)}`, true);
    } else if (error.keyword === 'pattern') {
      place(error.instancePath, false);
    } else if (
      error.keyword === 'required' &&
      params.missingProperty === 'properties' &&
      EXPOSED_OUTPUT.test(error.instancePath)
    ) {
      const output = valueAt(data, error.instancePath);
      if (isObject(output) && output.type === 'object' && typeof output.mapping === 'string')
        place(`${error.instancePath}/mapping`, true);
      else unaccounted.push(`${error.instancePath} ${error.keyword} ${JSON.stringify(params)}`);
    } else {
      unaccounted.push(
        `${error.instancePath} ${error.keyword} ${JSON.stringify(params)} (${error.schemaPath})`,
      );
    }
  }
  expect(unaccounted, `${file}: schema errors that are not leaf causes of a known kind`).toEqual(
    [],
  );
  return places;
}

// --- capgen's side -----------------------------------------------------------------------------------

async function capgenDeviations(): Promise<string[]> {
  let stderr = '';
  // --verbose: without it the CLI shows only the first few warnings of each rule per file.
  const code = await runCli(['validate', '--verbose'], {
    cwd: ROOT,
    stdout: () => {},
    stderr: (t) => (stderr += t),
    color: false,
  });
  expect(code).toBe(0);
  return stderr
    .split('\n')
    .map((line) => /^(\S+:\d+:\d+) {2}warning {2}schema\/deviation {2}/.exec(line)?.[1])
    .filter((at): at is string => at !== undefined);
}

describe.skipIf(!schemaAvailable)(
  'capgen schema/deviation warnings agree with the official Naftiko schema',
  () => {
    const load = () => {
      const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')) as Schema;
      // One ajv per schema: both carry the same $id. Formats (only `uri` here) are not our concern.
      const ajv = () => new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
      return { raw: ajv().compile(schema), reduced: ajv().compile(discriminateUnions(schema)) };
    };
    let validators: ReturnType<typeof load> | undefined;
    let deviations: Promise<string[]> | undefined;

    it.each(SPEC_FILES)(
      '%s: the places the schema flags are the places capgen warns about',
      async (file) => {
        validators ??= load();
        deviations ??= capgenDeviations();
        const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
        const data = parseDocument(text).toJS() as unknown;

        // The raw schema rejects the file, so there is something to agree on.
        expect(validators.raw(data)).toBe(false);
        // The reduction (step 1) only removes branches: the file is still invalid.
        expect(validators.reduced(data)).toBe(false);

        const fromSchema = schemaPlaces(file, text, data, validators.reduced.errors ?? []);
        const fromCapgen = (await deviations).filter((at) => at.startsWith(`${file}:`));
        expect(fromSchema.length).toBeGreaterThan(0);
        const byPlace = new Map(fromSchema.map((p) => [p.at, p.pointer]));
        const schemaOnly = [...byPlace.keys()]
          .filter((at) => !fromCapgen.includes(at))
          .map((at) => `${at} ${byPlace.get(at)}`);
        const capgenOnly = fromCapgen.filter((at) => !byPlace.has(at));
        expect({ schemaOnly, capgenOnly }).toEqual({ schemaOnly: [], capgenOnly: [] });
        // One warning per place, one place per warning.
        expect(new Set(fromCapgen).size).toBe(fromCapgen.length);
        expect(byPlace.size).toBe(fromSchema.length);
      },
    );

    it('the reduction keeps real violations: a rest adapter with a bad port still fails the reduced schema', () => {
      validators ??= load();
      const data = parseDocument(
        fs.readFileSync(path.join(ROOT, SPEC_FILES[2]), 'utf8'),
      ).toJS() as { capability: { exposes: Array<Record<string, unknown>> } };
      data.capability.exposes[0].port = 70000;
      validators.reduced(data);
      expect(
        (validators.reduced.errors ?? []).some(
          (e) => e.instancePath === '/capability/exposes/0/port' && e.keyword === 'maximum',
        ),
      ).toBe(true);
    });
  },
);
