/**
 * Which JSON Schema checks a Naftiko document of a given version: capgen's built-in schema
 * (schema/naftiko-1.0.0-alpha.schema.yaml, one file for every version it reads), or the official
 * schema files a user names in capgen.config.yaml (`schema:`) or with `--schema`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../package-root.js';
import { ExplainingValidator } from './schema-explain.js';

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

// From the package root: this code also runs bundled in dist/.
const BUILTIN_FILE = path.join(
  PACKAGE_ROOT,
  'generator/check/schema/naftiko-1.0.0-alpha.schema.yaml',
);

class SchemaSet implements NaftikoSchemas {
  private readonly compiled = new Map<string, ExplainingValidator>();
  constructor(private readonly byVersion: Map<string, { schema: () => Schema; label: string }>) {}

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
      validator = new ExplainingValidator(entry.schema());
      this.compiled.set(version, validator);
    }
    return validator;
  }
}

/** capgen's own schema, for every version in BUILTIN_VERSIONS. */
export function builtinSchemas(): NaftikoSchemas {
  let shared: Schema | undefined;
  const load = () => (shared ??= parse(fs.readFileSync(BUILTIN_FILE, 'utf8')) as Schema);
  return new SchemaSet(
    new Map(
      BUILTIN_VERSIONS.map((version) => [
        version,
        {
          label: "capgen's built-in schema",
          schema: () => {
            const base = load();
            return {
              ...base,
              $id: `https://capgen.invalid/naftiko/${version}/schema.json`,
              properties: {
                ...(base.properties as Schema),
                naftiko: { type: 'string', const: version },
              },
            };
          },
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
  const byVersion = new Map<string, { schema: () => Schema; label: string }>();
  for (const { file, schema } of files) {
    const version = schemaVersion(schema);
    if (version && !byVersion.has(version))
      byVersion.set(version, {
        label: file,
        schema: () => ({
          ...schema,
          $id: `https://capgen.invalid/official/${version}/schema.json`,
        }),
      });
  }
  return new SchemaSet(byVersion);
}
