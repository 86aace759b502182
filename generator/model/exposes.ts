/**
 * The exposed side of the model: REST routes and MCP tools in simple mode (one `call`), their
 * inputs (path placeholders, declared inputs, JSONPath-selected parts of the body, what `with`
 * references) and bindings, output mappings, inbound auth and where they listen. Other modes are
 * built in modes.ts.
 */
import type {
  Binding,
  InboundAuth,
  JsonSchema,
  OperationSpec,
  OutputMapping,
} from '../../templates/runtime/contract.js';
import { invocationMode } from '../check/invocation-checks.js';
import { isRecord } from '../check/paths.js';
import {
  parseWithValue,
  pathPlaceholders,
  placeholderAliases,
  servedPath,
} from '../check/references.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type {
  NaftikoAuthentication,
  NaftikoDocument,
  NaftikoExposedInput,
  NaftikoInvocation,
  NaftikoMcp,
  NaftikoOutputParameter,
  NaftikoRest,
} from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { inboundAuth } from './auth.js';
import { camelCase, constantCase } from './names.js';
import { buildPrompts, buildResources } from './mcp-extras.js';
import { BODY_LESS } from './operation.js';
import { declaredOver, limitDepth, schemaFromDeclaredType } from './schema.js';
import { htmlToText } from './text.js';
import {
  buildOrchestration,
  declaredInput,
  functionOrchestration,
  mergeRef,
  toolHints,
  type ModeContext,
} from './modes.js';
import type {
  InputModel,
  McpModel,
  OperationModel,
  OrchestrationModel,
  RestModel,
  RouteModel,
  ToolModel,
} from './types.js';
import { valueTemplate, type Binds } from './values.js';

/** Levels of a response schema an MCP tool's outputSchema spells out (deeper values: any of their type). */
const OUTPUT_SCHEMA_DEPTH = 2;

/** The whole JSON request body, when inputs are selected from it by JSONPath. */
const BODY = 'body';

export function exposedInputs(
  operation: OperationModel,
  withMap: Record<string, string | number> | undefined,
  allDeclared: NaftikoExposedInput[],
  placeholders: string[],
  prefixes: ReadonlySet<string>,
  binds: Binds,
): { inputs: InputModel[]; bindings: Record<string, Binding> } {
  const inputs = new Map<string, InputModel>();
  const result = new Map<string, Binding>();
  // A placeholder named like a `with` input but for '-' / '_' is that input (checker: an info).
  const aliases = placeholderAliases(placeholders, withMap, prefixes);
  const named = (name: string) => aliases.get(name) ?? name;
  // `in: body` inputs with `value: $.x` are parts of the JSON body, selected when bound.
  const selected = new Map<string, string>();
  for (const d of allDeclared)
    if (d.in === 'body' && typeof d.value === 'string' && d.value.trim().startsWith('$'))
      selected.set(d.name, d.value.trim());
  const declared = allDeclared.filter((d) => !selected.has(d.name));
  if (selected.size)
    inputs.set(BODY, {
      name: BODY,
      in: 'body',
      required: true,
      description: `JSON request body; ${[...selected].map(([n, p]) => `${n} is read from ${p}`).join(', ')}.`,
      schema: { type: 'object' },
    });
  // `value` on any other exposed input is its default.
  const defaults = new Map(
    allDeclared.flatMap((d) =>
      d.value !== undefined && !selected.has(d.name) ? [[d.name, d.value]] : [],
    ),
  );
  const source = (name: string): Binding =>
    selected.has(name)
      ? { input: BODY, path: selected.get(name)! }
      : defaults.has(name)
        ? { input: named(name), default: defaults.get(name)! }
        : { input: named(name) };
  for (const name of placeholders)
    inputs.set(name, {
      name,
      in: 'path',
      required: true,
      description: '',
      schema: { type: 'string' },
    });
  for (const d of declared) {
    const name = named(d.name);
    inputs.set(name, {
      ...declaredInput({ ...d, name }, placeholders),
      required: d.required ?? placeholders.includes(name),
    });
  }
  for (const [param, value] of Object.entries(withMap ?? {})) {
    const parsed = parseWithValue(value, prefixes);
    const upstream = operation.inputs.find((i) => i.name === param);
    if (!upstream) continue; // a GET's body, or a parameter with a fixed value: nothing to send
    if (parsed.kind === 'literal') {
      result.set(param, { literal: coerceLiteral(parsed.value, upstream.schema) });
      continue;
    }
    if (parsed.kind === 'template') {
      result.set(param, { template: valueTemplate(String(value), binds) });
      continue;
    }
    result.set(param, source(parsed.name));
    if (selected.has(parsed.name)) continue;
    const name = named(parsed.name);
    const existing = inputs.get(name);
    const location =
      existing?.in === 'path'
        ? 'path'
        : upstream.in === 'body'
          ? 'body'
          : upstream.in === 'path'
            ? 'query'
            : upstream.in;
    inputs.set(name, {
      name,
      in: location,
      required: location === 'path' || upstream.required || (existing?.required ?? false),
      description: upstream.description || existing?.description || '',
      // The upstream parameter's own schema object (shared with other files), unless the exposed
      // operation declares the input with its own type.
      schema:
        existing && declared.some((d) => d.name === parsed.name)
          ? declaredOver(upstream.schema, existing.schema)
          : upstream.schema,
    });
  }
  for (const [name, value] of defaults) {
    const input = inputs.get(named(name));
    if (input && input.in !== 'path')
      inputs.set(input.name, {
        ...input,
        required: false,
        schema: { ...input.schema, default: value },
      });
  }
  // Template variables and path placeholders of the call that `with` leaves open take the input of
  // the same name, as the specification's engine does.
  for (const upstream of operation.inputs) {
    if (upstream.in !== 'template' && upstream.in !== 'path') continue;
    if (result.has(upstream.name)) continue;
    if (inputs.has(upstream.name) || selected.has(upstream.name))
      result.set(upstream.name, source(upstream.name));
  }
  // fromEntries defines own properties: a parameter named `__proto__` stays a binding.
  return { inputs: [...inputs.values()], bindings: Object.fromEntries(result) };
}

