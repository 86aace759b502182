/**
 * `outputRawFormat: yaml`: the answer's YAML document as JSON (one document; aliases bounded).
 * Needs the `yaml` package.
 */
import { parse } from 'yaml';
import type { JsonValue, RawBody } from './contract.js';
import { plainJson } from './formats.js';

/** Aliases a document may use: bounds the work a "billion laughs" document could ask for. */
const MAX_ALIASES = 100;

export function decodeYaml(body: RawBody): JsonValue {
  return plainJson(parse(body.text, { maxAliasCount: MAX_ALIASES, prettyErrors: true }));
}
