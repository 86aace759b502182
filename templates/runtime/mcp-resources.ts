/**
 * MCP resources of a server: `resources/list`, `resources/templates/list` and `resources/read`.
 *
 * - A dynamic resource calls one upstream operation (`call`, `with`, output mappings, as a tool
 *   does). A URI with `{param}` placeholders is a resource template: `resources/read` of a URI it
 *   matches (each placeholder takes one path segment, percent-decoded) passes the values as
 *   inputs. The content is the mapped output as JSON, or the whole upstream answer when the
 *   mapping finds nothing; the media type is the declared one, else `application/json`.
 * - A static resource serves the files of a folder (`location`, read at run time through
 *   files.ts): `<uri>/<relative path>` for each file, listed by `resources/list`. A URI whose path
 *   holds `.` or `..` (raw or percent-encoded), a backslash, a dot file, a link or anything outside
 *   `[A-Za-z0-9._-]` is refused, as is a file over the size cap.
 *
 * Failures are JSON-RPC errors (-32002 for an unknown URI, -32602 for a refused one, -32603 for an
 * upstream failure), their text redacted. Everything is prepared once per spec; registering the
 * handlers on a per-request server costs three closures. Web-standard: no Node built-in.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ListResourcesResult,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';

import type { Binding, Invoke, JsonValue, OperationSpec, OutputMapping } from './contract.js';
import { bytesToBase64, isBinaryBody, passThrough } from './binary.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  FileAccessError,
  fileUriPath,
  isSafeSegment,
  isTextType,
  listFiles,
  mimeTypeOf,
  readUnder,
  utf8Text,
} from './files.js';
import { describeFailure } from './mcp-failures.js';
import { applyOutput, bindInputs, mappingsUseEnv } from './output.js';

interface ResourceBase {
  name: string;
  title?: string;
  /** The URI, a `{param}` template, or (static) the prefix of the files' URIs. */
  uri: string;
  description?: string;
  mimeType?: string;
}

/** A resource backed by one upstream operation. */
export interface McpDynamicResourceSpec extends ResourceBase {
  call: OperationSpec;
  /** Upstream parameter name → URI placeholder (an input) or literal. */
  with: Record<string, Binding>;
  output?: OutputMapping[];
}

/** A resource serving the files of a folder. */
export interface McpStaticResourceSpec extends ResourceBase {
  /** `file:///` URI of the folder. */
  location: string;
}

export type McpResourceSpec = McpDynamicResourceSpec | McpStaticResourceSpec;

/** JSON-RPC error code the MCP specification gives an unknown resource. */
export const RESOURCE_NOT_FOUND = -32002;

/** Longest URI `resources/read` accepts. */
export const MAX_RESOURCE_URI_LENGTH = 4096;

export interface ResourceContext {
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  redact: (text: string) => string;
}

interface PreparedResource {
  spec: McpResourceSpec;
  /** Dynamic templates: matches a concrete URI, giving each placeholder's raw value. */
  pattern?: { regex: RegExp; names: string[] };
  outputUsesEnv: boolean;
}

interface PreparedResources {
  resources: PreparedResource[];
  /** Concrete dynamic resources, as `resources/list` shows them. */
  concrete: Resource[];
  templates: ResourceTemplate[];
}

const PLACEHOLDER = /\{([A-Za-z0-9_-]+)\}/g;

/**
 * The placeholders of a URI template and a matcher for concrete URIs: each `{name}` takes one
 * non-empty path segment (no `/`); everything else must match exactly. Undefined for a plain URI.
 */
export function compileUriTemplate(uri: string): { regex: RegExp; names: string[] } | undefined {
  const names: string[] = [];
  let source = '';
  let last = 0;
  for (const match of uri.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(uri.slice(last, match.index)) + '([^/]+)';
    names.push(match[1]);
    last = match.index + match[0].length;
  }
  if (!names.length) return undefined;
  return { regex: new RegExp(`^${source}${escapeRegExp(uri.slice(last))}$`), names };
}

