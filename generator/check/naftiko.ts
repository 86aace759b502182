/**
 * Checks one Naftiko document: its version, its shape against the schema of that version (capgen's
 * built-in one, or the official one the user names), then, for capability documents, the
 * references between its parts (semantics.ts). Returns the typed document when it has no errors.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { NaftikoDocument } from '../load/naftiko-types.js';
import type { SourceDocument } from '../load/source.js';
import type { NaftikoSchemas } from './naftiko-schema.js';
import { isRecord } from './paths.js';
import { reportSchemaIssues } from './schema-report.js';

/** The document's shape, checked by the schema of its declared version. */
export function checkShape(
  source: SourceDocument,
  bag: DiagnosticBag,
  schemas: NaftikoSchemas,
): NaftikoDocument | undefined {
  const data = source.data;
  const latest = schemas.versions[schemas.versions.length - 1];
  if (!isRecord(data)) {
    bag.error(
      source.file,
      source.locate([]),
      'naftiko/wrong-type',
      'a Naftiko document must be a mapping (naftiko, info, capability, ...)',
      `start the file with \`naftiko: "${latest}"\``,
    );
    return undefined;
  }
  const version = data.naftiko;
  if (typeof version === 'string' && !schemas.versions.includes(version)) {
    bag.error(
      source.file,
      source.locate(['naftiko']),
      'naftiko/invalid-value',
      `Naftiko version '${version}' has no schema here; capgen reads ${schemas.versions.join(', ') || 'no version (no schema file was found)'}`,
      schemas.versions.length
        ? `write \`naftiko: "${latest}"\`, or name the official schema of '${version}' in capgen.config.yaml (\`schema:\`)`
        : 'check the `schema:` files in capgen.config.yaml',
    );
    return undefined;
  }
  const chosen = typeof version === 'string' ? version : latest;
  if (chosen === undefined) return undefined;
  let issues;
  try {
    issues = schemas.validator(chosen)?.validate(data);
  } catch (error) {
    // A user's schema file that ajv cannot compile (not a valid JSON Schema).
    const file = schemas.describe(chosen);
    bag.error(
      file,
      { line: 1, col: 1 },
      'io/schema',
      `the schema of Naftiko ${chosen} cannot be used: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'name the official JSON Schema file of that version',
    );
    return undefined;
  }
  if (!issues) return undefined;
  const before = bag.errorCount;
  reportSchemaIssues(source, bag, issues);
  return bag.errorCount > before ? undefined : (data as unknown as NaftikoDocument);
}
