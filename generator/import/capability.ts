/**
 * One Naftiko capability document for one group of OpenAPI operations: the operations consumed
 * (grouped by path into resources), a REST adapter serving the same paths, and an MCP server with
 * one tool per operation. Everything written is valid against the official Naftiko schema:
 * consumed parameters carry only `name` and `in` (capgen reads their types from the OpenAPI
 * document), exposed inputs declare `type` and `description`, and no output mapping is written (an
 * exposed operation or tool with none returns the upstream response as it is).
 */
import type { ImportedAuth, NaftikoAuth } from './security.js';
import type { OperationGroup } from './group.js';
import {
  BODY_INPUT as BODY,
  type ImportedOperation,
  type ImportedParameter,
  type NaftikoMethod,
  type NaftikoType,
} from './operations.js';
import type { PortPair } from './ports.js';

/** What the capability knows about the API as a whole. */
export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

/** One consumed API within a capability (one per base URI its operations use). */
export interface ConsumedApi {
  namespace: string;
  baseUri: string;
  auth?: ImportedAuth;
  operations: ImportedOperation[];
}

/** Names decided once for the whole document, so every capability file uses the same ones. */
export interface ImportNames {
  operation(op: ImportedOperation): string;
  resource(path: string): string;
}

export interface CapabilityInput {
  naftiko: string;
  api: ApiInfo;
  group: OperationGroup;
  consumes: ConsumedApi[];
  ports: PortPair;
  names: ImportNames;
}

/** MCP hints from HTTP semantics (RFC 9110 safe and idempotent methods). */
const HINTS: Record<
  NaftikoMethod,
  { readOnly: boolean; destructive: boolean; idempotent: boolean }
> = {
  GET: { readOnly: true, destructive: false, idempotent: true },
  // POST creates or acts: additive, and repeating it repeats the effect.
  POST: { readOnly: false, destructive: false, idempotent: false },
  // PUT replaces what is there; PATCH overwrites fields; DELETE removes.
  PUT: { readOnly: false, destructive: true, idempotent: true },
  PATCH: { readOnly: false, destructive: true, idempotent: false },
  DELETE: { readOnly: false, destructive: true, idempotent: true },
};

export function buildCapabilityDocument(input: CapabilityInput): Record<string, unknown> {
  const { api, group, names } = input;
  const restNamespace = `${group.id}-rest`;
  const mcpNamespace = `${group.id}-mcp`;
  const auths = input.consumes.flatMap((c) => (c.auth ? [c.auth] : []));
  const variables = [...new Set(auths.flatMap((a) => a.variables))].sort();
  const namespaceOf = new Map<ImportedOperation, string>();
  for (const consumed of input.consumes)
    for (const op of consumed.operations) namespaceOf.set(op, consumed.namespace);
  const operations = [...namespaceOf.keys()].sort(byPathThenMethod);

  const document: Record<string, unknown> = {
    naftiko: input.naftiko,
    info: {
      label: `${api.title} — ${group.label}`,
      description: `${group.description} ${operations.length} operation${operations.length === 1 ? '' : 's'} of ${api.title} ${api.version}, imported from its OpenAPI description.`,
      tags: [api.title, group.id],
    },
  };
  if (variables.length)
    document.binds = [
      {
        namespace: 'env',
        description: `Credentials for ${api.title}, read from the process environment.`,
        keys: Object.fromEntries(variables.map((v) => [v, v])),
      },
    ];
  document.capability = {
    consumes: input.consumes.map((consumed) => consumesBlock(consumed, api, names)),
    exposes: [
      {
        type: 'rest',
        namespace: restNamespace,
        address: '127.0.0.1',
        port: input.ports.rest,
        resources: restResources(operations, namespaceOf, restNamespace, api, names),
      },
      {
        type: 'mcp',
        namespace: mcpNamespace,
        address: '127.0.0.1',
        port: input.ports.mcp,
        transport: 'http',
        description: `Tools for ${group.label} on ${api.title}: one tool per operation, calling the API directly.`,
        tools: operations.map((op) => tool(op, namespaceOf.get(op)!, mcpNamespace, names)),
      },
    ],
  };
  return document;
}

function consumesBlock(
  consumed: ConsumedApi,
  api: ApiInfo,
  names: ImportNames,
): Record<string, unknown> {
  const byPath = new Map<string, ImportedOperation[]>();
  for (const op of [...consumed.operations].sort(byPathThenMethod))
    byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  return {
    type: 'http',
    namespace: consumed.namespace,
    baseUri: consumed.baseUri,
    description: api.description || api.title,
    ...(consumed.auth ? { authentication: authenticationOf(consumed.auth.authentication) } : {}),
    resources: [...byPath.entries()].map(([path, ops]) => ({
      name: names.resource(path),
      path,
      ...optional('label', ops[0].pathSummary),
      ...optional('description', ops[0].pathDescription),
      operations: ops.map((op) => ({
        name: names.operation(op),
        ...optional('label', op.summary),
        method: op.method,
        ...optional('description', op.description),
        ...nonEmpty('inputParameters', [
          ...op.parameters.map((p) => ({ name: p.name, in: p.in })),
          ...(op.body ? [{ name: BODY, in: 'body' }] : []),
        ]),
      })),
    })),
  };
}

