/**
 * The Naftiko project's own checks, run on capability files in tests: its official JSON Schema
 * (ajv, draft 2020-12) and its Spectral ruleset (rules/naftiko-rules.yml with its custom
 * functions) through @stoplight/spectral-core. Both are read from ../shared/naftiko and are absent
 * on machines without it: `available` says so, and callers skip with a printed notice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import { Document, Spectral, type RulesetDefinition } from '@stoplight/spectral-core';
import { falsy, pattern, truthy } from '@stoplight/spectral-functions';
import * as Parsers from '@stoplight/spectral-parsers';
import { parse } from 'yaml';

const Ajv2020 = Ajv2020Module.default;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NAFTIKO = path.resolve(ROOT, '../shared/naftiko');
const FRAMEWORK = path.join(NAFTIKO, 'framework');
const RULESET = path.join(FRAMEWORK, 'rules/naftiko-rules.yml');

export const SCHEMAS: Record<string, string> = {
  '1.0.0-alpha2': path.join(NAFTIKO, 'naftiko-schema-1.0.0-alpha2.json'),
  '1.0.0-alpha3': path.join(FRAMEWORK, 'naftiko-schema-1.0.0-alpha3.json'),
};

export const available =
  Object.values(SCHEMAS).every((f) => fs.existsSync(f)) && fs.existsSync(RULESET);

/** Errors of the official schema of the document's `naftiko` version, as `path: message`. */
export function schemaErrors(document: unknown): string[] {
  const version = (document as { naftiko?: string }).naftiko ?? '';
  const file = SCHEMAS[version];
  if (!file) return [`no official schema for naftiko '${version}'`];
  const validate = validators.get(file) ?? compile(file);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}

const validators = new Map<string, ReturnType<InstanceType<typeof Ajv2020>['compile']>>();
function compile(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')) as object);
  validators.set(file, validate);
  return validate;
}

interface RuleYaml {
  given: string | string[];
  severity?: string;
  message?: string;
  description?: string;
  then: { field?: string; function: string; functionOptions?: Record<string, unknown> };
}

let spectral: Promise<Spectral> | undefined;

/** Spectral with every rule of the Naftiko ruleset switched on (the non-recommended ones too). */
function loadSpectral(): Promise<Spectral> {
  spectral ??= (async () => {
    const ruleset = parse(fs.readFileSync(RULESET, 'utf8')) as {
      functions: string[];
      functionsDir: string;
      rules: Record<string, RuleYaml>;
    };
    const functions: Record<string, unknown> = { pattern, truthy, falsy };
    for (const name of ruleset.functions) {
      const file = path.resolve(path.dirname(RULESET), ruleset.functionsDir, `${name}.js`);
      functions[name] = ((await import(pathToFileURL(file).href)) as { default: unknown }).default;
    }
    const rules: Record<string, unknown> = {};
    for (const [name, rule] of Object.entries(ruleset.rules)) {
      const fn = functions[rule.then.function];
      if (!fn) throw new Error(`Naftiko rule ${name} uses unknown function ${rule.then.function}`);
      rules[name] = {
        given: rule.given,
        severity: rule.severity ?? 'warn',
        recommended: true,
        message: rule.message,
        description: rule.description,
        then: { ...rule.then, function: fn },
      };
    }
    const instance = new Spectral();
    instance.setRuleset({ rules } as unknown as RulesetDefinition);
    return instance;
  })();
  return spectral;
}

/** Every finding of the Naftiko ruleset on a YAML text (any severity), as `rule at path: message`. */
export async function spectralFindings(text: string, file: string): Promise<string[]> {
  const results = await (await loadSpectral()).run(new Document(text, Parsers.Yaml, file));
  return results.map((r) => `${String(r.code)} at ${r.path.join('.')}: ${r.message}`);
}
