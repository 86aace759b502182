/**
 * The build step (`npm run build`, after esbuild) that compiles capgen's own schemas ahead of time:
 * for each built-in Naftiko version and for capgen.config.yaml's schema, ajv's standalone code of
 * every validator ExplainingValidator runs (schema-compile.ts), as `<out>/validators/<name>.cjs`;
 * and the built-in Naftiko schema as JSON, so that the build never parses YAML for it.
 *
 *   tsx generator/check/schema-precompile.ts dist
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA, CONFIG_VALIDATORS } from '../config.js';
import {
  BUILTIN_JSON,
  BUILTIN_VERSIONS,
  builtinBaseSchema,
  builtinSchema,
  builtinValidatorsName,
} from './naftiko-schema.js';
import { standaloneModule } from './schema-compile.js';
import { VALIDATORS_FOLDER, validatorsModule } from './schema-precompiled.js';

type Schema = Record<string, unknown>;

/** Writes the precompiled validators and the schema JSON into `<out>/validators/`. */
export function precompileSchemas(out: string): string[] {
  const folder = path.join(out, VALIDATORS_FOLDER);
  fs.mkdirSync(folder, { recursive: true });
  const modules: Array<[string, Schema]> = [
    ...BUILTIN_VERSIONS.map((v): [string, Schema] => [builtinValidatorsName(v), builtinSchema(v)]),
    [CONFIG_VALIDATORS, CONFIG_SCHEMA],
  ];
  const written: string[] = [];
  for (const [name, schema] of modules) {
    const file = path.join(folder, validatorsModule(name));
    fs.writeFileSync(file, standaloneModule(schema));
    written.push(file);
  }
  // The versions share one schema file; builtinSchema sets each one's `$id` and `naftiko` constant.
  const json = path.join(folder, BUILTIN_JSON);
  fs.writeFileSync(json, JSON.stringify(builtinBaseSchema()));
  written.push(json);
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: schema-precompile.ts <out folder>');
  precompileSchemas(out);
}
