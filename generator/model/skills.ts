/**
 * The skill adapter of a capability: its catalog (served at run time) and, for each skill, what its
 * Agent Skills folder holds. Derived tools are resolved to what the generated adapters serve (a REST
 * route, an MCP tool); `allowed-tools` names of derived tools become the adapter's own names.
 * Instruction files are copied into the folder when the skill's `location` is inside the project
 * (capgen reads nothing outside it); elsewhere the catalog server reads them at run time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedToolTokens } from '../check/skill-checks.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type { NaftikoSkill, NaftikoSkillAdapter } from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import type { ReadListener } from '../load/read.js';
import { inputFileProblem, isWithin } from '../paths.js';
import { listenModel } from './exposes.js';
import { htmlToText } from './text.js';
import type {
  McpModel,
  RestModel,
  SkillAdapterModel,
  SkillModel,
  SkillToolModel,
} from './types.js';
import type { InboundAuth } from '../../templates/runtime/contract.js';

/** Largest instruction file copied into a skill folder. */
const MAX_INSTRUCTION_BYTES = 1024 * 1024;

export interface SkillContext {
  root: string;
  source: SourceDocument;
  bag: DiagnosticBag;
  /** The kind of each rest or mcp adapter of the capability, by namespace. */
  kinds: Map<string, 'rest' | 'mcp'>;
  rest?: RestModel;
  mcp?: McpModel;
  auth?: InboundAuth;
  /** Hears each instruction file read (BuildContext.onRead). */
  onRead?: ReadListener;
}

export function buildSkills(
  adapter: NaftikoSkillAdapter,
  at: JsonPath,
  ctx: SkillContext,
): SkillAdapterModel {
  return {
    namespace: adapter.namespace,
    description: htmlToText(adapter.description),
    ...listenModel(adapter.namespace, 'skill', adapter.port, adapter.address),
    ...(ctx.auth ? { auth: ctx.auth } : {}),
    skills: adapter.skills.map((skill, si) => buildSkill(skill, [...at, 'skills', si], ctx)),
  };
}

function buildSkill(skill: NaftikoSkill, at: JsonPath, ctx: SkillContext): SkillModel {
  const tools = (skill.tools ?? []).map((tool, ti): SkillToolModel => {
    if (!tool.from)
      return {
        kind: 'instruction',
        name: tool.name,
        description: htmlToText(tool.description),
        instruction: tool.instruction!,
      };
    const mode = ctx.kinds.get(tool.from.sourceNamespace) ?? 'rest';
    const route =
      mode === 'rest' && ctx.rest?.namespace === tool.from.sourceNamespace
        ? ctx.rest.routes.find((r) => r.name === tool.from!.action)
        : undefined;
    const served =
      mode === 'mcp' && ctx.mcp?.namespace === tool.from.sourceNamespace
        ? ctx.mcp.tools.find((t) => t.name === tool.from!.action)
        : undefined;
    if (!route && !served)
      ctx.bag.warning(
        ctx.source.file,
        ctx.source.locate([...at, 'tools', ti, 'from']),
        'capgen/not-generated',
        `skill tool '${tool.name}' refers to '${tool.from.action}' of '${tool.from.sourceNamespace}', which is not generated; SKILL.md says so`,
        'generate that operation or tool (see the other warnings of this file)',
      );
    return {
      kind: 'derived',
      name: tool.name,
      description: htmlToText(tool.description),
      namespace: tool.from.sourceNamespace,
      action: tool.from.action,
      mode,
      ...(route ? { route: { method: route.method, path: route.path } } : {}),
      ...(served ? { tool: served.name } : {}),
    };
  });
  const derived = new Map(
    tools.flatMap((t) => (t.kind === 'derived' ? [[t.name, t.action] as const] : [])),
  );
  const instructions = new Set(tools.flatMap((t) => (t.kind === 'instruction' ? [t.name] : [])));
  const declared = allowedToolTokens(skill['allowed-tools']);
  const resolved =
    skill['allowed-tools'] !== undefined
      ? declared.filter((t) => !instructions.has(t)).map((t) => derived.get(t) ?? t)
      : [...derived.values()];
  return {
    name: skill.name,
    description: skill.description,
    ...(skill.license !== undefined ? { license: skill.license } : {}),
    ...(skill.compatibility !== undefined ? { compatibility: skill.compatibility } : {}),
    ...(skill.metadata !== undefined ? { metadata: skill.metadata } : {}),
    ...(skill['allowed-tools'] !== undefined ? { allowedTools: skill['allowed-tools'] } : {}),
    resolvedAllowedTools: [...new Set(resolved)],
    ...(skill['argument-hint'] !== undefined ? { argumentHint: skill['argument-hint'] } : {}),
    ...(skill['user-invocable'] !== undefined ? { userInvocable: skill['user-invocable'] } : {}),
    ...(skill['disable-model-invocation'] !== undefined
      ? { disableModelInvocation: skill['disable-model-invocation'] }
      : {}),
    ...(skill.location !== undefined ? { location: skill.location } : {}),
    tools,
    files: instructionFiles(skill, at, ctx),
  };
}

/** The instruction files of a skill whose location is inside the project, read now. */
function instructionFiles(
  skill: NaftikoSkill,
  at: JsonPath,
  ctx: SkillContext,
): SkillModel['files'] {
  if (skill.location === undefined) return [];
  let folder: string;
  try {
    folder = fileURLToPath(skill.location);
  } catch {
    return [];
  }
  if (!isWithin(ctx.root, path.resolve(folder))) return [];
  const files: SkillModel['files'] = [];
  const seen = new Set<string>();
  (skill.tools ?? []).forEach((tool, ti) => {
    if (tool.instruction === undefined || seen.has(tool.instruction)) return;
    seen.add(tool.instruction);
    const relative = path.relative(ctx.root, path.join(folder, tool.instruction));
    const report = (rule: string, message: string, hint: string) =>
      ctx.bag.error(
        ctx.source.file,
        ctx.source.locate([...at, 'tools', ti, 'instruction']),
        rule,
        message,
        hint,
      );
    const problem = inputFileProblem(ctx.root, relative);
    if (problem === 'missing')
      return report(
        'io/not-found',
        `instruction file '${relative}' does not exist`,
        `create it, or fix the skill's location`,
      );
    if (problem) return report(problem.rule, problem.message, problem.hint);
    const bytes = fs.readFileSync(path.resolve(ctx.root, relative));
    ctx.onRead?.(relative, bytes);
    if (bytes.length > MAX_INSTRUCTION_BYTES)
      return report(
        'io/too-large',
        `instruction file '${relative}' is larger than 1 MiB`,
        'split it',
      );
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return report(
        'io/not-text',
        `instruction file '${relative}' is not UTF-8 text`,
        'instructions are text (Markdown)',
      );
    }
    files.push({ path: tool.instruction, contents: text });
  });
  return files;
}
