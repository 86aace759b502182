/**
 * The adapters of a capability: rest-handler.ts and mcp-handler.ts hold their data (routes, tools,
 * resources, prompts, forwards) and web-standard handlers, importing no Node built-in; rest.ts and
 * mcp.ts are the Node entry points.
 */
import type {
  CapabilityModel,
  InputModel,
  McpModel,
  OperationModel,
  PromptModel,
  ResourceModel,
  RestModel,
  RouteModel,
  ToolModel,
} from '../model/types.js';
import { docInline, identifier, joinTs, trustedTs, type TsCode } from './escape.js';
import { layoutString } from './layout.js';
import { codeHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import {
  CodeRef,
  dataLiteral,
  runtimeCodeRef,
  type Emitted,
  type LiteralSlots,
} from './literal.js';
import { importLine, importNames, runtimeImports } from './imports.js';
import { ORCHESTRATIONS_MODULE } from './orchestrations.js';
import { renderTs } from './render.js';

const CLIENT_MODULE = './client.js';
const SCHEMAS_MODULE = './schemas.js';
const operationRef = (operation: OperationModel) => new CodeRef(operation.constName, CLIENT_MODULE);

/**
 * What a route or tool runs: the operation constant of client.ts it calls with its bindings and
 * output mappings, or the orchestration of orchestrations.ts that runs it.
 */
function runs(item: RouteModel | ToolModel) {
  if (item.orchestration)
    return { run: new CodeRef(item.orchestration.runName, ORCHESTRATIONS_MODULE) };
  return {
    call: operationRef(item.operation!),
    with: item.with,
    ...(item.output ? { output: item.output } : {}),
  };
}

/**
 * A data literal in which each `call` is a reference to its operation constant from client.ts and
 * each shared schema (the very object the model holds) a reference to its constant in schemas.ts,
 * with the import lines those references need.
 */
function adapterLiteral(value: unknown, capability: CapabilityModel, slots: LiteralSlots) {
  const shared = new Map<unknown, CodeRef>(
    capability.sharedSchemas.map((s) => [s.schema, new CodeRef(s.name, SCHEMAS_MODULE)]),
  );
  const refFor = (v: object) => shared.get(v) ?? runtimeCodeRef(v);
  const literal = dataLiteral(value, refFor);
  const { refs } = literal;
  const operations = refs.filter((r) => r.module === CLIENT_MODULE).map((r) => r.name);
  return {
    literal: slots.slot(value, refFor, literal),
    operationImports: [...new Set(operations)].sort(),
    schemaImports: joinTs([importLine(refs, SCHEMAS_MODULE), runtimeImports(refs)], '\n'),
    runImports: importLine(refs, ORCHESTRATIONS_MODULE),
  };
}

/** Slots both handler modules share: header, client factory, namespace and the imports of their data. */
function handlerView(
  capability: CapabilityModel,
  what: string,
  holds: string,
  namespace: string,
  data: Omit<ReturnType<typeof adapterLiteral>, 'literal'>,
) {
  return {
    header: codeHeader(
      `${what} for ${capability.label}: its ${holds} and web-standard handler.`,
      capability,
    ),
    factory: identifier(capability.names.clientFactory),
    namespaceDoc: docInline(namespace),
    clientImport: importNames(
      [identifier(capability.names.clientFactory), ...data.operationImports],
      CLIENT_MODULE,
    ),
    schemaImports: data.schemaImports,
    runImports: data.runImports,
  };
}

/** Slots the Node entry points share: the client factory, where they listen, and the env overrides. */
export function entryView(
  capability: CapabilityModel,
  adapter: Pick<RestModel, 'namespace' | 'port' | 'address' | 'portEnv' | 'addressEnv'>,
  slots: LiteralSlots,
) {
  return {
    factory: identifier(capability.names.clientFactory),
    listen: slots.slot({
      port: adapter.port,
      address: adapter.address,
      portEnv: adapter.portEnv,
      addressEnv: adapter.addressEnv,
    }),
    namespaceDoc: docInline(adapter.namespace),
    envDoc: docInline(`${adapter.portEnv} / ${adapter.addressEnv}`),
  };
}

const restInput = (input: InputModel) => ({
  name: input.name,
  in: input.in === 'body' ? 'body' : input.in === 'path' ? 'path' : 'query',
  required: input.required,
  schema:
    input.description && !input.schema.description
      ? { ...input.schema, description: input.description }
      : input.schema,
});

export function emitRestHandler(capability: CapabilityModel, rest: RestModel): Emitted {
  return renderCanonical((slots) => restHandlerText(capability, rest, slots));
}

function restHandlerText(
  capability: CapabilityModel,
  rest: RestModel,
  slots: LiteralSlots,
): string {
  const forwards = dataLiteral(
    rest.forwards.map((f) => ({
      prefix: f.prefix,
      param: f.param,
      api: new CodeRef(f.api.constName, CLIENT_MODULE),
      trustedHeaders: f.trustedHeaders,
      headers: f.headers,
    })),
  );
  const adapter = adapterLiteral(
    {
      namespace: rest.namespace,
      ...(rest.auth ? { auth: rest.auth } : {}),
      routes: rest.routes.map((route) => ({
        path: route.path,
        method: route.method,
        operationName: route.name,
        inputs: route.inputs.filter((i) => i.in !== 'header' && i.in !== 'cookie').map(restInput),
        ...runs(route),
      })),
    },
    capability,
    slots,
  );
  const clientImports = [
    ...new Set([...adapter.operationImports, ...forwards.refs.map((r) => r.name)]),
  ].sort();
  return renderTs('rest-handler.ts.hbs', {
    ...handlerView(capability, `REST adapter ${rest.namespace}`, 'routes', rest.namespace, {
      ...adapter,
      operationImports: clientImports,
    }),
    adapter: adapter.literal,
    forwards: rest.forwards.length ? forwards.code : undefined,
  });
}

/** rest.ts: the REST adapter's Node entry point. */
export function emitRest(capability: CapabilityModel, rest: RestModel): Emitted {
  return renderCanonical((slots) =>
    renderTs('rest.ts.hbs', {
      header: codeHeader(
        `REST adapter ${rest.namespace} for ${capability.label}: the Node server.`,
        capability,
      ),
      ...entryView(capability, rest, slots),
    }),
  );
}

/** A resource as the runtime reads it (McpResourceSpec): a dynamic one calls its operation constant. */
function resourceSpec(resource: ResourceModel) {
  const base = {
    name: resource.name,
    title: resource.title,
    uri: resource.uri,
    description: resource.description || undefined,
    mimeType: resource.mimeType,
  };
  if (resource.kind === 'static') return { ...base, location: resource.location };
  return {
    ...base,
    call: operationRef(resource.operation),
    with: resource.with,
    ...(resource.output ? { output: resource.output } : {}),
  };
}

/** A prompt as the runtime reads it (McpPromptSpec): empty descriptions left out. */
function promptSpec(prompt: PromptModel) {
  return {
    ...prompt,
    description: prompt.description || undefined,
    arguments: prompt.arguments.map((a) => ({ ...a, description: a.description || undefined })),
  };
}

export function emitMcpHandler(
  capability: CapabilityModel,
  mcp: McpModel,
  version: string,
): Emitted {
  return renderCanonical((slots) => mcpHandlerText(capability, mcp, version, slots));
}

function mcpHandlerText(
  capability: CapabilityModel,
  mcp: McpModel,
  version: string,
  slots: LiteralSlots,
): string {
  const server = adapterLiteral(
    {
      name: mcp.namespace,
      version,
      ...(mcp.instructions ? { instructions: mcp.instructions } : {}),
      ...(mcp.auth ? { auth: mcp.auth } : {}),
      tools: mcp.tools.map((tool) => ({
        name: tool.name,
        ...(tool.title ? { title: tool.title } : {}),
        description: tool.description,
        annotations: tool.annotations,
        inputSchema: tool.inputSchema,
        ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
        ...runs(tool),
      })),
      ...(mcp.resources.length ? { resources: mcp.resources.map(resourceSpec) } : {}),
      ...(mcp.prompts.length ? { prompts: mcp.prompts.map(promptSpec) } : {}),
    },
    capability,
    slots,
  );
  return renderTs('mcp-handler.ts.hbs', {
    ...handlerView(capability, `MCP server ${mcp.namespace}`, 'tools', mcp.namespace, server),
    server: server.literal,
  });
}

/** mcp.ts: the MCP server's Node entry point (Streamable HTTP or stdio). */
export function emitMcp(capability: CapabilityModel, mcp: McpModel): Emitted {
  const transport: TsCode = trustedTs(layoutString(mcp.transport));
  return renderCanonical((slots) =>
    renderTs('mcp.ts.hbs', {
      header: codeHeader(
        `MCP server ${mcp.namespace} for ${capability.label}: the Node server.`,
        capability,
      ),
      ...entryView(capability, mcp, slots),
      transport,
    }),
  );
}
