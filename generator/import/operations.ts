/**
 * The operations of an OpenAPI 3.x document, read for `capgen import`: every method of every path
 * with its parameters (path-level and operation-level merged, internal `$ref`s followed), request
 * body, security requirements and server. What cannot be written as Naftiko (a method Naftiko has
 * no word for, a parameter name outside its identifier pattern) is left out with a warning that
 * says where it is.
 */
import { isRecord } from '../check/paths.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type { OpenApiDocument } from '../load/openapi.js';
import { followRefs, serverUrl } from '../load/openapi.js';
import type { JsonPath } from '../load/source.js';
import { pathPlaceholders } from '../check/references.js';
import { plainText } from './text.js';

export const NAFTIKO_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type NaftikoMethod = (typeof NAFTIKO_METHODS)[number];
const OTHER_METHODS = ['head', 'options', 'trace'];

/** The value types Naftiko input parameters declare. */
export type NaftikoType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
const NAFTIKO_TYPES = new Set<string>([
  'string',
  'number',
  'integer',
  'boolean',
  'array',
  'object',
]);

/** The name of the input that carries an operation's request body. */
export const BODY_INPUT = 'body';

/** Media types capgen's client encodes: JSON (and `+json` types) and form-urlencoded. */
const isSentAsIs = (mediaType: string) =>
  /^application\/(x-www-form-urlencoded|(.+\+)?json)\b/i.test(mediaType);

/** Naftiko's extended identifier (parameter names). */
export const PARAMETER_NAME = /^[a-zA-Z0-9-_*]+$/;

export interface ImportedParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  type: NaftikoType;
  description: string;
}

export interface ImportedBody {
  required: boolean;
  description: string;
  /** The media types the operation accepts. */
  mediaTypes: string[];
  /** The Naftiko type of the body capgen sends (its JSON, else first, media type's schema). */
  type: NaftikoType;
}

/** One requirement alternative of `security`: scheme names that must all be satisfied. */
export type SecurityRequirement = string[];

export interface ImportedOperation {
  method: NaftikoMethod;
  /** The path as the OpenAPI document writes it. */
  path: string;
  /** Where the operation is in the document, for diagnostics. */
  at: JsonPath;
  operationId?: string;
  summary: string;
  description: string;
  tags: string[];
  parameters: ImportedParameter[];
  body?: ImportedBody;
  /** Alternatives; an empty list means the operation needs no credentials. */
  security: SecurityRequirement[];
  /** The server URL that applies (operation, then path item, then document level). */
  server?: { url: string; at: JsonPath };
  /** The path item's own summary and description. */
  pathSummary: string;
  pathDescription: string;
}

/** Follows internal `$ref`s (a chain of them too); undefined when one points nowhere. */
export function deref(doc: OpenApiDocument, node: unknown): unknown {
  return followRefs(doc.data, node);
}

