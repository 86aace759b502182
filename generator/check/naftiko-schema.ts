/**
 * Which JSON Schema checks a Naftiko document of a given version: capgen's built-in schema
 * (schema/naftiko-1.0.0-alpha.schema.yaml, one file for every version it reads; compiled at build
 * time, see schema-precompiled.ts), or the official schema files a user names in
 * capgen.config.yaml (`schema:`) or with `--schema` (compiled at run time).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../package-root.js';
import { compileSchema } from './schema-compile.js';
import { ExplainingValidator } from './schema-explain.js';
import { builtFile, ownValidator } from './schema-precompiled.js';

/** The Naftiko versions capgen's built-in schema describes. */
export const BUILTIN_VERSIONS = ['1.0.0-alpha2', '1.0.0-alpha3'] as const;

export interface NaftikoSchemas {
  /** The versions these schemas describe, in order. */
  readonly versions: string[];
  /** What checks documents of this version, for messages: "capgen's built-in schema" or a file. */
  describe(version: string): string;
  /** The validator of one version (compiled on first use). */
  validator(version: string): ExplainingValidator | undefined;
}

type Schema = Record<string, unknown>;

/** capgen's schema file, from the package root: this code also runs bundled in dist/. */
const BUILTIN_FILE = path.join(
  PACKAGE_ROOT,
  'generator/check/schema/naftiko-1.0.0-alpha.schema.yaml',
);
/** The same schema as JSON, which the build writes next to the bundle (schema-precompile.ts). */
export const BUILTIN_JSON = 'naftiko-1.0.0-alpha.schema.json';

class SchemaSet implements NaftikoSchemas {
  private readonly compiled = new Map<string, ExplainingValidator>();
  constructor(
    private readonly byVersion: Map<
      string,
      { validator: () => ExplainingValidator; label: string }
    >,
  ) {}

  get versions(): string[] {
    return [...this.byVersion.keys()];
  }

  describe(version: string): string {
    return this.byVersion.get(version)?.label ?? 'no schema';
  }

  validator(version: string): ExplainingValidator | undefined {
    const entry = this.byVersion.get(version);
    if (!entry) return undefined;
    let validator = this.compiled.get(version);
    if (!validator) {
      validator = entry.validator();
      this.compiled.set(version, validator);
    }
    return validator;
  }
}

let builtinBase: Schema | undefined;

/** The built-in schema file's content (the JSON the build wrote, else the YAML source). */
export function builtinBaseSchema(): Schema {
  const json = builtFile(BUILTIN_JSON);
  return (builtinBase ??= (
    json ? JSON.parse(fs.readFileSync(json, 'utf8')) : parse(fs.readFileSync(BUILTIN_FILE, 'utf8'))
  ) as Schema);
}

/** capgen's own schema of one version. */
export function builtinSchema(version: string): Schema {
  const base = builtinBaseSchema();
  return {
    ...base,
    $id: `https://capgen.invalid/naftiko/${version}/schema.json`,
    properties: {
      ...(base.properties as Schema),
      naftiko: { type: 'string', const: version },
    },
  };
}

/** The name of one version's precompiled validators (schema-precompiled.ts). */
export const builtinValidatorsName = (version: string) => `naftiko-${version}`;

/** capgen's own schema, for every version in BUILTIN_VERSIONS: precompiled when running the build. */
export function builtinSchemas(): NaftikoSchemas {
  return new SchemaSet(
    new Map(
      BUILTIN_VERSIONS.map((version) => [
        version,
        {
          label: "capgen's built-in schema",
          validator: () =>
            ownValidator(builtinValidatorsName(version), () => builtinSchema(version)),
        },
      ]),
    ),
  );
}

/** The version an official schema file describes: its `naftiko` property's constant. */
export function schemaVersion(schema: unknown): string | undefined {
  const properties = (schema as { properties?: { naftiko?: { const?: unknown } } })?.properties;
  const version = properties?.naftiko?.const;
  return typeof version === 'string' ? version : undefined;
}

/** Official schema files, already parsed, with the file each came from. */
export function officialSchemas(files: Array<{ file: string; schema: Schema }>): NaftikoSchemas {
  const byVersion = new Map<string, { validator: () => ExplainingValidator; label: string }>();
  for (const { file, schema } of files) {
    const version = schemaVersion(schema);
    if (version && !byVersion.has(version))
      byVersion.set(version, {
        label: file,
        validator: () =>
          new ExplainingValidator(
            compileSchema({
              ...schema,
              $id: `https://capgen.invalid/official/${version}/schema.json`,
            }),
          ),
      });
  }
  return new SchemaSet(byVersion);
}