/** The values a concrete URI gives a template's placeholders (raw), {} for an exact plain match, else undefined. */
export function matchUriTemplate(
  template: string,
  uri: string,
): Record<string, string> | undefined {
  const compiled = compileUriTemplate(template);
  if (!compiled) return template === uri ? {} : undefined;
  return matchCompiled(compiled, uri);
}

function matchCompiled(
  compiled: { regex: RegExp; names: string[] },
  uri: string,
): Record<string, string> | undefined {
  const match = compiled.regex.exec(uri);
  if (!match) return undefined;
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  compiled.names.forEach((name, i) => (values[name] = match[i + 1]));
  return values;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isStatic = (spec: McpResourceSpec): spec is McpStaticResourceSpec => 'location' in spec;

const cache = new WeakMap<readonly McpResourceSpec[], PreparedResources>();

export function prepareResources(resources: readonly McpResourceSpec[]): PreparedResources {
  const cached = cache.get(resources);
  if (cached) return cached;
  const prepared: PreparedResources = { resources: [], concrete: [], templates: [] };
  for (const spec of resources) {
    const pattern = isStatic(spec) ? undefined : compileUriTemplate(spec.uri);
    prepared.resources.push({
      spec,
      pattern,
      outputUsesEnv: !isStatic(spec) && mappingsUseEnv(spec.output),
    });
    if (isStatic(spec)) continue;
    const entry = {
      name: spec.name,
      ...(spec.title !== undefined ? { title: spec.title } : {}),
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      mimeType: spec.mimeType ?? 'application/json',
    };
    if (pattern) prepared.templates.push({ uriTemplate: spec.uri, ...entry });
    else prepared.concrete.push({ uri: spec.uri, ...entry });
  }
  cache.set(resources, prepared);
  return prepared;
}

/** Registers the three resource handlers (the server must advertise the `resources` capability). */
export function registerResourceHandlers(
  server: Server,
  resources: readonly McpResourceSpec[],
  invoke: Invoke,
  ctx: ResourceContext,
): void {
  const prepared = prepareResources(resources);
  server.setRequestHandler(ListResourcesRequestSchema, () => listResources(prepared, ctx));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: prepared.templates,
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) =>
    readResource(prepared, request.params.uri, invoke, ctx, extra.signal),
  );
}

async function listResources(
  prepared: PreparedResources,
  ctx: ResourceContext,
): Promise<ListResourcesResult> {
  const listed: Resource[] = [...prepared.concrete];
  for (const { spec } of prepared.resources) {
    if (!isStatic(spec)) continue;
    try {
      const { files, truncated } = await listFiles(fileUriPath(spec.location));
      if (truncated) ctx.log(`resources/list: ${spec.name} lists only part of its folder (limits)`);
      for (const file of files)
        listed.push({
          uri: `${spec.uri}/${file.path}`,
          name: spec.name,
          ...(spec.title !== undefined ? { title: spec.title } : {}),
          ...(spec.description !== undefined ? { description: spec.description } : {}),
          mimeType: spec.mimeType ?? mimeTypeOf(file.path) ?? 'application/octet-stream',
        });
    } catch (error) {
      ctx.log(`resources/list: the folder of ${spec.name} cannot be listed (${reasonOf(error)})`);
    }
  }
  return { resources: listed };
}

async function readResource(
  prepared: PreparedResources,
  uri: string,
  invoke: Invoke,
  ctx: ResourceContext,
  signal: AbortSignal,
): Promise<ReadResourceResult> {
  if (uri.length > MAX_RESOURCE_URI_LENGTH)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Resource URI too long: more than ${MAX_RESOURCE_URI_LENGTH} characters`,
    );
  for (const resource of prepared.resources) {
    const { spec } = resource;
    if (isStatic(spec)) {
      if (uri === spec.uri || uri.startsWith(`${spec.uri}/`)) return readStatic(spec, uri, ctx);
      continue;
    }
    const raw = resource.pattern
      ? matchCompiled(resource.pattern, uri)
      : uri === spec.uri
        ? {}
        : undefined;
    if (raw) return readDynamic(resource, spec, uri, decodeValues(raw, uri), invoke, ctx, signal);
  }
  throw new McpError(RESOURCE_NOT_FOUND, `Unknown resource URI: ${uri}`, { uri });
}

/** Placeholder values percent-decoded; `.`, `..` and malformed encodings are refused. */
function decodeValues(raw: Record<string, string>, uri: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const value = decodeSegment(raw[name], uri);
    if (value === '.' || value === '..' || value === '') traversal(uri);
    values[name] = value;
  }
  return values;
}

function decodeSegment(segment: string, uri: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Malformed percent-encoding in resource URI: ${uri}`,
    );
  }
}

