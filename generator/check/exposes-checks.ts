/** Checks of exposed adapters (rest, mcp; skill and control are not generated yet) and aggregates. */
import type {
  NaftikoAggregate,
  NaftikoInvocation,
  NaftikoMcp,
  NaftikoRest,
} from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import { checkAuthentication, checkPathTemplate } from './consumes-checks.js';
import { checkInvocation, invocationMode } from './invocation-checks.js';
import { pathPlaceholders, servedPath } from './references.js';
import type { CheckContext } from './semantics.js';

export function checkExposes(ctx: CheckContext): void {
  const capability = ctx.doc.capability;
  if (!capability) return;
  const functions = checkAggregates(ctx, capability.aggregates ?? []);
  const namespaces = new Set(ctx.sites.map((s) => s.consumes.namespace));
  const seenTypes = new Set<string>();
  (capability.exposes ?? []).forEach((exposes, ei) => {
    const at: JsonPath = ['capability', 'exposes', ei];
    if (exposes.namespace !== undefined)
      ctx.unique(namespaces, exposes.namespace, [...at, 'namespace'], 'namespace');
    if (exposes.type !== 'rest' && exposes.type !== 'mcp') {
      ctx.notGenerated(
        [...at, 'type'],
        `${exposes.type} adapters are`,
        'capgen generates rest and mcp adapters',
      );
      return;
    }
    if (seenTypes.has(exposes.type)) {
      ctx.notGenerated(
        [...at, 'type'],
        `a second '${exposes.type}' adapter in one capability is`,
        `merge the ${exposes.type} adapters, or split the capability into two files`,
      );
      return;
    }
    seenTypes.add(exposes.type);
    if (exposes.authentication !== undefined)
      checkAuthentication(ctx, exposes.authentication, [...at, 'authentication']);
    if (exposes.type === 'rest') checkRest(ctx, exposes, at, functions);
    else checkMcp(ctx, exposes, at, functions);
  });
}

/** Aggregate functions by `ref` key; their calls and unique names checked. */
function checkAggregates(ctx: CheckContext, aggregates: NaftikoAggregate[]): Set<string> {
  const functions = new Set<string>();
  const namespaces = new Set<string>();
  aggregates.forEach((aggregate, ai) => {
    const at: JsonPath = ['capability', 'aggregates', ai];
    ctx.unique(namespaces, aggregate.namespace, [...at, 'namespace'], 'aggregate namespace');
    const names = new Set<string>();
    aggregate.functions.forEach((fn, fi) => {
      const fat: JsonPath = [...at, 'functions', fi];
      ctx.unique(names, fn.name, [...fat, 'name'], 'function name');
      functions.add(`${aggregate.namespace}.${fn.name}`);
      if (fn.call !== undefined) checkCallTarget(ctx, fn.call, [...fat, 'call']);
      checkSteps(ctx, fn.steps, fat);
    });
  });
  return functions;
}

export function checkCallTarget(ctx: CheckContext, call: string, at: JsonPath): boolean {
  if (ctx.consumed.has(call)) return true;
  const known = [...ctx.consumed.keys()];
  ctx.error(
    at,
    'naftiko/unknown-call',
    `call '${call}' does not name a consumed operation`,
    known.length
      ? `known operations: ${known.slice(0, 6).join(', ')}${known.length > 6 ? ', …' : ''}`
      : 'declare the operation under consumes',
  );
  return false;
}

function checkSteps(ctx: CheckContext, steps: unknown[] | undefined, at: JsonPath): void {
  (steps ?? []).forEach((step, si) => {
    const call = (step as { type?: string; call?: unknown }).call;
    if (typeof call === 'string') checkCallTarget(ctx, call, [...at, 'steps', si, 'call']);
  });
}

/** `ref` must name an aggregate function. */
function checkRef(ctx: CheckContext, ref: string, at: JsonPath, functions: Set<string>): void {
  if (functions.has(ref)) return;
  ctx.error(
    [...at, 'ref'],
    'naftiko/unknown-ref',
    `ref '${ref}' does not name an aggregate function`,
    functions.size
      ? `known functions: ${[...functions].slice(0, 6).join(', ')}`
      : 'declare it under capability.aggregates',
  );
}

