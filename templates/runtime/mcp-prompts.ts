/**
 * MCP prompts of a server: `prompts/list` and `prompts/get`.
 *
 * A prompt is a list of messages (or one file, read at run time as a single `user` message) with
 * `{{argument}}` placeholders. Rendering makes one pass: each placeholder naming an argument the
 * caller gave becomes its value, as literal text (a value holding `{{x}}`, `$&` or backslashes is
 * not expanded again); a placeholder of an argument not given stays as it is. A required argument
 * that is missing, an unknown prompt, or a rendering past the size cap is a JSON-RPC error
 * (-32602). Web-standard: no Node built-in (a prompt file is read through files.ts).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  type GetPromptResult,
  type Prompt,
} from '@modelcontextprotocol/sdk/types.js';

import {
  DEFAULT_MAX_FILE_BYTES,
  FileAccessError,
  fileUriPath,
  readFileAt,
  utf8Text,
} from './files.js';

export interface McpPromptArgumentSpec {
  name: string;
  title?: string;
  description?: string;
  required: boolean;
}

export interface McpPromptMessageSpec {
  role: 'user' | 'assistant';
  content: string;
}

/** A prompt: inline `messages`, or a `location` (`file:///` URI of a template file). */
export interface McpPromptSpec {
  name: string;
  title?: string;
  description?: string;
  arguments: McpPromptArgumentSpec[];
  messages?: McpPromptMessageSpec[];
  location?: string;
}

/** Most characters one `prompts/get` may render (all messages together): 1 Mi. */
export const MAX_RENDERED_PROMPT_CHARS = 1024 * 1024;

const PLACEHOLDER = /\{\{([A-Za-z0-9_*-]+)\}\}/g;

/**
 * One pass over `template`: `{{name}}` becomes the value of `name` when `values` has it as an own
 * property, and stays as written otherwise. Values are inserted literally, never re-expanded.
 */
export function substitute(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (placeholder, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? values[name] : placeholder,
  );
}

interface PreparedPrompts {
  byName: Map<string, McpPromptSpec>;
  listing: Prompt[];
}

const cache = new WeakMap<readonly McpPromptSpec[], PreparedPrompts>();

export function preparePrompts(prompts: readonly McpPromptSpec[]): PreparedPrompts {
  const cached = cache.get(prompts);
  if (cached) return cached;
  const prepared: PreparedPrompts = {
    byName: new Map(prompts.map((p) => [p.name, p])),
    listing: prompts.map((p) => ({
      name: p.name,
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(p.description !== undefined ? { description: p.description } : {}),
      arguments: p.arguments.map((a) => ({
        name: a.name,
        ...(a.title !== undefined ? { title: a.title } : {}),
        ...(a.description !== undefined ? { description: a.description } : {}),
        required: a.required,
      })),
    })),
  };
  cache.set(prompts, prepared);
  return prepared;
}

/** Registers `prompts/list` and `prompts/get` (the server must advertise the `prompts` capability). */
export function registerPromptHandlers(
  server: Server,
  prompts: readonly McpPromptSpec[],
  log: (line: string) => void,
): void {
  const prepared = preparePrompts(prompts);
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: prepared.listing }));
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    getPrompt(prepared, request.params.name, request.params.arguments ?? {}, log),
  );
}

async function getPrompt(
  prepared: PreparedPrompts,
  name: string,
  given: Record<string, string>,
  log: (line: string) => void,
): Promise<GetPromptResult> {
  const prompt = prepared.byName.get(name);
  if (!prompt)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Unknown prompt: ${JSON.stringify(name)}. Available prompts: ${[...prepared.byName.keys()].join(', ')}`,
    );
  const missing = prompt.arguments.filter(
    (a) => a.required && !Object.prototype.hasOwnProperty.call(given, a.name),
  );
  if (missing.length)
    throw new McpError(
      ErrorCode.InvalidParams,
      `Missing required argument${missing.length > 1 ? 's' : ''} of prompt ${prompt.name}: ${missing.map((a) => a.name).join(', ')}`,
    );
  // Only declared arguments are substituted; fromEntries gives own properties only.
  const values = Object.fromEntries(
    prompt.arguments.flatMap((a) =>
      Object.prototype.hasOwnProperty.call(given, a.name) ? [[a.name, given[a.name]]] : [],
    ),
  ) as Record<string, string>;
  const messages = prompt.messages ?? [
    { role: 'user' as const, content: await promptFile(prompt, log) },
  ];
  let total = 0;
  const rendered = messages.map((message) => {
    const text = substitute(message.content, values);
    total += text.length;
    if (total > MAX_RENDERED_PROMPT_CHARS)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Prompt ${prompt.name} would render more than ${MAX_RENDERED_PROMPT_CHARS} characters; pass shorter arguments`,
      );
    return { role: message.role, content: { type: 'text' as const, text } };
  });
  log(`prompt ${prompt.name}: rendered ${rendered.length} message(s)`);
  return {
    ...(prompt.description !== undefined ? { description: prompt.description } : {}),
    messages: rendered,
  };
}

async function promptFile(prompt: McpPromptSpec, log: (line: string) => void): Promise<string> {
  try {
    const text = utf8Text(
      await readFileAt(fileUriPath(prompt.location ?? ''), DEFAULT_MAX_FILE_BYTES),
    );
    if (text === undefined) throw new FileAccessError('the file is not UTF-8 text', 'refused');
    return text;
  } catch (error) {
    const reason = error instanceof FileAccessError ? error.message : 'the file cannot be read';
    log(`prompt ${prompt.name}: ${reason}`);
    throw new McpError(
      ErrorCode.InternalError,
      `The template file of prompt ${prompt.name} cannot be read: ${reason}`,
    );
  }
}
