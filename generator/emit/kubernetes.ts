/**
 * The `kubernetes` target: kubernetes/<capability>.yaml, per server the capability exposes (REST,
 * MCP) a Deployment of the container image (probes on /healthz, resource requests, secrets from a
 * Secret it references and never fills, non-root and read-only), a Service and a
 * HorizontalPodAutoscaler. Printed by `yamlText`, which quotes by construction.
 */
import type { DeployNames } from '../model/deploy.js';
import { KUBERNETES_FOLDER } from '../model/names.js';
import type { CapabilityModel } from '../model/types.js';
import { yamlText } from './escape.js';
import { lineCommentHeader } from './header.js';

/** The port the image's servers listen on (its ENV PORT). */
const CONTAINER_PORT = 8080;
/** The uid and gid of the image's `node` user (its USER). */
const IMAGE_USER = 1000;
const MIN_REPLICAS = 2;
const MAX_REPLICAS = 10;

type Mode = 'rest' | 'mcp';

export function kubernetesPath(capability: CapabilityModel): string {
  return `${KUBERNETES_FOLDER}/${capability.id}.yaml`;
}

export function emitKubernetes(
  capability: CapabilityModel,
  names: DeployNames,
  image: string,
  out: string,
): string {
  const modes: Mode[] = [];
  if (capability.rest) modes.push('rest');
  if (capability.mcp) modes.push('mcp');
  const secretKeys = [...names.secretKeys.values()];
  const header = lineCommentHeader(
    '#',
    `Kubernetes manifests for ${capability.label}: per server (${modes.join(', ')}) a Deployment of the image, a Service and a HorizontalPodAutoscaler.`,
    capability,
    [
      '',
      ...(secretKeys.length
        ? [
            `The secrets come from the Secret '${names.base}', which these manifests reference and never fill:`,
            `  kubectl create secret generic ${names.base} ${secretKeys.map((k) => `--from-literal=${k}=<value>`).join(' ')}`,
          ]
        : []),
      `Then: kubectl apply -f ${out}/${kubernetesPath(capability)}`,
    ],
  );
  const documents = modes.flatMap((mode) => server(capability, names, image, mode));
  return `${header}\n${documents.map(yamlText).join('---\n')}`;
}

function server(
  capability: CapabilityModel,
  names: DeployNames,
  image: string,
  mode: Mode,
): object[] {
  const name = `${names.base}-${mode}`;
  const selector = {
    'app.kubernetes.io/name': names.base,
    'app.kubernetes.io/component': mode,
  };
  const labels = { ...selector, 'app.kubernetes.io/managed-by': 'capgen' };
  const metadata = { name, labels };
  const probe = (periodSeconds: number) => ({
    httpGet: { path: '/healthz', port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  // The capability's upstream credentials, and this server's inbound-auth secrets.
  const env = capability.env
    .filter((e) => e.secret && (e.scope === 'upstream' || e.scope === mode))
    .map((e) => ({
      name: e.name,
      valueFrom: { secretKeyRef: { name: names.base, key: names.secretKeys.get(e.name) } },
    }));
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    // No `replicas`: the HorizontalPodAutoscaler owns the count.
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: IMAGE_USER,
            runAsGroup: IMAGE_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: mode,
              image,
              args: [capability.id, mode],
              ports: [{ name: 'http', containerPort: CONTAINER_PORT }],
              ...(env.length ? { env } : {}),
              readinessProbe: probe(5),
              livenessProbe: probe(10),
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { memory: '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
  const autoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: MIN_REPLICAS,
      maxReplicas: MAX_REPLICAS,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  };
  return [deployment, service, autoscaler];
}
