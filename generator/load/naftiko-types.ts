/**
 * A Naftiko document (1.0.0-alpha2 / alpha3) as read from YAML, after its shape has been checked
 * against the schema. Parts capgen does not generate yet (steps, aggregates, forward, mock outputs,
 * control adapters) are typed only as far as the checks read them.
 */
import type { SkillSpec } from '../../templates/runtime/skill-server.js';

export interface NaftikoDocument {
  naftiko: string;
  info?: NaftikoInfo;
  binds?: NaftikoBinding[];
  /** Shared consumes (a document of its own, or next to a capability). */
  consumes?: NaftikoConsumesEntry[];
  capability?: NaftikoCapability;
}

export interface NaftikoInfo {
  label: string;
  description: string;
  tags?: string[];
  created?: string;
  modified?: string;
}

export interface NaftikoCapability {
  binds?: NaftikoBinding[];
  consumes?: NaftikoConsumesEntry[];
  exposes?: NaftikoExposes[];
  aggregates?: NaftikoAggregate[];
}

export interface NaftikoBinding {
  namespace: string;
  description?: string;
  location?: string;
  keys: Record<string, string>;
}

export interface NaftikoAuthentication {
  type: string;
  token?: string;
  key?: string;
  value?: string;
  placement?: 'header' | 'query';
  username?: string;
  password?: string;
  /** oauth2 (inbound only): the authorization server, this resource, and what tokens must carry. */
  authorizationServerUri?: string;
  resource?: string;
  audience?: string;
  scopes?: string[];
  tokenEndpoint?: string;
  tokenValidation?: 'jwks' | 'introspection';
}

export type NaftikoConsumesEntry = NaftikoConsumes | NaftikoImport;

/** A consumes entry of another document: `location` (a file), `import` (its namespace), `as`. */
export interface NaftikoImport {
  location: string;
  import: string;
  as?: string;
  description?: string;
}

export interface NaftikoConsumes {
  type: 'http';
  namespace: string;
  baseUri: string;
  description?: string;
  authentication?: NaftikoAuthentication;
  inputParameters?: NaftikoConsumedParameter[];
  resources?: NaftikoConsumedResource[];
}

export interface NaftikoConsumedResource {
  name: string;
  path: string;
  label?: string;
  description?: string;
  inputParameters?: NaftikoConsumedParameter[];
  operations: NaftikoConsumedOperation[];
}

export type NaftikoRequestBody =
  | string
  | { type: 'json'; data: unknown }
  | { type: 'text' | 'xml' | 'sparql'; data: string }
  | { type: 'formUrlEncoded'; data: string | Record<string, string> }
  | { type: 'multipartForm'; data: unknown[] };

export interface NaftikoConsumedOperation {
  name: string;
  label?: string;
  method: string;
  description?: string;
  inputParameters?: NaftikoConsumedParameter[];
  outputParameters?: Array<{ name: string; type: string; value: string }>;
  outputRawFormat?: string;
  outputSchema?: string;
  body?: NaftikoRequestBody;
}

export interface NaftikoConsumedParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie' | 'body' | 'environment';
  value?: string;
  /** Not in the schema; our dialect (schema/deviation). */
  type?: string;
  description?: string;
  required?: boolean;
}

export interface NaftikoOutputParameter {
  name?: string;
  type: string;
  mapping?: unknown;
  value?: unknown;
  properties?: Record<string, NaftikoOutputParameter>;
  items?: NaftikoOutputParameter;
}

export interface NaftikoExposedInput {
  name: string;
  in?: string;
  type: string;
  description?: string;
  required?: boolean;
  /** A default value, or (`in: body`) a JSONPath selecting it from the request body. */
  value?: string;
}

/** What an exposed operation, tool or aggregate function runs. */
export interface NaftikoInvocation {
  call?: string;
  with?: Record<string, string | number>;
  outputParameters?: NaftikoOutputParameter[];
  ref?: string;
  steps?: unknown[];
  mappings?: unknown[];
}

