/**
 * The `kubernetes` target: every document of generated/kubernetes/*.yaml (this repository's
 * capgen.config.yaml enables the target) is validated against the Kubernetes 1.27 OpenAPI schemas
 * that kubernetes-models ships (offline), checked for unknown fields against the same package's
 * TypeScript interfaces (the schemas allow any extra property; an object literal of the interface
 * type does not), and cross-checked with the image: probes, port, user, args, Secret references.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Service } from 'kubernetes-models/v1/Service';
import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DockerfileParser } from 'dockerfile-ast';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FOLDER = path.join(ROOT, 'generated/kubernetes');
const CAPABILITIES = ['checkout-sessions', 'identity-sessions', 'link-account-sessions'];

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & Record<
  string,
  any
>;

const MODELS: Record<string, { validate(data: Manifest): void; type: string; module: string }> = {
  'apps/v1 Deployment': {
    validate: (d) => new Deployment(d as never).validate(),
    type: 'IDeployment',
    module: 'kubernetes-models/apps/v1/Deployment',
  },
  'v1 Service': {
    validate: (d) => new Service(d as never).validate(),
    type: 'IService',
    module: 'kubernetes-models/v1/Service',
  },
  'autoscaling/v2 HorizontalPodAutoscaler': {
    validate: (d) => new HorizontalPodAutoscaler(d as never).validate(),
    type: 'IHorizontalPodAutoscaler',
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  },
};

function read(capability: string): { text: string; documents: Manifest[] } {
  const text = fs.readFileSync(path.join(FOLDER, `${capability}.yaml`), 'utf8');
  // Kubernetes reads YAML 1.1: the documents must mean the same under both versions.
  const documents = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Manifest);
  const as12 = parseAllDocuments(text, { version: '1.2' }).map((d) => d.toJS() as Manifest);
  expect(as12).toEqual(documents);
  return { text, documents };
}

const model = (d: Manifest) => MODELS[`${d.apiVersion} ${d.kind}`];

let project: Project | undefined;
let checked = 0;

/** Unknown fields, by type-checking each document as an object literal of its interface. */
function unknownFieldErrors(documents: Manifest[]): string[] {
  project ??= new Project({
    useInMemoryFileSystem: false,
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    },
  });
  // In memory only (never saved), beside the tests so that kubernetes-models resolves.
  const file = project.createSourceFile(
    path.join(ROOT, `test/deploy/__manifests${checked++}.ts`),
    documents
      .map(
        (d, i) =>
          `import type { ${model(d).type} as T${i} } from '${model(d).module}';\nexport const doc${i}: T${i} = ${JSON.stringify(d)};`,
      )
      .join('\n'),
  );
  return file.getPreEmitDiagnostics().map((d) => String(d.getMessageText()).slice(0, 300));
}

describe('generated/kubernetes', () => {
  it('holds one manifest file per capability, and no Secret (they are referenced, never filled)', () => {
    expect(fs.readdirSync(FOLDER).sort()).toEqual(CAPABILITIES.map((c) => `${c}.yaml`));
    for (const capability of CAPABILITIES) {
      const { text, documents } = read(capability);
      expect(documents.map((d) => d.kind)).not.toContain('Secret');
      expect(text).not.toMatch(/\bvalue:/);
      expect(text).toMatch(
        /^# {3}kubectl create secret generic [a-z-]+ --from-literal=STRIPE_API_KEY=<value>$/m,
      );
    }
  });

  it.each(CAPABILITIES)(
    '%s: every document validates against the Kubernetes schemas',
    (capability) => {
      const { documents } = read(capability);
      expect(documents.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(
        ['rest', 'mcp'].flatMap((mode) =>
          ['Deployment', 'Service', 'HorizontalPodAutoscaler'].map(
            (k) => `${k} ${capability}-${mode}`,
          ),
        ),
      );
      for (const document of documents)
        expect(() => model(document).validate(document)).not.toThrow();
    },
  );

  it('no document has a field its Kubernetes type does not know', () => {
    const documents = CAPABILITIES.flatMap((c) => read(c).documents);
    expect(unknownFieldErrors(documents)).toEqual([]);
  }, 60_000);

  it('the checks can fail: a wrong type fails the schema, a misspelt field the type check', () => {
    const [deployment] = read('link-account-sessions').documents as Array<Manifest & IDeployment>;
    const broken = structuredClone(deployment);
    broken.spec!.template.spec!.containers[0].ports![0].containerPort = 'http' as never;
    expect(() => model(broken).validate(broken)).toThrow(/containerPort must be integer/);
    const misspelt = structuredClone(deployment) as Manifest;
    misspelt.spec.template.spec.containers[0].readinesProbe = { httpGet: { path: '/healthz' } };
    expect(() => model(misspelt).validate(misspelt)).not.toThrow(); // the schemas allow it...
    expect(unknownFieldErrors([misspelt]).join('\n')).toMatch(/readinesProbe/); // ...the types do not
  }, 60_000);

  it('the Deployments run the image as its user, probe /healthz on its port and take the secrets from the Secret', () => {
    const image = DockerfileParser.parse(
      fs.readFileSync(path.join(ROOT, 'generated/container/Dockerfile'), 'utf8'),
    );
    const [uid] = image
      .getInstructions()
      .filter((i) => i.getKeyword() === 'USER')[0]
      .getArguments()[0]
      .getValue()
      .split(':');
    const port = image
      .getENVs()
      .flatMap((e) => e.getProperties())
      .find((p) => p.getName() === 'PORT')!
      .getValue();
    for (const capability of CAPABILITIES) {
      const documents = read(capability).documents;
      for (const mode of ['rest', 'mcp']) {
        const byKind = (kind: string) =>
          documents.find((d) => d.kind === kind && d.metadata.name === `${capability}-${mode}`)!;
        const deployment = byKind('Deployment');
        const pod = deployment.spec.template;
        const [container] = pod.spec.containers;
        // The server the image's start.sh starts, and it exists in the generated output.
        expect(container.args).toEqual([capability, mode]);
        expect(fs.existsSync(path.join(ROOT, 'generated', capability, `${mode}.ts`))).toBe(true);
        expect(container.ports).toEqual([{ name: 'http', containerPort: Number(port) }]);
        for (const probe of [container.readinessProbe, container.livenessProbe])
          expect(probe.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
        expect(pod.spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: Number(uid),
        });
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(container.env).toEqual([
          {
            name: 'STRIPE_API_KEY',
            valueFrom: { secretKeyRef: { name: capability, key: 'STRIPE_API_KEY' } },
          },
        ]);
        // The Service selects the Deployment's pods; the autoscaler scales the Deployment.
        const service = byKind('Service');
        expect(pod.metadata.labels).toMatchObject(service.spec.selector);
        expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
        expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
        const autoscaler = byKind('HorizontalPodAutoscaler');
        expect(autoscaler.spec.scaleTargetRef).toEqual({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: `${capability}-${mode}`,
        });
        expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
        expect(deployment.spec.replicas).toBeUndefined();
      }
    }
  });
});
