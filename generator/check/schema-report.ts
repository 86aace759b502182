/**
 * Schema causes (schema-explain.ts) as diagnostics a person can act on: the place in the YAML file,
 * what is wrong in words, and how to fix it. Causes that are known deviations of real capability
 * files (deviations.ts) become `schema/deviation` warnings; every other cause is an error.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { deviationOf } from './deviations.js';
import type { SchemaIssue } from './schema-explain.js';
import { closest, describeValue, formatPath, whatIsAt } from './paths.js';

export function reportSchemaIssues(
  source: SourceDocument,
  bag: DiagnosticBag,
  issues: SchemaIssue[],
): void {
  for (const issue of issues) {
    const deviation = deviationOf(issue, source.data);
    if (deviation) {
      bag.warning(
        source.file,
        source.locate(deviation.at, { key: deviation.key }),
        'schema/deviation',
        deviation.message,
        'capgen accepts it; --strict, or `rules: { schema/deviation: error }`, rejects it',
      );
      continue;
    }
    const { rule, message, hint, at, key } = explain(issue, source.data);
    bag.error(source.file, source.locate(at, { key }), rule, message, hint);
  }
}

interface Explained {
  rule: string;
  message: string;
  hint: string;
  at: JsonPath;
  key?: boolean;
}

function explain(issue: SchemaIssue, data: unknown): Explained {
  const { path, params } = issue;
  const what = whatIsAt(path, data);
  const where = path.length ? `'${formatPath(path)}'` : 'the document';
  const value = valueAt(data, path);
  switch (issue.keyword) {
    case 'required': {
      const alternatives = params.alternatives as string[][] | undefined;
      if (alternatives) {
        const common = alternatives.reduce((a, b) => a.filter((x) => b.includes(x)));
        const rest = alternatives
          .map((a) => a.filter((x) => !common.includes(x)))
          .filter((a) => a.length);
        const parts = [
          ...(common.length ? [common.map((f) => `'${f}'`).join(' and ')] : []),
          ...(rest.length
            ? [`one of ${rest.map((a) => a.map((f) => `'${f}'`).join(' + ')).join(', ')}`]
            : []),
        ];
        return {
          rule: 'naftiko/missing-field',
          message: `${what} needs ${parts.join(', and ')}`,
          hint: `add ${rest.length ? rest.map((a) => `'${a.join("' and '")}'`).join(' or ') : `'${common.join("', '")}'`}`,
          at: path,
        };
      }
      const field = String(params.missingProperty);
      return {
        rule: 'naftiko/missing-field',
        message: `${what} is missing required field '${field}'`,
        hint: `add '${field}:' to this ${what}`,
        at: path,
      };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params.additionalProperty ?? params.unevaluatedProperty);
      const known = Object.keys(
        ((issue.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object,
      );
      const guess = closest(field, known);
      return {
        rule: 'naftiko/unknown-field',
        message: `unknown field '${field}' in ${what}`,
        hint: guess
          ? `did you mean '${guess}'?`
          : known.length
            ? `known fields: ${known.join(', ')}`
            : 'remove it',
        at: [...path, field],
        key: true,
      };
    }
    case 'type': {
      const types = String(params.type).split(',');
      return {
        rule: 'naftiko/wrong-type',
        message: `${where} must be ${types.map(article).join(' or ')}, found ${describeValue(value)}`,
        hint: typeHint(types),
        at: path,
      };
    }
    case 'enum':
    case 'const': {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      const list = allowed.map((v) => String(v)).join(', ');
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} is ${describeValue(value)}; expected ${allowed.length > 1 ? `one of ${list}` : list}`,
        hint: `use ${allowed.length > 1 ? 'one of: ' : ''}${list}`,
        at: path,
      };
    }
    case 'pattern': {
      const patterns = (params.patterns as string[] | undefined) ?? [String(params.pattern)];
      const meaning = patternMeaning(patterns);
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} ${describeValue(value)} is not ${meaning}`,
        hint: `write ${meaning}`,
        at: path,
      };
    }
    case 'format':
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} ${describeValue(value)} is not a valid ${String(params.format)}`,
        hint: `write a valid ${String(params.format)}, e.g. file:///path/to/folder`,
        at: path,
      };
    case 'propertyNames':
      return {
        rule: 'naftiko/invalid-value',
        message: `'${String(params.propertyName)}' is not a valid key in ${what}`,
        hint: 'variable names are SCREAMING_SNAKE_CASE: capital letters, digits and _',
        at: [...path, String(params.propertyName)],
        key: true,
      };
    case 'minimum':
    case 'maximum': {
      const range = rangeOf(issue.parentSchema);
      return {
        rule: 'naftiko/out-of-range',
        message: `${where} is ${describeValue(value)}; it must be ${range}`,
        hint: `use a value ${range}`,
        at: path,
      };
    }
    case 'minItems':
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} must have at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}`,
        hint: `add an entry, or remove '${String(path[path.length - 1])}'`,
        at: path,
      };
    case 'minLength':
    case 'maxLength':
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} must be ${issue.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters long`,
        hint: issue.keyword === 'minLength' ? 'write a longer value' : 'shorten it',
        at: path,
      };
    case 'not': {
      const forbidden = (issue.schema as { required?: string[] } | undefined)?.required;
      return {
        rule: 'naftiko/invalid-value',
        message: forbidden
          ? `${what} must not have ${forbidden.map((f) => `'${f}'`).join(', ')} here`
          : `${what} combines fields the schema does not allow together`,
        hint: forbidden
          ? `remove ${forbidden.map((f) => `'${f}'`).join(', ')}`
          : 'check the fields against the specification',
        at:
          forbidden?.length === 1 && isRecord(value) && forbidden[0] in value
            ? [...path, forbidden[0]]
            : path,
        key: forbidden?.length === 1,
      };
    }
    case 'oneOf': {
      const required = (params.required as string[][] | undefined) ?? [];
      const distinct = required.map((r) => r.filter((f) => !required.every((o) => o.includes(f))));
      const named = distinct.every((d) => d.length > 0);
      return {
        rule: 'naftiko/ambiguous',
        message: named
          ? `${what} has both ${distinct.map((d) => d.map((f) => `'${f}'`).join(' + ')).join(' and ')}; the schema allows one or the other`
          : `${what} fits more than one of the shapes the schema allows here`,
        hint: named
          ? `keep one of ${distinct.map((d) => `'${d.join("' + '")}'`).join(', ')}`
          : 'keep the fields of one form only',
        at: path,
      };
    }
    default:
      return {
        rule: 'naftiko/invalid-value',
        message: `${where} fails the schema's '${issue.keyword}' rule`,
        hint: 'check this value against the specification',
        at: path,
      };
  }
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let value = data;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function article(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'null';
    default:
      return `a ${type}`;
  }
}

function typeHint(types: string[]): string {
  if (types.includes('array')) return 'write a YAML list (lines starting with "- ")';
  if (types.includes('object')) return 'write key: value pairs';
  if (types.includes('integer')) return 'write a whole number';
  if (types.includes('boolean')) return 'write true or false';
  return 'quote the value or fix its type';
}

function rangeOf(schema: unknown): string {
  const s = (schema ?? {}) as { minimum?: number; maximum?: number };
  if (s.minimum !== undefined && s.maximum !== undefined)
    return `between ${s.minimum} and ${s.maximum}`;
  return s.minimum !== undefined ? `at least ${s.minimum}` : `at most ${s.maximum}`;
}

/** What the specification's patterns mean, in words. */
const PATTERN_MEANINGS: Array<[RegExp, string]> = [
  [/^\^\[a-zA-Z0-9-\]\+\$$/, "a name of letters, digits and '-' only"],
  [/^\^\[a-zA-Z0-9-_\*\]\+\$$/, "a name of letters, digits, '-', '_' and '*' only"],
  [/\\\.\[a-zA-Z0-9-\]\+\$$/, "a '<namespace>.<name>' reference (letters, digits and '-')"],
  [/^\^\\d\{4\}/, 'a date (YYYY-MM-DD)'],
  [/^\^https\?:/, 'an http(s) URI without {placeholders}'],
  [/^\^\[A-Z\]\[A-Z0-9_\]\*\$$/, 'a SCREAMING_SNAKE_CASE variable name'],
  [/^\^file:\/\/\//, 'a file:/// URI'],
  [/^\^\[a-zA-Z\]\[a-zA-Z0-9\+\.-\]\*:\/\//, 'a URI (scheme://...)'],
  // capgen.config.yaml's `image` (model/deploy.ts), before the email address its '@' would suggest.
  [/@sha256:/, 'a container image reference ([registry/]name[:tag], lower-case name)'],
  [/@/, 'an email address'],
  [/\[0-9a-fA-F\]|25\[0-5\]|\{0,61\}/, 'a hostname or an IP address'],
  [/\\\//, 'a MIME type (type/subtype)'],
];

function patternMeaning(patterns: string[]): string {
  for (const [test, meaning] of PATTERN_MEANINGS)
    if (patterns.every((p) => test.test(p))) return meaning;
  return `a value matching ${patterns.join(' or ')}`;
}
