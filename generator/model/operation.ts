/**
 * A consumed operation as the client calls it: parameters (OpenAPI's descriptions and schemas where
 * an operation matches, the capability's declarations otherwise), fixed values, template variables,
 * body templates, the response schema and pagination.
 */
import type {
  BodySpec,
  JsonSchema,
  OperationSpec,
  OutputFormat,
  ParamSpec,
  RawFormat,
} from '../../templates/runtime/contract.js';
import { isRecord } from '../check/paths.js';
import {
  bodyTemplateText,
  normalizePath,
  pathPlaceholders,
  templateVariables,
} from '../check/references.js';
import type {
  NaftikoConsumedOperation,
  NaftikoConsumedParameter,
  NaftikoConsumes,
  NaftikoRequestBody,
} from '../load/naftiko-types.js';
import type { ResolvedOpenApi } from './build.js';
import {
  boundsFromDescription,
  listItemSchema,
  schemaFromDeclaredType,
  toJsonSchema,
} from './schema.js';
import {
  binaryResponse,
  fileMembers,
  requestContent,
  requestMediaType,
  successContent,
  withFileUploads,
} from './media.js';
import { htmlToText } from './text.js';
import type { InputModel, OperationModel } from './types.js';
import { runtimeRef, type OptionalModule } from './runtime-modules.js';
import { valueTemplate, type Binds } from './values.js';

export const BODY_LESS = new Set(['GET', 'DELETE', 'HEAD']);

