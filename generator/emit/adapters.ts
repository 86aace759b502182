/**
 * The adapters of a capability: rest-handler.ts and mcp-handler.ts hold their data (routes, tools) and
 * web-standard handlers, importing no Node built-in; rest.ts and mcp.ts are the Node entry points.
 */
import type {
  CapabilityModel,
  InputModel,
  McpModel,
  OperationModel,
  RestModel,
} from '../model/types.js';
import { docInline, identifier, joinTs, type TsCode } from './escape.js';
import { codeHeader } from './header.js';
import { CodeRef, dataLiteral, importLine, literal } from './literal.js';
import { renderTs } from './render.js';

const CLIENT_MODULE = './client.js';
const SCHEMAS_MODULE = './schemas.js';

/** The operation constant of client.ts that a route or tool calls. */
const operationRef = (operation: OperationModel) => new CodeRef(operation.constName, CLIENT_MODULE);

/**
 * A data literal in which each `call` is a reference to its operation constant from client.ts and
 * each shared schema (the very object the model holds) a reference to its constant in schemas.ts,
 * with the import lines those references need.
 */
function adapterLiteral(value: unknown, capability: CapabilityModel) {
  const shared = new Map<unknown, CodeRef>(
    capability.sharedSchemas.map((s) => [s.schema, new CodeRef(s.name, SCHEMAS_MODULE)]),
  );
  const { code, refs } = dataLiteral(value, (v) => shared.get(v));
  const operations = refs.filter((r) => r.module === CLIENT_MODULE).map((r) => r.name);
  return {
    literal: code,
    operationImports: joinTs([...new Set(operations)].sort(), ', '),
    schemaImports: importLine(refs, SCHEMAS_MODULE),
  };
}

/** Slots both handler modules share: header, client factory, namespace and the imports of their data. */
function handlerView(
  capability: CapabilityModel,
  what: string,
  holds: string,
  namespace: string,
  data: ReturnType<typeof adapterLiteral>,
) {
  return {
    header: codeHeader(
      `${what} for ${capability.label}: its ${holds} and web-standard handler.`,
      capability,
    ),
    factory: identifier(capability.names.clientFactory),
    namespaceDoc: docInline(namespace),
    operationImports: data.operationImports,
    schemaImports: data.schemaImports,
  };
}

/** Slots both Node entry points share: where they listen, and the env overrides. */
function entryView(adapter: RestModel | McpModel) {
  return {
    listen: literal({
      port: adapter.port,
      address: adapter.address,
      portEnv: adapter.portEnv,
      addressEnv: adapter.addressEnv,
    }),
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

export function emitRestHandler(capability: CapabilityModel, rest: RestModel): string {
  const adapter = adapterLiteral(
    {
      namespace: rest.namespace,
      ...(rest.auth ? { auth: rest.auth } : {}),
      routes: rest.routes.map((route) => ({
        path: route.path,
        method: route.method,
        operationName: route.name,
        inputs: route.inputs.filter((i) => i.in !== 'header' && i.in !== 'cookie').map(restInput),
        call: operationRef(route.operation),
        with: route.with,
        ...(route.output ? { output: route.output } : {}),
      })),
    },
    capability,
  );
  return renderTs('rest-handler.ts.hbs', {
    ...handlerView(capability, `REST adapter ${rest.namespace}`, 'routes', rest.namespace, adapter),
    adapter: adapter.literal,
  });
}

/** rest.ts: the REST adapter's Node entry point. */
export function emitRest(capability: CapabilityModel, rest: RestModel): string {
  return renderTs('rest.ts.hbs', {
    header: codeHeader(
      `REST adapter ${rest.namespace} for ${capability.label}: the Node server.`,
      capability,
    ),
    ...entryView(rest),
  });
}

export function emitMcpHandler(
  capability: CapabilityModel,
  mcp: McpModel,
  version: string,
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
        call: operationRef(tool.operation),
        with: tool.with,
        ...(tool.output ? { output: tool.output } : {}),
      })),
    },
    capability,
  );
  return renderTs('mcp-handler.ts.hbs', {
    ...handlerView(capability, `MCP server ${mcp.namespace}`, 'tools', mcp.namespace, server),
    server: server.literal,
  });
}

/** mcp.ts: the MCP server's Node entry point (Streamable HTTP or stdio). */
export function emitMcp(capability: CapabilityModel, mcp: McpModel): string {
  const transport: TsCode = literal(mcp.transport);
  return renderTs('mcp.ts.hbs', {
    header: codeHeader(
      `MCP server ${mcp.namespace} for ${capability.label}: the Node server.`,
      capability,
    ),
    factory: identifier(capability.names.clientFactory),
    ...entryView(mcp),
    transport,
  });
}
