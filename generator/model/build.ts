/**
 * Builds the resolved capability model from checked capability documents and OpenAPI documents.
 * Runs only on documents the checker passed; reports what it learns from OpenAPI (unmatched
 * operations, parameters OpenAPI does not know) as diagnostics.
 */
import path from 'node:path';
import type {
  ApiSpec,
  Binding,
  BodySpec,
  InboundAuth,
  JsonSchema,
  OperationSpec,
  OutputMapping,
  ParamSpec,
  UpstreamAuth,
  ValueTemplate,
} from '../../templates/runtime/contract.js';
import { isRecord } from '../check/shape.js';
import {
  bindings,
  indexConsumedOperations,
  parseTemplate,
  parseWithValue,
  pathPlaceholders,
  allAdapterPrefixes,
} from '../check/references.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type {
  NaftikoAuthentication,
  NaftikoConsumedOperation,
  NaftikoConsumedParameter,
  NaftikoConsumes,
  NaftikoDocument,
  NaftikoExposedInput,
  NaftikoMcp,
  NaftikoOutputParameter,
  NaftikoRest,
} from '../load/naftiko-types.js';
import type { SourceDocument } from '../load/source.js';
import { camelCase, constantCase, NameRegistry, operationMethodName, pascalCase } from './names.js';
import type { OpenApiIndex } from './openapi-match.js';
import type { MatchedOperation } from './openapi-subset.js';
import {
  boundsFromDescription,
  declaredOver,
  limitDepth,
  listItemSchema,
  schemaFromDeclaredType,
  toJsonSchema,
} from './schema.js';
import { htmlToText } from './text.js';
import type {
  ApiModel,
  CapabilityModel,
  EnvVarModel,
  InputModel,
  McpModel,
  OperationModel,
  RestModel,
  RouteModel,
  SharedSchemaModel,
  ToolModel,
} from './types.js';

export interface CheckedCapability {
  source: SourceDocument;
  doc: NaftikoDocument;
}

/** Resolved OpenAPI pieces for one matched operation (dereferenced). */
export interface ResolvedOpenApi {
  match: MatchedOperation;
  /** The dereferenced operation object. */
  operation: Record<string, unknown>;
}

export interface BuildContext {
  index: OpenApiIndex;
  /** Dereferenced operation for each matched operation, keyed by `call` key. */
  resolved: Map<string, ResolvedOpenApi>;
  bag: DiagnosticBag;
  /** Project root, for relative source paths. */
  root: string;
}

const BODY_LESS = new Set(['GET', 'DELETE', 'HEAD']);

/** Levels of a response schema an MCP tool's outputSchema spells out (deeper values: any of their type). */
const OUTPUT_SCHEMA_DEPTH = 2;

