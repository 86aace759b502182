/**
 * The files of the deploy targets enabled in the config (`targets`); none when only `node` is.
 */
import { deployNames, type Target } from '../model/deploy.js';
import type { ProjectModel } from '../model/types.js';
import { emitContainer } from './container.js';
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

export function emitDeploy(project: ProjectModel, options: DeployOptions): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const on = (target: Target) => options.targets.includes(target);
  const servers = project.capabilities.filter(hasServer);
  if (on('container') && servers.length) files.push(...emitContainer(options.out, options.image, project.regenerate));
  for (const capability of servers) {
    const names = deployNames(capability);
    if (on('workers')) {
      files.push({ path: `${capability.id}/worker.ts`, contents: emitWorker(capability) });
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
  }
  return files;
}
