/**
 * Builds the resolved capability model from checked capability documents and OpenAPI documents.
 * Runs only on documents the checker passed; reports what it learns from OpenAPI (unmatched
 * operations, parameters OpenAPI does not know) as diagnostics.
 */
import path from 'node:path';
import type { ApiSpec, BodySpec, ValueTemplate } from '../../templates/runtime/contract.js';
import { isRecord } from '../check/paths.js';
import {
  allAdapterPrefixes,
  bindings,
  normalizePath,
  indexConsumedOperations,
  type ConsumesSite,
} from '../check/references.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type {
  NaftikoAuthentication,
  NaftikoConsumes,
  NaftikoDocument,
  NaftikoMcp,
  NaftikoRest,
  NaftikoSkillAdapter,
} from '../load/naftiko-types.js';
import type { SourceDocument } from '../load/source.js';
import type { ReadListener } from '../load/read.js';
import { CONTROL_RUNTIME, packagesOf, runtimeModulesIn } from './runtime-modules.js';
import {
  generatedInbound,
  inboundAuth,
  keyEnvVars,
  templateEnvVars,
  upstreamAuth,
} from './auth.js';
import { buildControl } from './control.js';
import { buildMcp, buildRest, reportBinaryOutputs } from './exposes.js';
import { buildForwards } from './forward.js';
import type { ModeContext } from './modes.js';
import { scriptDefaults } from '../check/steps.js';
import {
  bindingName,
  camelCase,
  capabilityIdFromFile,
  capabilityNames,
  constantCase,
  GENERATED_FILE_NAMES,
  NameRegistry,
  operationMethodName,
} from './names.js';
import type { OpenApiIndex } from './openapi-match.js';
import type { MatchedOperation } from './openapi-subset.js';
import { buildOperation } from './operation.js';
import type { ApiFamily } from './api-families.js';
import { apiVersion } from './api-version.js';
import { impliedAuth } from './implied-auth.js';
import { reportMatch } from './match-report.js';
import { htmlToText } from './text.js';
import type {
  ApiModel,
  CapabilityModel,
  EnvVarModel,
  McpModel,
  OperationModel,
  OrchestrationModel,
  RestModel,
  SharedSchemaModel,
  SkillAdapterModel,
} from './types.js';
import { buildSkills } from './skills.js';
import { valueTemplate, type Binds } from './values.js';

export interface CheckedCapability {
  source: SourceDocument;
  doc: NaftikoDocument;
  /** Its consumes blocks, imports resolved. */
  sites: ConsumesSite[];
  /** The text of the avro and protobuf schema files its operations name, by `<namespace>.<operation>`. */
  outputSchemas: Map<string, string>;
}

/** Resolved OpenAPI pieces for one matched operation (dereferenced). */
export interface ResolvedOpenApi {
  match: MatchedOperation;
  /** The dereferenced operation object. */
  operation: Record<string, unknown>;
}

export interface BuildContext {
  index: OpenApiIndex;
  /** Dereferenced operation for each matched operation, keyed by `call` key. */
  resolved: Map<string, ResolvedOpenApi>;
  bag: DiagnosticBag;
  /** Project root, for relative source paths. */
  root: string;
  /** Hears each file the model reads (a skill's instruction files), for the generation cache. */
  onRead?: ReadListener;
  /** The command that regenerates the output (for file headers). */
  regenerate: string;
  /** The APIs the OpenAPI documents describe (model/api-families.ts). */
  families: ApiFamily[];
}

export function capabilityId(file: string): string {
  return capabilityIdFromFile(path.basename(file));
}

