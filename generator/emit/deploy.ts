/**
 * The files of the deploy targets enabled in the config (`targets`); none when only `node` is.
 * A capability's own (worker.ts, wrangler.jsonc, its Kubernetes manifests) depend on it alone, so
 * they are generated (and cached) with it; the container image's are the project's (shared.ts).
 */
import { deployNames, type Target } from '../model/deploy.js';
import type { CapabilityModel } from '../model/types.js';
import { emitKubernetes, kubernetesPath } from './kubernetes.js';
import type { GeneratedFile } from './index.js';
import { emitWorker, emitWrangler, hasServer } from './workers.js';

export interface DeployOptions {
  /** The output folder, relative to the project root. */
  out: string;
  targets: readonly Target[];
  /** The image the Kubernetes manifests run. */
  image: string;
}

/** The deploy files of one capability, when it has a server to deploy. */
export function emitCapabilityDeploy(
  capability: CapabilityModel,
  options: DeployOptions,
): GeneratedFile[] {
  if (!hasServer(capability)) return [];
  const files: GeneratedFile[] = [];
  const on = (target: Target) => options.targets.includes(target);
  const names = deployNames(capability);
  if (on('workers')) {
    files.push({ path: `${capability.id}/worker.ts`, ...emitWorker(capability) });
    files.push({
      path: `${capability.id}/wrangler.jsonc`,
      contents: emitWrangler(capability, names, options.out),
    });
  }
  if (on('kubernetes'))
    files.push({
      path: kubernetesPath(capability),
      contents: emitKubernetes(capability, names, options.image, options.out),
    });
  return files;
}
