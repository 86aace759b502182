/**
 * The schema files of avro and protobuf answers (`outputSchema` on a consumed operation), read at
 * generate time so that generated code carries their text and reads no file at run time. A path is
 * relative to the document that declares the operation, else to the project root (as the engine
 * looks in its working directory, then its classpath); it must name a regular file inside the
 * project, reached through no link, of at most 1 MiB.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticBag } from '../diagnostics.js';
import { inputFileProblem, toPosix } from '../paths.js';
import type { ReadListener } from '../load/read.js';
import type { JsonPath } from '../load/source.js';
import type { ConsumesSite } from './references.js';

const SCHEMA_FORMATS = new Set(['avro', 'protobuf']);
const MAX_SCHEMA_BYTES = 1024 * 1024;

/**
 * The text of each operation's schema file, by `<namespace>.<operation>`. `onRead` hears each file
 * read, and each path looked at first that was not there (were it to appear, it would be read).
 */
export function readOutputSchemas(
  sites: ConsumesSite[],
  root: string,
  bag: DiagnosticBag,
  onRead?: ReadListener,
): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { consumes, source, at } of sites)
    (consumes.resources ?? []).forEach((resource, ri) =>
      resource.operations.forEach((op, oi) => {
        const format = op.outputRawFormat;
        if (format === undefined || !SCHEMA_FORMATS.has(format)) return;
        const oat: JsonPath = [...at, 'resources', ri, 'operations', oi];
        const report = (
          severity: 'error' | 'warning',
          field: string,
          rule: string,
          message: string,
          hint: string,
        ) =>
          bag.add({
            file: source.file,
            ...source.locate([...oat, field]),
            severity,
            rule,
            message,
            hint,
          });
        const name = op.outputSchema?.trim();
        if (!name) {
          report(
            'warning',
            'outputRawFormat',
            'capgen/output-schema-missing',
            `'${format}' answers are decoded with a schema, and '${op.name}' names none: every call to it fails (as with the Naftiko engine)`,
            `add \`outputSchema: schemas/<file>.${format === 'avro' ? 'avsc' : 'proto'}\``,
          );
          return;
        }
        const file = locate(root, source.file, name, onRead);
        if (typeof file !== 'string') {
          report('error', 'outputSchema', file.rule, file.message, file.hint);
          return;
        }
        const absolute = path.resolve(root, file);
        if (fs.statSync(absolute).size > MAX_SCHEMA_BYTES) {
          report(
            'error',
            'outputSchema',
            'naftiko/invalid-output-schema',
            `schema file '${file}' is larger than ${MAX_SCHEMA_BYTES} bytes`,
            'name the schema file of this operation',
          );
          return;
        }
        const text = fs.readFileSync(absolute, 'utf8');
        onRead?.(file, text);
        const problem = format === 'avro' ? avroProblem(text) : protoProblem(text);
        if (problem) {
          report(
            'error',
            'outputSchema',
            'naftiko/invalid-output-schema',
            `'${file}': ${problem}`,
            format === 'avro'
              ? 'name an Avro schema (.avsc, JSON)'
              : 'name a .proto file declaring a message',
          );
          return;
        }
        texts.set(`${consumes.namespace}.${op.name}`, text);
      }),
    );
  return texts;
}

type Problem = { rule: string; message: string; hint: string };

/** The schema file relative to the root: beside the declaring document first, then from the root. */
function locate(
  root: string,
  declaring: string,
  name: string,
  onRead?: ReadListener,
): string | Problem {
  if (/^[a-z][a-z0-9+.-]*:/i.test(name) || path.isAbsolute(name))
    return {
      rule: 'io/outside-project',
      message: `outputSchema '${name}' is not a path inside the project`,
      hint: 'copy the schema file into the project and write its relative path',
    };
  const candidates = [
    toPosix(path.relative(root, path.resolve(root, path.dirname(declaring), name))),
    toPosix(path.relative(root, path.resolve(root, name))),
  ];
  let first: Problem | undefined;
  for (const file of [...new Set(candidates)]) {
    const problem = file.startsWith('..')
      ? {
          rule: 'io/outside-project',
          message: `outputSchema '${name}' is outside the project`,
          hint: 'schema files must be inside the project folder',
        }
      : inputFileProblem(root, file);
    if (problem === undefined) return file;
    if (!file.startsWith('..')) onRead?.(file, undefined);
    if (problem !== 'missing') first ??= problem;
  }
  return (
    first ?? {
      rule: 'io/not-found',
      message: `schema file '${name}' does not exist (looked beside ${declaring} and in the project root)`,
      hint: 'check the path of outputSchema',
    }
  );
}

function avroProblem(text: string): string | undefined {
  try {
    const schema = JSON.parse(text) as unknown;
    return typeof schema === 'object' || typeof schema === 'string'
      ? undefined
      : 'not an Avro schema (a JSON object, array or name)';
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
}

function protoProblem(text: string): string | undefined {
  return /\bmessage\s+[A-Za-z_]\w*\s*\{/.test(text) ? undefined : 'it declares no message';
}