export function buildOperation(
  consumes: NaftikoConsumes,
  rawPath: string,
  declared: NaftikoConsumedParameter[],
  op: NaftikoConsumedOperation,
  resolved: ResolvedOpenApi | undefined,
  defaultMediaType: BodySpec['mediaType'],
  methodName: string,
  constName: string,
  binds: Binds,
  outputSchemaText?: string,
): OperationModel {
  const method = op.method as OperationSpec['method'];
  const resourcePath = normalizePath(rawPath);
  const oaParams = new Map<string, Record<string, unknown>>();
  for (const p of (resolved?.operation.parameters as unknown[] | undefined) ?? []) {
    if (isRecord(p) && typeof p.name === 'string' && typeof p.in === 'string')
      oaParams.set(`${p.in}:${p.name}`, p);
  }
  const inputs: InputModel[] = [];
  const params: ParamSpec[] = [];
  let body: BodySpec | undefined;
  for (const param of declared) {
    if (param.in === 'environment') continue;
    if (param.value !== undefined && param.in !== 'body') {
      // Fixed by the capability: sent on every call, not an input of the method.
      params.push({
        name: param.name,
        in: param.in,
        required: false,
        value: valueTemplate(param.value, binds),
      });
      continue;
    }
    if (param.value !== undefined) continue;
    if (param.in === 'body') {
      if (BODY_LESS.has(method)) continue;
      const { requestBody, content } = requestContent(resolved?.operation);
      const mediaType = requestMediaType(content, defaultMediaType);
      const media = content?.[mediaType];
      const files = isRecord(media) ? fileMembers(media.schema) : [];
      const schema: JsonSchema = isRecord(media)
        ? withFileUploads(toJsonSchema(media.schema), files)
        : schemaFromDeclaredType('object', param.description);
      if (!schema.type && schema.properties) schema.type = 'object';
      const required = requestBody ? requestBody.required === true : param.required === true;
      body = { required, mediaType, ...(files.length ? { files } : {}), schema };
      const description = htmlToText(
        (requestBody?.description as string | undefined) ?? schema.description ?? param.description,
      );
      if (description && !schema.description) schema.description = description;
      inputs.push({ name: param.name, in: 'body', required, description, schema });
      continue;
    }
    const oa = oaParams.get(`${param.in}:${param.name}`);
    const description = htmlToText((oa?.description as string | undefined) ?? param.description);
    const schema = boundsFromDescription(
      oa
        ? { ...toJsonSchema(oa.schema), ...(description ? { description } : {}) }
        : schemaFromDeclaredType(param.type, param.description),
    );
    const required = param.in === 'path' || (oa ? oa.required === true : param.required === true);
    const serialization = param.in === 'query' && oa ? querySerialization(oa, schema) : undefined;
    params.push({
      name: param.name,
      in: param.in,
      required,
      schema,
      ...(description ? { description } : {}),
      ...(serialization ? { serialization } : {}),
    });
    inputs.push({ name: param.name, in: param.in, required, description, schema });
  }
  // Path placeholders and `{{name}}` variables of templates that no parameter declares.
  for (const name of templateVariables(
    rawPath,
    declared,
    BODY_LESS.has(method) ? undefined : op.body,
    binds,
  )) {
    if (declared.some((p) => p.name === name)) continue;
    const inPath = pathPlaceholders(rawPath).includes(name);
    const schema: JsonSchema = { type: 'string' };
    if (inPath) params.push({ name, in: 'path', required: true, schema });
    inputs.push({
      name,
      in: inPath ? 'path' : 'template',
      required: inPath,
      description: inPath ? '' : `Value of {{${name}}} in the request templates.`,
      schema,
    });
  }
  let bodyTemplate: OperationSpec['bodyTemplate'];
  if (op.body !== undefined && !BODY_LESS.has(method) && bodyTemplateText(op.body) !== undefined) {
    const mediaType = bodyMediaType(op.body);
    bodyTemplate = valueTemplate(
      bodyTemplateText(op.body)!,
      binds,
      mediaType === 'application/json'
        ? 'json'
        : mediaType === 'application/x-www-form-urlencoded'
          ? 'form'
          : undefined,
    );
    body = { required: false, mediaType };
  }
  if (!body && !BODY_LESS.has(method)) {
    // No body declared: a form API still gets an empty form with its Content-Type, as
    // stripe-node sends it (Stripe refuses a POST without one).
    const { content } = requestContent(resolved?.operation);
    if (requestMediaType(content, defaultMediaType) === 'application/x-www-form-urlencoded')
      body = { required: false, mediaType: 'application/x-www-form-urlencoded' };
  }
  const output = outputFormat(op, outputSchemaText);
  // A converted answer has the converter's shape, whatever JSON an OpenAPI operation describes.
  const binary = !output && resolved ? binaryResponse(resolved.operation) : false;
  const responseSchema = output
    ? FORMAT_SHAPES[output.format]
    : resolved && !binary
      ? successSchema(resolved.operation)
      : undefined;
  const itemSchema = listItemSchema(responseSchema);
  const cursor = params.find((p) => p.in === 'query' && p.name === 'starting_after');
  const spec: OperationSpec = {
    id: `${consumes.namespace}.${op.name}`,
    method,
    path: resourcePath,
    ...(resolved?.match.server ? { baseUri: resolved.match.server } : {}),
    params,
  };
  if (body) spec.body = body;
  if (bodyTemplate) spec.bodyTemplate = bodyTemplate;
  if (output) spec.output = output;
  if (binary) spec.binaryResponse = true;
  else if (method === 'GET' && cursor && (itemSchema || !responseSchema))
    spec.pagination = { cursorParam: cursor.name };
  // Upper-casing the first letter keeps distinct method names distinct (pascalCase would not).
  const typeName = methodName[0].toUpperCase() + methodName.slice(1);
  return {
    spec,
    api: consumes.namespace,
    methodName,
    typeName,
    constName,
    description: htmlToText(op.description) || `${op.method} ${resourcePath}`,
    inputs,
    openapi: resolved
      ? {
          source: resolved.match.doc.file,
          operationId: resolved.match.operation.operationId as string | undefined,
          method: resolved.match.method,
          path: resolved.match.path,
        }
      : undefined,
    responseSchema,
    types: {
      params: `${typeName}Params`,
      response: `${typeName}Response`,
      ...(spec.pagination ? { item: `${typeName}Item` } : {}),
    },
  };
}

