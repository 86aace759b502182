/**
 * The modes beyond one `call`: orchestrated steps, mock outputs and aggregate functions (`ref`).
 * An orchestration becomes a plan (data the runtime's interpreter runs, see
 * templates/runtime/orchestrate.ts) plus the names of the typed function generated for it
 * (`runGetVoyageManifest`); a function referenced several times gets one. A `ref` to a function in
 * simple mode is that function's call, with the referencing tool or operation's own fields winning.
 */
import type { JsonSchema } from '../../templates/runtime/contract.js';
import type { ConsumedRef } from '../check/references.js';
import { readPlan, type ScriptDefaults } from '../check/steps.js';
import type {
  NaftikoExposedInput,
  NaftikoFunction,
  NaftikoInvocation,
  NaftikoOutputParameter,
  NaftikoTool,
} from '../load/naftiko-types.js';
import { bindingName, constantCase, NameRegistry, pascalCase } from './names.js';
import { schemaFromDeclaredType } from './schema.js';
import { htmlToText } from './text.js';
import type { InputModel, OperationModel, OrchestrationModel, StepModel } from './types.js';
import type { Binds } from './values.js';

export interface ModeContext {
  operations: Map<string, OperationModel>;
  consumed: Map<string, ConsumedRef>;
  prefixes: ReadonlySet<string>;
  binds: Binds;
  names: NameRegistry;
  scriptDefaults: ScriptDefaults;
  /** Aggregate functions by `ref` key, with their aggregate's namespace. */
  functions: Map<string, { fn: NaftikoFunction; namespace: string }>;
  /** Every orchestration built so far, in order (each is generated once). */
  orchestrations: OrchestrationModel[];
  /** The orchestration of each function referenced so far, by `ref` key. */
  functionRuns: Map<string, OrchestrationModel | undefined>;
}

/** An input an exposed operation, tool or function declares. */
export function declaredInput(d: NaftikoExposedInput, placeholders: string[]): InputModel {
  const location =
    d.in === 'path' || d.in === 'query' || d.in === 'body' || d.in === 'header' ? d.in : 'query';
  return {
    name: d.name,
    in: placeholders.includes(d.name) ? 'path' : location,
    required: d.required ?? (placeholders.includes(d.name) || d.in === undefined),
    description: htmlToText(d.description),
    schema: schemaFromDeclaredType(d.type, d.description),
  };
}

/**
 * The plan of an orchestrated or mock invocation, and its typed function's names; undefined when a
 * step cannot be generated (a script in a language capgen does not run: reported by the checker).
 */
export function buildOrchestration(
  item: NaftikoInvocation,
  what: { name: string; label: string; description: string },
  declared: InputModel[],
  namespaces: string[],
  ctx: ModeContext,
): OrchestrationModel | undefined {
  const read = readPlan(
    item,
    [],
    {
      prefixes: new Set([...ctx.prefixes, ...namespaces]),
      inputs: declared.length ? new Set(declared.map((i) => i.name)) : undefined,
      binds: ctx.binds,
      scriptDefaults: ctx.scriptDefaults,
    },
    () => undefined, // reported by the checker
  );
  if (read.unsupported) return undefined;
  const steps: StepModel[] = read.steps.map((step): StepModel => {
    if (step.kind !== 'call') {
      const { at: _at, ...plan } = step;
      return plan as StepModel;
    }
    const outputs = consumedOutputs(ctx.consumed.get(step.call));
    return {
      kind: 'call',
      name: step.name,
      operation: ctx.operations.get(step.call)!,
      with: step.with,
      ...(outputs ? { outputs } : {}),
    };
  });
  const inputs = [...declared];
  for (const name of read.inputs)
    if (!inputs.some((i) => i.name === name))
      inputs.push({
        name,
        in: 'query',
        required: true,
        description: '',
        schema: { type: 'string' },
      });
  const pascal = pascalCase(what.name) || 'Orchestration';
  const model: OrchestrationModel = {
    label: what.label,
    description: what.description,
    runName: ctx.names.claim(bindingName(`run${pascal}`)),
    planName: ctx.names.claim(bindingName(`${constantCase(what.name) || 'ORCHESTRATION'}_PLAN`)),
    inputType: ctx.names.claim(bindingName(`${pascal}Input`)),
    outputType: ctx.names.claim(bindingName(`${pascal}Output`)),
    steps,
    ...(read.result ? { result: read.result } : {}),
    inputs,
    outputSchema: outputSchemaOf(item),
    scripts: steps.some((s) => s.kind === 'script'),
  };
  ctx.orchestrations.push(model);
  return model;
}