export function buildCapability(checked: CheckedCapability, ctx: BuildContext): CapabilityModel {
  const { doc, source } = checked;
  const id = capabilityId(source.file);
  const env: EnvVarModel[] = [];
  const addEnv = (
    name: string,
    purpose: string,
    secret: boolean,
    scope: EnvVarModel['scope'] = 'upstream',
  ) => {
    if (!env.some((e) => e.name === name)) env.push({ name, purpose, secret, scope });
  };
  const binds = bindings(doc);
  const consumed = indexConsumedOperations(checked.sites);
  const methodNames = new NameRegistry();
  // One registry for every name declared at the top level of client.ts, rest.ts and mcp.ts
  // (including what those files import), so no two declarations can collide.
  const constNames = new NameRegistry(GENERATED_FILE_NAMES);
  const names = capabilityNames(id, constNames);
  const clientVars = new NameRegistry();
  const operations = new Map<string, OperationModel>();
  const apis: ApiModel[] = [];
  const openapiSources = new Set<string>();

  for (const { consumes, source: site, binds: siteBinds, at } of checked.sites) {
    const nsConst = constantCase(consumes.namespace);
    const matched = (consumes.resources ?? []).flatMap((r) =>
      r.operations.flatMap((o) => ctx.resolved.get(`${consumes.namespace}.${o.name}`)?.match ?? []),
    );
    const auth =
      (consumes.authentication === undefined
        ? impliedAuth(consumes, doc, siteBinds, matched, {
            bag: ctx.bag,
            file: site.file,
            at: site.locate([...at, 'namespace']),
          })
        : undefined) ?? upstreamAuth(consumes.authentication, siteBinds);
    for (const variable of templateEnvVars(auth))
      addEnv(variable, `credential for ${consumes.namespace} (${auth.type} authentication)`, true);
    const baseUriEnv = `${nsConst}_BASE_URI`;
    addEnv(
      baseUriEnv,
      `overrides the base URI of ${consumes.namespace} (default ${consumes.baseUri})`,
      false,
    );
    const docs = ctx.index.documentsFor(consumes.baseUri);
    const spec: ApiSpec = {
      namespace: consumes.namespace,
      baseUri: consumes.baseUri,
      baseUriEnv,
      auth,
    };
    const version = apiVersion(consumes, matched, ctx.families, {
      bag: ctx.bag,
      file: site.file,
      at: site.locate([...at, 'baseUri']),
    });
    if (version) spec.version = version;
    apis.push({
      spec,
      description: htmlToText(consumes.description),
      constName: constNames.claim(bindingName(`${nsConst}_API`)),
      clientVar: clientVars.claim(bindingName(`${camelCase(consumes.namespace)}Api`)),
    });
    const defaultMediaType = predominantMediaType(docs.map((d) => d.data));

    for (const resource of consumes.resources ?? []) {
      for (const op of resource.operations) {
        const key = `${consumes.namespace}.${op.name}`;
        const resolved = ctx.resolved.get(key);
        const ref = consumed.get(key)!;
        if (resolved) {
          openapiSources.add(resolved.match.doc.file);
          reportMatch(ctx.bag, site, ref, resolved.match);
        } else {
          ctx.bag.warning(
            site.file,
            site.locate([...ref.at, 'name']),
            'openapi/no-match',
            `no OpenAPI operation matches ${op.method} ${resource.path} (${key}); its types come from the capability's inputParameters`,
            nearPath(ctx, op.method, consumes.baseUri, resource.path),
          );
        }
        const methodName = methodNames.claim(operationMethodName(op.method, resource.path));
        const model = buildOperation(
          consumes,
          resource.path,
          [
            ...(consumes.inputParameters ?? []),
            ...(resource.inputParameters ?? []),
            ...(op.inputParameters ?? []),
          ],
          op,
          resolved,
          defaultMediaType,
          methodName,
          constNames.claim(`${constantCase(methodName)}_OPERATION`),
          siteBinds,
          checked.outputSchemas.get(key),
        );
        operations.set(key, model);
        for (const param of model.spec.params)
          for (const variable of envVarsOf(param.value ? [param.value] : []))
            addEnv(variable, `value of ${param.in} parameter ${param.name} of ${key}`, true);
        for (const variable of envVarsOf(model.spec.bodyTemplate ? [model.spec.bodyTemplate] : []))
          addEnv(variable, `value in the request body of ${key}`, true);
      }
    }
  }

  const modes: ModeContext = {
    operations,
    consumed,
    prefixes: allAdapterPrefixes(doc),
    binds,
    names: constNames,
    scriptDefaults: scriptDefaults(doc),
    functions: new Map(
      (doc.capability?.aggregates ?? []).flatMap((aggregate) =>
        aggregate.functions.map(
          (fn) =>
            [`${aggregate.namespace}.${fn.name}`, { fn, namespace: aggregate.namespace }] as const,
        ),
      ),
    ),
    orchestrations: [],
    functionRuns: new Map<string, OrchestrationModel | undefined>(),
  };
  let rest: RestModel | undefined;
  let mcp: McpModel | undefined;
  for (const exposes of doc.capability?.exposes ?? []) {
    // The first adapter of each kind; one whose inbound auth is not generated is left out (an
    // open server in place of a protected one would be worse than none).
    const auth = (exposes as { authentication?: NaftikoAuthentication }).authentication;
    if (auth && !generatedInbound(auth)) continue;
    if (exposes.type === 'rest' && !rest) {
      rest = buildRest(exposes as NaftikoRest, modes);
      rest.forwards = buildForwards(exposes as NaftikoRest, checked.sites, apis);
    }
    if (exposes.type === 'mcp' && !mcp) mcp = buildMcp(exposes as NaftikoMcp, modes);
  }
  reportBinaryOutputs(doc, operations, source, ctx.bag);
  if (rest && !rest.routes.length && !rest.forwards.length) rest = undefined;
  if (mcp && !mcp.tools.length && !mcp.resources.length && !mcp.prompts.length) mcp = undefined;
  const skills = buildSkillAdapter(checked, ctx, binds, rest, mcp);
  // A control adapter with inbound authentication is not generated (checks say so): an open
  // management port in place of a protected one would be worse than none.
  const control = buildControl(
    (doc.capability?.exposes ?? []).filter(
      (e) => (e as { authentication?: unknown }).authentication === undefined,
    ),
    id,
  );
  if (control) {
    addEnv(
      control.portEnv,
      `port of the control adapter (default ${control.port})`,
      false,
      'control',
    );
    addEnv(
      control.addressEnv,
      `address the control adapter binds (default ${control.address})`,
      false,
      'control',
    );
  }
  for (const [scope, adapter] of [
    ['rest', rest],
    ['mcp', mcp],
    ['skill', skills],
  ] as const) {
    if (!adapter) continue;
    addEnv(
      adapter.portEnv,
      `port of the ${adapter.namespace} server (default ${adapter.port})`,
      false,
      scope,
    );
    addEnv(
      adapter.addressEnv,
      `address the ${adapter.namespace} server binds (default ${adapter.address})`,
      false,
      scope,
    );
    for (const variable of templateEnvVars(adapter.auth))
      addEnv(variable, `credential callers of ${adapter.namespace} must present`, true, scope);
    const [jwks, publicKey] = keyEnvVars(adapter.auth);
    if (jwks && publicKey) {
      addEnv(
        jwks,
        `JWKS URL verifying ${adapter.namespace}'s bearer tokens (default: from the authorization server's metadata)`,
        false,
        scope,
      );
      addEnv(
        publicKey,
        `static public key (PEM, JWK or JWKS) verifying ${adapter.namespace}'s bearer tokens, instead of a JWKS`,
        false,
        scope,
      );
    }
  }

  const sharedSchemas: SharedSchemaModel[] = [];
  for (const op of operations.values()) {
    const body = op.inputs.find((i) => i.in === 'body');
    if (body?.schema.properties)
      sharedSchemas.push({
        name: constNames.claim(`${constantCase(op.methodName)}_BODY_SCHEMA`),
        description: `Request body of ${op.methodName}.`,
        schema: body.schema,
      });
  }
  // Tools returning the same response share one output schema object (and constant).
  const outputs = new Map<string, SharedSchemaModel>();
  for (const tool of mcp?.tools ?? []) {
    if (!tool.outputSchema || !tool.operation) continue;
    const key = JSON.stringify(tool.outputSchema);
    const existing = outputs.get(key);
    if (existing) {
      tool.outputSchema = existing.schema;
      continue;
    }
    const shared = {
      name: constNames.claim(`${constantCase(tool.operation.methodName)}_OUTPUT_SCHEMA`),
      description: `Structured output of ${tool.operation.methodName}, as MCP tools return it.`,
      schema: tool.outputSchema,
    };
    outputs.set(key, shared);
    sharedSchemas.push(shared);
  }

  const runtimeModules = [
    ...runtimeModulesIn([
      apis.map((api) => api.spec.auth),
      [...operations.values()].map((op) => op.spec.output),
      rest?.auth,
      mcp?.auth,
      skills?.auth,
    ]),
    ...(control ? CONTROL_RUNTIME : []),
  ].sort();
  return {
    id,
    regenerate: ctx.regenerate,
    sharedSchemas,
    runtimeModules,
    packages: packagesOf(runtimeModules),
    source: path.relative(ctx.root, path.resolve(ctx.root, source.file)).split(path.sep).join('/'),
    label: doc.info?.label ?? id,
    description: htmlToText(doc.info?.description),
    tags: doc.info?.tags ?? [],
    names,
    env,
    apis,
    operations: [...operations.values()],
    orchestrations: modes.orchestrations,
    rest,
    mcp,
    ...(skills ? { skills } : {}),
    ...(control ? { control } : {}),
    openapiSources: [...openapiSources]
      .map((f) => path.relative(ctx.root, path.resolve(ctx.root, f)).split(path.sep).join('/'))
      .sort(),
  };
}

