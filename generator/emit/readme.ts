/**
 * README.md of a capability: what it consumes and exposes (routes, tools, env vars) and how to run
 * it. It is written in its final layout, the one prettier prints (nothing formats it afterwards):
 * escaped text from escape.ts, tables aligned by table-layout.ts, code blocks laid out here as
 * prettier lays out their code, one blank line between blocks. test/readme-layout.test.ts checks.
 */
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
  markdownBlock,
  markdownCell,
  markdownCode,
  markdownCodeBlockText,
  markdownHeading,
  markdownInline,
  markdownLinkTarget,
  trustedMarkdown,
  type MarkdownText,
} from './escape.js';
import { markdownHeader } from './header.js';
import { layoutJson, layoutString } from './layout.js';
import { renderMarkdown } from './render.js';
import { markdownTable } from './table-layout.js';

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

/**
 * The client example (a fenced `ts` block's lines), as prettier lays it out: the factory imported
 * and called, then the first (preferably paginated) operation called. Names are identifiers
 * (ASCII), so widths are lengths; a line that would pass 100 columns breaks where prettier breaks
 * it (test/readme-layout.test.ts tries every name length).
 */
export function clientCode(
  factory: string,
  modulePath: string,
  first: { method: string; paginated: boolean } | undefined,
): MarkdownText {
  const fits = (line: string) => line.length <= 100;
  const f = identifier(factory);
  const lines = [`import { ${f} } from ${layoutString(modulePath)};`, ''];
  const create = `const client = ${f}();`;
  const comment = ` // credentials from the environment; or ${f}({ apiKey, baseUri })`;
  lines.push(fits(create) ? create + comment : `const client =\n  ${f}();${comment}`);
  if (first?.paginated) {
    const head = `for await (const item of client.${identifier(first.method)}.autoPaginate(`;
    if (fits(`${head}{ limit: 10 })) {`)) lines.push(`${head}{ limit: 10 })) {`);
    else if (fits(`${head}{`)) lines.push(`${head}{`, '  limit: 10,', '})) {');
    else lines.push(head, '  { limit: 10 },', ')) {');
    lines.push('  console.log(item);', '}');
  } else if (first) {
    const call = `await client.${identifier(first.method)}(`;
    if (fits(`const result = ${call}/* params */);`))
      lines.push(`const result = ${call}/* params */);`);
    else if (fits(`  ${call}/* params */);`))
      lines.push('const result =', `  ${call}/* params */);`);
    else lines.push('const result =', `  ${call}`, '    /* params */', '  );');
  }
  return trustedMarkdown(lines.join('\n'));
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
  const first = capability.operations.find((op) => op.types.item) ?? capability.operations[0];
  // A row of the files table: `what` is the generator's text, with escaped values only.
  const file = (name: string, what: string) => [markdownCode(name), trustedMarkdown(what)];
  const rendered = renderMarkdown('readme.md.hbs', {
    header: markdownHeader(capability),
    heading: markdownHeading(1, capability.label),
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
    clientCode: clientCode(
      capability.names.clientFactory,
      `./${outDir}/${capability.id}/client.js`,
      first && { method: first.methodName, paginated: Boolean(first.types.item) },
    ),
    packages: codeList(capability.packages, ''),
    files: markdownTable(
      ['File', 'What it is'],
      [
        file('types.ts', 'Parameter, body and response types of every consumed operation'),
        ...typeModules
          .filter((m) => used.has(m.path))
          .map((m) =>
            file(
              `../${m.path}`,
              "The API's named types (one per schema its operations reach), shared with the other capabilities that consume it",
            ),
          ),
        file(
          'client.ts',
          `${markdownCode(`${capability.names.clientFactory}()`)}: the typed client`,
        ),
        ...(capability.rest
          ? [
              file(
                'rest.ts',
                `The REST adapter (${markdownCode(capability.rest.namespace)}) on Node`,
              ),
              file('rest-handler.ts', 'Its routes and web-standard handler (no Node built-in)'),
              file('openapi.json', 'OpenAPI 3.1 description of the REST adapter'),
            ]
          : []),
        ...(capability.mcp
          ? [
              file('mcp.ts', `The MCP server (${markdownCode(capability.mcp.namespace)}) on Node`),
              file('mcp-handler.ts', 'Its tools and web-standard handler (no Node built-in)'),
            ]
          : []),
        ...(capability.control
          ? [file('control.ts', 'The control port, running the adapters above in one process')]
          : []),
      ],
    ),
    env: markdownTable(
      ['Variable', 'Purpose'],
      capability.env.map((e) => [
        markdownCode(e.name),
        trustedMarkdown(
          [markdownCell(e.purpose), e.secret ? '(secret: never written to files or logs)' : '']
            .filter(Boolean)
            .join(' '),
        ),
      ]),
    ),
    operations: markdownTable(
      ['Method', 'Call', 'Description'],
      capability.operations.map((op) => [
        trustedMarkdown(`${markdownCode(op.methodName)}${op.types.item ? ' (paginated)' : ''}`),
        markdownCode(`${op.spec.method} ${op.spec.path}`),
        markdownCell(op.description),
      ]),
    ),
    rest: capability.rest && {
      ...listenView(capability.rest),
      routeCount: capability.rest.routes.length + capability.rest.forwards.length,
      routes: markdownTable(
        ['Method', 'Path', 'Calls', 'Inputs'],
        [
          ...capability.rest.forwards.map((f) => [
            markdownInline('any'),
            markdownCode(f.path),
            trustedMarkdown(
              `forwarded to ${markdownCode(f.api.spec.namespace)} as it is (headers passed: ${
                f.trustedHeaders.map((h) => markdownCode(h)).join(', ') || 'none'
              })`,
            ),
            trustedMarkdown(f.param ? `${markdownCode(f.param)} (the rest of the path)` : 'none'),
          ]),
          ...capability.rest.routes.map((r) => [
            markdownInline(r.method),
            markdownCode(r.path),
            runsText(r),
            trustedMarkdown(
              r.inputs
                .map((i) => `${markdownCode(i.name)} (${i.in}${i.required ? ', required' : ''})`)
                .join(', ') || 'none',
            ),
          ]),
        ],
      ),
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
      // layoutJson: what prettier prints of the block's JSON (jsonText's escapes).
      desktopConfig: trustedMarkdown(layoutJson(desktopConfig(capability, outDir)).trimEnd()),
      tools: markdownTable(
        ['Tool', 'Calls', 'Hints', 'Description'],
        capability.mcp.tools.map((t) => [
          markdownCode(t.name),
          runsText(t),
          markdownInline(
            Object.entries(t.annotations)
              .filter(([, v]) => v)
              .map(([k]) => k.replace(/Hint$/, ''))
              .join(', ') || 'none',
          ),
          markdownCell(t.description),
        ]),
      ),
      resources: optionalTable(
        ['Resource', 'URI', 'Serves', 'Description'],
        capability.mcp.resources.map((r) => [
          markdownCode(r.name),
          markdownCode(r.kind === 'static' ? `${r.uri}/…` : r.uri),
          r.kind === 'static' ? markdownCode(r.location) : markdownCode(r.operation.spec.id),
          markdownCell(r.description),
        ]),
      ),
      prompts: optionalTable(
        ['Prompt', 'Arguments', 'Description'],
        capability.mcp.prompts.map((p) => [
          markdownCode(p.name),
          trustedMarkdown(
            p.arguments
              .map((a) => `${markdownCode(a.name)}${a.required ? ' (required)' : ''}`)
              .join(', ') || 'none',
          ),
          markdownCell(p.description),
        ]),
      ),
    },
    skills: capability.skills && {
      ...listenView(capability.skills),
      description: markdownBlock(capability.skills.description),
      skills: markdownTable(
        ['Skill', 'Tools', 'Description'],
        capability.skills.skills.map((s) => [
          markdownSkillLink(s.name),
          codeList(
            s.tools.map((t) => t.name),
            'none',
          ),
          markdownCell(s.description),
        ]),
      ),
    },
  });
  // The template's optional sections leave runs of blank lines: one separates blocks.
  return `${rendered.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** A table, or nothing when it has no rows (the template then leaves out its section). */
const optionalTable = (header: readonly string[], rows: MarkdownText[][]) =>
  rows.length ? markdownTable(header, rows) : undefined;

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
