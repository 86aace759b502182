/**
 * Validators compiled at build time: `npm run build` runs schema-precompile.ts, which writes the
 * standalone ajv code of capgen's own schemas (the built-in Naftiko schema of each version, the
 * config schema) into dist/validators/, with the built-in schema as JSON. The bundle in dist/ finds
 * them next to itself; the TypeScript sources have none next to them and compile at run time.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compileSchema } from './schema-compile.js';
import {
  ExplainingValidator,
  resolvePointer,
  rewriteUnions,
  type CompiledSchema,
  type Validate,
} from './schema-explain.js';

type Schema = Record<string, unknown>;

/** The folder, next to the running code, the build writes precompiled validators into. */
export const VALIDATORS_FOLDER = 'validators';

/** A file the build wrote next to the running code, when there is one. */
export function builtFile(name: string): string | undefined {
  const file = fileURLToPath(new URL(`./${VALIDATORS_FOLDER}/${name}`, import.meta.url));
  return fs.existsSync(file) ? file : undefined;
}

/** The module file of a schema's precompiled validators. */
export const validatorsModule = (name: string) => `${name}.cjs`;

/**
 * An ExplainingValidator for one of capgen's own schemas: its precompiled validators when the build
 * wrote them, else `schema` compiled now. `schema` is read lazily: the precompiled ones need it
 * only to name the fields of ambiguous union branches.
 */
export function ownValidator(name: string, schema: () => Schema): ExplainingValidator {
  const file = builtFile(validatorsModule(name));
  return new ExplainingValidator(file ? loadPrecompiled(file, schema) : compileSchema(schema()));
}

/** The validators of a module standaloneModule wrote (schema-compile.ts), of `schema`. */
export function loadPrecompiled(file: string, schema: () => Schema): CompiledSchema {
  const validators = createRequire(import.meta.url)(file) as Record<string, Validate>;
  let rewritten: unknown;
  return {
    root: () => validators.root,
    branch: (ref) => {
      const validate = validators[ref];
      if (!validate) throw new Error(`${file} has no validator for ${ref}`);
      return validate;
    },
    branchSchema: (ref) => resolvePointer((rewritten ??= rewriteUnions(schema())), ref),
  };
}
