/**
 * What an agent is told when a tool call fails upstream. Errors are classified by shape (`name`,
 * `status`, ...), so that the runtime's `ApiError`, `ApiConnectionError`, `ApiTimeoutError` and
 * `MissingCredentialsError` are recognised without importing them.
 */
import type { JsonValue } from './contract.js';
import type { McpToolSpec } from './mcp-server.js';
import { refusalReason } from './errors.js';

export interface Failure {
  /** What the agent sees. */
  text: string;
  /** Short form for the log. */
  logSummary: string;
}

/**
 * Explains a thrown error. Errors are classified by shape, so that the runtime's `ApiError`,
 * `ApiConnectionError`, `ApiTimeoutError` and `MissingCredentialsError` are recognised without importing
 * them. The upstream error body (`raw`) is deliberately never included.
 */
export function describeFailure(
  error: unknown,
  tool: Pick<McpToolSpec, 'name' | 'call'>,
  subject = `tool ${tool.name}`,
): Failure {
  const err = isRecord(error) ? error : {};
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? err.message : String(error);
  const operation = tool.call ? `${tool.call.method} ${tool.call.path}` : 'a step';

  if (name === 'ApiError' || (typeof err.status === 'number' && ('type' in err || 'code' in err))) {
    const status = typeof err.status === 'number' ? err.status : undefined;
    const details: Record<string, JsonValue> = {};
    if (status !== undefined) details.status = status;
    for (const key of ['type', 'code', 'param', 'declineCode', 'docUrl', 'requestId'] as const) {
      const value = err[key];
      if (typeof value === 'string' && value !== '') details[key] = value;
    }
    details.message = message;
    const retryable = status === 429 || (status !== undefined && status >= 500);
    details.retryable = retryable;
    return {
      text:
        `The upstream API rejected ${operation} (${subject}) with HTTP ${status ?? 'error'}: ${message}\n` +
        `${apiErrorHint(status, details.param)}\n` +
        JSON.stringify({ error: details }),
      logSummary:
        `upstream error HTTP ${status ?? '?'}` +
        `${details.type ? ` ${String(details.type)}` : ''}${details.code ? `/${String(details.code)}` : ''}` +
        `${details.requestId ? ` (${String(details.requestId)})` : ''}`,
    };
  }

  // Connection-level messages name the upstream's address, which is the server's business: the
  // agent is told what happened and the error code, not where.
  if (name === 'ApiTimeoutError' || name === 'TimeoutError') {
    return {
      text:
        `The upstream API did not answer ${operation} (${subject}) in time.\n` +
        'This may be temporary; retry later. If the tool is not idempotent, check first whether the ' +
        'previous attempt took effect.',
      logSummary: 'upstream timeout',
    };
  }

  if (name === 'InvalidResponseError') {
    const what = refusalReason(err.limit, err.reason);
    return {
      text:
        `The upstream API's answer to ${operation} (${subject}) was refused: ${what}.\n` +
        'Retrying the same call will not help; narrow the request (fewer items, fewer expansions) if you can.',
      logSummary: `upstream answer refused (${what})`,
    };
  }

  if (name === 'ApiConnectionError') {
    const code = errorCode(message);
    return {
      text:
        `Could not connect to the upstream API for ${operation} (${subject})${code ? ` (${code})` : ''}.\n` +
        'The service may be down or unreachable from this server; retry later.',
      logSummary: `upstream connection failed${code ? ` (${code})` : ''}`,
    };
  }

  if (name === 'RangeError') {
    // JSON.stringify of an upstream answer nested beyond the stack's reach.
    return {
      text: `The upstream API's answer to ${operation} (${subject}) could not be returned: it is nested too deeply.`,
      logSummary: 'upstream answer nested too deeply',
    };
  }

  if (name === 'MissingCredentialsError') {
    const variables = collectVariableNames(err);
    return {
      text:
        `The MCP server is not configured to call the upstream API: ${message}` +
        (variables.some((variable) => !message.includes(variable))
          ? `\nSet the environment variable(s) ${variables.join(', ')} and restart the server.`
          : '') +
        '\nThis is a server configuration problem; changing the tool arguments will not help.',
      logSummary: `missing upstream credentials${variables.length > 0 ? ` (${variables.join(', ')})` : ''}`,
    };
  }

  if (name === 'OrchestrationError') {
    return {
      text: `Tool ${tool.name} could not complete: ${message}`,
      logSummary: `orchestration failed${typeof err.step === 'string' ? ` (step ${err.step})` : ''}`,
    };
  }

  if (name === 'ParameterError') {
    return {
      text:
        `The arguments for ${subject} cannot form an upstream request: ${message}\n` +
        'Fix the arguments and call the tool again.',
      logSummary: `parameter error${typeof err.param === 'string' ? ` (${err.param})` : ''}`,
    };
  }

  if (name === 'AbortError') {
    return { text: `The call to ${subject} was cancelled.`, logSummary: 'cancelled' };
  }

  return {
    text: `${subject.charAt(0).toUpperCase()}${subject.slice(1)} failed inside the MCP server: ${name ? `${name}: ` : ''}${message}`,
    logSummary: `internal error ${name ? `${name}: ` : ''}${message}`,
  };
}

function apiErrorHint(status: number | undefined, param: JsonValue | undefined): string {
  if (status === 401 || status === 403) {
    return "The server's upstream credentials were refused; this is a server configuration problem, not an argument problem.";
  }
  if (status === 402) {
    return 'The request was valid but could not be completed (for example a declined payment); retrying the same call will not help.';
  }
  if (status === 404)
    return 'The requested object does not exist; check the identifiers you passed.';
  if (status === 409)
    return 'The request conflicts with the current state of the object; re-read it and retry.';
  if (status === 429) return 'Rate limited by the upstream API; wait a little and retry.';
  if (status !== undefined && status >= 500) return 'The upstream API failed; retry later.';
  if (typeof param === 'string')
    return `Check the argument behind upstream parameter "${param}" and call the tool again.`;
  return 'Check the arguments and call the tool again.';
}

/** Environment variable names carried by a MissingCredentialsError-like object, whatever the field name. */
function collectVariableNames(err: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const key of ['envVar', 'envVars', 'variable', 'variables', 'env', 'missing']) {
    const value = err[key];
    if (typeof value === 'string') names.push(value);
    else if (Array.isArray(value))
      for (const item of value) if (typeof item === 'string') names.push(item);
  }
  return [...new Set(names)];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A system error code named in a message (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...), if any. */
function errorCode(message: string): string | undefined {
  return /\b(E[A-Z]{3,}|UND_ERR_[A-Z_]+)\b/.exec(message)?.[1];
}
