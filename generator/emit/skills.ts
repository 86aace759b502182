/**
 * A capability's skills: `skills.ts` (the catalog server, SKILL_SERVER as data) and, per skill, an
 * Agent Skills folder `skills/<name>/` holding `SKILL.md` (YAML front matter through the `yaml`
 * serializer, body through the Markdown escapes) and the instruction files capgen could read.
 */
import type {
  CapabilityModel,
  SkillAdapterModel,
  SkillModel,
  SkillToolModel,
} from '../model/types.js';
import { entryView } from './adapters.js';
import {
  markdownBlock,
  markdownCode,
  markdownInline,
  markdownLinkTarget,
  trustedMarkdown,
  yamlFrontMatter,
  type MarkdownText,
} from './escape.js';
import { codeHeader, markdownHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import { dataLiteral, runtimeCodeRef, type Emitted, type LiteralSlots } from './literal.js';
import { runtimeImports } from './imports.js';
import { renderMarkdown, renderTs } from './render.js';

/** Where a capability's skill folders go, inside its own folder. */
export const SKILLS_FOLDER = 'skills';

/** skills.ts, from a template in prettier's layout (canonical.ts). */
export function emitSkillServer(capability: CapabilityModel, adapter: SkillAdapterModel): Emitted {
  return renderCanonical((slots) => skillServerText(capability, adapter, slots));
}

function skillServerText(
  capability: CapabilityModel,
  adapter: SkillAdapterModel,
  slots: LiteralSlots,
): string {
  // The digest scheme or the oauth2 verifier of `auth` are references to their runtime modules.
  const value = {
    name: adapter.namespace,
    ...(adapter.description ? { description: adapter.description } : {}),
    ...(adapter.auth ? { auth: adapter.auth } : {}),
    skills: adapter.skills.map((skill) => ({
      name: skill.name,
      description: skill.description,
      license: skill.license,
      compatibility: skill.compatibility,
      metadata: skill.metadata,
      'allowed-tools': skill.allowedTools,
      'argument-hint': skill.argumentHint,
      'user-invocable': skill.userInvocable,
      'disable-model-invocation': skill.disableModelInvocation,
      location: skill.location,
      tools: skill.tools.map((tool) =>
        tool.kind === 'derived'
          ? {
              name: tool.name,
              description: tool.description,
              from: { sourceNamespace: tool.namespace, action: tool.action },
              mode: tool.mode,
            }
          : { name: tool.name, description: tool.description, instruction: tool.instruction },
      ),
    })),
  };
  const printed = dataLiteral(value, runtimeCodeRef);
  const server = slots.slot(value, runtimeCodeRef, printed);
  return renderTs('skills.ts.hbs', {
    header: codeHeader(`Skill catalog ${adapter.namespace} for ${capability.label}.`, capability),
    ...entryView(capability, adapter, slots),
    server,
    runtimeImports: runtimeImports(printed.refs),
  });
}

/** The files of every skill folder, paths relative to the capability's folder. */
export function emitSkillFolders(
  capability: CapabilityModel,
  adapter: SkillAdapterModel,
): Array<{ path: string; contents: string }> {
  return adapter.skills.flatMap((skill) => [
    {
      path: `${SKILLS_FOLDER}/${skill.name}/SKILL.md`,
      contents: skillMarkdown(capability, adapter, skill),
    },
    ...skill.files.map((file) => ({
      path: `${SKILLS_FOLDER}/${skill.name}/${file.path}`,
      contents: file.contents,
    })),
  ]);
}

function skillMarkdown(
  capability: CapabilityModel,
  adapter: SkillAdapterModel,
  skill: SkillModel,
): string {
  const frontMatter = yamlFrontMatter({
    name: skill.name,
    description: skill.description,
    ...(skill.resolvedAllowedTools.length
      ? { 'allowed-tools': skill.resolvedAllowedTools.join(' ') }
      : {}),
    ...(skill.license !== undefined ? { license: skill.license } : {}),
    ...(skill.compatibility !== undefined ? { compatibility: skill.compatibility } : {}),
    ...(skill.metadata !== undefined ? { metadata: skill.metadata } : {}),
    ...(skill.argumentHint !== undefined ? { 'argument-hint': skill.argumentHint } : {}),
    ...(skill.userInvocable !== undefined ? { 'user-invocable': skill.userInvocable } : {}),
    ...(skill.disableModelInvocation !== undefined
      ? { 'disable-model-invocation': skill.disableModelInvocation }
      : {}),
  });
  const copied = new Set(skill.files.map((f) => f.path));
  return renderMarkdown('skill.md.hbs', {
    frontMatter,
    header: markdownHeader(capability),
    name: markdownInline(skill.name),
    description: markdownBlock(skill.description),
    tools: skill.tools.map((tool) => ({
      name: markdownCode(tool.name),
      description: markdownInline(sentence(tool.description)),
      use: toolUse(tool, skill.name, copied),
    })),
    capability: markdownCode(capability.id),
    serve: trustedMarkdown(
      `${markdownCode(`npx capgen serve ${capability.id} --skills`)} (${markdownCode(adapter.namespace)}, port ${adapter.port}: ${markdownCode('GET /skills')})`,
    ),
  });
}

/** How an agent uses a tool: the MCP tool or REST route it resolves to, or the file to read. */
function toolUse(tool: SkillToolModel, skill: string, copied: ReadonlySet<string>): MarkdownText {
  if (tool.kind === 'instruction')
    return copied.has(tool.instruction)
      ? trustedMarkdown(
          `Read [${markdownInline(tool.instruction)}](${markdownLinkTarget(tool.instruction)}).`,
        )
      : trustedMarkdown(
          `Read ${markdownCode(tool.instruction)} (served by the catalog at ${markdownCode(`/skills/${skill}/contents/${tool.instruction}`)}).`,
        );
  if (tool.tool !== undefined)
    return trustedMarkdown(
      `Call the MCP tool ${markdownCode(tool.tool)} of the ${markdownCode(tool.namespace)} server (\`mcp.ts\`).`,
    );
  if (tool.route)
    return trustedMarkdown(
      `Call ${markdownCode(`${tool.route.method} ${tool.route.path}`)} on the ${markdownCode(tool.namespace)} REST adapter (\`rest.ts\`, operation ${markdownCode(tool.action)}).`,
    );
  return trustedMarkdown(
    `It refers to ${markdownCode(tool.action)} of ${markdownCode(tool.namespace)}, which capgen did not generate.`,
  );
}

/** Text ending with a full stop (or its own final punctuation). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' || /[.!?:;]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
