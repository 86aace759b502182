/**
 * The MCP server, transport-independent: `createMcpServer` builds a low-level SDK `Server` with
 * `tools/list` and `tools/call` handlers. The low-level server is used (not `McpServer.registerTool`)
 * so that the generated JSON Schemas are served exactly as written instead of being round-tripped
 * through zod.
 *
 * Tool arguments are checked with validate.ts, the validator the REST adapter uses (no ajv: it needs
 * `new Function`, and its messages do not name the offending argument as clearly); every problem is
 * reported at once so an agent can fix the whole call in one go. Web-standard: no Node built-in.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import { bytesToBase64, isBinaryBody, passThrough } from './binary.js';
import type {
  BinaryBody,
  Binding,
  InboundAuth,
  Invoke,
  JsonSchema,
  JsonValue,
  OperationSpec,
  OutputMapping,
  Runner,
} from './contract.js';
import { describeFailure } from './mcp-failures.js';
import { registerPromptHandlers, type McpPromptSpec } from './mcp-prompts.js';
import { registerResourceHandlers, type McpResourceSpec } from './mcp-resources.js';
import { authSecrets } from './credentials.js';
import { checkShape } from './limits.js';
import { applyOutput, bindInputs, isIdentityOutput, mappingsUseEnv } from './output.js';
import { secretRedactor } from './redact.js';
import { validateArguments } from './validate.js';

/** One MCP tool: what `tools/list` shows and what `tools/call` does. */
export interface McpToolSpec {
  name: string;
  title?: string;
  description: string;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  /** JSON Schema of the tool arguments; always `type: 'object'`. */
  inputSchema: JsonSchema;
  /** JSON Schema of `structuredContent`; always `type: 'object'` when present. */
  outputSchema?: JsonSchema;
  /** The upstream operation the tool calls (simple mode). */
  call?: OperationSpec;
  /** Upstream parameter name → tool argument (or literal). */
  with?: Record<string, Binding>;
  /** How the upstream response becomes the tool result; absent means the response as-is. */
  output?: OutputMapping[];
  /** Runs the tool instead of `call` (steps, mock outputs, aggregate functions); see orchestrate.ts. */
  run?: Runner;
}

/** One MCP server (an `mcp` exposes block). */
export interface McpServerSpec {
  name: string;
  version: string;
  /** Shown to the agent at initialisation (`client.getInstructions()`). */
  instructions?: string;
  tools: McpToolSpec[];
  /** Resources (mcp-resources.ts); the `resources` capability is advertised only when there are some. */
  resources?: McpResourceSpec[];
  /** Prompts (mcp-prompts.ts); the `prompts` capability is advertised only when there are some. */
  prompts?: McpPromptSpec[];
  /** When set, HTTP callers must authenticate; stdio is never authenticated (the caller spawned us). */
  auth?: InboundAuth;
  /** Browser origins allowed besides http(s)://localhost, 127.0.0.1 and [::1] on any port. */
  allowedOrigins?: string[];
  /**
   * Largest binary answer (a PDF, an image) a tool returns, as an embedded resource (base64);
   * a larger one is a tool error. Default 4 MiB.
   */
  maxBinaryResultBytes?: number;
}

const DEFAULT_MAX_BINARY_RESULT_BYTES = 4 * 1024 * 1024;

let validator: AjvJsonSchemaValidator | undefined;
/** One JSON Schema validator for every server of this process (the SDK's own, built once). */
function sharedValidator(): AjvJsonSchemaValidator {
  validator ??= new AjvJsonSchemaValidator();
  return validator;
}

/** The upstream call (see contract.ts). */
export type { Invoke };

/** Environment variables, e.g. `process.env`. */
export type McpEnv = Record<string, string | undefined>;

/** Receives one human-readable log line (no secrets, no tool arguments). */
export type McpLog = (line: string) => void;

