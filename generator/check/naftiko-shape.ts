/**
 * The Naftiko 1.0.0-alpha2 capability document, as far as capgen reads it, described as shapes.
 * Fields the official schema lacks but real capability files carry (and capgen uses) are marked
 * with `deviation`, so they are reported as warnings rather than rejected.
 */
import type { Field, ObjectShape, Shape } from './shape.js';

const str: Shape = { kind: 'string' };
const bool: Shape = { kind: 'boolean' };
const any: Shape = { kind: 'any' };
const list = (items: Shape): Shape => ({ kind: 'array', items });
const req = (shape: Shape): Field => ({ shape, required: true });
const opt = (shape: Shape): Field => ({ shape });
const obj = (name: string, fields: Record<string, Field>): ObjectShape => ({
  kind: 'object',
  name,
  fields,
});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const method: Shape = { kind: 'string', enum: HTTP_METHODS };
const kebab = (what: string): Shape => ({
  kind: 'string',
  pattern: /^[a-zA-Z0-9-]+$/,
  patternNote: `is not a valid ${what} (letters, digits and '-' only)`,
  patternIsDeviation: true,
});
const extended: Shape = {
  kind: 'string',
  pattern: /^[a-zA-Z0-9-_*]+$/,
  patternNote: "is not a valid name (letters, digits, '-', '_' and '*' only)",
  patternIsDeviation: true,
};
const date: Shape = {
  kind: 'string',
  pattern: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  patternNote: 'is not a date (YYYY-MM-DD)',
};
const port: Shape = { kind: 'integer', min: 1, max: 65535 };
const paramIn = (values: readonly string[]): Shape => ({ kind: 'string', enum: values });
const valueType: Shape = {
  kind: 'string',
  enum: ['string', 'number', 'integer', 'boolean', 'array', 'object'],
};

export const authenticationShape = (type: string): ObjectShape | undefined => {
  const t = req({ kind: 'string' });
  switch (type) {
    case 'bearer':
      return obj('bearer authentication', { type: t, token: opt(str) });
    case 'apikey':
      return obj('apikey authentication', {
        type: t,
        key: opt(str),
        value: opt(str),
        placement: opt({ kind: 'string', enum: ['header', 'query'] }),
      });
    case 'basic':
    case 'digest':
      return obj(`${type} authentication`, { type: t, username: opt(str), password: opt(str) });
    default:
      return undefined;
  }
};

const ONLY_NAME_IN_VALUE = 'consumed input parameters take only name, in and value';

const consumedInputParameter = obj('consumed input parameter', {
  name: req(extended),
  in: req(paramIn(['query', 'header', 'path', 'cookie', 'body', 'environment'])),
  value: opt(str),
  type: { shape: valueType, deviation: ONLY_NAME_IN_VALUE },
  description: { shape: str, deviation: ONLY_NAME_IN_VALUE },
  required: { shape: bool, deviation: ONLY_NAME_IN_VALUE },
});

const consumedOutputParameter = obj('consumed output parameter', {
  name: req(extended),
  type: req({ kind: 'string', enum: ['string', 'number', 'boolean', 'object', 'array'] }),
  value: req(str),
});

const consumedOperation = obj('consumed operation', {
  name: req(kebab('operation name')),
  label: opt(str),
  description: opt(str),
  method: req(method),
  inputParameters: opt(list(consumedInputParameter)),
  outputRawFormat: opt({
    kind: 'string',
    enum: ['json', 'xml', 'avro', 'protobuf', 'csv', 'tsv', 'psv', 'yaml', 'html', 'markdown'],
  }),
  outputSchema: opt(str),
  outputParameters: opt(list(consumedOutputParameter)),
  body: opt(any),
});

const consumedResource = obj('consumed resource', {
  name: req(kebab('resource name')),
  label: opt(str),
  description: opt(str),
  path: req(str),
  inputParameters: opt(list(consumedInputParameter)),
  operations: req(list(consumedOperation)),
});

export const consumesShape = obj('consumes block', {
  type: req({ kind: 'string', enum: ['http'] }),
  namespace: req(kebab('namespace')),
  baseUri: req({
    kind: 'string',
    pattern: /^https?:\/\/[^/]+(\/[^{]*)?$/,
    patternNote: 'is not an http(s) URI',
  }),
  description: opt(str),
  inputParameters: opt(list(consumedInputParameter)),
  authentication: opt(any),
  resources: req(list(consumedResource)),
});

/**
 * How an exposed operation or MCP tool runs: `call` + `with` (simple mode), or `ref` / `steps`
 * (reported as not supported by naftiko.ts). Output parameters are checked there too (their shape
 * depends on `type`).
 */
const invocationFields: Record<string, Field> = {
  call: opt(str),
  with: opt({ kind: 'map', values: { kind: 'scalar' } }),
  outputParameters: opt(list(any)),
  ref: opt(str),
  steps: opt(any),
  mappings: opt(any),
};

const exposedOperation = obj('exposed operation', {
  name: opt(kebab('operation name')),
  label: opt(str),
  description: opt(str),
  method: req(method),
  inputParameters: opt(list(any)),
  ...invocationFields,
});

const exposedResource = obj('exposed resource', {
  path: req(str),
  name: opt(kebab('resource name')),
  label: opt(str),
  description: opt(str),
  inputParameters: opt(list(any)),
  operations: opt(list(exposedOperation)),
  forward: opt(any),
});

const address: Shape = { kind: 'string' };

export const restShape = obj('rest adapter', {
  type: req(str),
  namespace: req(kebab('namespace')),
  port: req(port),
  address: opt(address),
  description: { shape: str, deviation: 'a rest adapter has no description in the schema' },
  authentication: opt(any),
  resources: req(list(exposedResource)),
});

const mcpTool = obj('MCP tool', {
  name: req(kebab('tool name')),
  label: opt(str),
  description: req(str),
  hints: opt(
    obj('MCP tool hints', {
      readOnly: opt(bool),
      destructive: opt(bool),
      idempotent: opt(bool),
      openWorld: opt(bool),
    }),
  ),
  inputParameters: opt(
    list(
      obj('MCP tool input parameter', {
        name: req(extended),
        type: req(valueType),
        description: req(str),
        required: opt(bool),
      }),
    ),
  ),
  ...invocationFields,
});

export const mcpShape = obj('MCP adapter', {
  type: req(str),
  namespace: req(kebab('namespace')),
  port: opt(port),
  address: opt(address),
  transport: opt({ kind: 'string', enum: ['http', 'stdio'] }),
  description: opt(str),
  authentication: opt(any),
  tools: req(list(mcpTool)),
  resources: opt(any),
  prompts: opt(any),
});

const binding = obj('binding', {
  namespace: req(kebab('namespace')),
  description: opt(str),
  location: opt(str),
  keys: req({ kind: 'map', values: extended }),
});

export const documentShape = obj('capability document', {
  naftiko: req({ kind: 'string', enum: ['1.0.0-alpha2'] }),
  info: req(
    obj('info', {
      label: req(str),
      description: req(str),
      tags: opt(list(str)),
      created: opt(date),
      modified: opt(date),
      stakeholders: opt(list(any)),
    }),
  ),
  binds: opt(list(binding)),
  consumes: opt(list(consumesShape)),
  capability: req(
    obj('capability', {
      binds: opt(list(binding)),
      consumes: req(list(consumesShape)),
      exposes: opt(list(any)),
      aggregates: opt(any),
    }),
  ),
});
