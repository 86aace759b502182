/** The capability document as read from YAML, after its shape has been checked. */
export interface NaftikoDocument {
  naftiko: string;
  info: {
    label: string;
    description: string;
    tags?: string[];
    created?: string;
    modified?: string;
  };
  binds?: NaftikoBinding[];
  capability: {
    binds?: NaftikoBinding[];
    consumes: NaftikoConsumes[];
    exposes?: NaftikoExposes[];
    aggregates?: unknown;
  };
}

export interface NaftikoBinding {
  namespace: string;
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
}

export interface NaftikoConsumes {
  type: 'http';
  namespace: string;
  baseUri: string;
  description?: string;
  authentication?: NaftikoAuthentication;
  inputParameters?: NaftikoConsumedParameter[];
  resources: NaftikoConsumedResource[];
}

export interface NaftikoConsumedResource {
  name: string;
  path: string;
  description?: string;
  inputParameters?: NaftikoConsumedParameter[];
  operations: NaftikoConsumedOperation[];
}

export interface NaftikoConsumedOperation {
  name: string;
  label?: string;
  method: string;
  description?: string;
  inputParameters?: NaftikoConsumedParameter[];
  outputParameters?: Array<{ name: string; type: string; value: string }>;
  outputRawFormat?: string;
}

export interface NaftikoConsumedParameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie' | 'body' | 'environment';
  value?: string;
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
}

export interface NaftikoExposedOperation {
  name?: string;
  label?: string;
  description?: string;
  method: string;
  inputParameters?: NaftikoExposedInput[];
  call?: string;
  with?: Record<string, string | number>;
  outputParameters?: NaftikoOutputParameter[];
  ref?: string;
  steps?: unknown;
}

export interface NaftikoRest {
  type: 'rest';
  namespace: string;
  port: number;
  address?: string;
  description?: string;
  authentication?: NaftikoAuthentication;
  resources: Array<{
    path: string;
    name?: string;
    description?: string;
    inputParameters?: NaftikoExposedInput[];
    operations?: NaftikoExposedOperation[];
    forward?: unknown;
  }>;
}

export interface NaftikoTool {
  name: string;
  label?: string;
  description: string;
  hints?: { readOnly?: boolean; destructive?: boolean; idempotent?: boolean; openWorld?: boolean };
  inputParameters?: NaftikoExposedInput[];
  call?: string;
  with?: Record<string, string | number>;
  outputParameters?: NaftikoOutputParameter[];
  ref?: string;
  steps?: unknown;
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
}

export type NaftikoExposes = NaftikoRest | NaftikoMcp | { type: string; namespace?: string };
