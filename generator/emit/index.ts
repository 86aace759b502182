/**
 * All emitters, each a pure function from the model to file contents. Adding a kind of output means
 * adding one module here and its template under templates/.
 */
import type { CapabilityModel, TypeModuleModel } from '../model/types.js';
import { emitMcp, emitMcpHandler, emitRest, emitRestHandler } from './adapters.js';
import { emitApiTypes } from './api-types.js';
import { emitClient } from './client.js';
import { emitControl } from './control.js';
import { emitCapabilityDeploy, type DeployOptions } from './deploy.js';
import { emitOrchestrations } from './orchestrations.js';
import { emitRestOpenApi } from './rest-openapi.js';
import { emitSchemas } from './schemas.js';
import { emitSkillFolders, emitSkillServer } from './skills.js';
import { emitReadme } from './readme.js';
import type { SharedNeeds } from './shared.js';
import { emitTypes } from './types.js';
import { hasServer } from './workers.js';
import type { LaidOutLiteral } from './literal.js';

export interface GeneratedFile {
  /** Path inside the output folder, with forward slashes. */
  path: string;
  contents: string;
  /** Literals the formatter lays out in place of their stand-ins in `contents` (literal.ts). */
  literals?: readonly LaidOutLiteral[];
  /** `contents` is in prettier's layout already (type-layout.ts): the formatter leaves it. */
  laidOut?: boolean;
  /**
   * `contents` comes from a template written in prettier's layout (canonical.ts): the formatter
   * lays out its literals and leaves the rest, unless a line is too wide to be sure.
   */
  canonical?: boolean;
}

/** What a capability asks of the files the project shares. */
export const sharedNeeds = (capability: CapabilityModel): SharedNeeds => ({
  runtimeModules: capability.runtimeModules,
  server: hasServer(capability),
});

/**
 * The files of one capability: its folder and its deploy files. `typeModules` gives the shared
 * modules its types refer to; it reads only what their `context` decides, never which types they
 * hold.
 */
export function emitCapability(
  capability: CapabilityModel,
  options: DeployOptions,
  typeModules: TypeModuleModel[],
  generatorVersion: string,
): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const dir = capability.id;
  files.push({
    path: `${dir}/README.md`,
    contents: emitReadme(capability, options.out, typeModules),
  });
  files.push({ path: `${dir}/types.ts`, ...emitTypes(capability, typeModules) });
  files.push({ path: `${dir}/client.ts`, ...emitClient(capability) });
  if (capability.orchestrations.length)
    files.push({ path: `${dir}/orchestrations.ts`, ...emitOrchestrations(capability) });
  if (capability.sharedSchemas.length && (capability.rest || capability.mcp)) {
    files.push({ path: `${dir}/schemas.ts`, ...emitSchemas(capability) });
  }
  if (capability.rest) {
    files.push({ path: `${dir}/rest-handler.ts`, ...emitRestHandler(capability, capability.rest) });
    files.push({ path: `${dir}/rest.ts`, ...emitRest(capability, capability.rest) });
    files.push({
      path: `${dir}/openapi.json`,
      contents: emitRestOpenApi(capability, capability.rest),
    });
  }
  if (capability.skills) {
    files.push({ path: `${dir}/skills.ts`, ...emitSkillServer(capability, capability.skills) });
    for (const file of emitSkillFolders(capability, capability.skills))
      files.push({ path: `${dir}/${file.path}`, contents: file.contents });
  }
  if (capability.mcp) {
    files.push({
      path: `${dir}/mcp-handler.ts`,
      ...emitMcpHandler(capability, capability.mcp, generatorVersion),
    });
    files.push({ path: `${dir}/mcp.ts`, ...emitMcp(capability, capability.mcp) });
  }
  if (capability.control)
    files.push({
      path: `${dir}/control.ts`,
      ...emitControl(capability, capability.control, generatorVersion),
    });
  files.push(...emitCapabilityDeploy(capability, options));
  return files;
}

export { emitApiTypes };