function coerceLiteral(value: string | number, schema: JsonSchema): string | number | boolean {
  if (
    typeof value === 'string' &&
    (schema.type === 'integer' || schema.type === 'number') &&
    value.trim() !== '' &&
    !Number.isNaN(Number(value))
  )
    return Number(value);
  if (
    typeof value === 'string' &&
    schema.type === 'boolean' &&
    (value === 'true' || value === 'false')
  )
    return value === 'true';
  return value;
}

export function outputMappings(
  outputs: NaftikoOutputParameter[] | undefined,
): OutputMapping[] | undefined {
  if (!outputs?.length) return undefined;
  const mapped = outputs.map(outputMapping);
  if (mapped.length === 1 && !outputs[0].name) return mapped;
  return [
    {
      kind: 'object',
      properties: Object.fromEntries(
        outputs.map((o, i) => [o.name ?? `output${i + 1}`, mapped[i]]),
      ),
    },
  ];
}

function outputMapping(output: NaftikoOutputParameter): OutputMapping {
  const mapping = output.mapping;
  const properties =
    output.properties ??
    (isRecord(mapping) && isRecord(mapping.properties)
      ? (mapping.properties as Record<string, NaftikoOutputParameter>)
      : undefined);
  const items =
    output.items ??
    (isRecord(mapping) && isRecord(mapping.items)
      ? (mapping.items as unknown as NaftikoOutputParameter)
      : undefined);
  if (output.type === 'object' && properties) {
    return {
      kind: 'object',
      properties: Object.fromEntries(
        Object.entries(properties).map(([k, v]) => [k, outputMapping(v)]),
      ),
    };
  }
  if (output.type === 'array' && items) {
    return {
      kind: 'array',
      path: typeof mapping === 'string' ? jsonPath(mapping) : '$',
      items: outputMapping(items),
    };
  }
  if (typeof mapping === 'string') return { kind: 'path', path: jsonPath(mapping) };
  return {
    kind: 'value',
    value: (output.value ?? null) as OutputMapping extends { kind: 'value'; value: infer V }
      ? V
      : never,
  };
}

/** `$.` / `$` mappings return the upstream body: the response schema still applies. */
function outputSchema(
  output: OutputMapping[] | undefined,
  response: JsonSchema | undefined,
): JsonSchema | undefined {
  return response && wholeBody(output) ? response : undefined;
}

/** No mapping, or one that returns the upstream body as it is. */
function wholeBody(output: OutputMapping[] | undefined): boolean {
  return (
    !output ||
    (output.length === 1 &&
      output[0].kind === 'path' &&
      (output[0].path === '$' || output[0].path === '$.'))
  );
}

/**
 * Output mappings on operations and tools whose answer is binary (a PDF): they cannot apply, the
 * bytes pass through as they are; a warning at each. So is a step calling such an operation (steps
 * read JSON: the run fails there).
 */
