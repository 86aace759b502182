/**
 * `outputRawFormat: protobuf`: the answer's bytes decoded as a message of the first message type
 * declared in the `.proto` file `outputSchema` names (its text embedded at generate time), as the
 * Naftiko engine's converter does: fields by name, repeated fields as arrays, enums by name, bytes
 * as base64, 64-bit integers as numbers. Needs the `protobufjs` package.
 */
import protobuf from 'protobufjs';
import type { JsonValue, OutputFormat, RawBody } from './contract.js';
import { FormatError, plainJson } from './formats.js';

const compiled = new WeakMap<OutputFormat, protobuf.Type>();

export function decodeProtobuf(body: RawBody, output: OutputFormat): JsonValue {
  const type = messageType(output);
  let message: protobuf.Message;
  try {
    message = type.decode(body.bytes);
  } catch (error) {
    throw new FormatError(`not a ${type.name} message: ${(error as Error).message}`);
  }
  return plainJson(
    type.toObject(message, { longs: Number, enums: String, bytes: String, arrays: true }),
  );
}

function messageType(output: OutputFormat): protobuf.Type {
  const cached = compiled.get(output);
  if (cached) return cached;
  if (!output.schema)
    throw new FormatError(
      'Protobuf format requires outputSchema to be specified in operation specification',
    );
  let root: protobuf.Root;
  try {
    root = protobuf.parse(output.schema, { keepCase: true }).root;
  } catch (error) {
    throw new FormatError(`the .proto schema is not valid: ${(error as Error).message}`);
  }
  const type = firstMessage(root);
  if (!type) throw new FormatError('the .proto schema declares no message');
  compiled.set(output, type);
  return type;
}

/** The first message type in declaration order (packages and nested types searched in order). */
function firstMessage(namespace: protobuf.NamespaceBase): protobuf.Type | undefined {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) return nested;
    if (nested instanceof protobuf.Namespace) {
      const found = firstMessage(nested);
      if (found) return found;
    }
  }
  return undefined;
}
