/**
 * An exposed operation or MCP tool in simple mode: its `call`, its `with` (keys are parameters or
 * template variables of the called operation; values are literals, `ns.input` references or
 * `{{input}}` templates), the variables it leaves unbound, and its output mappings.
 */
import type {
  NaftikoExposedInput,
  NaftikoInvocation,
  NaftikoOutputParameter,
} from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import { checkCallTarget } from './exposes-checks.js';
import {
  lookupBinding,
  parseWithValue,
  placeholderAliases,
  templateVariables,
  type ConsumedRef,
} from './references.js';
import type { CheckContext } from './semantics.js';

export type InvocationMode = 'simple' | 'ref' | 'orchestrated' | 'mock' | 'none';

/** The mode the specification's rules pick: steps, else ref, else call, else output values. */
export function invocationMode(item: NaftikoInvocation): InvocationMode {
  if (item.steps !== undefined) return 'orchestrated';
  if (item.ref !== undefined) return 'ref';
  if (item.call !== undefined) return 'simple';
  if ((item.outputParameters ?? []).some((o) => (o as { value?: unknown }).value !== undefined))
    return 'mock';
  return 'none';
}

/** Parameters of a consumed operation: the API's, the resource's and the operation's own. */
export function consumedParameters(ref: ConsumedRef) {
  return [
    ...(ref.consumes.inputParameters ?? []),
    ...(ref.resource.inputParameters ?? []),
    ...(ref.operation.inputParameters ?? []),
  ];
}

export function checkInvocation(
  ctx: CheckContext,
  item: NaftikoInvocation,
  at: JsonPath,
  namespace: string,
  declared: NaftikoExposedInput[],
  placeholders: string[],
  /** Prefixes that qualify an input besides the adapters' (an aggregate function's namespace). */
  extraPrefixes: string[] = [],
): void {
  const prefixes = extraPrefixes.length
    ? new Set([...ctx.prefixes, ...extraPrefixes])
    : ctx.prefixes;
  if (!checkCallTarget(ctx, item.call!, [...at, 'call'])) return;
  const target = ctx.consumed.get(item.call!)!;
  const params = consumedParameters(target);
  const variables = templateVariables(
    target.resource.path,
    params,
    target.operation.body,
    target.site.binds,
  ).filter((v) => !params.some((p) => p.name === v));
  const known = new Set([...params.map((p) => p.name), ...variables]);
  const aliases = placeholderAliases(placeholders, item.with, ctx.prefixes);
  const inputs = new Set([...placeholders, ...aliases.keys(), ...declared.map((d) => d.name)]);
  const bound = new Set<string>();
  const referenced = new Set<string>();
  for (const [key, value] of Object.entries(item.with ?? {})) {
    const wat: JsonPath = [...at, 'with', key];
    if (!known.has(key)) {
      // The specification says keys MUST be parameters; its engine ignores the others (and its
      // own examples have one), so capgen warns and sends nothing for it.
      ctx.warning(
        wat,
        'naftiko/unknown-parameter',
        `'${key}' is not a parameter of '${item.call}'; nothing is sent for it`,
        `parameters of ${item.call}: ${[...known].join(', ') || 'none'}`,
        true,
      );
      continue;
    }
    bound.add(key);
    const parsed = parseWithValue(value, prefixes);
    if (parsed.kind === 'literal') continue;
    if (parsed.kind === 'template') {
      for (const part of parsed.template) {
        if (!('name' in part) || lookupBinding(ctx.binds, part)) continue;
        referenced.add(part.name);
        if (!inputs.has(part.name))
          ctx.error(
            wat,
            'naftiko/unknown-input',
            `'{{${part.name}}}' names neither an input of this ${namespace} operation nor a bound variable`,
            inputs.size
              ? `declared inputs: ${[...inputs].join(', ')}`
              : 'declare it under inputParameters, or bind it under binds',
          );
      }
      continue;
    }
    const allowed = ['rest', 'tools', 'mcp', namespace, ...extraPrefixes];
    if (!allowed.includes(parsed.prefix)) {
      ctx.error(
        wat,
        'naftiko/unknown-input',
        `'${value}' refers to adapter '${parsed.prefix}', not to this one ('${namespace}')`,
        `write '${namespace}.${parsed.name}' or 'rest.${parsed.name}'`,
      );
      continue;
    }
    referenced.add(parsed.name);
    if (declared.length > 0 && !inputs.has(parsed.name))
      ctx.error(
        wat,
        'naftiko/unknown-input',
        `'${value}' names input '${parsed.name}', which is not declared`,
        `declared inputs: ${[...inputs].join(', ')}`,
      );
  }
  for (const param of params) {
    const needed =
      (param.required || param.in === 'path') && param.in !== 'body' && param.in !== 'environment';
    if (needed && !bound.has(param.name) && param.value === undefined)
      ctx.error(
        [...at, 'call'],
        'naftiko/missing-binding',
        `required parameter '${param.name}' of '${item.call}' gets no value in 'with'`,
        `add '${param.name}: ${namespace}.${param.name}' under with`,
      );
  }
  for (const variable of variables) {
    if (bound.has(variable)) continue;
    if (inputs.has(variable)) {
      referenced.add(variable);
      continue;
    }
    ctx.error(
      [...at, 'call'],
      'naftiko/missing-binding',
      `'{{${variable}}}' of '${item.call}' gets no value: no 'with' entry and no input of that name`,
      `add '${variable}: ${namespace}.<input>' under with, or an input named '${variable}'`,
    );
  }
  for (const [input, placeholder] of aliases)
    ctx.info(
      at,
      'capgen/path-param-alias',
      `path placeholder '{${placeholder}}' is the input '${input}' that 'with' passes to '${item.call}' (the names differ only by '-' and '_')`,
      `name both the same to silence this: '{${input}}' in the path, or '${namespace}.${placeholder}' in with`,
    );
  const aliased = new Set(aliases.values());
  for (const placeholder of placeholders)
    if (!referenced.has(placeholder) && !aliased.has(placeholder))
      ctx.warning(
        at,
        'capgen/unused-path-param',
        `path placeholder '{${placeholder}}' is not passed to '${item.call}'`,
        `add 'with: { <parameter>: ${namespace}.${placeholder} }'`,
      );
  (item.outputParameters ?? []).forEach((output, oi) =>
    checkOutput(ctx, output, [...at, 'outputParameters', oi]),
  );
}

function checkOutput(ctx: CheckContext, output: NaftikoOutputParameter, at: JsonPath): void {
  if (typeof output.mapping === 'string' && !/^(\$|\{\{\s*\$)/.test(output.mapping))
    ctx.error(
      [...at, 'mapping'],
      'naftiko/invalid-value',
      `mapping '${output.mapping}' is not a JSONPath`,
      "JSONPaths start with '$', e.g. `$.data[*].id`",
    );
  for (const [name, child] of Object.entries(output.properties ?? {}))
    checkOutput(ctx, child, [...at, 'properties', name]);
  if (output.items) checkOutput(ctx, output.items, [...at, 'items']);
}