/** The first skill adapter (one whose inbound auth is not generated is left out, as for the others). */
function buildSkillAdapter(
  checked: CheckedCapability,
  ctx: BuildContext,
  binds: Binds,
  rest: RestModel | undefined,
  mcp: McpModel | undefined,
): SkillAdapterModel | undefined {
  const exposes = checked.doc.capability?.exposes ?? [];
  const index = exposes.findIndex((e) => e.type === 'skill');
  const adapter = exposes[index] as NaftikoSkillAdapter | undefined;
  if (!adapter || (adapter.authentication && !generatedInbound(adapter.authentication)))
    return undefined;
  const kinds = new Map(
    exposes.flatMap((e) =>
      e.type === 'rest' || e.type === 'mcp' ? [[e.namespace, e.type] as const] : [],
    ),
  );
  const auth = inboundAuth(adapter.authentication, binds, adapter.namespace);
  return buildSkills(adapter, ['capability', 'exposes', index], {
    root: ctx.root,
    source: checked.source,
    bag: ctx.bag,
    ...(ctx.onRead ? { onRead: ctx.onRead } : {}),
    kinds,
    rest,
    mcp,
    ...(auth ? { auth } : {}),
  });
}

/** The environment variables any value templates read, in order. */
export function envVarsOf(templates: ValueTemplate[]): string[] {
  return templates.flatMap((t) => t.flatMap((p) => ('env' in p ? [p.env] : [])));
}