export function readOperations(doc: OpenApiDocument, bag: DiagnosticBag): ImportedOperation[] {
  const operations: ImportedOperation[] = [];
  const warn = (at: JsonPath, rule: string, message: string, hint: string) =>
    bag.warning(doc.file, doc.locate(at), rule, message, hint);
  const documentSecurity = readSecurity(doc, doc.data.security, ['security'], warn);
  const sentByTheApi = (at: JsonPath, what: string) =>
    bag.info(
      doc.file,
      doc.locate(at),
      'import/not-imported',
      `${what} requests the API sends, not operations it serves: not imported`,
      'receive them with a server of your own',
    );
  const webhooks = (doc.data as Record<string, unknown>).webhooks;
  if (isRecord(webhooks) && Object.keys(webhooks).length)
    sentByTheApi(['webhooks'], `the webhooks (${Object.keys(webhooks).length}) are`);
  for (const [path, rawItem] of Object.entries(doc.data.paths)) {
    const item = deref(doc, rawItem);
    if (!isRecord(item)) continue;
    const itemAt: JsonPath = ['paths', path];
    for (const method of OTHER_METHODS) {
      if (isRecord(item[method]))
        warn(
          [...itemAt, method],
          'import/unsupported-method',
          `${method.toUpperCase()} ${path} is left out: Naftiko operations are ${NAFTIKO_METHODS.join(', ')}`,
          'call it through another tool, or describe it with one of those methods',
        );
    }
    for (const method of NAFTIKO_METHODS) {
      const op = item[method.toLowerCase()];
      if (!isRecord(op)) continue;
      const at: JsonPath = [...itemAt, method.toLowerCase()];
      if (isRecord(op.callbacks) && Object.keys(op.callbacks).length)
        sentByTheApi([...at, 'callbacks'], `the callbacks of ${method} ${path} are`);
      if (/[?#]/.test(path)) {
        warn(
          at,
          'import/invalid-path',
          `${method} ${path} is left out: a path with a query string or fragment is not an OpenAPI path`,
          'move the query into parameters with `in: query`',
        );
        continue;
      }
      const invalidPlaceholder = pathPlaceholders(path).find((p) => !PARAMETER_NAME.test(p));
      if (invalidPlaceholder !== undefined) {
        warn(
          at,
          'import/invalid-name',
          `${method} ${path} is left out: its path parameter '${invalidPlaceholder}' is not a valid Naftiko name (letters, digits, '-', '_' and '*' only)`,
          'rename the path parameter in the OpenAPI document',
        );
        continue;
      }
      const server = serverOf(doc, op, item, at, itemAt);
      const parameters = readParameters(doc, path, method, item, op, at, warn);
      const body =
        method === 'GET' || method === 'DELETE' ? undefined : readBody(doc, op.requestBody);
      if (body && !body.mediaTypes.some(isSentAsIs))
        warn(
          [...at, 'requestBody'],
          'import/body-media-type',
          `${method} ${path} takes ${body.mediaTypes.join(', ')}; capgen's client sends request bodies as JSON or form-urlencoded only`,
          'call this operation with your own code, or check that the API also accepts JSON',
        );
      const clash = body ? parameters.findIndex((p) => p.name === BODY_INPUT) : -1;
      if (clash !== -1) {
        warn(
          at,
          'import/duplicate-parameter',
          `${parameters[clash].in} parameter '${BODY_INPUT}' of ${method} ${path} is left out: the request body input has that name`,
          'add it by hand under another name',
        );
        parameters.splice(clash, 1);
      }
      operations.push({
        method,
        path,
        at,
        operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
        summary: plainText(op.summary),
        description: plainText(op.description),
        tags: Array.isArray(op.tags)
          ? op.tags.filter((t): t is string => typeof t === 'string')
          : [],
        parameters,
        body,
        security:
          op.security !== undefined
            ? readSecurity(doc, op.security, [...at, 'security'], warn)
            : documentSecurity,
        server,
        pathSummary: plainText(item.summary),
        pathDescription: plainText(item.description),
      });
    }
  }
  return operations;
}

function serverOf(
  doc: OpenApiDocument,
  op: Record<string, unknown>,
  item: Record<string, unknown>,
  at: JsonPath,
  itemAt: JsonPath,
): ImportedOperation['server'] {
  const candidates: Array<[unknown, JsonPath]> = [
    [op.servers, [...at, 'servers']],
    [item.servers, [...itemAt, 'servers']],
    [doc.data.servers, ['servers']],
  ];
  for (const [servers, where] of candidates) {
    if (!Array.isArray(servers) || !servers.length) continue;
    const first: unknown = servers[0];
    const url = isRecord(first) ? serverUrl(first) : undefined;
    if (url !== undefined) return { url, at: [...where, 0, 'url'] };
  }
  return undefined;
}

function readParameters(
  doc: OpenApiDocument,
  path: string,
  method: string,
  item: Record<string, unknown>,
  op: Record<string, unknown>,
  at: JsonPath,
  warn: (at: JsonPath, rule: string, message: string, hint: string) => void,
): ImportedParameter[] {
  // Operation-level parameters override path-level ones with the same name and location.
  const byKey = new Map<string, { param: Record<string, unknown>; at: JsonPath }>();
  const collect = (list: unknown, where: JsonPath) => {
    if (!Array.isArray(list)) return;
    list.forEach((raw, i) => {
      const param = deref(doc, raw);
      if (!isRecord(param) || typeof param.name !== 'string' || typeof param.in !== 'string') {
        warn(
          [...where, i],
          'import/unresolved-parameter',
          `a parameter of ${method} ${path} is left out: it is not a parameter object, or its $ref does not resolve inside the document`,
          'inline the parameter, or point its $ref at #/components/parameters/…',
        );
        return;
      }
      byKey.set(`${param.in}:${param.name}`, { param, at: [...where, i] });
    });
  };
  collect(item.parameters, ['paths', path, 'parameters']);
  collect(op.parameters, [...at, 'parameters']);

  const placeholders = pathPlaceholders(path);
  const result: ImportedParameter[] = [];
  const names = new Set<string>();
  for (const { param, at: paramAt } of byKey.values()) {
    const name = param.name as string;
    const location = param.in as string;
    if (!['path', 'query', 'header', 'cookie'].includes(location)) continue;
    if (location === 'path' && !placeholders.includes(name)) {
      warn(
        paramAt,
        'import/unused-path-parameter',
        `path parameter '${name}' of ${method} ${path} is left out: the path has no '{${name}}'`,
        'fix the parameter name or the path in the OpenAPI document',
      );
      continue;
    }
    if (!PARAMETER_NAME.test(name) || names.has(name)) {
      warn(
        paramAt,
        names.has(name) ? 'import/duplicate-parameter' : 'import/invalid-name',
        names.has(name)
          ? `${location} parameter '${name}' of ${method} ${path} is left out: another parameter has the same name`
          : `${location} parameter '${name}' of ${method} ${path} is left out: it is not a valid Naftiko name (letters, digits, '-', '_' and '*' only)`,
        'add it by hand with a fixed value, or rename it in the OpenAPI document',
      );
      continue;
    }
    names.add(name);
    const schema = parameterSchema(doc, param);
    result.push({
      name,
      in: location as ImportedParameter['in'],
      required: location === 'path' || param.required === true,
      type: naftikoType(doc, schema),
      description: plainText(
        (param.description as string | undefined) ??
          (isRecord(schema) ? (schema.description as string | undefined) : undefined),
      ),
    });
  }
  // A placeholder the document forgot to declare is still a required string parameter.
  for (const name of placeholders) {
    if (result.some((p) => p.in === 'path' && p.name === name)) continue;
    warn(
      at,
      'import/undeclared-path-parameter',
      `path placeholder '{${name}}' of ${method} ${path} has no parameter; it is imported as a required string`,
      'declare the parameter in the OpenAPI document',
    );
    result.push({ name, in: 'path', required: true, type: 'string', description: '' });
  }
  const order = { path: 0, query: 1, header: 2, cookie: 3 };
  return result.sort((a, b) => order[a.in] - order[b.in]);
}

function parameterSchema(doc: OpenApiDocument, param: Record<string, unknown>): unknown {
  if (param.schema !== undefined) return deref(doc, param.schema);
  // OpenAPI also allows `content: {<media type>: {schema}}` instead of `schema`.
  if (isRecord(param.content)) {
    const first = Object.values(param.content)[0];
    if (isRecord(first)) return deref(doc, first.schema);
  }
  return undefined;
}

function readBody(doc: OpenApiDocument, raw: unknown): ImportedBody | undefined {
  const body = deref(doc, raw);
  if (!isRecord(body) || !isRecord(body.content)) return undefined;
  const mediaTypes = Object.keys(body.content).sort();
  if (!mediaTypes.length) return undefined;
  const sent = mediaTypes.find(isJson) ?? mediaTypes[0];
  const media = body.content[sent];
  return {
    required: body.required === true,
    description: plainText(body.description as string | undefined),
    mediaTypes,
    type: bodyType(doc, isRecord(media) ? media.schema : undefined),
  };
}

const isJson = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json\b/i.test(mediaType);

/** Keywords that say what a schema's values are; a body schema with none of them is an object. */
const SHAPE_KEYWORDS = [
  'type',
  'enum',
  'const',
  'items',
  'properties',
  'additionalProperties',
  'allOf',
  'anyOf',
  'oneOf',
];

/**
 * A body is an object unless its schema says otherwise: a JSON string, number or array body
 * (`type: string`, an enum of strings) is declared as such, so the adapters accept it.
 */
function bodyType(doc: OpenApiDocument, schema: unknown): NaftikoType {
  const resolved = deref(doc, schema);
  if (!isRecord(resolved) || !SHAPE_KEYWORDS.some((k) => k in resolved)) return 'object';
  return naftikoType(doc, resolved);
}

/**
 * The requirement alternatives of a `security` field. One that is not a list of requirement
 * objects, or that names a scheme the document does not declare, is said (its operations would
 * otherwise get no credentials without a word).
 */
function readSecurity(
  doc: OpenApiDocument,
  raw: unknown,
  at: JsonPath,
  warn: (at: JsonPath, rule: string, message: string, hint: string) => void,
): SecurityRequirement[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || !raw.every(isRecord)) {
    warn(
      at,
      'import/invalid-security',
      '`security` is not a list of security requirement objects, so it is ignored: these operations get no credentials',
      'write it as a list: `security: [{ schemeName: [] }]`',
    );
    return [];
  }
  const declared = isRecord(doc.data.components?.securitySchemes)
    ? doc.data.components.securitySchemes
    : {};
  raw.forEach((requirement, i) => {
    for (const name of Object.keys(requirement))
      if (!Object.hasOwn(declared, name))
        warn(
          [...at, i, name],
          'import/unknown-security-scheme',
          `security scheme '${name}' is not declared in components.securitySchemes; operations that need it get no credentials`,
          'declare the scheme, or fix the name',
        );
  });
  return raw.map((requirement) => Object.keys(requirement).sort());
}