/** The orchestration of an aggregate function (built once, shared by every `ref` to it). */
export function functionOrchestration(
  ref: string,
  ctx: ModeContext,
): OrchestrationModel | undefined {
  if (ctx.functionRuns.has(ref)) return ctx.functionRuns.get(ref);
  const { fn, namespace } = ctx.functions.get(ref)!;
  const model = buildOrchestration(
    fn,
    { name: fn.name, label: `function ${ref}`, description: htmlToText(fn.description) },
    (fn.inputParameters ?? []).map((d) => declaredInput(d, [])),
    [namespace],
    ctx,
  );
  ctx.functionRuns.set(ref, model);
  return model;
}

/**
 * A tool or operation with `ref` merged over its function: the function's name, description, call,
 * `with`, inputs and outputs, each replaced by the referencing item's own when it has one.
 */
export function mergeRef<T extends NaftikoInvocation & { name?: string; description?: string }>(
  item: T,
  fn: NaftikoFunction,
): T & { inputParameters?: NaftikoExposedInput[] } {
  const own = item as T & { inputParameters?: NaftikoExposedInput[] };
  return {
    ...own,
    name: item.name ?? fn.name,
    description: item.description ?? fn.description,
    call: fn.call,
    with: fn.with,
    steps: fn.steps,
    mappings: fn.mappings,
    ref: undefined,
    outputParameters: item.outputParameters ?? fn.outputParameters,
    // The item's own inputs (a REST operation places them: path, query) and the function's others.
    inputParameters: [
      ...(own.inputParameters ?? []),
      ...(fn.inputParameters ?? []).filter(
        (f) => !own.inputParameters?.some((d) => d.name === f.name),
      ),
    ],
  };
}

/**
 * MCP hints of a tool: its function's semantics (`safe` → readOnly, and not destructive;
 * `idempotent`), each explicit hint of the tool winning, then Naftiko's defaults.
 */
export function toolHints(tool: NaftikoTool, fn: NaftikoFunction | undefined) {
  const semantics = fn?.semantics ?? {};
  const derived: NonNullable<NaftikoTool['hints']> = {};
  if (semantics.safe === true) Object.assign(derived, { readOnly: true, destructive: false });
  else if (fn) derived.readOnly = false;
  if (semantics.idempotent === true) derived.idempotent = true;
  const hints = { ...derived };
  for (const [key, value] of Object.entries(tool.hints ?? {}))
    if (typeof value === 'boolean') hints[key as keyof typeof hints] = value;
  return {
    readOnlyHint: hints.readOnly ?? false,
    destructiveHint: hints.destructive ?? true,
    idempotentHint: hints.idempotent ?? false,
    openWorldHint: hints.openWorld ?? true,
  };
}

/** A consumed operation's named output parameters (name → JSONPath), when it declares some. */
function consumedOutputs(ref: ConsumedRef | undefined): Record<string, string> | undefined {
  const outputs = (ref?.operation.outputParameters ?? []) as Array<{
    name?: string;
    value?: unknown;
    mapping?: unknown;
  }>;
  const entries = outputs.flatMap((o) => {
    const path = typeof o.value === 'string' ? o.value : o.mapping;
    if (!o.name || typeof path !== 'string') return [];
    const bare = /^\{\{\s*(\$.*?)\s*\}\}$/.exec(path.trim())?.[1] ?? path.trim();
    return bare.startsWith('$') ? [[o.name, bare] as const] : [];
  });
  if (!entries.length) return undefined;
  const out: Record<string, string> = {};
  for (const [name, path] of entries)
    Object.defineProperty(out, name, {
      value: path,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** The JSON Schema of what an orchestration returns, from its declared output parameters. */
function outputSchemaOf(item: NaftikoInvocation): JsonSchema | undefined {
  const outputs = item.outputParameters ?? [];
  if (!outputs.length) return undefined;
  if (outputs.length === 1 && !outputs[0].name) return schemaOf(outputs[0]);
  const properties: Record<string, JsonSchema> = {};
  outputs.forEach((o, i) =>
    Object.defineProperty(properties, o.name ?? `output${i + 1}`, {
      value: schemaOf(o),
      enumerable: true,
      writable: true,
      configurable: true,
    }),
  );
  return { type: 'object', properties };
}

/** A declared output's schema; scalars may be null (a mapping that finds nothing). */
function schemaOf(output: NaftikoOutputParameter): JsonSchema {
  if (output.type === 'object' && output.properties) {
    const properties: Record<string, JsonSchema> = {};
    for (const [name, child] of Object.entries(output.properties))
      Object.defineProperty(properties, name, {
        value: schemaOf(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return { type: ['object', 'null'], properties };
  }
  if (output.type === 'array')
    return { type: ['array', 'null'], ...(output.items ? { items: schemaOf(output.items) } : {}) };
  const type = ['string', 'number', 'integer', 'boolean', 'object', 'array'].includes(output.type)
    ? (output.type as 'string')
    : undefined;
  return type ? { type: [type, 'null'] } : {};
}