/** The hint of an unmatched operation: the OpenAPI path it may mean, else how to add a document. */
function nearPath(ctx: BuildContext, method: string, baseUri: string, path: string): string {
  const near = ctx.index.near(method, baseUri, normalizePath(path));
  return near
    ? `did you mean ${method} ${near}? (an OpenAPI path of this API that differs in case, spaces, '-' or '_')`
    : "add the API's OpenAPI document with --openapi or in capgen.config.yaml";
}

type PathsDocument = { paths: Record<string, Record<string, unknown>> };

/** How many operations of a document take a form body, and how many JSON; counted once each. */
const mediaCounts = new WeakMap<PathsDocument, { form: number; json: number }>();

/** The request media type most operations of these documents use (form for Stripe), JSON when none. */
function predominantMediaType(docs: PathsDocument[]): BodySpec['mediaType'] {
  let form = 0;
  let json = 0;
  for (const doc of docs) {
    const counts = mediaCounts.get(doc) ?? countMediaTypes(doc);
    mediaCounts.set(doc, counts);
    form += counts.form;
    json += counts.json;
  }
  return form > json ? 'application/x-www-form-urlencoded' : 'application/json';
}

function countMediaTypes(doc: PathsDocument): { form: number; json: number } {
  const counts = { form: 0, json: 0 };
  for (const item of Object.values(doc.paths))
    for (const op of Object.values(item ?? {})) {
      const content =
        isRecord(op) && isRecord(op.requestBody) && isRecord(op.requestBody.content)
          ? op.requestBody.content
          : undefined;
      // As requestMediaType chooses: JSON where an operation takes JSON or a form.
      if (content?.['application/json']) counts.json++;
      else if (content?.['application/x-www-form-urlencoded']) counts.form++;
    }
  return counts;
}