/** The Naftiko type that best describes a schema (unions: their first non-null branch). */
export function naftikoType(doc: OpenApiDocument, node: unknown, depth = 0): NaftikoType {
  const schema = deref(doc, node);
  if (!isRecord(schema) || depth > 16) return 'string';
  const type = Array.isArray(schema.type)
    ? schema.type.find((t) => t !== 'null')
    : (schema.type as unknown);
  if (typeof type === 'string' && NAFTIKO_TYPES.has(type)) return type as NaftikoType;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    const typed = branches.find((b) => {
      const branch = deref(doc, b);
      return !(isRecord(branch) && branch.type === 'null');
    });
    if (typed !== undefined) return naftikoType(doc, typed, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const types = schema.allOf.map((b) => naftikoType(doc, b, depth + 1));
    return types.includes('object') ? 'object' : (types[0] ?? 'string');
  }
  if (isRecord(schema.properties) || schema.additionalProperties !== undefined) return 'object';
  if (schema.items !== undefined) return 'array';
  if (Array.isArray(schema.enum) && schema.enum.length) {
    const first: unknown = schema.enum[0];
    if (typeof first === 'number') return Number.isInteger(first) ? 'integer' : 'number';
    if (typeof first === 'boolean') return 'boolean';
  }
  return 'string';
}
