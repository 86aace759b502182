/** rest.ts and mcp.ts of a capability: the adapters' data (routes, tools) and their entry points. */
import type {
  CapabilityModel,
  InputModel,
  McpModel,
  OperationModel,
  RestModel,
} from '../model/types.js';
import { docInline, identifier, joinTs, type TsCode } from './escape.js';
import { codeHeader } from './header.js';
import {
  CodeRef,
  dataLiteral,
  importLine,
  literal,
  renderWithLiterals,
  type Emitted,
  type LiteralSlots,
} from './literal.js';
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
function adapterLiteral(value: unknown, capability: CapabilityModel, slots: LiteralSlots) {
  const shared = new Map<unknown, CodeRef>(
    capability.sharedSchemas.map((s) => [s.schema, new CodeRef(s.name, SCHEMAS_MODULE)]),
  );
  const refFor = (v: object) => shared.get(v);
  const literal = dataLiteral(value, refFor);
  const { refs } = literal;
  const operations = refs.filter((r) => r.module === CLIENT_MODULE).map((r) => r.name);
  return {
    literal: slots.slot(value, refFor, literal),
    operationImports: joinTs([...new Set(operations)].sort(), ', '),
    schemaImports: importLine(refs, SCHEMAS_MODULE),
  };
}

/** Slots both entry points share: the client factory, where they listen, and the env overrides. */
function entryView(
  capability: CapabilityModel,
  adapter: RestModel | McpModel,
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

export function emitRest(capability: CapabilityModel, rest: RestModel): Emitted {
  return renderWithLiterals((slots) => restText(capability, rest, slots));
}

function restText(capability: CapabilityModel, rest: RestModel, slots: LiteralSlots): string {
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
    slots,
  );
  return renderTs('rest.ts.hbs', {
    header: codeHeader(`REST adapter ${rest.namespace} for ${capability.label}.`, capability),
    ...entryView(capability, rest, slots),
    adapter: adapter.literal,
    operationImports: adapter.operationImports,
    schemaImports: adapter.schemaImports,
  });
}

export function emitMcp(capability: CapabilityModel, mcp: McpModel, version: string): Emitted {
  return renderWithLiterals((slots) => mcpText(capability, mcp, version, slots));
}

function mcpText(
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
        call: operationRef(tool.operation),
        with: tool.with,
        ...(tool.output ? { output: tool.output } : {}),
      })),
    },
    capability,
    slots,
  );
  const transport: TsCode = literal(mcp.transport);
  return renderTs('mcp.ts.hbs', {
    header: codeHeader(`MCP server ${mcp.namespace} for ${capability.label}.`, capability),
    ...entryView(capability, mcp, slots),
    server: server.literal,
    operationImports: server.operationImports,
    schemaImports: server.schemaImports,
    transport,
  });
}
