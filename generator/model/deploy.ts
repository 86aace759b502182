/**
 * Deploy targets (config `targets`): what is generated besides the client and the Node servers, and
 * the names the deploy files give each capability (Worker names, Kubernetes object names and labels,
 * Secret keys), all decided here so the emitters only print them.
 */
import { createHash } from 'node:crypto';
import type { DiagnosticBag } from '../diagnostics.js';
import type { SourceDocument } from '../load/source.js';
import type { CapabilityModel } from './types.js';

/**
 * `node`: the client and the Node servers (always generated); `workers`: a Cloudflare Worker per
 * capability; `container`: one image for the project; `kubernetes`: manifests per capability.
 */
export const TARGETS = ['node', 'workers', 'container', 'kubernetes'] as const;
export type Target = (typeof TARGETS)[number];

/** The image the Kubernetes manifests run unless the config names one (`image`). */
export const DEFAULT_IMAGE = 'capgen-capabilities:latest';

/**
 * A container image reference: `[registry[:port]/]path[:tag][@sha256:digest]`, lower-case path
 * components as Docker's reference grammar has them.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
export const IMAGE_PATTERN = new RegExp(
  `^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?${COMPONENT}(?:/${COMPONENT})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

/**
 * The output folder as the Dockerfile names it (it copies the project and runs the build script
 * from there): plain path characters only, so it needs no quoting in any instruction.
 */
const DOCKERFILE_PATH = /^(?!-)[A-Za-z0-9._/-]+$/;

/**
 * Checks the targets against each other and the output folder; reports at the config's `targets`
 * (or `out`) entry. False when generation cannot go on.
 */
export function checkTargets(
  targets: readonly Target[],
  out: string,
  configFile: string,
  source: SourceDocument | undefined,
  bag: DiagnosticBag,
): boolean {
  const at = (key: string) => source?.locate([key]) ?? { line: 1, col: 1 };
  const before = bag.errorCount;
  if (targets.includes('kubernetes') && !targets.includes('container'))
    bag.error(
      configFile,
      at('targets'),
      'config/target-needs',
      "the 'kubernetes' target runs the image the 'container' target builds",
      'add container to targets',
    );
  if (targets.includes('container') && !DOCKERFILE_PATH.test(out))
    bag.error(
      configFile,
      source?.data && typeof source.data === 'object' && 'out' in source.data
        ? at('out')
        : at('targets'),
      'config/container-out',
      `the output folder '${out}' holds characters a Dockerfile path cannot carry unquoted`,
      'name the output folder with letters, digits, `.`, `_`, `-` and `/` only',
    );
  return bag.errorCount === before;
}

/** Names of one capability's deployed units. */
export interface DeployNames {
  /**
   * A DNS-1035 label of at most 58 characters (so `-rest` and `-mcp` can follow): the Worker name,
   * the Secret name, and the stem of the Kubernetes object names.
   */
  base: string;
  /** Secret key (Kubernetes: `[-._a-zA-Z0-9]+`, unique) for each secret environment variable. */
  secretKeys: Map<string, string>;
}

const MAX_BASE = 58;

export function deployNames(capability: CapabilityModel): DeployNames {
  let base = capability.id; // lower-case letters, digits and single dashes (capabilityIdFromFile)
  if (!/^[a-z]/.test(base)) base = `c-${base}`;
  if (base.length > MAX_BASE) {
    const hash = createHash('sha256').update(capability.id).digest('hex').slice(0, 8);
    base = `${base.slice(0, MAX_BASE - hash.length - 1).replace(/-+$/, '')}-${hash}`;
  }
  const secretKeys = new Map<string, string>();
  const taken = new Set<string>();
  for (const variable of capability.env.filter((e) => e.secret)) {
    const stem = variable.name.replace(/[^-._a-zA-Z0-9]/g, '_');
    let key = stem;
    for (let n = 2; taken.has(key); n++) key = `${stem}_${n}`;
    taken.add(key);
    secretKeys.set(variable.name, key);
  }
  return { base, secretKeys };
}
