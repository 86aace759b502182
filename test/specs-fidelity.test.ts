// Proves that the input specs under specs/ are faithful to the seed documents
// they were taken from (../shared/seeds, outside the repository).
//
// - Capability files must equal the seed's YAML (from the `naftiko:` line to
//   end of file) byte for byte.
// - The OpenAPI fragment lost its indentation in the seed; the re-indented file
//   must give back the seed's lines once leading whitespace, `# capgen:`
//   comments and pure comment lines are removed, except for a few lines marked
//   `# capgen: <why>`.
//
// When the seeds folder is absent (e.g. a fresh clone elsewhere) the suite is
// skipped with a notice.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const testDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(testDir, '..');
const specsDir = path.join(projectRoot, 'specs');
const seedsDir = path.resolve(testDir, '../../shared/seeds');
const seedsExist = fs.existsSync(seedsDir);

if (!seedsExist) {
  console.warn(`[specs-fidelity] seed folder ${seedsDir} not found: skipping spec fidelity tests.`);
}

function seedFile(prefix: string): string {
  const name = fs
    .readdirSync(seedsDir)
    .find((f) => f.startsWith(`${prefix}_`) && f.endsWith('.txt'));
  if (!name) throw new Error(`no seed ${prefix}_*.txt in ${seedsDir}`);
  return path.join(seedsDir, name);
}

/** The seed's text from the first line equal to `startLine` to end of file (exact bytes). */
function seedFrom(prefix: string, startLine: string): string {
  const text = fs.readFileSync(seedFile(prefix), 'utf8');
  if (text.startsWith(`${startLine}\n`)) return text;
  const at = text.indexOf(`\n${startLine}\n`);
  if (at < 0) throw new Error(`line "${startLine}" not found in seed ${prefix}`);
  return text.slice(at + 1);
}

const CAPABILITIES = [
  { seed: '000', file: 'link-account-sessions.yaml' },
  { seed: '002', file: 'checkout-sessions.yaml' },
  { seed: '004', file: 'identity-sessions.yaml' },
];

const OPENAPI_FILE = 'stripe-link.openapi.yaml';
const MARKER = '# capgen:';
const MAX_CHANGED_LINES = 3;

const EXPECTED_OPERATIONS: Record<string, string[]> = {
  '/v1/link_account_sessions': ['post'],
  '/v1/link_account_sessions/{session}': ['get'],
  '/v1/linked_accounts': ['get'],
  '/v1/linked_accounts/{account}': ['get'],
  '/v1/linked_accounts/{account}/disconnect': ['post'],
  '/v1/linked_accounts/{account}/owners': ['get'],
  '/v1/linked_accounts/{account}/refresh': ['post'],
};

// Schemas the fragment references but does not contain (left dangling on purpose).
const DANGLING_REFS = [
  '#/components/schemas/api_errors',
  '#/components/schemas/bank_connections_resource_accountholder',
  '#/components/schemas/bank_connections_resource_balance',
  '#/components/schemas/bank_connections_resource_balance_refresh',
  '#/components/schemas/bank_connections_resource_link_account_session_filters',
  '#/components/schemas/bank_connections_resource_ownership_refresh',
  '#/components/schemas/bank_connections_resource_transaction_refresh',
  '#/components/schemas/financial_connections.account_owner',
  '#/components/schemas/financial_connections.account_ownership',
];

type Line = { text: string; marked: boolean; lineNo: number };

/**
 * The OpenAPI file's content lines: leading whitespace stripped, pure comment
 * lines dropped (a `#` followed by a space or end of line — block-scalar lines
 * such as `#/components/schemas/...` are content, not comments), end-of-line
 * `# capgen:` comments removed. A line is "marked" when it carries an
 * end-of-line marker or directly follows a `# capgen:` comment line.
 */