/** The converter module of each non-JSON `outputRawFormat`, and what the client accepts for it. */
const FORMATS: Record<RawFormat, { module: OptionalModule; accept: string }> = {
  xml: { module: 'format-xml', accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
  yaml: { module: 'format-yaml', accept: 'application/yaml, text/yaml;q=0.9, */*;q=0.1' },
  csv: { module: 'format-delimited', accept: 'text/csv, */*;q=0.1' },
  tsv: { module: 'format-delimited', accept: 'text/tab-separated-values, */*;q=0.1' },
  psv: { module: 'format-delimited', accept: 'text/plain, */*;q=0.1' },
  html: { module: 'format-html', accept: 'text/html, */*;q=0.1' },
  markdown: { module: 'format-markdown', accept: 'text/markdown, text/plain;q=0.9, */*;q=0.1' },
  avro: { module: 'format-avro', accept: 'application/avro, avro/binary;q=0.9, */*;q=0.1' },
  protobuf: {
    module: 'format-protobuf',
    accept: 'application/protobuf, application/x-protobuf;q=0.9, */*;q=0.1',
  },
};

/** Rows keyed by column names, every value a string (delimited formats, HTML and Markdown tables). */
const ROWS = (): JsonSchema => ({
  type: 'array',
  items: { type: 'object', additionalProperties: { type: 'string' } },
});
const TABLES = (): JsonSchema => ({ type: 'array', items: ROWS() });

/** The JSON a converter makes, where its shape does not depend on the answer. */
const FORMAT_SHAPES: Partial<Record<RawFormat, JsonSchema>> = {
  csv: ROWS(),
  tsv: ROWS(),
  psv: ROWS(),
  html: { type: 'object', properties: { tables: TABLES() }, required: ['tables'] },
  markdown: {
    type: 'object',
    properties: {
      frontMatter: { type: 'object', additionalProperties: true },
      tables: TABLES(),
      sections: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            heading: { type: 'string' },
            level: { type: 'integer' },
            content: { type: 'string' },
          },
          required: ['heading', 'level', 'content'],
        },
      },
    },
    required: ['frontMatter', 'tables', 'sections'],
  },
};

/**
 * How a 2xx answer is converted to JSON, for an operation declaring a non-JSON `outputRawFormat`:
 * `outputSchema` is the selector (html) or heading prefix (markdown) as written, or the text of
 * the schema file it names (avro, protobuf; read by the checker).
 */
function outputFormat(
  op: NaftikoConsumedOperation,
  schemaText: string | undefined,
): OutputFormat | undefined {
  const format = op.outputRawFormat as RawFormat | 'json' | undefined;
  if (format === undefined || format === 'json' || !(format in FORMATS)) return undefined;
  const { module, accept } = FORMATS[format];
  const schema =
    format === 'avro' || format === 'protobuf'
      ? schemaText
      : format === 'html' || format === 'markdown'
        ? op.outputSchema
        : undefined;
  return {
    format,
    accept,
    ...(schema !== undefined && schema !== '' ? { schema } : {}),
    decode: runtimeRef(module),
  };
}

function successSchema(operation: Record<string, unknown>): JsonSchema | undefined {
  const media = successContent(operation)?.['application/json'];
  return isRecord(media) && media.schema ? toJsonSchema(media.schema) : undefined;
}

/** Inputs of an exposed operation or tool: path placeholders, declared inputs, and what `with` references. */

/** The media type a `body:` template is sent as (a plain string body is JSON, as the specification says). */
function bodyMediaType(body: NaftikoRequestBody): BodySpec['mediaType'] {
  if (typeof body === 'string') return 'application/json';
  switch (body.type) {
    case 'formUrlEncoded':
      return 'application/x-www-form-urlencoded';
    case 'text':
      return 'text/plain';
    case 'xml':
      return 'application/xml';
    case 'sparql':
      return 'application/sparql-query';
    default:
      return 'application/json';
  }
}

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * The OpenAPI `style` and `explode` of a query parameter (defaults: `form`, exploded), for the
 * runtime, when they put a list or an object on the wire otherwise than as bracketed keys; a
 * scalar is `name=value` in every style, and `deepObject` (or an unknown style) is the runtime's
 * default encoding.
 */
function querySerialization(
  oa: Record<string, unknown>,
  schema: JsonSchema,
): ParamSpec['serialization'] {
  const style = oa.style ?? 'form';
  if (style !== 'form' && style !== 'spaceDelimited' && style !== 'pipeDelimited') return undefined;
  const types = [schema.type].flat().filter((t) => t !== undefined && t !== 'null');
  if (types.length && types.every((t) => SCALAR_TYPES.has(String(t)))) return undefined;
  return { style, explode: typeof oa.explode === 'boolean' ? oa.explode : style === 'form' };
}