export function reportBinaryOutputs(
  doc: NaftikoDocument,
  operations: Map<string, OperationModel>,
  source: SourceDocument,
  bag: DiagnosticBag,
): void {
  const check = (item: NaftikoInvocation, at: JsonPath) => {
    (item.steps ?? []).forEach((step, si) => {
      const call = isRecord(step) && step.type === 'call' ? step.call : undefined;
      if (typeof call !== 'string' || !operations.get(call)?.spec.binaryResponse) return;
      bag.warning(
        source.file,
        source.locate([...at, 'steps', si, 'call']),
        'capgen/binary-output',
        `'${call}' answers with bytes (its OpenAPI response is binary): steps read JSON, so this step fails when it runs`,
        'call the operation directly (a tool or operation with `call`), where the bytes pass through',
      );
    });
    const op = item.call === undefined ? undefined : operations.get(item.call);
    if (!op?.spec.binaryResponse || wholeBody(outputMappings(item.outputParameters))) return;
    bag.warning(
      source.file,
      source.locate([...at, 'outputParameters'], { key: true }),
      'capgen/binary-output',
      `'${item.call}' answers with bytes (its OpenAPI response is binary): the output mapping cannot apply, the answer passes through as it is`,
      'remove outputParameters, or map `$.` (the whole answer)',
    );
  };
  (doc.capability?.exposes ?? []).forEach((exposes, ei) => {
    const at: JsonPath = ['capability', 'exposes', ei];
    if (exposes.type === 'rest')
      ((exposes as NaftikoRest).resources ?? []).forEach((resource, ri) =>
        (resource.operations ?? []).forEach((op, oi) =>
          check(op, [...at, 'resources', ri, 'operations', oi]),
        ),
      );
    if (exposes.type === 'mcp')
      ((exposes as NaftikoMcp).tools ?? []).forEach((tool, ti) =>
        check(tool, [...at, 'tools', ti]),
      );
  });
}

export function buildRest(rest: NaftikoRest, ctx: ModeContext): RestModel {
  const routes: RouteModel[] = [];
  for (const resource of rest.resources ?? []) {
    for (const own of resource.operations ?? []) {
      const fn = own.ref !== undefined ? ctx.functions.get(own.ref) : undefined;
      if (invocationMode(own) === 'none' || (own.ref !== undefined && !fn)) continue;
      const op = fn ? mergeRef(own, fn.fn) : own;
      const path = servedPath(resource.path);
      const placeholders = pathPlaceholders(path);
      const method = op.method as OperationSpec['method'];
      const declared = [...(resource.inputParameters ?? []), ...(op.inputParameters ?? [])];
      const name = op.name ?? camelCase(`${op.method} ${path}`);
      const description = htmlToText(op.description ?? resource.description);
      if (invocationMode(op) !== 'simple') {
        const orchestration =
          fn && own.ref
            ? functionOrchestration(own.ref, ctx)
            : buildOrchestration(
                op,
                { name, label: `operation ${method} ${path}`, description },
                declared.map((d) => declaredInput(d, placeholders)),
                [rest.namespace],
                ctx,
              );
        if (!orchestration) continue; // a step capgen cannot run: reported by the checker
        routes.push({
          path,
          method,
          name,
          description: description || orchestration.description,
          orchestration,
          inputs: routeInputs(orchestration, declared, placeholders, method),
          with: {},
        });
        continue;
      }
      const operation = ctx.operations.get(op.call!)!;
      const { inputs, bindings } = exposedInputs(
        operation,
        op.with,
        declared,
        placeholders,
        fn ? new Set([...ctx.prefixes, fn.namespace]) : ctx.prefixes,
        ctx.binds,
      );
      const usable = BODY_LESS.has(method) ? inputs.filter((i) => i.in !== 'body') : inputs;
      routes.push({
        path,
        method,
        name,
        description: description || operation.description,
        operation,
        inputs: usable,
        with: Object.fromEntries(
          Object.entries(bindings).filter(
            ([, b]) => !('input' in b) || usable.some((i) => i.name === b.input),
          ),
        ),
        output: outputMappings(op.outputParameters),
      });
    }
  }
  return {
    namespace: rest.namespace,
    description: htmlToText(rest.description),
    ...listenModel(rest.namespace, 'rest', rest.port, rest.address),
    auth: inboundAuth(rest.authentication, ctx.binds, rest.namespace),
    routes,
    forwards: [],
  };
}

/**
 * A route's inputs when it runs an orchestration: what it declares (path placeholders are path
 * inputs), then the orchestration's other inputs, from the query string.
 */
