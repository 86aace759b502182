/**
 * The files a project's capabilities share: the runtime (with the optional modules some capability
 * imports) and, with the `container` target, the image's files when some capability has a server.
 * Made from what each capability asks of them (kept in the generation cache beside its files), so
 * a run served by the cache loads no other emitter.
 */
import { emitContainer } from './container.js';
import type { DeployOptions } from './deploy.js';
import type { GeneratedFile } from './index.js';
import { emitRuntime } from './runtime.js';

/** What a capability asks of the shared files. */
export interface SharedNeeds {
  /** The optional runtime modules it imports (model/runtime-modules.ts). */
  runtimeModules: readonly string[];
  /** Whether it has a server (REST or MCP) for the container image to run. */
  server: boolean;
}

/** `regenerate`: the command their headers name (ProjectModel.regenerate). */
export function emitShared(
  capabilities: readonly SharedNeeds[],
  options: DeployOptions,
  regenerate: string,
): GeneratedFile[] {
  const files = emitRuntime(
    regenerate,
    options.targets,
    new Set(capabilities.flatMap((c) => c.runtimeModules)),
  );
  if (options.targets.includes('container') && capabilities.some((c) => c.server))
    files.push(...emitContainer(options.out, options.image, regenerate));
  return files;
}
