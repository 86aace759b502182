/** rest.ts and mcp.ts of a capability: the adapters' data (routes, tools) and their entry points. */
import type { CapabilityModel, InputModel, McpModel, OperationModel, RestModel } from '../model/types.js';
import { codeHeader } from './header.js';
import { literal } from './literal.js';
import { render } from './render.js';

/** Object literal text in which each `call` refers to its operation constant from client.ts. */
function withOperationRefs(value: unknown, operations: OperationModel[]): string {
  const marker = (op: OperationModel) => `@@operation:${op.constName}@@`;
  const text = literal(value);
  return operations.reduce((t, op) => t.replaceAll(JSON.stringify(marker(op)), op.constName), text);
}

function operationImports(used: OperationModel[]): string {
  return [...new Set(used.map((op) => op.constName))].sort().join(', ');
}

function listen(adapter: RestModel | McpModel): string {
  return literal({ port: adapter.port, address: adapter.address, portEnv: adapter.portEnv, addressEnv: adapter.addressEnv });
}

const restInput = (input: InputModel) => ({ name: input.name, in: input.in === 'body' ? 'body' : input.in === 'path' ? 'path' : 'query', required: input.required, schema: input.description && !input.schema.description ? { ...input.schema, description: input.description } : input.schema });

export function emitRest(capability: CapabilityModel, rest: RestModel): string {
  const adapter = {
    namespace: rest.namespace,
    ...(rest.auth ? { auth: rest.auth } : {}),
    routes: rest.routes.map((route) => ({
      path: route.path,
      method: route.method,
      operationName: route.name,
      inputs: route.inputs.filter((i) => i.in !== 'header' && i.in !== 'cookie').map(restInput),
      call: `@@operation:${route.operation.constName}@@`,
      with: route.with,
      ...(route.output ? { output: route.output } : {}),
    })),
  };
  return render('rest.ts.hbs', {
    header: codeHeader(`REST adapter ${rest.namespace} for ${capability.label}.`, capability),
    namespace: rest.namespace,
    factory: capability.names.clientFactory,
    operationImports: operationImports(rest.routes.map((r) => r.operation)),
    adapter: withOperationRefs(adapter, capability.operations),
    listen: listen(rest),
    portEnv: rest.portEnv,
    addressEnv: rest.addressEnv,
  });
}

export function emitMcp(capability: CapabilityModel, mcp: McpModel, version: string): string {
  const server = {
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
      call: `@@operation:${tool.operation.constName}@@`,
      with: tool.with,
      ...(tool.output ? { output: tool.output } : {}),
    })),
  };
  return render('mcp.ts.hbs', {
    header: codeHeader(`MCP server ${mcp.namespace} for ${capability.label}.`, capability),
    namespace: mcp.namespace,
    factory: capability.names.clientFactory,
    operationImports: operationImports(mcp.tools.map((t) => t.operation)),
    server: withOperationRefs(server, capability.operations),
    listen: listen(mcp),
    transport: mcp.transport,
    portEnv: mcp.portEnv,
    addressEnv: mcp.addressEnv,
  });
}
