/** rest.ts and mcp.ts of a capability: the adapters' data (routes, tools) and their entry points. */
import type {
  CapabilityModel,
  InputModel,
  McpModel,
  OperationModel,
  RestModel,
} from '../model/types.js';
import { codeHeader } from './header.js';
import { literal } from './literal.js';
import { render } from './render.js';

/**
 * Object literal text in which each `call` refers to its operation constant from client.ts and each
 * shared schema (the very object the model holds) to its constant from schemas.ts.
 */
function withRefs(value: unknown, capability: CapabilityModel): string {
  const shared = new Map<unknown, string>(capability.sharedSchemas.map((s) => [s.schema, s.name]));
  const marker = (name: string) => `@@ref:${name}@@`;
  const text = JSON.stringify(value, (_key, v: unknown) =>
    shared.has(v) ? marker(shared.get(v)!) : v,
  );
  return text.replace(/"@@(?:ref|operation):([A-Za-z0-9_]+)@@"/g, '$1');
}

/** Names of the shared schemas a literal refers to, for its import line. */
function schemaImports(text: string, capability: CapabilityModel): string[] {
  return capability.sharedSchemas
    .map((s) => s.name)
    .filter((name) => new RegExp(`\\b${name}\\b`).test(text));
}

function importLine(names: string[]): string {
  return names.length ? `import { ${names.join(', ')} } from './schemas.js';` : '';
}

function operationImports(used: OperationModel[]): string {
  return [...new Set(used.map((op) => op.constName))].sort().join(', ');
}

function listen(adapter: RestModel | McpModel): string {
  return literal({
    port: adapter.port,
    address: adapter.address,
    portEnv: adapter.portEnv,
    addressEnv: adapter.addressEnv,
  });
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
  const adapterText = withRefs(adapter, capability);
  return render('rest.ts.hbs', {
    header: codeHeader(`REST adapter ${rest.namespace} for ${capability.label}.`, capability),
    namespace: rest.namespace,
    factory: capability.names.clientFactory,
    operationImports: operationImports(rest.routes.map((r) => r.operation)),
    adapter: adapterText,
    schemaImports: importLine(schemaImports(adapterText, capability)),
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
  const serverText = withRefs(server, capability);
  return render('mcp.ts.hbs', {
    header: codeHeader(`MCP server ${mcp.namespace} for ${capability.label}.`, capability),
    namespace: mcp.namespace,
    factory: capability.names.clientFactory,
    operationImports: operationImports(mcp.tools.map((t) => t.operation)),
    server: serverText,
    schemaImports: importLine(schemaImports(serverText, capability)),
    listen: listen(mcp),
    transport: mcp.transport,
    portEnv: mcp.portEnv,
    addressEnv: mcp.addressEnv,
  });
}
