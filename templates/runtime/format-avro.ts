/**
 * `outputRawFormat: avro`: the answer's bytes decoded as one Avro datum (binary encoding, no
 * container file) of the schema that `outputSchema` names (its text embedded at generate time),
 * as the Naftiko engine's converter does: records as objects, unions as their value, bytes as
 * base64. Needs the `avsc` package.
 *
 * Hostile content: a schema under which an array item may take no bytes (null, an empty record) is
 * refused, since a forged block count would make decoding loop without reading; everything else
 * reads at least one byte per value, so work is bounded by the body size.
 */
import avro from 'avsc';
import type { JsonValue, OutputFormat, RawBody } from './contract.js';
import { FormatError, plainJson } from './formats.js';

const compiled = new WeakMap<OutputFormat, avro.Type>();

export function decodeAvro(body: RawBody, output: OutputFormat): JsonValue {
  const type = typeOf(output);
  const bytes = body.bytes;
  const { value, offset } = type.decode(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    0,
  );
  if (offset < 0) throw new FormatError('the body ends before the datum does');
  return plainJson(value);
}

function typeOf(output: OutputFormat): avro.Type {
  const cached = compiled.get(output);
  if (cached) return cached;
  if (!output.schema)
    throw new FormatError(
      'Avro format requires outputSchema to be specified in operation specification',
    );
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(JSON.parse(output.schema) as avro.Schema, { wrapUnions: false });
  } catch (error) {
    throw new FormatError(`the Avro schema is not valid: ${(error as Error).message}`);
  }
  const empty = zeroSizeItems(type, new Set());
  if (empty)
    throw new FormatError(
      `the Avro schema has arrays of ${empty}, which take no bytes: refused (unbounded decoding)`,
    );
  compiled.set(output, type);
  return type;
}

/** The name of an array item type that can be encoded in zero bytes, if the schema has one. */
function zeroSizeItems(type: avro.Type, seen: Set<avro.Type>): string | undefined {
  if (seen.has(type)) return undefined;
  seen.add(type);
  const t = type as avro.Type & {
    itemsType?: avro.Type;
    valuesType?: avro.Type;
    fields?: Array<{ type: avro.Type }>;
    types?: avro.Type[];
    underlyingType?: avro.Type;
  };
  if (t.itemsType) {
    if (takesNoBytes(t.itemsType, new Set())) return t.itemsType.typeName;
    return zeroSizeItems(t.itemsType, seen);
  }
  const children = [
    ...(t.valuesType ? [t.valuesType] : []),
    ...(t.fields ?? []).map((f) => f.type),
    ...(t.types ?? []),
    ...(t.underlyingType ? [t.underlyingType] : []),
  ];
  for (const child of children) {
    const found = zeroSizeItems(child, seen);
    if (found) return found;
  }
  return undefined;
}

function takesNoBytes(type: avro.Type, seen: Set<avro.Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  const t = type as avro.Type & {
    fields?: Array<{ type: avro.Type }>;
    size?: number;
    underlyingType?: avro.Type;
  };
  if (t.typeName === 'null') return true;
  if (t.typeName === 'fixed') return t.size === 0;
  if (t.typeName === 'record' || t.typeName === 'error')
    return (t.fields ?? []).every((f) => takesNoBytes(f.type, seen));
  if (t.underlyingType) return takesNoBytes(t.underlyingType, seen);
  return false;
}
