/**
 * A small structural checker for YAML documents: required fields, value types, enums, patterns and
 * unknown fields, each reported with its position. The Naftiko document model is described with
 * it in naftiko-shape.ts.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { JsonPath, SourceDocument } from '../load/source.js';

export type Shape =
  | {
      kind: 'string';
      enum?: readonly string[];
      pattern?: RegExp;
      patternNote?: string;
      patternIsDeviation?: boolean;
    }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'scalar' }
  | { kind: 'any' }
  | { kind: 'array'; items: Shape }
  | { kind: 'map'; values: Shape }
  | ObjectShape;

export interface ObjectShape {
  kind: 'object';
  /** Name shown in messages, e.g. "consumed operation". */
  name: string;
  fields: Record<string, Field>;
}

export interface Field {
  shape: Shape;
  required?: boolean;
  /**
   * Set when capgen understands the field although the official Naftiko schema does not allow it:
   * the reason, reported as a `schema/deviation` warning.
   */
  deviation?: string;
}

export function checkShape(
  doc: SourceDocument,
  bag: DiagnosticBag,
  shape: Shape,
  value: unknown,
  path: JsonPath,
): void {
  const fail = (rule: string, message: string, hint: string) =>
    bag.error(doc.file, doc.locate(path), rule, message, hint);
  const where = path.length ? `'${formatPath(path)}'` : 'the document';
  switch (shape.kind) {
    case 'any':
      return;
    case 'scalar':
      if (value === null || value === undefined || typeof value === 'object')
        fail(
          'naftiko/wrong-type',
          `${where} must be a string or number, found ${describe(value)}`,
          'write a plain value here',
        );
      return;
    case 'string':
      if (typeof value !== 'string') {
        fail(
          'naftiko/wrong-type',
          `${where} must be a string, found ${describe(value)}`,
          'quote the value or fix its type',
        );
        return;
      }
      if (shape.enum && !shape.enum.includes(value)) {
        fail(
          'naftiko/invalid-value',
          `${where} is '${value}'; expected one of ${shape.enum.join(', ')}`,
          `use one of: ${shape.enum.join(', ')}`,
        );
      } else if (shape.pattern && !shape.pattern.test(value)) {
        const note = shape.patternNote ?? `must match ${shape.pattern.source}`;
        if (shape.patternIsDeviation) {
          bag.warning(
            doc.file,
            doc.locate(path),
            'schema/deviation',
            `${where} '${value}' ${note} in the official Naftiko schema`,
            'capgen accepts it; rename it to conform to the schema',
          );
        } else {
          fail('naftiko/invalid-value', `${where} '${value}' ${note}`, 'fix the value');
        }
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        fail(
          'naftiko/wrong-type',
          `${where} must be an integer, found ${describe(value)}`,
          'write a whole number',
        );
      } else if (
        (shape.min !== undefined && value < shape.min) ||
        (shape.max !== undefined && value > shape.max)
      ) {
        fail(
          'naftiko/out-of-range',
          `${where} is ${value}; it must be between ${shape.min} and ${shape.max}`,
          `use a value from ${shape.min} to ${shape.max}`,
        );
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean')
        fail(
          'naftiko/wrong-type',
          `${where} must be true or false, found ${describe(value)}`,
          'write true or false',
        );
      return;
    case 'array':
      if (!Array.isArray(value)) {
        fail(
          'naftiko/wrong-type',
          `${where} must be a list, found ${describe(value)}`,
          'write a YAML list (lines starting with "- ")',
        );
        return;
      }
      value.forEach((item, index) => checkShape(doc, bag, shape.items, item, [...path, index]));
      return;
    case 'map':
      if (!isRecord(value)) {
        fail(
          'naftiko/wrong-type',
          `${where} must be a mapping, found ${describe(value)}`,
          'write key: value pairs',
        );
        return;
      }
      for (const [key, item] of Object.entries(value))
        checkShape(doc, bag, shape.values, item, [...path, key]);
      return;
    case 'object':
      checkObject(doc, bag, shape, value, path);
      return;
  }
}

function checkObject(
  doc: SourceDocument,
  bag: DiagnosticBag,
  shape: ObjectShape,
  value: unknown,
  path: JsonPath,
): void {
  if (!isRecord(value)) {
    bag.error(
      doc.file,
      doc.locate(path),
      'naftiko/wrong-type',
      `${path.length ? `'${formatPath(path)}'` : 'the document'} must be a mapping (${shape.name}), found ${describe(value)}`,
      'write key: value pairs',
    );
    return;
  }
  for (const [name, field] of Object.entries(shape.fields)) {
    if (field.required && !(name in value)) {
      bag.error(
        doc.file,
        doc.locate(path),
        'naftiko/missing-field',
        `${shape.name} is missing required field '${name}'`,
        `add '${name}:' to this ${shape.name}`,
      );
    }
  }
  for (const [name, item] of Object.entries(value)) {
    const field = shape.fields[name];
    const at = [...path, name];
    if (!field) {
      const known = Object.keys(shape.fields);
      const guess = closest(name, known);
      bag.warning(
        doc.file,
        doc.locate(at, { key: true }),
        'naftiko/unknown-field',
        `unknown field '${name}' in ${shape.name}; capgen ignores it`,
        guess ? `did you mean '${guess}'?` : `known fields: ${known.join(', ')}`,
      );
      continue;
    }
    if (field.deviation) {
      bag.warning(
        doc.file,
        doc.locate(at, { key: true }),
        'schema/deviation',
        `'${name}' in ${shape.name} is not allowed by the official Naftiko schema: ${field.deviation}`,
        'capgen accepts it; --strict rejects it',
      );
    }
    checkShape(doc, bag, field.shape, item, at);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The known name within edit distance 2, for "did you mean" hints. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