export interface NaftikoExposedOperation extends NaftikoInvocation {
  name?: string;
  label?: string;
  description?: string;
  method: string;
  inputParameters?: NaftikoExposedInput[];
}

export interface NaftikoExposedResource {
  path: string;
  name?: string;
  label?: string;
  description?: string;
  inputParameters?: NaftikoExposedInput[];
  operations?: NaftikoExposedOperation[];
  forward?: { targetNamespace: string; trustedHeaders?: string[] };
}

export interface NaftikoRest {
  type: 'rest';
  namespace: string;
  port: number;
  address?: string;
  /** Not in the schema; our dialect (schema/deviation). */
  description?: string;
  authentication?: NaftikoAuthentication;
  resources?: NaftikoExposedResource[];
}

export interface NaftikoTool extends NaftikoInvocation {
  name?: string;
  label?: string;
  description?: string;
  hints?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
  inputParameters?: NaftikoExposedInput[];
}

export interface NaftikoMcp {
  type: 'mcp';
  namespace: string;
  port?: number;
  address?: string;
  transport?: 'http' | 'stdio';
  description?: string;
  authentication?: NaftikoAuthentication;
  tools: NaftikoTool[];
  resources?: NaftikoMcpResource[];
  prompts?: NaftikoMcpPrompt[];
}

/** An MCP resource: dynamic (`call` or `steps`) or static (`location`, a folder). */
export interface NaftikoMcpResource extends NaftikoInvocation {
  name: string;
  label?: string;
  uri: string;
  description?: string;
  mimeType?: string;
  location?: string;
}

/** An MCP prompt: inline `template` messages, or a file (`location`). */
export interface NaftikoMcpPrompt {
  name: string;
  label?: string;
  description?: string;
  arguments?: Array<{ name: string; label?: string; description?: string; required?: boolean }>;
  template?: Array<{ role: 'user' | 'assistant'; content: string }>;
  location?: string;
}

/** A skill adapter: a catalog of skills whose tools come from sibling adapters or instruction files. */
export interface NaftikoSkillAdapter {
  type: 'skill';
  namespace: string;
  port: number;
  address?: string;
  description?: string;
  authentication?: NaftikoAuthentication;
  skills: NaftikoSkill[];
}

/** A skill as declared: the catalog's SkillSpec, its tools not yet resolved to an adapter. */
export interface NaftikoSkill extends Omit<SkillSpec, 'tools'> {
  tools?: NaftikoSkillTool[];
}

export interface NaftikoSkillTool {
  name: string;
  description: string;
  from?: { sourceNamespace: string; action: string };
  instruction?: string;
}

export interface NaftikoAggregate {
  label: string;
  namespace: string;
  functions: NaftikoFunction[];
}

/** A reusable function of an aggregate, referenced by tools and operations with `ref`. */
export interface NaftikoFunction extends NaftikoInvocation {
  name: string;
  description: string;
  semantics?: { safe?: boolean; idempotent?: boolean; cacheable?: boolean };
  inputParameters?: NaftikoExposedInput[];
}

export type NaftikoExposes =
  | NaftikoRest
  | NaftikoMcp
  | NaftikoSkillAdapter
  | NaftikoControl;

/** The control adapter (`type: control`): engine-provided management endpoints, observability. */
export interface NaftikoControl {
  type: 'control';
  namespace?: string;
  address?: string;
  port?: number;
  authentication?: unknown;
  management?: {
    health?: boolean;
    info?: boolean;
    reload?: boolean;
    validate?: boolean;
    logs?: unknown;
    scripting?: unknown;
  };
  observability?: {
    enabled?: boolean;
    metrics?: { local?: { enabled?: boolean } };
    traces?: {
      sampling?: number;
      propagation?: string;
      local?: { enabled?: boolean; 'buffer-size'?: number };
    };
    exporters?: { otlp?: { endpoint?: string } };
  };
}
