/**
 * The resolved capability model: everything the emitters need, decided once.
 * Emitters are pure functions of this model; they never look at YAML or OpenAPI again.
 */
import type { ObservabilitySpec } from '../../templates/runtime/control.js';
import type { ResultShape, StepPlan } from '../../templates/runtime/orchestrate.js';
import type {
  ApiSpec,
  Binding,
  InboundAuth,
  JsonSchema,
  OperationSpec,
  OutputMapping,
  ValueTemplate,
} from '../../templates/runtime/contract.js';
import type { OptionalModule } from './runtime-modules.js';

export interface ProjectModel {
  capabilities: CapabilityModel[];
  /** One shared types module per API (family of OpenAPI documents), sorted by path. */
  typeModules: TypeModuleModel[];
  /** Values that appear in every generated file header. */
  generatorVersion: string;
  /**
   * The command that regenerates the output, with the options of this run that change it
   * (`--config`, `--openapi`, `--out`), paths relative to the project root.
   */
  regenerate: string;
}

export interface CapabilityModel {
  /** Output folder name and CLI name, from the spec file name: `checkout-sessions`. */
  id: string;
  /** The capability file, relative to the project root, with forward slashes. */
  source: string;
  label: string;
  /** Plain-text description (HTML removed). */
  description: string;
  tags: string[];
  names: CapabilityNames;
  /** Environment variables the generated code reads, with what each one is for. */
  env: EnvVarModel[];
  apis: ApiModel[];
  /** All consumed operations, in declaration order. */
  operations: OperationModel[];
  /** Orchestrated, mock and aggregate-function runs, each exported as a typed function. */
  orchestrations: OrchestrationModel[];
  rest?: RestModel;
  mcp?: McpModel;
  skills?: SkillAdapterModel;
  control?: ControlModel;
  /** OpenAPI documents the types came from (relative paths), for the file headers. */
  openapiSources: string[];
  /** The command that regenerates it (ProjectModel.regenerate), for the file headers. */
  regenerate: string;
  /**
   * Large schemas used by more than one generated file (request bodies, tool output schemas),
   * emitted once in schemas.ts; the inputs and tools hold these very objects.
   */
  sharedSchemas: SharedSchemaModel[];
  /** Optional runtime modules its generated code imports (format converters, auth schemes). */
  runtimeModules: OptionalModule[];
  /** The npm packages those modules need: dependencies the user adds. */
  packages: string[];
}

export interface SharedSchemaModel {
  /** Constant name in schemas.ts, e.g. `POST_CHECKOUT_SESSIONS_BODY_SCHEMA`. */
  name: string;
  description: string;
  schema: JsonSchema;
}

export interface CapabilityNames {
  /** `CheckoutSessions` */
  pascal: string;
  /** `checkoutSessions` */
  camel: string;
  /** `CHECKOUT_SESSIONS` */
  constant: string;
  /** `createCheckoutSessionsClient` */
  clientFactory: string;
  /** `CheckoutSessionsClient` */
  clientType: string;
}

export interface EnvVarModel {
  name: string;
  purpose: string;
  secret: boolean;
  /** `upstream`: read by the client; `rest` / `mcp` / `skill`: read by that server only. */
  scope: 'upstream' | 'rest' | 'mcp' | 'skill' | 'control';
}

export interface ApiModel {
  spec: ApiSpec;
  description: string;
  /** Constant holding the ApiSpec in generated code, e.g. `CHECKOUT_SESSIONS_API`. */
  constName: string;
  /** Variable holding this API's client inside the client factory, e.g. `checkoutSessionsApi`. */
  clientVar: string;
}

export interface OperationModel {
  spec: OperationSpec;
  /** The consumes namespace this operation belongs to. */
  api: string;
  /** Client method name, camelCase from method + path: `getCheckoutSessionsSession`. */
  methodName: string;
  /** PascalCase stem of its types: `GetCheckoutSessionsSession` (+ Params / Response). */
  typeName: string;
  /** Constant holding the OperationSpec in generated code. */
  constName: string;
  /** Plain-text description (HTML removed). */
  description: string;
  /** Inputs of the client method (path/query/header parameters and `body`). */
  inputs: InputModel[];
  /** The matched OpenAPI operation, when one exists. */
  openapi?: { source: string; operationId?: string; method: string; path: string };
  /** JSON Schema of the 2xx response, when known. */
  responseSchema?: JsonSchema;
  /** Names of its types in types.ts, and the OpenAPI schemas they are printed from. */
  types: OperationTypesModel;
}

