/**
 * ajv (draft 2020-12) compiling a schema for ExplainingValidator (schema-explain.ts): at run time
 * (user-named schema files, the config schema when running from the TypeScript sources, ...), or
 * as standalone code at build time (schema-precompile.ts). Both use the same union keywords, so a
 * precompiled validator explains exactly as one compiled here.
 *
 * ajv is loaded on first use (createRequire: it is CommonJS), so a run whose validators are all
 * precompiled never loads the compiler.
 */
import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv/dist/2020.js';
import type * as Codegen from 'ajv/dist/compile/codegen/index.js';
import type * as ErrorsModule from 'ajv/dist/compile/errors.js';
import type * as NamesModule from 'ajv/dist/compile/names.js';
import type * as StandaloneModule from 'ajv/dist/standalone/index.js';
import type { KeywordCxt } from 'ajv/dist/2020.js';
import {
  KEYWORD,
  rewriteUnions,
  UNIONS,
  type CompiledSchema,
  type Validate,
} from './schema-explain.js';

type Schema = Record<string, unknown>;
// CommonJS modules under NodeNext: a namespace's `default` is module.exports, whose `default` is
// the export `require` gives here.
type Ajv2020Class = typeof AjvModule.default.default;
type Ajv = InstanceType<Ajv2020Class>;

const require = createRequire(import.meta.url);

/** A new ajv with capgen's options, the formats, and our union keywords. */
function newAjv(source: boolean): Ajv {
  const Ajv2020 = (require('ajv/dist/2020.js') as { default: Ajv2020Class }).default;
  const addFormats = require('ajv-formats') as (ajv: Ajv) => void;
  const { _, strConcat } = require('ajv/dist/compile/codegen/index.js') as typeof Codegen;
  const N = (
    require('ajv/dist/compile/names.js') as { default: typeof NamesModule.default.default }
  ).default;
  const { extendErrors } = require('ajv/dist/compile/errors.js') as typeof ErrorsModule;
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    validateSchema: false,
    verbose: true,
    // The union keywords call the ExplainingValidator the validation runs under, as `this`.
    passContext: true,
    code: { source },
  });
  addFormats(ajv);
  for (const kind of UNIONS)
    ajv.addKeyword({
      keyword: KEYWORD(kind),
      schemaType: 'string',
      trackErrors: true,
      // As ajv does for a keyword defined by a `validate` function that returns errors (its
      // funcKeywordCode): the errors are appended, then given their place, schemaPath and schema.
      code(cxt: KeywordCxt) {
        const { gen, schema, data, it } = cxt;
        const at = strConcat(N.instancePath, it.errorPath);
        const errors = gen.const(
          'unionErrors',
          _`${N.this}.capgenUnion(${kind}, ${schema as string}, ${data}, ${at})`,
        );
        const valid = gen.const('unionValid', _`${errors}.length === 0`);
        gen.if(_`!${valid}`, () => {
          gen
            .assign(
              N.vErrors,
              _`${N.vErrors} === null ? ${errors} : ${N.vErrors}.concat(${errors})`,
            )
            .assign(N.errors, _`${N.vErrors}.length`);
          extendErrors(cxt);
        });
        cxt.ok(valid);
      },
    });
  return ajv;
}

/** `schema` (with an absolute `$id`), rewritten and compiled now; branches compile on first use. */
export function compileSchema(schema: Schema): CompiledSchema {
  if (typeof schema.$id !== 'string') throw new Error('schema without $id');
  const id = schema.$id;
  const ajv = newAjv(false);
  ajv.addSchema(rewriteUnions(schema) as Schema);
  const get = (ref: string) => {
    const validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    return validate;
  };
  return {
    root: () => get(id) as unknown as Validate,
    branch: (ref) => get(`${id}${ref}`) as unknown as Validate,
    branchSchema: (ref) => get(`${id}${ref}`).schema,
  };
}

/**
 * The standalone CommonJS module of `schema`'s validators: `root`, and one export per union branch
 * (named by its reference). ajv's runtime helpers and ajv-formats' formats are `require`d by it.
 */
export function standaloneModule(schema: Schema): string {
  if (typeof schema.$id !== 'string') throw new Error('schema without $id');
  const id = schema.$id;
  const ajv = newAjv(true);
  const branches: string[] = [];
  ajv.addSchema(rewriteUnions(schema, '#', branches) as Schema);
  const refs: Record<string, string> = { root: id };
  for (const ref of branches) refs[ref] = `${id}${ref}`;
  const standaloneCode = (
    require('ajv/dist/standalone/index.js') as { default: typeof StandaloneModule.default.default }
  ).default;
  return standaloneCode(ajv, refs);
}
