/** README.md of a capability: what it consumes and exposes (routes, tools, env vars) and how to run it. */
import type {
  CapabilityModel,
  McpModel,
  RestModel,
  RouteModel,
  ToolModel,
  SkillAdapterModel,
  TypeModuleModel,
} from '../model/types.js';
import type { InboundAuth } from '../../templates/runtime/contract.js';
import { templateEnvVars } from '../model/auth.js';
import {
  identifier,
  jsonText,
  markdownBlock,
  markdownCell,
  markdownCode,
  markdownCodeBlockText,
  markdownInline,
  markdownLinkTarget,
  trustedMarkdown,
  tsString,
  type MarkdownText,
} from './escape.js';
import { markdownHeader } from './header.js';
import { renderMarkdown } from './render.js';

const codeList = (items: string[], none: string): MarkdownText =>
  trustedMarkdown(items.map(markdownCode).join(', ') || none);

function authText(auth: InboundAuth | undefined): MarkdownText | undefined {
  if (!auth || auth.type === 'none') return undefined;
  if (auth.type === 'oauth2')
    return trustedMarkdown(
      `OAuth 2.1 bearer JWTs issued by ${markdownCode(auth.authorizationServerUri)} for ${markdownCode(auth.audience ?? auth.resource)}${auth.scopes?.length ? ` with scopes ${codeList(auth.scopes, '')}` : ''}, keys from its metadata unless ${codeList([auth.jwksUriEnv, auth.publicKeyEnv], '')} are set`,
    );
  return trustedMarkdown(
    `${markdownInline(auth.type)}, checked against ${codeList(templateEnvVars(auth), 'nothing')}`,
  );
}

/** The first lines of the client example, calling the first (preferably paginated) operation. */
function clientExample(capability: CapabilityModel): MarkdownText {
  const first = capability.operations.find((op) => op.types.item) ?? capability.operations[0];
  if (!first) return trustedMarkdown('');
  const method = identifier(first.methodName);
  return trustedMarkdown(
    first.types.item
      ? `for await (const item of client.${method}.autoPaginate({ limit: 10 })) {\n  console.log(item);\n}`
      : `const result = await client.${method}(/* params */);`,
  );
}

/** Slots the servers share: where they listen and which variables override it. */
function listenView(adapter: RestModel | McpModel | SkillAdapterModel) {
  return {
    namespace: markdownCode(adapter.namespace),
    address: markdownInline(adapter.address),
    addressInCode: markdownCodeBlockText(adapter.address),
    port: adapter.port,
    portEnv: markdownCode(adapter.portEnv),
    addressEnv: markdownCode(adapter.addressEnv),
    auth: authText(adapter.auth),
  };
}