export interface OperationTypesModel {
  params: string;
  response: string;
  /** Set for paginated operations: the type auto-pagination yields. */
  item?: string;
  /** Schemas of the matched OpenAPI operation, whose `$ref`s name types of a shared module. */
  openapi?: {
    /** `path` of the TypeModuleModel its `$ref`s resolve in. */
    module: string;
    body?: OpenApiSchema;
    /** The 2xx JSON response body. */
    response?: OpenApiSchema;
    /** One item of a list response (`data` items). */
    item?: OpenApiSchema;
  };
}

/**
 * An OpenAPI Schema Object as the document gives it, with `$ref`s kept, descriptions made plain
 * text and extensions (`x-*`) and titles dropped.
 */
export type OpenApiSchema = Record<string, unknown>;

/**
 * The types of one API, shared by every capability that consumes it: a named type for each
 * component schema the generated capabilities reach (and nothing else).
 */
export interface TypeModuleModel {
  /** Path inside the output folder: `types/stripe.ts`. */
  path: string;
  /** The name capabilities import it as: `Stripe` (`Stripe.CheckoutSession`). */
  namespace: string;
  /** Where the API is served (its server URL), for the file header. */
  label: string;
  /** The OpenAPI documents of the family (relative paths), first listed first: it wins. */
  sources: string[];
  /** Named types, sorted by name. */
  types: NamedTypeModel[];
  /**
   * What printing a type of this API needs, decided from the family's documents alone (never from
   * which capabilities reach what), so a capability's types.ts depends only on its own inputs.
   */
  context: TypeContext;
}

export interface TypeContext {
  /** Every `$ref` the family's documents can lead to → its named type (components sorted first). */
  names: ReadonlyMap<string, string>;
  /** The normalized schema a `$ref` names in the family (undefined: none). */
  resolve(ref: string): OpenApiSchema | undefined;
  /** The family's component schemas, normalized, by name; only when some declare a discriminator. */
  discriminatorSources(): Record<string, OpenApiSchema>;
}

export interface NamedTypeModel {
  /** `CheckoutSession` */
  name: string;
  /** The `$ref` it stands for: `#/components/schemas/checkout.session`. */
  ref: string;
  /** The schema; absent when the type is opaque (then `opaque` says why). */
  schema?: OpenApiSchema;
  opaque?: string;
}

/** One input of a client method, REST route or MCP tool. */
export interface InputModel {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie' | 'body' | 'template';
  required: boolean;
  description: string;
  schema: JsonSchema;
}

export interface RestModel {
  namespace: string;
  description: string;
  port: number;
  address: string;
  /** Env vars that override port and address at run time. */
  portEnv: string;
  addressEnv: string;
  auth?: InboundAuth;
  routes: RouteModel[];
  /** Pass-through resources (`forward`), tried when no route matches. */
  forwards: ForwardModel[];
}

/** A resource forwarded to a consumed API as it is (`forward`). */
export interface ForwardModel {
  /** The path as written (for documentation). */
  path: string;
  /** What a request path must start with; the rest goes after the API's base URI. */
  prefix: string;
  /** The placeholder that takes the rest of the path, when the path ends with one. */
  param?: string;
  /** The consumed API. */
  api: ApiModel;
  /** Request headers passed on (lower-case). */
  trustedHeaders: string[];
  /** Fixed header values of the consumes block (`inputParameters` in a header, with a `value`). */
  headers: Array<{ name: string; value: ValueTemplate }>;
}

export interface RouteModel {
  path: string;
  method: OperationSpec['method'];
  name: string;
  description: string;
  /** The consumed operation it calls (simple mode); absent when it runs an orchestration. */
  operation?: OperationModel;
  orchestration?: OrchestrationModel;
  inputs: InputModel[];
  with: Record<string, Binding>;
  output?: OutputMapping[];
}

