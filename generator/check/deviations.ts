/**
 * The known deviations of real capability files from the Naftiko schema (see README, "How capgen
 * reads the capability files"): capgen understands them, so the schema's causes at these places
 * are `schema/deviation` warnings, not errors. Each is recognised by the kind of cause and where
 * in the document it is, whichever schema (built-in or official) reported it.
 */
import type { JsonPath } from '../load/source.js';
import type { SchemaIssue } from './schema-explain.js';
import { isRecord, valueAt } from './paths.js';

export interface Deviation {
  message: string;
  /** Where to report it. */
  at: JsonPath;
  /** Report at the key rather than the value. */
  key: boolean;
}

const CONSUMED_INPUT =
  /^(capability\/)?consumes\/\d+\/(resources\/\d+\/(operations\/\d+\/)?)?inputParameters\/\d+$/;
const EXPOSED_OUTPUT =
  /^capability\/exposes\/\d+\/(resources\/\d+\/operations\/\d+|tools\/\d+)\/outputParameters\/\d+$/;
const REST_ADAPTER = /^capability\/exposes\/\d+$/;
const NAMED = /^(capability\/)?(consumes|exposes)\/.*\/name$/;

export function deviationOf(issue: SchemaIssue, data: unknown): Deviation | undefined {
  const where = issue.path.join('/');
  const field = String(issue.params.additionalProperty ?? issue.params.unevaluatedProperty);
  if (issue.keyword === 'additionalProperties' || issue.keyword === 'unevaluatedProperties') {
    if (CONSUMED_INPUT.test(where) && ['type', 'description', 'required'].includes(field))
      return {
        message: `'${field}' on a consumed input parameter is not in the Naftiko schema (it takes only name, in and value)`,
        at: [...issue.path, field],
        key: true,
      };
    const adapter = valueAt(data, issue.path);
    if (
      REST_ADAPTER.test(where) &&
      field === 'description' &&
      isRecord(adapter) &&
      adapter.type === 'rest'
    )
      return {
        message: "'description' on a rest adapter is not in the Naftiko schema",
        at: [...issue.path, field],
        key: true,
      };
  }
  if (
    issue.keyword === 'required' &&
    issue.params.missingProperty === 'properties' &&
    EXPOSED_OUTPUT.test(where)
  ) {
    const output = valueAt(data, issue.path);
    if (isRecord(output) && output.type === 'object' && typeof output.mapping === 'string')
      return {
        message:
          'an object output parameter with a JSONPath mapping is not in the Naftiko schema (it wants `properties`); capgen returns the value at that path',
        at: [...issue.path, 'mapping'],
        key: true,
      };
  }
  if (issue.keyword === 'pattern' && NAMED.test(where)) {
    const value = valueAt(data, issue.path);
    if (typeof value === 'string' && /^[A-Za-z0-9_*-]+$/.test(value))
      return {
        message: `'${value}' is not a valid name in the Naftiko schema (letters, digits and '-' only)`,
        at: issue.path,
        key: false,
      };
  }
  return undefined;
}