export function emitReadme(
  capability: CapabilityModel,
  outDir: string,
  typeModules: TypeModuleModel[],
): string {
  // The modules this capability's types.ts refers to: those its operations' schemas reach a named
  // type of (decided from the capability alone, as its other files are).
  const used = new Set(
    capability.operations
      .filter((op) => op.types.openapi && hasRef(op.types.openapi))
      .map((op) => op.types.openapi!.module),
  );
  const serveOut = outDir === 'generated' ? '' : ` --out ${outDir}`;
  return renderMarkdown('readme.md.hbs', {
    header: markdownHeader(capability),
    label: markdownInline(capability.label),
    description: markdownBlock(capability.description),
    source: markdownCode(capability.source),
    sourceLink: markdownLinkTarget(
      `${'../'.repeat(outDir.split('/').filter(Boolean).length + 1)}${capability.source}`,
    ),
    openapiSources: codeList(capability.openapiSources, ''),
    regenerate: markdownCode(capability.regenerate),
    id: markdownCodeBlockText(capability.id),
    outDir: markdownCodeBlockText(outDir),
    serveOut: markdownCodeBlockText(serveOut),
    clientModule: markdownCodeBlockText(tsString(`./${outDir}/${capability.id}/client.js`)),
    factory: markdownCodeBlockText(identifier(capability.names.clientFactory)),
    factoryCode: markdownCode(`${capability.names.clientFactory}()`),
    packages: codeList(capability.packages, ''),
    typeModules: typeModules
      .filter((m) => used.has(m.path))
      .map((m) => ({ path: markdownCode(`../${m.path}`) })),
    env: capability.env.map((e) => ({
      name: markdownCode(e.name),
      purpose: markdownCell(e.purpose),
      secret: e.secret,
    })),
    clientExample: clientExample(capability),
    operations: capability.operations.map((op) => ({
      methodName: markdownCode(op.methodName),
      paginated: Boolean(op.types.item),
      call: markdownCode(`${op.spec.method} ${op.spec.path}`),
      description: markdownCell(op.description),
    })),
    rest: capability.rest && {
      ...listenView(capability.rest),
      routeCount: capability.rest.routes.length + capability.rest.forwards.length,
      routes: [
        ...capability.rest.forwards.map((f) => ({
          method: markdownInline('any'),
          path: markdownCode(f.path),
          call: trustedMarkdown(
            `forwarded to ${markdownCode(f.api.spec.namespace)} as it is (headers passed: ${
              f.trustedHeaders.map((h) => markdownCode(h)).join(', ') || 'none'
            })`,
          ),
          inputs: trustedMarkdown(
            f.param ? `${markdownCode(f.param)} (the rest of the path)` : 'none',
          ),
        })),
        ...capability.rest.routes.map((r) => ({
          method: markdownInline(r.method),
          path: markdownCode(r.path),
          call: runsText(r),
          inputs: trustedMarkdown(
            r.inputs
              .map((i) => `${markdownCode(i.name)} (${i.in}${i.required ? ', required' : ''})`)
              .join(', ') || 'none',
          ),
        })),
      ],
    },
    control: capability.control !== undefined,
    mcp: capability.mcp && {
      ...listenView(capability.mcp),
      instructions: markdownBlock(capability.mcp.instructions),
      http: capability.mcp.transport === 'http',
      transportText: trustedMarkdown(
        capability.mcp.transport === 'stdio'
          ? 'stdio (the spec says so)'
          : `Streamable HTTP, stateless, at /mcp on port ${capability.mcp.port}`,
      ),
      desktopConfig: trustedMarkdown(jsonText(desktopConfig(capability, outDir))),
      tools: capability.mcp.tools.map((t) => ({
        name: markdownCode(t.name),
        call: runsText(t),
        hints: markdownInline(
          Object.entries(t.annotations)
            .filter(([, v]) => v)
            .map(([k]) => k.replace(/Hint$/, ''))
            .join(', ') || 'none',
        ),
        description: markdownCell(t.description),
      })),
      resources: capability.mcp.resources.map((r) => ({
        name: markdownCode(r.name),
        uri: markdownCode(r.kind === 'static' ? `${r.uri}/…` : r.uri),
        serves: r.kind === 'static' ? markdownCode(r.location) : markdownCode(r.operation.spec.id),
        description: markdownCell(r.description),
      })),
      prompts: capability.mcp.prompts.map((p) => ({
        name: markdownCode(p.name),
        arguments: trustedMarkdown(
          p.arguments
            .map((a) => `${markdownCode(a.name)}${a.required ? ' (required)' : ''}`)
            .join(', ') || 'none',
        ),
        description: markdownCell(p.description),
      })),
    },
    skills: capability.skills && {
      ...listenView(capability.skills),
      description: markdownBlock(capability.skills.description),
      skills: capability.skills.skills.map((s) => ({
        name: markdownSkillLink(s.name),
        tools: codeList(
          s.tools.map((t) => t.name),
          'none',
        ),
        description: markdownCell(s.description),
      })),
    },
  });
}

/** A link to a skill's SKILL.md, its name as a code span. */
function markdownSkillLink(name: string): MarkdownText {
  return trustedMarkdown(
    `[${markdownCode(name)}](${markdownLinkTarget(`skills/${name}/SKILL.md`)})`,
  );
}

/** The `mcpServers` entry a desktop client needs to start the server over stdio. */
function desktopConfig(capability: CapabilityModel, outDir: string) {
  return {
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
  };
}

/** True when a value holds a `$ref` somewhere. */
function hasRef(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRef);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, item]) => (key === '$ref' && typeof item === 'string') || hasRef(item),
  );
}

/** What a route or tool runs: its consumed operation, or its orchestration's function and steps. */
function runsText(item: RouteModel | ToolModel): MarkdownText {
  if (!item.orchestration) return markdownCode(item.operation!.spec.id);
  const steps = item.orchestration.steps.map((s) => s.name);
  return trustedMarkdown(
    `${markdownCode(`${item.orchestration.runName}()`)}${
      steps.length ? `: ${steps.map((s) => markdownCode(s)).join(' → ')}` : ' (mock)'
    }`,
  );
}
