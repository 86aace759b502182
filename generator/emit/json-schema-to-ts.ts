/**
 * TypeScript type text for the JSON Schemas in the model: parameters, and everything no OpenAPI
 * document describes. Unknown shapes become `JsonValue`, never `any`.
 */
import type { JsonSchema, JsonValue } from '../../templates/runtime/contract.js';
import { joined } from './rope.js';
import { docBlock, trustedTs, tsString, typeKey, type TsCode } from './escape.js';

/**
 * `output` types describe what an API returns: unknown parts are `JsonValue`. `input` types describe
 * what callers may pass: unknown parts are `unknown`, so any value the encoder handles (a Date, an
 * object with optional fields left undefined) is accepted.
 */
export type TypeMode = 'input' | 'output';

export function schemaToTs(schema: JsonSchema, indent = '', mode: TypeMode = 'output'): string {
  const anything = mode === 'input' ? 'unknown' : 'JsonValue';
  if (schema.enum) return schema.enum.map(literal).join(' | ') || 'never';
  if (schema.anyOf)
    return joined(unique(schema.anyOf.map((s) => schemaToTs(s, indent, mode))), ' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (!types.length) return schema.properties ? objectToTs(schema, indent, mode) : anything;
  return joined(
    unique(
      types.map((t) => {
        switch (t) {
          case 'string':
            return 'string';
          case 'integer':
          case 'number':
            return 'number';
          case 'boolean':
            return 'boolean';
          case 'null':
            return 'null';
          case 'array':
            return `Array<${schema.items ? schemaToTs(schema.items, indent, mode) : anything}>`;
          case 'object':
            return objectToTs(schema, indent, mode);
        }
      }),
    ),
    ' | ',
  );
}

function objectToTs(schema: JsonSchema, indent: string, mode: TypeMode): string {
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  const extra = schema.additionalProperties;
  if (!names.length)
    return extra && typeof extra === 'object'
      ? `Record<string, ${schemaToTs(extra, indent, mode)}>`
      : `Record<string, ${mode === 'input' ? 'unknown' : 'JsonValue'}>`;
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const lines = names.map(
    (name) =>
      `${docComment(props[name].description, inner)}${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(props[name], inner, mode)};`,
  );
  return `{\n${joined(lines, '\n')}\n${indent}}`;
}

/** A `/** ... *\/` comment holding `text` (escaped), or nothing when there is no text. */
export function docComment(text: string | undefined, indent = ''): TsCode {
  return docBlock(text, indent);
}

/** A property name in a type literal or interface. */
export function propertyKey(name: string): TsCode {
  return typeKey(name);
}

/** The literal type of an enum value. */
function literal(value: JsonValue): TsCode {
  if (typeof value === 'string') return tsString(value);
  if (typeof value === 'number')
    return trustedTs(Number.isFinite(value) ? String(value) : 'number');
  if (typeof value === 'boolean' || value === null) return trustedTs(String(value));
  return trustedTs('JsonValue');
}

/**
 * Without repeats. A single type is returned as it is: hashing it would flatten the nested type
 * text, at every level of a deep schema.
 */
function unique(list: string[]): string[] {
  return list.length < 2 ? list : [...new Set(list)];
}
