/**
 * The orchestration interpreter: runs an exposed operation, MCP tool or aggregate function that is
 * more than one upstream call. Generated code describes each one as plain data (an
 * {@link OrchestrationPlan}: its steps and how the result is built, every name and reference decided
 * at generation time) and wraps it with {@link orchestration}, which gives both a typed function
 * (`runGetVoyageManifest(input, client)`) and the {@link Runner} the REST adapter and the MCP server
 * execute. Web-standard: no Node built-in; scripts run only through the injected `script` hook.
 *
 * - `call` steps bind their `with` values (literals, inputs, previous steps' outputs, Mustache
 *   templates) and run one consumed operation through `invoke`; the step's output is the response,
 *   projected through the consumed operation's named output parameters when it declares some.
 * - `lookup` steps find, in a previous step's list output, the entries whose `match` field equals the
 *   looked-up value (or each of the looked-up values) and keep the listed fields.
 * - `script` steps run a sandboxed script (see script.ts) on the previous outputs.
 * - the result: step outputs mapped into a new object (`mappings`, dot paths nest), output values
 *   over the inputs (mock mode), or the last step's output.
 *
 * Templates are rendered in one pass: a substituted value is never read as a template again.
 * Failures are {@link OrchestrationError}s naming the step; upstream errors pass through unchanged.
 */
import type {
  Invoke,
  JsonValue,
  OperationSpec,
  RunContext,
  Runner,
  ValueTemplate,
} from './contract.js';
import { isBinaryBody, passThrough } from './binary.js';
import { resolveValueTemplate } from './credentials.js';
import { evaluatePath } from './output.js';

export type { Runner, RunContext };

/** A value a step, a lookup or the result reads. */
export type PlanValue =
  | { literal: JsonValue }
  /** An input of the exposed operation, tool or function. */
  | { input: string }
  /** A previous step's output, or part of it (`path` is a JSONPath relative to that output). */
  | { step: string; path: string }
  /** A Mustache template: literal text, inputs, step outputs, bound variables. */
  | { template: PlanTemplatePart[] };

export type PlanTemplatePart =
  ValueTemplate[number] | { input: string } | { step: string; path: string; ref: string };

/** Where a script comes from and what it may use (see script.ts). */
export interface ScriptSpec {
  language: 'javascript';
  /** `file:///` folder of the scripts. */
  location: string;
  file: string;
  dependencies: string[];
  /** CPU time the script may take, in milliseconds. */
  timeoutMs: number;
  /** Memory the script's sandbox may allocate, in bytes. */
  memoryBytes: number;
}

export type StepPlan =
  | {
      kind: 'call';
      name: string;
      call: OperationSpec;
      with: Record<string, PlanValue>;
      /** The consumed operation's named output parameters: name → JSONPath over the response. */
      outputs?: Record<string, string>;
    }
  | {
      kind: 'lookup';
      name: string;
      /** The step whose output (a list) is searched. */
      index: string;
      match: string;
      value: PlanValue;
      fields: string[];
    }
  | { kind: 'script'; name: string; script: ScriptSpec; with: Record<string, PlanValue> };

/** How the result is built: a leaf value, or an object of named parts. */
export type ResultShape = { value: PlanValue } | { properties: Record<string, ResultShape> };

export interface OrchestrationPlan {
  /** The exposed operation, tool or function, for messages: `tool get-voyage-manifest`. */
  label: string;
  steps: StepPlan[];
  /** Absent: the last step's output. */
  result?: ResultShape;
}

/** Runs a script step: `context` holds the previous outputs and the step's `with` values. */
export type ScriptHook = (
  script: ScriptSpec,
  context: Record<string, JsonValue>,
  signal: AbortSignal | undefined,
) => Promise<JsonValue>;

/** A typed orchestration: call it with its input and a client (or anything with `invoke`). */
export interface Orchestration<I, O> extends Runner {
  (input: I, client: { readonly invoke: Invoke }, options?: RunContext): Promise<O>;
  readonly plan: OrchestrationPlan;
}