export function capabilityId(file: string): string {
  return path
    .basename(file)
    .replace(/\.(naftiko\.)?ya?ml$/i, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .toLowerCase();
}

export function buildCapability(checked: CheckedCapability, ctx: BuildContext): CapabilityModel {
  const { doc, source } = checked;
  const id = capabilityId(source.file);
  const pascal = pascalCase(id);
  const env: EnvVarModel[] = [];
  const addEnv = (
    name: string,
    purpose: string,
    secret: boolean,
    scope: EnvVarModel['scope'] = 'upstream',
  ) => {
    if (!env.some((e) => e.name === name)) env.push({ name, purpose, secret, scope });
  };
  const binds = bindings(doc);
  const template = (text: string): ValueTemplate =>
    parseTemplate(text).map((part) =>
      'literal' in part ? part : { env: binds.get(part.namespace)?.get(part.key) ?? part.key },
    );

  const consumed = indexConsumedOperations(doc);
  const methodNames = new NameRegistry();
  const constNames = new NameRegistry();
  const operations = new Map<string, OperationModel>();
  const apis: ApiModel[] = [];
  const openapiSources = new Set<string>();

  for (const consumes of doc.capability.consumes) {
    const nsConst = constantCase(consumes.namespace);
    const auth = upstreamAuth(consumes.authentication, template);
    for (const variable of templateEnvVars(auth))
      addEnv(
        variable,
        `credential for ${consumes.namespace} (${consumes.authentication?.type} authentication)`,
        true,
      );
    const baseUriEnv = `${nsConst}_BASE_URI`;
    addEnv(
      baseUriEnv,
      `overrides the base URI of ${consumes.namespace} (default ${consumes.baseUri})`,
      false,
    );
    const docs = ctx.index.documentsFor(consumes.baseUri);
    const spec: ApiSpec = {
      namespace: consumes.namespace,
      baseUri: consumes.baseUri,
      baseUriEnv,
      auth,
    };
    const version = apiVersion(consumes, ctx, consumed);
    if (version) spec.version = version;
    apis.push({
      spec,
      description: htmlToText(consumes.description),
      constName: constNames.claim(`${nsConst}_API`),
    });
    const defaultMediaType = predominantMediaType(docs.map((d) => d.data));

    for (const resource of consumes.resources) {
      for (const op of resource.operations) {
        const key = `${consumes.namespace}.${op.name}`;
        const resolved = ctx.resolved.get(key);
        if (resolved) openapiSources.add(resolved.match.doc.file);
        else {
          const ref = consumed.get(key)!;
          ctx.bag.warning(
            source.file,
            source.locate([
              'capability',
              'consumes',
              ref.consumesIndex,
              'resources',
              ref.resourceIndex,
              'operations',
              ref.operationIndex,
              'name',
            ]),
            'openapi/no-match',
            `no OpenAPI operation matches ${op.method} ${resource.path} (${key}); its types come from the capability's inputParameters`,
            "add the API's OpenAPI document with --openapi or in capgen.config.yaml",
          );
        }
        const methodName = methodNames.claim(operationMethodName(op.method, resource.path));
        const model = buildOperation(
          consumes,
          resource.path,
          [...(resource.inputParameters ?? []), ...(op.inputParameters ?? [])],
          op,
          resolved,
          defaultMediaType,
          methodName,
          constNames.claim(`${constantCase(methodName)}_OPERATION`),
        );
        operations.set(key, model);
      }
    }
  }

  const prefixes = allAdapterPrefixes(doc);
  let rest: RestModel | undefined;
  let mcp: McpModel | undefined;
  for (const exposes of doc.capability.exposes ?? []) {
    if (exposes.type === 'rest')
      rest = buildRest(exposes as NaftikoRest, operations, prefixes, template);
    if (exposes.type === 'mcp')
      mcp = buildMcp(exposes as NaftikoMcp, operations, prefixes, template);
  }
  for (const [scope, adapter] of [
    ['rest', rest],
    ['mcp', mcp],
  ] as const) {
    if (!adapter) continue;
    addEnv(
      adapter.portEnv,
      `port of the ${adapter.namespace} server (default ${adapter.port})`,
      false,
      scope,
    );
    addEnv(
      adapter.addressEnv,
      `address the ${adapter.namespace} server binds (default ${adapter.address})`,
      false,
      scope,
    );
    for (const variable of templateEnvVars(adapter.auth))
      addEnv(variable, `credential callers of ${adapter.namespace} must present`, true, scope);
  }

  const sharedSchemas: SharedSchemaModel[] = [];
  for (const op of operations.values()) {
    const body = op.inputs.find((i) => i.in === 'body');
    if (body?.schema.properties)
      sharedSchemas.push({
        name: `${constantCase(op.methodName)}_BODY_SCHEMA`,
        description: `Request body of ${op.methodName}.`,
        schema: body.schema,
      });
  }
  // Tools returning the same response share one output schema object (and constant).
  const outputs = new Map<string, SharedSchemaModel>();
  for (const tool of mcp?.tools ?? []) {
    if (!tool.outputSchema) continue;
    const key = JSON.stringify(tool.outputSchema);
    const existing = outputs.get(key);
    if (existing) {
      tool.outputSchema = existing.schema;
      continue;
    }
    const shared = {
      name: `${constantCase(tool.operation.methodName)}_OUTPUT_SCHEMA`,
      description: `Structured output of ${tool.operation.methodName}, as MCP tools return it.`,
      schema: tool.outputSchema,
    };
    outputs.set(key, shared);
    sharedSchemas.push(shared);
  }

  return {
    id,
    sharedSchemas,
    source: path.relative(ctx.root, path.resolve(ctx.root, source.file)).split(path.sep).join('/'),
    label: doc.info.label,
    description: htmlToText(doc.info.description),
    tags: doc.info.tags ?? [],
    names: {
      pascal,
      camel: camelCase(id),
      constant: constantCase(id),
      clientFactory: `create${pascal}Client`,
      clientType: `${pascal}Client`,
    },
    env,
    apis,
    operations: [...operations.values()],
    rest,
    mcp,
    openapiSources: [...openapiSources]
      .map((f) => path.relative(ctx.root, path.resolve(ctx.root, f)).split(path.sep).join('/'))
      .sort(),
  };
}

function upstreamAuth(
  auth: NaftikoAuthentication | undefined,
  template: (text: string) => ValueTemplate,
): UpstreamAuth {
  if (!auth) return { type: 'none' };
  switch (auth.type) {
    case 'bearer':
      return { type: 'bearer', token: template(auth.token ?? '') };
    case 'apikey':
      return {
        type: 'apikey',
        key: auth.key ?? '',
        value: template(auth.value ?? ''),
        placement: auth.placement ?? 'header',
      };
    case 'basic':
      return {
        type: 'basic',
        username: template(auth.username ?? ''),
        password: template(auth.password ?? ''),
      };
    default:
      return { type: 'none' };
  }
}

/** The environment variables an auth declaration reads, in order. */
export function templateEnvVars(auth: UpstreamAuth | undefined): string[] {
  if (!auth) return [];
  const templates: ValueTemplate[] =
    auth.type === 'bearer'
      ? [auth.token]
      : auth.type === 'apikey'
        ? [auth.value]
        : auth.type === 'basic'
          ? [auth.username, auth.password]
          : [];
  return templates.flatMap((t) => t.flatMap((p) => ('env' in p ? [p.env] : [])));
}

/**
 * The version header an API expects, when its OpenAPI document says so: Stripe's documents carry
 * `x-stripeSpecFilename` in info and their info.version is the Stripe-Version they describe.
 */
function apiVersion(
  consumes: NaftikoConsumes,
  ctx: BuildContext,
  consumed: ReturnType<typeof indexConsumedOperations>,
): ApiSpec['version'] {
  for (const [key, ref] of consumed) {
    if (ref.consumes !== consumes) continue;
    const info = ctx.resolved.get(key)?.match.doc.data.info;
    if (info && typeof info.version === 'string' && 'x-stripeSpecFilename' in info)
      return { header: 'Stripe-Version', value: info.version };
  }
  return undefined;
}

/** The request media type most operations of these documents use (form for Stripe), JSON when none. */
function predominantMediaType(
  docs: Array<{ paths: Record<string, Record<string, unknown>> }>,
): BodySpec['mediaType'] {
  let form = 0;
  let json = 0;
  for (const doc of docs)
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item ?? {})) {
        const content =
          isRecord(op) && isRecord(op.requestBody) && isRecord(op.requestBody.content)
            ? op.requestBody.content
            : undefined;
        if (content?.['application/x-www-form-urlencoded']) form++;
        else if (content?.['application/json']) json++;
      }
  return form > json ? 'application/x-www-form-urlencoded' : 'application/json';
}