/** Checks a mode other than simple (`call`): reports it as not generated. True when simple. */
function checkMode(
  ctx: CheckContext,
  item: NaftikoInvocation,
  at: JsonPath,
  functions: Set<string>,
  what: string,
): boolean {
  const mode = invocationMode(item);
  if (mode === 'simple') return true;
  if (mode === 'ref') {
    checkRef(ctx, item.ref!, at, functions);
    ctx.notGenerated(
      [...at, 'ref'],
      `${what} in ref mode (aggregate functions) is`,
      'call one consumed operation with `call` and `with`',
    );
  } else if (mode === 'orchestrated') {
    checkSteps(ctx, item.steps, at);
    ctx.notGenerated(
      [...at, 'steps'],
      `${what} in orchestrated mode (steps) is`,
      'call one consumed operation with `call` and `with`',
    );
  } else if (mode === 'mock') {
    ctx.notGenerated(
      [...at, 'outputParameters'],
      `${what} in mock mode (output values without a call) is`,
      'call a consumed operation with `call`',
    );
  } else {
    ctx.error(
      at,
      'naftiko/missing-field',
      `missing \`call\`: which consumed operation does this ${what} run?`,
      'add `call: <consumes namespace>.<operation name>`',
    );
  }
  return false;
}

function checkRest(
  ctx: CheckContext,
  rest: NaftikoRest,
  at: JsonPath,
  functions: Set<string>,
): void {
  const routes = new Set<string>();
  const names = new Set<string>();
  (rest.resources ?? []).forEach((resource, ri) => {
    const rat: JsonPath = [...at, 'resources', ri];
    if (resource.forward !== undefined) {
      if (!ctx.sites.some((s) => s.consumes.namespace === resource.forward!.targetNamespace))
        ctx.error(
          [...rat, 'forward', 'targetNamespace'],
          'naftiko/unknown-namespace',
          `forward target '${resource.forward.targetNamespace}' is not a consumes namespace`,
          `consumes namespaces: ${ctx.sites.map((s) => s.consumes.namespace).join(', ') || 'none'}`,
        );
      ctx.notGenerated(
        [...rat, 'forward'],
        'forward resources are',
        'declare operations with `call` instead',
      );
    }
    checkPathTemplate(ctx, resource.path, [...rat, 'path']);
    const placeholders = pathPlaceholders(resource.path);
    (resource.operations ?? []).forEach((operation, oi) => {
      const oat: JsonPath = [...rat, 'operations', oi];
      ctx.unique(
        routes,
        `${operation.method} ${servedPath(resource.path)}`,
        [...oat, 'method'],
        'route (method and path)',
      );
      if (operation.name) ctx.unique(names, operation.name, [...oat, 'name'], 'operation name');
      if (!checkMode(ctx, operation, oat, functions, 'operation')) return;
      const declared = [...(resource.inputParameters ?? []), ...(operation.inputParameters ?? [])];
      checkInvocation(ctx, operation, oat, rest.namespace, declared, placeholders);
    });
  });
}

function checkMcp(ctx: CheckContext, mcp: NaftikoMcp, at: JsonPath, functions: Set<string>): void {
  for (const block of ['resources', 'prompts'] as const)
    if (mcp[block] !== undefined)
      ctx.notGenerated(
        [...at, block],
        `MCP ${block} are`,
        `remove '${block}' or expose the data through a tool`,
      );
  const names = new Set<string>();
  mcp.tools.forEach((tool, ti) => {
    const tat: JsonPath = [...at, 'tools', ti];
    const name = tool.name ?? tool.ref?.split('.')[1];
    if (name !== undefined)
      ctx.unique(names, name, [...tat, tool.name ? 'name' : 'ref'], 'tool name');
    if (!checkMode(ctx, tool, tat, functions, 'tool')) return;
    checkInvocation(ctx, tool, tat, mcp.namespace, tool.inputParameters ?? [], []);
  });
}
