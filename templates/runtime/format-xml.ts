/**
 * `outputRawFormat: xml`: the answer converted to JSON as the Naftiko engine's converter (Jackson's
 * XmlMapper) does: the root element dropped, its children as properties, repeated elements as
 * arrays, attributes as properties, the text of an element with attributes under the key "",
 * every value a string. Needs the `fast-xml-parser` package.
 *
 * Hostile content: documents with a DOCTYPE are refused (no entity declaration is ever expanded),
 * nesting stops at 64 levels, element names `__proto__`, `constructor` and `prototype` are
 * refused by the parser, and the result is copied into plain objects.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { JsonValue, RawBody } from './contract.js';
import { FormatError, MAX_FORMAT_DEPTH, plainJson } from './formats.js';

const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  textNodeName: TEXT,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  // Standard and numeric character references only: a DOCTYPE is refused before parsing.
  htmlEntities: true,
  maxNestedTags: MAX_FORMAT_DEPTH,
});

export function decodeXml(body: RawBody): JsonValue {
  const text = body.text;
  if (/<!DOCTYPE/i.test(text))
    throw new FormatError('documents with a DOCTYPE declaration are refused (entity expansion)');
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new FormatError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  const document = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(document);
  if (roots.length !== 1)
    throw new FormatError(`an XML document has one root element, not ${roots.length}`);
  return plainJson(textUnderEmptyKey(document[roots[0]], 0));
}

/** Jackson's shape: an element's text next to its attributes or children goes under "". */
function textUnderEmptyKey(value: unknown, depth: number): unknown {
  if (depth > MAX_FORMAT_DEPTH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => textUnderEmptyKey(item, depth + 1));
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(source).map((key) => [
      key === TEXT ? '' : key,
      textUnderEmptyKey(source[key], depth + 1),
    ]),
  );
}