function buildOperation(
  consumes: NaftikoConsumes,
  resourcePath: string,
  declared: NaftikoConsumedParameter[],
  op: NaftikoConsumedOperation,
  resolved: ResolvedOpenApi | undefined,
  defaultMediaType: BodySpec['mediaType'],
  methodName: string,
  constName: string,
): OperationModel {
  const method = op.method as OperationSpec['method'];
  const oaParams = new Map<string, Record<string, unknown>>();
  for (const p of (resolved?.operation.parameters as unknown[] | undefined) ?? []) {
    if (isRecord(p) && typeof p.name === 'string' && typeof p.in === 'string')
      oaParams.set(`${p.in}:${p.name}`, p);
  }
  const inputs: InputModel[] = [];
  const params: ParamSpec[] = [];
  let body: BodySpec | undefined;
  for (const param of declared) {
    if (param.in === 'environment' || param.value !== undefined) continue;
    if (param.in === 'body') {
      if (BODY_LESS.has(method)) continue;
      const requestBody = isRecord(resolved?.operation.requestBody)
        ? resolved.operation.requestBody
        : undefined;
      const content = isRecord(requestBody?.content) ? requestBody.content : undefined;
      const mediaType: BodySpec['mediaType'] = content
        ? content['application/x-www-form-urlencoded']
          ? 'application/x-www-form-urlencoded'
          : 'application/json'
        : defaultMediaType;
      const media = content?.[mediaType];
      const schema: JsonSchema = isRecord(media)
        ? toJsonSchema(media.schema)
        : schemaFromDeclaredType('object', param.description);
      if (!schema.type && schema.properties) schema.type = 'object';
      const required = requestBody ? requestBody.required === true : param.required === true;
      body = { required, mediaType, schema };
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
    params.push({
      name: param.name,
      in: param.in,
      required,
      schema,
      ...(description ? { description } : {}),
    });
    inputs.push({ name: param.name, in: param.in, required, description, schema });
  }
  const responseSchema = resolved ? successSchema(resolved.operation) : undefined;
  const itemSchema = listItemSchema(responseSchema);
  const cursor = params.find((p) => p.in === 'query' && p.name === 'starting_after');
  const spec: OperationSpec = {
    id: `${consumes.namespace}.${op.name}`,
    method,
    path: resourcePath,
    params,
  };
  if (body) spec.body = body;
  if (method === 'GET' && cursor && (itemSchema || !responseSchema))
    spec.pagination = { cursorParam: cursor.name };
  const typeName = pascalCase(methodName);
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

function successSchema(operation: Record<string, unknown>): JsonSchema | undefined {
  const responses = isRecord(operation.responses) ? operation.responses : {};
  const code = Object.keys(responses)
    .sort()
    .find((c) => /^2\d\d$/.test(c));
  const response = code ? responses[code] : undefined;
  const content = isRecord(response) && isRecord(response.content) ? response.content : undefined;
  const media = content?.['application/json'];
  return isRecord(media) && media.schema ? toJsonSchema(media.schema) : undefined;
}

/** Inputs of an exposed operation or tool: path placeholders, declared inputs, and what `with` references. */
function exposedInputs(
  operation: OperationModel,
  withMap: Record<string, string | number> | undefined,
  declared: NaftikoExposedInput[],
  placeholders: string[],
  prefixes: ReadonlySet<string>,
): { inputs: InputModel[]; bindings: Record<string, Binding> } {
  const inputs = new Map<string, InputModel>();
  const result: Record<string, Binding> = {};
  for (const name of placeholders)
    inputs.set(name, {
      name,
      in: 'path',
      required: true,
      description: '',
      schema: { type: 'string' },
    });
  for (const d of declared) {
    const location =
      d.in === 'path' || d.in === 'query' || d.in === 'body' || d.in === 'header' ? d.in : 'query';
    inputs.set(d.name, {
      name: d.name,
      in: placeholders.includes(d.name) ? 'path' : location,
      required: d.required ?? placeholders.includes(d.name),
      description: htmlToText(d.description),
      schema: schemaFromDeclaredType(d.type, d.description),
    });
  }
  for (const [param, value] of Object.entries(withMap ?? {})) {
    const parsed = parseWithValue(value, prefixes);
    const upstream = operation.inputs.find((i) => i.name === param);
    if (!upstream) continue; // a GET's body, or a parameter with a fixed value: nothing to send
    if (parsed.kind === 'literal') {
      result[param] = { literal: coerceLiteral(parsed.value, upstream.schema) };
      continue;
    }
    result[param] = { input: parsed.name };
    const existing = inputs.get(parsed.name);
    const location =
      existing?.in === 'path'
        ? 'path'
        : upstream.in === 'body'
          ? 'body'
          : upstream.in === 'path'
            ? 'query'
            : upstream.in;
    inputs.set(parsed.name, {
      name: parsed.name,
      in: location,
      required: location === 'path' || upstream.required || (existing?.required ?? false),
      description: upstream.description || existing?.description || '',
      // The upstream parameter's own schema object (shared with other files), unless the exposed
      // operation declares the input with its own type.
      schema:
        existing && declared.some((d) => d.name === parsed.name)
          ? declaredOver(upstream.schema, existing.schema)
          : upstream.schema,
    });
  }
  return { inputs: [...inputs.values()], bindings: result };
}

function coerceLiteral(value: string | number, schema: JsonSchema): string | number | boolean {
  if (
    typeof value === 'string' &&
    (schema.type === 'integer' || schema.type === 'number') &&
    value.trim() !== '' &&
    !Number.isNaN(Number(value))
  )
    return Number(value);
  if (
    typeof value === 'string' &&
    schema.type === 'boolean' &&
    (value === 'true' || value === 'false')
  )
    return value === 'true';
  return value;
}

function outputMappings(
  outputs: NaftikoOutputParameter[] | undefined,
): OutputMapping[] | undefined {
  if (!outputs?.length) return undefined;
  const mapped = outputs.map(outputMapping);
  if (mapped.length === 1 && !outputs[0].name) return mapped;
  return [
    {
      kind: 'object',
      properties: Object.fromEntries(
        outputs.map((o, i) => [o.name ?? `output${i + 1}`, mapped[i]]),
      ),
    },
  ];
}

function outputMapping(output: NaftikoOutputParameter): OutputMapping {
  const mapping = output.mapping;
  const properties =
    output.properties ??
    (isRecord(mapping) && isRecord(mapping.properties)
      ? (mapping.properties as Record<string, NaftikoOutputParameter>)
      : undefined);
  const items =
    output.items ??
    (isRecord(mapping) && isRecord(mapping.items)
      ? (mapping.items as unknown as NaftikoOutputParameter)
      : undefined);
  if (output.type === 'object' && properties) {
    return {
      kind: 'object',
      properties: Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, outputMapping(v)]),
      ),
    };
  }
  if (output.type === 'array' && items) {
    return {
      kind: 'array',
      path: typeof mapping === 'string' ? mapping : '$',
      items: outputMapping(items),
    };
  }
  if (typeof mapping === 'string') return { kind: 'path', path: mapping };
  return {
    kind: 'value',
    value: (output.value ?? null) as OutputMapping extends { kind: 'value'; value: infer V }
      ? V
      : never,
  };
}