/** A fresh object each time: the YAML serializer would otherwise write anchors and aliases. */
function authenticationOf(auth: NaftikoAuth): Record<string, unknown> {
  return { ...auth };
}

function restResources(
  operations: ImportedOperation[],
  namespaceOf: Map<ImportedOperation, string>,
  restNamespace: string,
  api: ApiInfo,
  names: ImportNames,
): Array<Record<string, unknown>> {
  const byPath = new Map<string, ImportedOperation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  return [...byPath.entries()].map(([path, ops]) => ({
    path: servedPath(path, byPath),
    name: names.resource(path),
    description:
      ops[0].pathDescription ||
      ops[0].pathSummary ||
      `${path} of ${api.title}: ${ops.map((op) => op.method).join(', ')}.`,
    operations: ops.map((op) => {
      // The REST adapter reads path, query and body inputs; header and cookie parameters are
      // reachable through the MCP tools and the client.
      const inputs = op.parameters.filter((p) => p.in === 'path' || p.in === 'query');
      return {
        method: op.method,
        name: names.operation(op),
        ...optional('label', op.summary),
        description: operationDescription(op),
        ...nonEmpty('inputParameters', [
          ...inputs.map((p) => ({
            name: p.name,
            in: p.in,
            type: p.type,
            description: parameterDescription(p, op),
          })),
          ...(op.body
            ? [{ name: BODY, in: 'body', type: op.body.type, description: bodyDescription(op) }]
            : []),
        ]),
        call: `${namespaceOf.get(op)}.${names.operation(op)}`,
        ...nonEmptyMap('with', withMap(inputs, op, restNamespace)),
      };
    }),
  }));
}

/**
 * The REST adapter serves the upstream's paths, without a trailing slash (Naftiko's rules want
 * none) unless that would make it another path of the group, or nothing.
 */
function servedPath(path: string, paths: Map<string, unknown>): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed && !paths.has(trimmed) ? trimmed : path;
}

function tool(
  op: ImportedOperation,
  consumesNamespace: string,
  mcpNamespace: string,
  names: ImportNames,
): Record<string, unknown> {
  const inputs: Array<{ name: string; type: NaftikoType; description: string; required: boolean }> =
    op.parameters.map((p) => ({
      name: p.name,
      type: p.type,
      description: parameterDescription(p, op),
      required: p.required,
    }));
  if (op.body)
    inputs.push({
      name: BODY,
      type: op.body.type,
      description: bodyDescription(op),
      required: op.body.required,
    });
  return {
    name: names.operation(op),
    ...optional('label', op.summary),
    description: operationDescription(op),
    hints: { ...HINTS[op.method], openWorld: true },
    ...nonEmpty('inputParameters', inputs),
    call: `${consumesNamespace}.${names.operation(op)}`,
    ...nonEmptyMap('with', withMap(op.parameters, op, mcpNamespace)),
  };
}

/** `with`: each upstream parameter from the exposed input of the same name. */
function withMap(
  parameters: ImportedParameter[],
  op: ImportedOperation,
  namespace: string,
): Record<string, string> {
  const entries = parameters.map((p) => [p.name, `${namespace}.${p.name}`]);
  if (op.body) entries.push([BODY, `${namespace}.${BODY}`]);
  return Object.fromEntries(entries);
}

function operationDescription(op: ImportedOperation): string {
  return op.description || op.summary || `${op.method} ${op.path}`;
}

function parameterDescription(p: ImportedParameter, op: ImportedOperation): string {
  return p.description || `The ${p.name} ${p.in} parameter of ${op.method} ${op.path}.`;
}

function bodyDescription(op: ImportedOperation): string {
  return (
    op.body?.description ||
    `The request body of ${op.method} ${op.path} (${op.body?.mediaTypes.join(', ')}).`
  );
}

function byPathThenMethod(a: ImportedOperation, b: ImportedOperation): number {
  return a.path < b.path
    ? -1
    : a.path > b.path
      ? 1
      : METHOD_ORDER[a.method] - METHOD_ORDER[b.method];
}
const METHOD_ORDER: Record<NaftikoMethod, number> = {
  GET: 0,
  POST: 1,
  PUT: 2,
  PATCH: 3,
  DELETE: 4,
};

const optional = (key: string, value: string) => (value ? { [key]: value } : {});
const nonEmpty = (key: string, list: unknown[]) => (list.length ? { [key]: list } : {});
const nonEmptyMap = (key: string, map: Record<string, unknown>) =>
  Object.keys(map).length ? { [key]: map } : {};
