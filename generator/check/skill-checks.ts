/**
 * Checks of a skill adapter: unique skill and tool names (skill names also as folder names on a
 * case-insensitive disk), Agent Skills names, tools taken from a sibling rest or mcp adapter (its
 * namespace and the operation or tool named by `action`), instruction files (a safe relative path
 * under the skill's `location`), and `allowed-tools`.
 */
import type { NaftikoSkill, NaftikoSkillAdapter } from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import type { CheckContext } from './semantics.js';

/** A path segment the generated folder and the catalog may hold (the runtime's files.ts rule). */
const SAFE_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** The Agent Skills specification's names: lower case, digits, single inner hyphens, 1-64. */
const AGENT_SKILLS_NAME = /^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** The tokens of an `allowed-tools` value (space-delimited; commas accepted too). */
export function allowedToolTokens(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}

/** Whether an instruction path is a safe relative path, other than SKILL.md. */
export function instructionPathProblem(path: string): string | undefined {
  const segments = path.split('/');
  if (!segments.every((s) => SAFE_SEGMENT.test(s)))
    return "a relative path of letters, digits, '.', '_' and '-' (no '..', no dot files, no leading '/')";
  if (path.toLowerCase() === 'skill.md') return 'a file other than SKILL.md, which capgen writes';
  return undefined;
}

/** The names each sibling adapter offers: REST operation names, MCP tool names. */
function adapterActions(
  ctx: CheckContext,
): Map<string, { kind: 'rest' | 'mcp'; actions: Set<string> }> {
  const adapters = new Map<string, { kind: 'rest' | 'mcp'; actions: Set<string> }>();
  for (const exposes of ctx.doc.capability?.exposes ?? []) {
    if (exposes.type === 'rest')
      adapters.set(exposes.namespace, {
        kind: 'rest',
        actions: new Set(
          (exposes.resources ?? []).flatMap((r) =>
            (r.operations ?? []).flatMap((o) => (o.name ? [o.name] : [])),
          ),
        ),
      });
    else if (exposes.type === 'mcp')
      adapters.set(exposes.namespace, {
        kind: 'mcp',
        actions: new Set(exposes.tools.flatMap((t) => (t.name ? [t.name] : []))),
      });
  }
  return adapters;
}

export function checkSkills(ctx: CheckContext, adapter: NaftikoSkillAdapter, at: JsonPath): void {
  const adapters = adapterActions(ctx);
  const folders = new Set<string>();
  adapter.skills.forEach((skill, si) => {
    const sat: JsonPath = [...at, 'skills', si];
    ctx.unique(
      folders,
      skill.name.toLowerCase(),
      [...sat, 'name'],
      'skill name (as a folder name, case aside)',
    );
    if (!AGENT_SKILLS_NAME.test(skill.name))
      ctx.warning(
        [...sat, 'name'],
        'capgen/agent-skills-name',
        `'${skill.name}' is not an Agent Skills name (lower-case letters and digits, single hyphens, at most 64 characters); agents may refuse its SKILL.md`,
        `rename it, e.g. '${skill.name.toLowerCase().replace(/-+/g, '-').replace(/^-|-$/g, '')}'`,
      );
    checkSkillTools(ctx, skill, sat, adapters);
  });
}

function checkSkillTools(
  ctx: CheckContext,
  skill: NaftikoSkill,
  sat: JsonPath,
  adapters: ReturnType<typeof adapterActions>,
): void {
  const names = new Set<string>();
  (skill.tools ?? []).forEach((tool, ti) => {
    const tat: JsonPath = [...sat, 'tools', ti];
    ctx.unique(names, tool.name, [...tat, 'name'], 'skill tool name');
    if (tool.from) {
      const source = adapters.get(tool.from.sourceNamespace);
      if (!source) {
        ctx.error(
          [...tat, 'from', 'sourceNamespace'],
          'naftiko/unknown-namespace',
          `'${tool.from.sourceNamespace}' is not the namespace of a rest or mcp adapter of this capability`,
          `adapters: ${[...adapters.keys()].join(', ') || 'none'}`,
        );
      } else if (!source.actions.has(tool.from.action)) {
        ctx.error(
          [...tat, 'from', 'action'],
          'naftiko/unknown-action',
          `'${tool.from.action}' names no ${source.kind === 'rest' ? 'operation' : 'tool'} of adapter '${tool.from.sourceNamespace}'`,
          `${source.kind === 'rest' ? 'operations' : 'tools'}: ${[...source.actions].join(', ') || 'none (name them)'}`,
        );
      }
    }
    if (tool.instruction !== undefined) {
      if (skill.location === undefined)
        ctx.error(
          [...tat, 'instruction'],
          'naftiko/missing-field',
          `instruction '${tool.instruction}' needs the skill's location (the folder it is read from)`,
          'add `location: file:///<folder>` to the skill',
        );
      const problem = instructionPathProblem(tool.instruction);
      if (problem)
        ctx.error(
          [...tat, 'instruction'],
          'naftiko/invalid-value',
          `instruction '${tool.instruction}' must be ${problem}`,
          "name a file inside the skill's location folder",
        );
    }
  });
  const derived = new Set((skill.tools ?? []).filter((t) => t.from).map((t) => t.name));
  for (const token of allowedToolTokens(skill['allowed-tools']))
    if (!derived.has(token))
      ctx.warning(
        [...sat, 'allowed-tools'],
        'naftiko/unknown-tool',
        `'${token}' in allowed-tools is not a tool of skill '${skill.name}' taken from an adapter; it is written to SKILL.md as it is`,
        derived.size
          ? `tools: ${[...derived].join(', ')}`
          : 'declare the tool under tools, with from',
      );
}