/** `$.` / `$` mappings return the upstream body: the response schema still applies. */
function outputSchema(
  output: OutputMapping[] | undefined,
  response: JsonSchema | undefined,
): JsonSchema | undefined {
  if (!response) return undefined;
  if (
    !output ||
    (output.length === 1 &&
      output[0].kind === 'path' &&
      (output[0].path === '$' || output[0].path === '$.'))
  )
    return response;
  return undefined;
}

function inboundAuth(
  auth: NaftikoAuthentication | undefined,
  template: (text: string) => ValueTemplate,
): InboundAuth | undefined {
  const result = upstreamAuth(auth, template);
  return result.type === 'none' ? undefined : result;
}

function buildRest(
  rest: NaftikoRest,
  operations: Map<string, OperationModel>,
  prefixes: ReadonlySet<string>,
  template: (t: string) => ValueTemplate,
): RestModel {
  const routes: RouteModel[] = [];
  for (const resource of rest.resources) {
    for (const op of resource.operations ?? []) {
      const operation = operations.get(op.call!)!;
      const { inputs, bindings } = exposedInputs(
        operation,
        op.with,
        [...(resource.inputParameters ?? []), ...(op.inputParameters ?? [])],
        pathPlaceholders(resource.path),
        prefixes,
      );
      const method = op.method as OperationSpec['method'];
      const usable = BODY_LESS.has(method) ? inputs.filter((i) => i.in !== 'body') : inputs;
      routes.push({
        path: resource.path,
        method,
        name: op.name ?? camelCase(`${op.method} ${resource.path}`),
        description: htmlToText(op.description ?? resource.description) || operation.description,
        operation,
        inputs: usable,
        with: Object.fromEntries(
          Object.entries(bindings).filter(
            ([, b]) => !('input' in b) || usable.some((i) => i.name === b.input),
          ),
        ),
        output: outputMappings(op.outputParameters),
      });
    }
  }
  return {
    namespace: rest.namespace,
    description: htmlToText(rest.description),
    ...listenModel(rest.namespace, 'rest', rest.port, rest.address),
    auth: inboundAuth(rest.authentication, template),
    routes,
  };
}