/** An orchestration failed: an unresolved reference, a missing index, a failed script. */
export class OrchestrationError extends Error {
  override name = 'OrchestrationError';
  /** What a REST adapter answers: 502 when the upstream data does not fit, 500 for a failed script. */
  readonly httpStatus: number;
  readonly step?: string;
  constructor(
    message: string,
    options: { httpStatus?: number; step?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.httpStatus = options.httpStatus ?? 502;
    this.step = options.step;
  }
}

/** Wraps a plan: `script` runs script steps (only plans with scripts need it). */
export function orchestration<I, O>(
  plan: OrchestrationPlan,
  hooks: { script?: ScriptHook } = {},
): Orchestration<I, O> {
  const run = (inputs: Record<string, unknown>, invoke: Invoke, context: RunContext = {}) =>
    execute(plan, inputs, invoke, context, hooks.script);
  const typed = (input: I, client: { readonly invoke: Invoke }, options: RunContext = {}) =>
    run((input ?? {}) as Record<string, unknown>, client.invoke, options) as Promise<O>;
  return Object.assign(typed, { plan, run });
}

/** Runs the plan's steps in order, then builds its result. */
export async function execute(
  plan: OrchestrationPlan,
  inputs: Record<string, unknown>,
  invoke: Invoke,
  context: RunContext,
  script?: ScriptHook,
): Promise<JsonValue> {
  const env = context.env ?? processEnv();
  const outputs = new Map<string, JsonValue>();
  const scope: Scope = { inputs, outputs, env, label: plan.label };
  let last: JsonValue = null;
  let calls = 0;
  for (const step of plan.steps) {
    if (context.signal?.aborted) throw context.signal.reason;
    scope.step = step.name;
    if (step.kind === 'call') {
      const params: Record<string, unknown> = {};
      for (const name of Object.keys(step.with)) {
        const value = resolve(step.with[name], scope);
        if (value !== undefined) define(params, name, value);
      }
      const result = await invoke(step.call, params, {
        signal: context.signal,
        idempotencyKey: stepKey(context.idempotencyKey, calls++),
      });
      if (isBinaryBody(result.data))
        throw fail(
          scope,
          `the upstream answered with bytes (${passThrough(result.data).contentType}), which steps cannot read`,
        );
      last = project(result.data, step.outputs);
    } else if (step.kind === 'lookup') {
      last = lookup(step, scope);
    } else {
      if (!script)
        throw fail(scope, `script steps cannot run here: no script runner was given`, 500);
      const ctx: Record<string, JsonValue> = {};
      for (const [name, value] of outputs) define(ctx, name, value);
      for (const name of Object.keys(step.with)) {
        const value = resolve(step.with[name], scope);
        if (value !== undefined) define(ctx, name, value as JsonValue);
      }
      try {
        last = await script(step.script, ctx, context.signal);
      } catch (error) {
        if (error instanceof OrchestrationError) throw error;
        throw fail(scope, `script ${step.script.file} failed: ${message(error)}`, 500, error);
      }
    }
    outputs.set(step.name, last);
  }
  scope.step = undefined;
  return plan.result === undefined ? last : build(plan.result, scope);
}

interface Scope {
  inputs: Record<string, unknown>;
  outputs: Map<string, JsonValue>;
  env: Record<string, string | undefined>;
  label: string;
  /** The step running, for messages; undefined while the result is built. */
  step?: string;
}

function fail(scope: Scope, text: string, status?: number, cause?: unknown): OrchestrationError {
  const where =
    scope.step === undefined
      ? `the result of ${scope.label}`
      : `step '${scope.step}' of ${scope.label}`;
  return new OrchestrationError(`${where}: ${text}`, {
    httpStatus: status,
    step: scope.step,
    cause,
  });
}

/** A value for a step; undefined when it names nothing (an input not given, a missing field). */
function resolve(value: PlanValue, scope: Scope): unknown {
  if ('literal' in value) return value.literal;
  if ('input' in value) return scope.inputs[value.input];
  if ('step' in value) {
    const selected = evaluatePath(value.path, stepOutput(value.step, scope));
    return selected === null ? undefined : selected;
  }
  return render(value.template, scope);
}

function stepOutput(name: string, scope: Scope): JsonValue {
  if (!scope.outputs.has(name))
    throw fail(scope, `refers to step '${name}', which has not run before it`);
  return scope.outputs.get(name)!;
}

/** Renders a template in one pass. A step reference that finds nothing is an error. */
function render(parts: PlanTemplatePart[], scope: Scope): string {
  let out = '';
  for (const part of parts) {
    if ('step' in part) {
      const selected = evaluatePath(part.path, stepOutput(part.step, scope));
      if (selected === null)
        throw fail(
          scope,
          `unresolved reference {{${part.ref}}}: step '${part.step}' has no such value`,
        );
      out += text(selected);
    } else if ('input' in part) {
      out += text(scope.inputs[part.input]);
    } else if ('param' in part) {
      out += text(scope.inputs[part.param]);
    } else {
      out += resolveValueTemplate([part], scope.env).value;
    }
  }
  return out;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * A call step's output: the response, or (when the consumed operation names output parameters) an
 * object of those values; a list response keeps its elements, each given the named values.
 */
export function project(data: JsonValue, outputs: Record<string, string> | undefined): JsonValue {
  if (outputs === undefined) return data;
  const names = Object.keys(outputs);
  if (Array.isArray(data))
    return data.map((element) => {
      const out: { [key: string]: JsonValue } = isObject(element) ? { ...element } : {};
      for (const name of names) define(out, name, evaluatePath(outputs[name], element));
      return out;
    });
  const out: { [key: string]: JsonValue } = {};
  for (const name of names) define(out, name, evaluatePath(outputs[name], data));
  return out;
}

function lookup(step: Extract<StepPlan, { kind: 'lookup' }>, scope: Scope): JsonValue {
  const table = stepOutput(step.index, scope);
  if (!Array.isArray(table))
    throw fail(scope, `index step '${step.index}' did not return a list (got ${kindOf(table)})`);
  const wanted = resolve(step.value, scope);
  if (wanted === undefined || wanted === null) throw fail(scope, 'the value to look up is missing');
  // One pass over the table: its entries by the text of their match field, first one wins.
  const byKey = new Map<string, { [key: string]: JsonValue }>();
  for (const entry of table) {
    if (!isObject(entry) || !Object.prototype.hasOwnProperty.call(entry, step.match)) continue;
    const key = keyOf(entry[step.match]);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, entry);
  }
  const pick = (value: unknown): JsonValue => {
    const key = keyOf(value);
    const entry = key === undefined ? undefined : byKey.get(key);
    if (entry === undefined) return null;
    const out: { [key: string]: JsonValue } = {};
    for (const field of step.fields)
      define(out, field, Object.prototype.hasOwnProperty.call(entry, field) ? entry[field] : null);
    return out;
  };
  return Array.isArray(wanted) ? wanted.map(pick) : pick(wanted);
}

/** Scalars compare by their text (`42` matches `"42"`); objects and lists never match. */
function keyOf(value: unknown): string | undefined {
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `s${String(value)}`;
  return undefined;
}

function build(shape: ResultShape, scope: Scope): JsonValue {
  if ('properties' in shape) {
    const out: { [key: string]: JsonValue } = {};
    for (const name of Object.keys(shape.properties))
      define(out, name, build(shape.properties[name], scope));
    return out;
  }
  const value = resolve(shape.value, scope);
  return value === undefined ? null : (value as JsonValue);
}

/**
 * The idempotency key of the n-th upstream call: the caller's for the first, then the caller's with
 * `/n` (cut to 255 characters), so a retried orchestration replays each call and no two calls share
 * a key. Without a caller's key the client makes one per call.
 */
function stepKey(key: string | undefined, n: number): string | undefined {
  if (key === undefined || n === 0) return key;
  const suffix = `/${n}`;
  return key.slice(0, 255 - suffix.length) + suffix;
}

function kindOf(value: JsonValue): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__`. */
function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function processEnv(): Record<string, string | undefined> {
  return (
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
  );
}