function openapiContentLines(text: string): Line[] {
  const out: Line[] = [];
  let pendingMarker = false;
  text.split('\n').forEach((raw, i) => {
    const stripped = raw.replace(/^\s+/, '');
    if (/^#(\s|$)/.test(stripped)) {
      if (stripped.startsWith(MARKER)) pendingMarker = true;
      return;
    }
    const eol = stripped.indexOf(` ${MARKER}`);
    const content = eol >= 0 ? stripped.slice(0, eol).replace(/\s+$/, '') : stripped;
    out.push({ text: content, marked: pendingMarker || eol >= 0, lineNo: i + 1 });
    pendingMarker = false;
  });
  // a single trailing newline leaves one empty last element
  if (out.length && out[out.length - 1].text === '' && !out[out.length - 1].marked) out.pop();
  return out;
}

function collectRefs(node: unknown, acc = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, acc));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') acc.add(v);
      else collectRefs(v, acc);
    }
  }
  return acc;
}

describe.skipIf(!seedsExist)('specs fidelity to seeds', () => {
  describe('capability files are byte-for-byte copies of the seed YAML', () => {
    for (const { seed, file } of CAPABILITIES) {
      it(`specs/${file} == seed ${seed} from "naftiko:" to end of file`, () => {
        const expected = fs.readFileSync(seedFile(seed));
        const start = expected.indexOf(Buffer.from('\nnaftiko: 1.0.0-alpha2\n'));
        expect(start).toBeGreaterThanOrEqual(0);
        const expectedYaml = expected.subarray(start + 1);
        const actual = fs.readFileSync(path.join(specsDir, file));
        expect(actual.equals(expectedYaml)).toBe(true);
        // same check as text, for a readable diff on failure
        expect(actual.toString('utf8')).toBe(seedFrom(seed, 'naftiko: 1.0.0-alpha2'));
      });
    }
  });

  describe(`specs/${OPENAPI_FILE}`, () => {
    const read = () => fs.readFileSync(path.join(specsDir, OPENAPI_FILE), 'utf8');

    it('strips back to the seed lines, apart from a few marked changes', () => {
      const seedLines = seedFrom('001', 'openapi: 3.0.0').split('\n');
      if (seedLines[seedLines.length - 1] === '') seedLines.pop();
      const lines = openapiContentLines(read());

      const changed: Line[] = [];
      let s = 0;
      for (let f = 0; f < lines.length; f++) {
        const line = lines[f];
        if (!line.marked) {
          expect(
            line.text,
            `line ${line.lineNo} of ${OPENAPI_FILE} should equal seed line ${s + 1} (unmarked lines must be unchanged)`,
          ).toBe(seedLines[s]);
          s++;
          continue;
        }
        if (line.text === seedLines[s]) {
          s++; // marked but identical to the seed: not a change
          continue;
        }
        changed.push(line);
        // A marked line either replaces the seed line at `s` or is an added
        // line. Decide by where the next unmarked line picks the seed up again.
        const nextUnmarked = lines.slice(f + 1).find((l) => !l.marked);
        const replaces =
          nextUnmarked === undefined ? s < seedLines.length : nextUnmarked.text !== seedLines[s];
        if (replaces) s++;
      }
      expect(s, 'every seed line is accounted for').toBe(seedLines.length);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.length).toBeLessThanOrEqual(MAX_CHANGED_LINES);
      const fileLines = read().split('\n');
      for (const c of changed) {
        const raw = fileLines[c.lineNo - 1];
        const above = fileLines[c.lineNo - 2] ?? '';
        const hasReason = (l: string) => new RegExp(`${MARKER}\\s*\\S`).test(l);
        expect(
          hasReason(raw) || /^\s*# capgen:\s*\S/.test(above),
          `line ${c.lineNo} needs a "# capgen: <why>" marker`,
        ).toBe(true);
      }
    });

    it('parses as YAML with no errors, warnings or duplicate keys', () => {
      const doc = YAML.parseDocument(read(), { uniqueKeys: true });
      expect(doc.errors.map(String)).toEqual([]);
      expect(doc.warnings.map(String)).toEqual([]);
    });

    it('is an OpenAPI 3.0.0 document with the expected paths and operations', () => {
      const api = YAML.parse(read());
      expect(api.openapi).toBe('3.0.0');
      expect(typeof api.info?.title).toBe('string');
      expect(typeof api.info?.contact?.email).toBe('string');
      expect(Array.isArray(api.tags)).toBe(true);
      for (const t of api.tags) expect(typeof t.name).toBe('string');

      const ops = Object.fromEntries(
        Object.entries(api.paths as Record<string, Record<string, unknown>>).map(([p, item]) => [
          p,
          Object.keys(item),
        ]),
      );
      expect(ops).toEqual(EXPECTED_OPERATIONS);

      for (const [p, item] of Object.entries(api.paths as Record<string, Record<string, any>>)) {
        for (const [method, op] of Object.entries(item)) {
          const where = `${method} ${p}`;
          expect(typeof op.operationId, where).toBe('string');
          expect(
            op.responses && typeof op.responses === 'object' && !Array.isArray(op.responses),
            where,
          ).toBe(true);
          expect(Object.keys(op.responses), where).toEqual(['200', 'default']);
          if (op.parameters !== undefined) {
            expect(Array.isArray(op.parameters), where).toBe(true);
            for (const prm of op.parameters) {
              expect(typeof prm.name, where).toBe('string');
              expect(['query', 'path', 'header', 'cookie'], where).toContain(prm.in);
              expect(prm.schema && typeof prm.schema === 'object', `${where} ${prm.name}`).toBe(
                true,
              );
            }
          }
          for (const m of p.matchAll(/\{(\w+)\}/g)) {
            const param = (op.parameters ?? []).find(
              (x: any) => x.in === 'path' && x.name === m[1],
            );
            expect(param?.required, `${where} path param ${m[1]}`).toBe(true);
          }
        }
      }

      const isMapping = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
      expect(isMapping(api.components?.schemas)).toBe(true);
      expect(isMapping(api.components?.securitySchemes)).toBe(true);
      expect(Object.keys(api.components.securitySchemes)).toEqual(['basicAuth', 'bearerAuth']);
    });

    it('nests schemas consistently (catches misplaced lines)', () => {
      const api = YAML.parse(read());
      const problems: string[] = [];
      const visit = (schema: any, where: string) => {
        if (!schema || typeof schema !== 'object') return;
        if (Array.isArray(schema.required)) {
          // a `required` list must name properties of the same schema
          const props = Object.keys(schema.properties ?? {});
          for (const r of schema.required)
            if (!props.includes(r)) problems.push(`${where}: required ${r} not a property`);
        }
        if (schema.type === 'array' && !schema.items)
          problems.push(`${where}: array without items`);
        if (schema.items && schema.type !== 'array')
          problems.push(`${where}: items without type array`);
        if (schema.properties && schema.type !== undefined && schema.type !== 'object')
          problems.push(`${where}: properties on ${schema.type}`);
        for (const [k, v] of Object.entries(schema.properties ?? {})) visit(v, `${where}.${k}`);
        if (schema.items) visit(schema.items, `${where}[]`);
        for (const k of ['anyOf', 'oneOf', 'allOf'])
          (schema[k] ?? []).forEach((v: any, i: number) => visit(v, `${where}.${k}[${i}]`));
      };
      for (const [n, sch] of Object.entries(api.components.schemas)) visit(sch, n);
      for (const [p, item] of Object.entries(api.paths as Record<string, Record<string, any>>)) {
        for (const [m, op] of Object.entries(item)) {
          for (const prm of op.parameters ?? []) visit(prm.schema, `${m} ${p} ${prm.name}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('leaves exactly the known $refs dangling', () => {
      const api = YAML.parse(read());
      const dangling = [...collectRefs(api)]
        .filter((r) => {
          const m = /^#\/components\/schemas\/(.+)$/.exec(r);
          return !m || !(m[1] in api.components.schemas);
        })
        .sort();
      expect(dangling).toEqual(DANGLING_REFS);
    });
  });
});