function traversal(uri: string): never {
  throw new McpError(ErrorCode.InvalidParams, `Path traversal detected for resource URI: ${uri}`);
}

async function readDynamic(
  resource: PreparedResource,
  spec: McpDynamicResourceSpec,
  uri: string,
  inputs: Record<string, string>,
  invoke: Invoke,
  ctx: ResourceContext,
  signal: AbortSignal,
): Promise<ReadResourceResult> {
  const started = Date.now();
  try {
    const response = await invoke(spec.call, bindInputs(spec.with, inputs), { signal });
    if (isBinaryBody(response.data)) {
      // Bytes (a PDF, an image) are the resource as they came, base64-encoded, typed by the
      // resource's mimeType or else the upstream's; no output mapping applies to them.
      const { contentType, bytes } = passThrough(response.data);
      ctx.log(
        `resource ${spec.name}: ok (upstream ${response.status}, ${Date.now() - started} ms)`,
      );
      return {
        contents: [{ uri, mimeType: spec.mimeType ?? contentType, blob: bytesToBase64(bytes) }],
      };
    }
    const mapped: JsonValue = applyOutput(spec.output, response.data, ctx.env);
    let text = JSON.stringify(mapped ?? response.data) ?? 'null';
    if (resource.outputUsesEnv) text = ctx.redact(text);
    ctx.log(`resource ${spec.name}: ok (upstream ${response.status}, ${Date.now() - started} ms)`);
    return { contents: [{ uri, mimeType: spec.mimeType ?? 'application/json', text }] };
  } catch (error) {
    const failure = describeFailure(error, spec, `resource ${spec.name}`);
    ctx.log(
      ctx.redact(`resource ${spec.name}: ${failure.logSummary} (${Date.now() - started} ms)`),
    );
    throw new McpError(ErrorCode.InternalError, ctx.redact(failure.text));
  }
}

async function readStatic(
  spec: McpStaticResourceSpec,
  uri: string,
  ctx: ResourceContext,
): Promise<ReadResourceResult> {
  if (uri === spec.uri)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Resource URI resolves to a directory, not a file: ${uri}`,
    );
  const segments = uri.slice(spec.uri.length + 1).split('/');
  const decoded = segments.map((s) => decodeSegment(s, uri));
  if ([...segments, ...decoded].some((s) => s === '.' || s === '..' || /[\\/\0]/.test(s)))
    traversal(uri);
  const unsafe = decoded.find((s) => !isSafeSegment(s));
  if (unsafe !== undefined)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid path segment in resource URI: ${JSON.stringify(unsafe)} (letters, digits, '.', '_' and '-' only; no dot files)`,
    );
  let bytes: Uint8Array;
  try {
    bytes = await readUnder(fileUriPath(spec.location), decoded, DEFAULT_MAX_FILE_BYTES);
  } catch (error) {
    const reason = reasonOf(error);
    ctx.log(`resource ${spec.name}: ${reason}`);
    if (error instanceof FileAccessError && error.reason === 'not-found')
      throw new McpError(RESOURCE_NOT_FOUND, `Unknown resource URI: ${uri} (${reason})`, { uri });
    throw new McpError(ErrorCode.InvalidParams, `Resource ${uri} cannot be read: ${reason}`);
  }
  const name = decoded[decoded.length - 1];
  const mimeType = spec.mimeType ?? mimeTypeOf(name) ?? 'application/octet-stream';
  const text = isTextType(mimeType) ? utf8Text(bytes) : undefined;
  return {
    contents: [
      text !== undefined ? { uri, mimeType, text } : { uri, mimeType, blob: bytesToBase64(bytes) },
    ],
  };
}

function reasonOf(error: unknown): string {
  return error instanceof FileAccessError ? error.message : 'the file cannot be read';
}