function routeInputs(
  orchestration: OrchestrationModel,
  declared: NaftikoExposedInput[],
  placeholders: string[],
  method: OperationSpec['method'],
): InputModel[] {
  const inputs = declared.map((d) => declaredInput(d, placeholders));
  for (const name of placeholders)
    if (!inputs.some((i) => i.name === name))
      inputs.push({
        name,
        in: 'path',
        required: true,
        description: '',
        schema: { type: 'string' },
      });
  for (const input of orchestration.inputs)
    if (!inputs.some((i) => i.name === input.name))
      inputs.push({ ...input, in: input.in === 'body' ? 'body' : 'query' });
  return BODY_LESS.has(method) ? inputs.filter((i) => i.in !== 'body') : inputs;
}

export function buildMcp(mcp: NaftikoMcp, ctx: ModeContext): McpModel {
  const tools: ToolModel[] = [];
  for (const own of mcp.tools) {
    const fn = own.ref !== undefined ? ctx.functions.get(own.ref) : undefined;
    if (invocationMode(own) === 'none' || (own.ref !== undefined && !fn)) continue;
    const tool = fn ? mergeRef(own, fn.fn) : own;
    const common = {
      name: tool.name!,
      ...(tool.label ? { title: tool.label } : {}),
      description: htmlToText(tool.description),
      annotations: toolHints(own, fn?.fn),
    };
    if (invocationMode(tool) !== 'simple') {
      const orchestration =
        fn && own.ref
          ? functionOrchestration(own.ref, ctx)
          : buildOrchestration(
              tool,
              { name: tool.name!, label: `tool ${tool.name}`, description: common.description },
              (tool.inputParameters ?? []).map((d) => declaredInput(d, [])),
              [mcp.namespace],
              ctx,
            );
      if (!orchestration) continue; // a step capgen cannot run: reported by the checker
      const output = orchestration.outputSchema;
      tools.push({
        ...common,
        inputSchema: toolInputSchema(orchestration.inputs),
        ...(output && isObjectSchema(output) ? { outputSchema: output } : {}),
        orchestration,
        with: {},
      });
      continue;
    }
    const operation = ctx.operations.get(tool.call!)!;
    const { inputs, bindings } = exposedInputs(
      operation,
      tool.with,
      tool.inputParameters ?? [],
      [],
      fn ? new Set([...ctx.prefixes, fn.namespace]) : ctx.prefixes,
      ctx.binds,
    );
    const output = outputMappings(tool.outputParameters);
    const response = outputSchema(output, operation.responseSchema);
    tools.push({
      ...common,
      inputSchema: toolInputSchema(inputs),
      ...(response && isObjectSchema(response)
        ? { outputSchema: limitDepth(response, OUTPUT_SCHEMA_DEPTH) }
        : {}),
      operation,
      with: bindings,
      output,
    });
  }
  return {
    namespace: mcp.namespace,
    instructions: htmlToText(mcp.description),
    transport: mcp.transport ?? 'http',
    ...listenModel(mcp.namespace, 'mcp', mcp.port ?? 0, mcp.address),
    auth: inboundAuth(mcp.authentication, ctx.binds, mcp.namespace),
    tools,
    resources: buildResources(mcp, ctx.operations, ctx.prefixes, ctx.binds),
    prompts: buildPrompts(mcp),
  };
}

/** A tool's input schema: one property per input, descriptions on them. */
function toolInputSchema(inputs: InputModel[]): JsonSchema {
  // fromEntries defines own properties: an input named `__proto__` stays an input.
  const properties: Record<string, JsonSchema> = Object.fromEntries(
    inputs.map((input) => [
      input.name,
      input.description && !input.schema.description
        ? { ...input.schema, description: input.description }
        : input.schema,
    ]),
  );
  const required = inputs.filter((i) => i.required).map((i) => i.name);
  return {
    type: 'object',
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/**
 * Where a server listens, and the environment variables that override it, named from the adapter's
 * namespace without its kind suffix: `checkout-sessions-rest` → CHECKOUT_SESSIONS_REST_PORT.
 */
export function listenModel(
  namespace: string,
  kind: 'rest' | 'mcp' | 'skill',
  port: number,
  address: string | undefined,
) {
  const suffix = kind === 'skill' ? 'skills?' : kind;
  const constant = `${constantCase(namespace.replace(new RegExp(`-${suffix}$`, 'i'), ''))}_${kind.toUpperCase()}`;
  return {
    port,
    address: address ?? '127.0.0.1',
    portEnv: `${constant}_PORT`,
    addressEnv: `${constant}_ADDRESS`,
  };
}

function isObjectSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' || (schema.properties !== undefined && schema.type === undefined);
}

/** `{{$.login}}` (the specification's Mustache spelling) is the JSONPath `$.login`. */
function jsonPath(mapping: string): string {
  return /^\{\{\s*(\$.*?)\s*\}\}$/.exec(mapping)?.[1] ?? mapping;
}
