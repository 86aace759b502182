/**
 * All emitters, each a pure function from the model to file contents. Adding a kind of output means
 * adding one module here and its template under templates/.
 */
import type { ProjectModel } from '../model/types.js';
import { emitMcp, emitMcpHandler, emitRest, emitRestHandler } from './adapters.js';
import { emitApiTypes } from './api-types.js';
import { emitClient } from './client.js';
import { emitControl } from './control.js';
import { emitDeploy, type DeployOptions } from './deploy.js';
import { emitOrchestrations } from './orchestrations.js';
import { emitRestOpenApi } from './rest-openapi.js';
import { emitSchemas } from './schemas.js';
import { emitSkillFolders, emitSkillServer } from './skills.js';
import { emitReadme } from './readme.js';
import { emitRuntime } from './runtime.js';
import { emitTypes } from './types.js';

export interface GeneratedFile {
  /** Path inside the output folder, with forward slashes. */
  path: string;
  contents: string;
}

export function emitProject(project: ProjectModel, options: DeployOptions): GeneratedFile[] {
  const outDir = options.out;
  const files: GeneratedFile[] = [
    ...emitRuntime(
      project.regenerate,
      options.targets,
      new Set(project.capabilities.flatMap((c) => c.runtimeModules)),
    ),
    ...emitDeploy(project, options),
  ];
  for (const module of project.typeModules)
    if (module.types.length)
      files.push({ path: module.path, contents: emitApiTypes(module, project.regenerate) });
  for (const capability of project.capabilities) {
    const dir = capability.id;
    files.push({
      path: `${dir}/README.md`,
      contents: emitReadme(capability, outDir, project.typeModules),
    });
    files.push({
      path: `${dir}/types.ts`,
      contents: emitTypes(capability, project.typeModules),
    });
    files.push({ path: `${dir}/client.ts`, contents: emitClient(capability) });
    if (capability.orchestrations.length)
      files.push({ path: `${dir}/orchestrations.ts`, contents: emitOrchestrations(capability) });
    if (capability.sharedSchemas.length && (capability.rest || capability.mcp)) {
      files.push({ path: `${dir}/schemas.ts`, contents: emitSchemas(capability) });
    }
    if (capability.rest) {
      files.push({
        path: `${dir}/rest-handler.ts`,
        contents: emitRestHandler(capability, capability.rest),
      });
      files.push({ path: `${dir}/rest.ts`, contents: emitRest(capability, capability.rest) });
      files.push({
        path: `${dir}/openapi.json`,
        contents: emitRestOpenApi(capability, capability.rest),
      });
    }
    if (capability.skills) {
      files.push({
        path: `${dir}/skills.ts`,
        contents: emitSkillServer(capability, capability.skills),
      });
      for (const file of emitSkillFolders(capability, capability.skills))
        files.push({ path: `${dir}/${file.path}`, contents: file.contents });
    }
    if (capability.mcp) {
      files.push({
        path: `${dir}/mcp-handler.ts`,
        contents: emitMcpHandler(capability, capability.mcp, project.generatorVersion),
      });
      files.push({ path: `${dir}/mcp.ts`, contents: emitMcp(capability, capability.mcp) });
    }
    if (capability.control)
      files.push({
        path: `${dir}/control.ts`,
        contents: emitControl(capability, capability.control, project.generatorVersion),
      });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
