/** README.md of a capability: what it consumes and exposes (routes, tools, env vars) and how to run it. */
import type { CapabilityModel, TypeModuleModel } from '../model/types.js';
import type { InboundAuth } from '../../templates/runtime/contract.js';
import { templateEnvVars } from '../model/build.js';
import { markdownHeader } from './header.js';
import { render } from './render.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n+\s*/g, ' ');

function authText(auth: InboundAuth | undefined): string {
  if (!auth || auth.type === 'none') return '';
  return `${auth.type}, checked against ${templateEnvVars(auth)
    .map((v) => `\`${v}\``)
    .join(', ')}`;
}

export function emitReadme(
  capability: CapabilityModel,
  outDir: string,
  typeModules: TypeModuleModel[],
): string {
  const used = new Set(capability.operations.map((op) => op.types.openapi?.module));
  const first = capability.operations.find((op) => op.types.item) ?? capability.operations[0];
  const example = first
    ? first.types.item
      ? `for await (const item of client.${first.methodName}.autoPaginate({ limit: 10 })) {\n  console.log(item);\n}`
      : `const result = await client.${first.methodName}(/* params */);`
    : '';
  return render('readme.md.hbs', {
    header: markdownHeader(capability),
    label: capability.label,
    description: capability.description,
    source: capability.source,
    sourceLink: `${'../'.repeat(outDir.split('/').filter(Boolean).length + 1)}${capability.source}`,
    openapiSources: capability.openapiSources.map((s) => `\`${s}\``).join(', '),
    id: capability.id,
    outDir,
    serveOut: outDir === 'generated' ? '' : ` --out ${outDir}`,
    factory: capability.names.clientFactory,
    typeModules: typeModules.filter((m) => used.has(m.path) && m.types.length).map((m) => m.path),
    env: capability.env.map((e) => ({ ...e, purpose: cell(e.purpose) })),
    clientExample: example,
    operations: capability.operations.map((op) => ({
      methodName: op.methodName,
      paginated: Boolean(op.types.item),
      method: op.spec.method,
      path: op.spec.path,
      description: cell(op.description),
    })),
    rest: capability.rest && {
      ...capability.rest,
      auth: authText(capability.rest.auth),
      routeCount: capability.rest.routes.length,
      routes: capability.rest.routes.map((r) => ({
        method: r.method,
        path: r.path,
        call: r.operation.spec.id,
        inputs:
          r.inputs
            .map((i) => `\`${i.name}\` (${i.in}${i.required ? ', required' : ''})`)
            .join(', ') || 'none',
      })),
    },
    mcp: capability.mcp && {
      ...capability.mcp,
      instructions: capability.mcp.instructions,
      http: capability.mcp.transport === 'http',
      auth: authText(capability.mcp.auth),
      transportText:
        capability.mcp.transport === 'stdio'
          ? 'stdio (the spec says so)'
          : `Streamable HTTP, stateless, at /mcp on port ${capability.mcp.port}`,
      desktopConfig: JSON.stringify(
        {
          mcpServers: {
            [capability.id]: {
              command: 'npx',
              args: [
                'capgen',
                'serve',
                capability.id,
                '--mcp',
                '--stdio',
                ...(outDir === 'generated' ? [] : ['--out', outDir]),
              ],
              env: Object.fromEntries(
                capability.env
                  .filter((e) => e.secret && e.scope === 'upstream')
                  .map((e) => [e.name, `<your ${e.name}>`]),
              ),
            },
          },
        },
        null,
        2,
      ),
      tools: capability.mcp.tools.map((t) => ({
        name: t.name,
        call: t.operation.spec.id,
        hints:
          Object.entries(t.annotations)
            .filter(([, v]) => v)
            .map(([k]) => k.replace(/Hint$/, ''))
            .join(', ') || 'none',
        description: cell(t.description),
      })),
    },
  });
}