function buildMcp(
  mcp: NaftikoMcp,
  operations: Map<string, OperationModel>,
  prefixes: ReadonlySet<string>,
  template: (t: string) => ValueTemplate,
): McpModel {
  const tools: ToolModel[] = mcp.tools.map((tool) => {
    const operation = operations.get(tool.call!)!;
    const { inputs, bindings } = exposedInputs(
      operation,
      tool.with,
      tool.inputParameters ?? [],
      [],
      prefixes,
    );
    const output = outputMappings(tool.outputParameters);
    const hints = tool.hints ?? {};
    const properties: Record<string, JsonSchema> = {};
    for (const input of inputs)
      properties[input.name] =
        input.description && !input.schema.description
          ? { ...input.schema, description: input.description }
          : input.schema;
    const required = inputs.filter((i) => i.required).map((i) => i.name);
    const inputSchema: JsonSchema = {
      type: 'object',
      properties,
      ...(required.length ? { required } : {}),
      additionalProperties: false,
    };
    const response = outputSchema(output, operation.responseSchema);
    return {
      name: tool.name,
      ...(tool.label ? { title: tool.label } : {}),
      description: htmlToText(tool.description),
      annotations: {
        readOnlyHint: hints.readOnly ?? false,
        destructiveHint: hints.destructive ?? true,
        idempotentHint: hints.idempotent ?? false,
        openWorldHint: hints.openWorld ?? true,
      },
      inputSchema,
      ...(response && isObjectSchema(response)
        ? { outputSchema: limitDepth(response, OUTPUT_SCHEMA_DEPTH) }
        : {}),
      operation,
      with: bindings,
      output,
    };
  });
  return {
    namespace: mcp.namespace,
    instructions: htmlToText(mcp.description),
    transport: mcp.transport ?? 'http',
    ...listenModel(mcp.namespace, 'mcp', mcp.port ?? 0, mcp.address),
    auth: inboundAuth(mcp.authentication, template),
    tools,
  };
}

/**
 * Where a server listens, and the environment variables that override it, named from the adapter's
 * namespace without its kind suffix: `checkout-sessions-rest` → CHECKOUT_SESSIONS_REST_PORT.
 */
function listenModel(
  namespace: string,
  kind: 'rest' | 'mcp',
  port: number,
  address: string | undefined,
) {
  const constant = `${constantCase(namespace.replace(new RegExp(`-${kind}$`, 'i'), ''))}_${kind.toUpperCase()}`;
  return {
    port,
    address: address ?? '127.0.0.1',
    portEnv: `${constant}_PORT`,
    addressEnv: `${constant}_ADDRESS`,
  };
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' || (schema.properties !== undefined && schema.type === undefined);
}