/** Options shared by every entry point. */
export interface McpRuntimeOptions {
  /** Where inbound-auth values and output templates are read from; default `process.env`. */
  env?: McpEnv;
  /** Scrubs secrets from results and log lines; default {@link mcpRedactor} (redaction by value). */
  redact?: (text: string) => string;
  /** Log sink; default: no logging for `createMcpServer`/`createMcpFetchHandler`, stderr for `serve*`. */
  log?: McpLog;
}

/**
 * When a tool's mapped output is not a JSON object (an array, a string, ...), it is returned as
 * `structuredContent: { result: <value> }`, because MCP requires `structuredContent` to be an object.
 * Generated output schemas for such tools describe that wrapper.
 */
export const STRUCTURED_RESULT_KEY = 'result';

/**
 * Builds a low-level MCP `Server` exposing `spec.tools`. Connect it to any transport. In stateless
 * HTTP a new one is built for each request the fast path leaves to the SDK (mcp-dispatch.ts), so
 * everything expensive is prepared once per spec (see `prepare`).
 */
export function createMcpServer(
  spec: McpServerSpec,
  invoke: Invoke,
  options: McpRuntimeOptions = {},
): Server {
  const prepared = prepare(spec);
  const env = options.env ?? defaultEnv();
  const log = options.log ?? noLog;
  const redact = options.redact ?? mcpRedactor(spec, invoke, env);

  const server = new Server(
    { name: spec.name, version: spec.version },
    {
      capabilities: {
        tools: { listChanged: false },
        ...(spec.resources?.length ? { resources: { listChanged: false } } : {}),
        ...(spec.prompts?.length ? { prompts: { listChanged: false } } : {}),
      },
      ...(spec.instructions !== undefined ? { instructions: spec.instructions } : {}),
      // Stateless HTTP builds servers per request; without this the SDK builds a new Ajv each time.
      jsonSchemaValidator: sharedValidator(),
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, (): ListToolsResult => ({
    tools: prepared.listing,
  }));

  server.setRequestHandler(
    CallToolRequestSchema,
    async (request, extra): Promise<CallToolResult> => {
      const name = request.params.name;
      const tool = prepared.tools.get(name);
      if (!tool) {
        // The MCP specification reports unknown tools as a protocol error (-32602), not a tool result.
        throw new McpError(
          ErrorCode.InvalidParams,
          `Unknown tool: ${JSON.stringify(name)}. Available tools: ${[...prepared.tools.keys()].join(', ')}`,
        );
      }
      return toolResult(
        await callTool(tool, request.params.arguments ?? {}, invoke, {
          server: spec,
          signal: extra.signal,
          idempotencyKey: request.params._meta?.[IDEMPOTENCY_KEY_META],
          env,
          log,
          redact,
        }),
      );
    },
  );

  if (spec.resources?.length)
    registerResourceHandlers(server, spec.resources, invoke, { env, log, redact });
  if (spec.prompts?.length) registerPromptHandlers(server, spec.prompts, log);
  return server;
}

/**
 * The `_meta` key of `tools/call` that carries the caller's idempotency key: retrying a call with the
 * same key makes the upstream run it at most once (the upstream must honour `Idempotency-Key`).
 */
export const IDEMPOTENCY_KEY_META = 'idempotencyKey';

/** What an idempotency key may hold (Stripe allows up to 255 characters). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Redaction by value for an MCP server: its inbound credentials (`spec.auth`, from `env`) and the
 * upstream ones `invoke` reports, read when a message is redacted.
 */
export function mcpRedactor(
  spec: McpServerSpec,
  invoke: Invoke,
  env: McpEnv,
): (text: string) => string {
  return secretRedactor(
    () => authSecrets(spec.auth, env),
    () => invoke.secrets?.() ?? [],
  );
}

/** A tool and its argument checker, prepared once per spec. */
export interface PreparedTool {
  spec: McpToolSpec;
  check: (args: unknown) => string[];
  /** Whether output mappings read environment variables (then the result is redacted). */
  outputUsesEnv: boolean;
  /** Whether the result is the upstream body unchanged (no mapping, or `$`). */
  identityOutput: boolean;
}

export interface PreparedServer {
  tools: Map<string, PreparedTool>;
  listing: Tool[];
}

const preparedCache = new WeakMap<McpServerSpec, PreparedServer>();

/** Checks the spec once and precomputes the `tools/list` answer and the argument checkers. */
export function prepare(spec: McpServerSpec): PreparedServer {
  const cached = preparedCache.get(spec);
  if (cached) return cached;

  const tools = new Map<string, PreparedTool>();
  const listing: Tool[] = [];
  for (const tool of spec.tools) {
    if (tools.has(tool.name))
      throw new Error(`MCP server ${spec.name}: duplicate tool name ${tool.name}`);
    if (tool.inputSchema.type !== 'object') {
      throw new Error(`MCP tool ${tool.name}: inputSchema must have type "object"`);
    }
    if (tool.outputSchema && tool.outputSchema.type !== 'object') {
      throw new Error(`MCP tool ${tool.name}: outputSchema must have type "object"`);
    }
    const schema = tool.inputSchema;
    tools.set(tool.name, {
      spec: tool,
      check: (args) => validateArguments(schema, args),
      // A runner's result may hold bound values (output templates): always redacted, never passed on.
      outputUsesEnv: tool.run !== undefined || mappingsUseEnv(tool.output),
      identityOutput: tool.run === undefined && isIdentityOutput(tool.output),
    });
    listing.push({
      name: tool.name,
      ...(tool.title !== undefined ? { title: tool.title } : {}),
      description: tool.description,
      // The generated schemas are plain JSON Schema objects; the SDK type only pins `type: 'object'`.
      inputSchema: tool.inputSchema as Tool['inputSchema'],
      ...(tool.outputSchema
        ? { outputSchema: tool.outputSchema as NonNullable<Tool['outputSchema']> }
        : {}),
      annotations: {
        ...(tool.title !== undefined ? { title: tool.title } : {}),
        readOnlyHint: tool.annotations.readOnlyHint,
        destructiveHint: tool.annotations.destructiveHint,
        idempotentHint: tool.annotations.idempotentHint,
        openWorldHint: tool.annotations.openWorldHint,
      },
    });
  }
  const result = { tools, listing };
  preparedCache.set(spec, result);
  return result;
}

/**
 * What a tool call gives: its text, and whether that is an error or a JSON object (then
 * `structuredContent` too); for a binary answer, a line saying what it is and the embedded resource
 * holding it (no structured content).
 */
export interface ToolAnswer {
  text: string;
  isError: boolean;
  resource?: { uri: string; mimeType: string; blob: string };
}

/** What a tool call needs besides its arguments. */
export interface ToolCallContext {
  /** The server the tool belongs to (its name and limits). */
  server: McpServerSpec;
  signal: AbortSignal | undefined;
  idempotencyKey: unknown;
  env: McpEnv;
  log: McpLog;
  redact: (text: string) => string;
}

/**
 * The MCP result of a tool answer: a text block, and the same JSON as `structuredContent` on success
 * (or the embedded resource of a binary answer).
 */
export function toolResult(answer: ToolAnswer): CallToolResult {
  // MCP: a tool returning structured content SHOULD also return it serialised in a text block.
  // No structuredContent on errors: clients validate it against the tool's outputSchema.
  const text = { type: 'text' as const, text: answer.text };
  if (answer.isError) return { content: [text], isError: true };
  if (answer.resource !== undefined)
    return { content: [text, { type: 'resource', resource: answer.resource }] };
  return { content: [text], structuredContent: JSON.parse(answer.text) as Record<string, unknown> };
}

/**
 * Runs one tool call. Never throws: every failure becomes an `isError` answer an agent can act on.
 * A successful answer's text is a JSON object (the mapped output, or `{result: ...}`).
 */
export async function callTool(
  tool: PreparedTool,
  args: unknown,
  invoke: Invoke,
  ctx: ToolCallContext,
): Promise<ToolAnswer> {
  const { spec } = tool;
  const started = Date.now();

  const tooBig = checkShape(args, 'the arguments');
  const keyIssue =
    ctx.idempotencyKey === undefined ||
    (typeof ctx.idempotencyKey === 'string' && IDEMPOTENCY_KEY.test(ctx.idempotencyKey))
      ? []
      : [`_meta.${IDEMPOTENCY_KEY_META} must be a string of 1 to 255 visible ASCII characters.`];
  const issues = tooBig !== undefined ? [tooBig.message] : [...keyIssue, ...tool.check(args)];
  if (issues.length > 0) {
    ctx.log(
      `tool ${spec.name}: invalid arguments (${issues.length} issue${issues.length === 1 ? '' : 's'})`,
    );
    return failed(
      ctx.redact(
        `Invalid arguments for tool ${spec.name}:\n` +
          issues.map((issue) => `- ${issue}`).join('\n') +
          '\nFix the arguments to match the tool input schema and call the tool again.',
      ),
    );
  }

  try {
    const inputs = args as Record<string, unknown>;
    const invokeContext = {
      signal: ctx.signal,
      idempotencyKey: ctx.idempotencyKey as string | undefined,
    };
    // The one seam for other modes: a tool that runs more than one call brings its runner.
    const response = spec.run
      ? {
          data: await spec.run.run(inputs, invoke, { ...invokeContext, env: ctx.env }),
          status: 200,
        }
      : await invoke(spec.call!, bindInputs(spec.with ?? {}, inputs), invokeContext);
    const data = response.data;
    const log = () =>
      ctx.log(
        `tool ${spec.name}: ok (upstream ${response.status}${response.requestId ? `, ${response.requestId}` : ''}, ` +
          `${Date.now() - started} ms)`,
      );
    if (isBinaryBody(data)) {
      log();
      return binaryAnswer(ctx.server, spec, data);
    }
    let text: string;
    if (tool.identityOutput && response.json !== undefined && isJsonObject(data)) {
      // The upstream's JSON text, as received and parsed (no credential in it): not serialised again.
      text = utf8.decode(response.json);
    } else {
      const mapped = applyOutput(spec.output, data, ctx.env);
      text = JSON.stringify(isJsonObject(mapped) ? mapped : { [STRUCTURED_RESULT_KEY]: mapped });
      if (tool.outputUsesEnv) text = ctx.redact(text);
    }
    log();
    return { text, isError: false };
  } catch (error) {
    const failure = describeFailure(error, spec);
    ctx.log(ctx.redact(`tool ${spec.name}: ${failure.logSummary} (${Date.now() - started} ms)`));
    return failed(ctx.redact(failure.text));
  }
}

function failed(text: string): ToolAnswer {
  return { text, isError: true };
}

/**
 * A binary answer (a PDF, an image) as an embedded resource, base64-encoded, with a line saying what
 * it is; past the server's `maxBinaryResultBytes`, a tool error.
 */
function binaryAnswer(server: McpServerSpec, tool: McpToolSpec, body: BinaryBody): ToolAnswer {
  const { contentType, bytes } = passThrough(body);
  const limit = server.maxBinaryResultBytes ?? DEFAULT_MAX_BINARY_RESULT_BYTES;
  const what = `${contentType}, ${bytes.byteLength} bytes`;
  if (bytes.byteLength > limit)
    return failed(
      `The answer of ${tool.name} (${what}) is larger than the ${limit}-byte limit for tool results (maxBinaryResultBytes).`,
    );
  const uri = `capgen://${encodeURIComponent(server.name)}/tools/${encodeURIComponent(tool.name)}/result`;
  return {
    text: `${what}: the embedded resource ${uri} holds them, base64-encoded.`,
    isError: false,
    resource: { uri, mimeType: contentType, blob: bytesToBase64(bytes) },
  };
}

const utf8 = new TextDecoder();

export function noLog(): void {}

/** `process.env` where there is one (Node, Bun, Deno, Workers with nodejs_compat), else nothing. */
export function defaultEnv(): McpEnv {
  return (globalThis as { process?: { env?: McpEnv } }).process?.env ?? {};
}

export function isJsonObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