export interface McpModel {
  namespace: string;
  instructions: string;
  transport: 'http' | 'stdio';
  port: number;
  address: string;
  portEnv: string;
  addressEnv: string;
  auth?: InboundAuth;
  tools: ToolModel[];
  resources: ResourceModel[];
  prompts: PromptModel[];
}

/** An MCP resource: one upstream call (its URI may be a `{param}` template), or a folder's files. */
export type ResourceModel = ResourceBaseModel &
  (
    | {
        kind: 'dynamic';
        operation: OperationModel;
        with: Record<string, Binding>;
        output?: OutputMapping[];
      }
    | {
        kind: 'static';
        /** `file:///` URI of the folder, read at run time. */
        location: string;
      }
  );

interface ResourceBaseModel {
  name: string;
  title?: string;
  uri: string;
  description: string;
  mimeType?: string;
}

export interface PromptModel {
  name: string;
  title?: string;
  description: string;
  arguments: Array<{ name: string; title?: string; description: string; required: boolean }>;
  /** Inline messages, or (when absent) the template file at `location`. */
  messages?: Array<{ role: 'user' | 'assistant'; content: string }>;
  location?: string;
}

export interface ToolModel {
  name: string;
  title?: string;
  description: string;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  /** The consumed operation it calls (simple mode); absent when it runs an orchestration. */
  operation?: OperationModel;
  orchestration?: OrchestrationModel;
  with: Record<string, Binding>;
  output?: OutputMapping[];
}

/** A skill adapter: the catalog server (listening as a REST adapter does) and one Agent Skills folder per skill. */
export interface SkillAdapterModel extends Omit<RestModel, 'routes' | 'forwards'> {
  skills: SkillModel[];
}

export interface SkillModel {
  name: string;
  description: string;
  license?: string;
  compatibility?: string;
  metadata?: Record<string, string>;
  /** As declared (the catalog serves it so). */
  allowedTools?: string;
  /** For SKILL.md: each declared name of a derived tool replaced by the adapter's operation or tool. */
  resolvedAllowedTools: string[];
  argumentHint?: string;
  userInvocable?: boolean;
  disableModelInvocation?: boolean;
  location?: string;
  tools: SkillToolModel[];
  /** Instruction files read from a location inside the project, copied beside SKILL.md. */
  files: Array<{ path: string; contents: string }>;
}

export type SkillToolModel =
  | {
      kind: 'derived';
      name: string;
      description: string;
      namespace: string;
      action: string;
      mode: 'rest' | 'mcp';
      /** What the generated adapter serves for it; absent when that adapter is not generated. */
      route?: { method: string; path: string };
      tool?: string;
    }
  | { kind: 'instruction'; name: string; description: string; instruction: string };
/**
 * An orchestrated or mock run (an exposed operation, a tool, or an aggregate function shared by its
 * refs): the plan the runtime interprets, and the typed function generated for it.
 */
export interface OrchestrationModel {
  /** For messages: `tool get-voyage-manifest`, `function shipyard.get-voyage-manifest`. */
  label: string;
  description: string;
  /** `runGetVoyageManifest`, exported by orchestrations.ts. */
  runName: string;
  /** `GET_VOYAGE_MANIFEST_PLAN` */
  planName: string;
  inputType: string;
  outputType: string;
  steps: StepModel[];
  /** Absent: the last step's output. */
  result?: ResultShape;
  inputs: InputModel[];
  /** From the declared output parameters, when there are some. */
  outputSchema?: JsonSchema;
  /** True when a step runs a script (then the sandbox is imported). */
  scripts: boolean;
}

/** A step of a plan; call steps name the operation model (emitted as its constant). */
export type StepModel =
  | Exclude<StepPlan, { kind: 'call' }>
  | (Omit<Extract<StepPlan, { kind: 'call' }>, 'call'> & { operation: OperationModel });

/** The control adapter: health, info, metrics and traces endpoints of the capability's process. */
export interface ControlModel {
  port: number;
  address: string;
  portEnv: string;
  addressEnv: string;
  /** `/health/live` and `/health/ready`. */
  health: boolean;
  /** `/status` and `/config`. */
  info: boolean;
  observability: ObservabilityModel;
}

/** `observability` of the control adapter, defaults filled in (as the runtime reads it). */
export type ObservabilityModel = ObservabilitySpec;
