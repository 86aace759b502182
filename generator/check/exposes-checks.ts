/** Checks of exposed adapters (rest, mcp, skill, control) and aggregates. */
import type {
  NaftikoAggregate,
  NaftikoControl,
  NaftikoExposedInput,
  NaftikoInvocation,
  NaftikoMcp,
  NaftikoRest,
} from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import { checkAuthentication, checkPathTemplate } from './consumes-checks.js';
import { checkInvocation, invocationMode } from './invocation-checks.js';
import { checkPrompts, checkResources } from './mcp-extras-checks.js';
import { checkSkills } from './skill-checks.js';
import { pathPlaceholders, servedPath } from './references.js';
import type { CheckContext } from './semantics.js';
import { readPlan } from './steps.js';

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
    if (exposes.type === 'control') {
      checkControl(ctx, exposes, at, capability.exposes ?? []);
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
      checkAuthentication(
        ctx,
        exposes.authentication,
        [...at, 'authentication'],
        ctx.source,
        ctx.binds,
        true,
      );
    if (exposes.type === 'rest') checkRest(ctx, exposes, at, functions);
    else if (exposes.type === 'mcp') checkMcp(ctx, exposes, at, functions);
    else checkSkills(ctx, exposes, at);
  });
}

/** Aggregate functions by `ref` key; their calls, steps, inputs and unique names checked. */
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
      const declared = (fn.inputParameters ?? []) as NaftikoExposedInput[];
      const mode = invocationMode(fn);
      if (mode === 'simple')
        checkInvocation(ctx, fn, fat, aggregate.namespace, declared, [], [aggregate.namespace]);
      else if (mode === 'orchestrated' || mode === 'mock')
        checkPlan(ctx, fn, fat, [aggregate.namespace], declared);
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

/**
 * Steps and mappings (orchestrated mode) or output values (mock mode): call targets, and what
 * readPlan finds (references to no step or input, steps out of order, scripts it cannot run).
 */
function checkPlan(
  ctx: CheckContext,
  item: NaftikoInvocation,
  at: JsonPath,
  namespaces: string[],
  declared: NaftikoExposedInput[],
  placeholders: string[] = [],
): void {
  (item.steps ?? []).forEach((step, si) => {
    const call = (step as { type?: string; call?: unknown }).call;
    if (typeof call === 'string') checkCallTarget(ctx, call, [...at, 'steps', si, 'call']);
  });
  const names = [...placeholders, ...declared.map((d) => d.name)];
  readPlan(
    item,
    at,
    {
      prefixes: new Set([...ctx.prefixes, ...namespaces]),
      inputs: names.length ? new Set(names) : undefined,
      binds: ctx.binds,
      scriptDefaults: ctx.scriptDefaults,
    },
    (p) =>
      (p.severity === 'error' ? ctx.error : ctx.warning)(
        p.at,
        p.rule,
        p.message,
        p.hint,
        p.rule === 'capgen/not-generated',
      ),
  );
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

/** Checks a mode other than simple (`call`). True when simple. */
function checkMode(
  ctx: CheckContext,
  item: NaftikoInvocation,
  at: JsonPath,
  functions: Set<string>,
  what: string,
  namespace: string,
  declared: NaftikoExposedInput[],
  placeholders: string[] = [],
): boolean {
  const mode = invocationMode(item);
  if (mode === 'simple') return true;
  if (mode === 'ref') {
    checkRef(ctx, item.ref!, at, functions);
  } else if (mode === 'orchestrated' || mode === 'mock') {
    checkPlan(ctx, item, at, [namespace], declared, placeholders);
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
      const placeholders = pathPlaceholders(resource.path);
      if (
        placeholders.length > 1 ||
        (!/\{\{?[^{}/]+\}?\}$/.test(resource.path.trim()) && placeholders.length)
      )
        ctx.notGenerated(
          [...rat, 'path'],
          'a forward path whose placeholder is not its last segment is',
          "end the path with the one placeholder that takes the rest of it: '/prefix/{{path}}'",
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
      const declared = [...(resource.inputParameters ?? []), ...(operation.inputParameters ?? [])];
      if (
        !checkMode(
          ctx,
          operation,
          oat,
          functions,
          'operation',
          rest.namespace,
          declared,
          placeholders,
        )
      )
        return;
      checkInvocation(ctx, operation, oat, rest.namespace, declared, placeholders);
    });
  });
}

function checkMcp(ctx: CheckContext, mcp: NaftikoMcp, at: JsonPath, functions: Set<string>): void {
  checkResources(ctx, mcp, at);
  checkPrompts(ctx, mcp, at);
  const names = new Set<string>();
  mcp.tools.forEach((tool, ti) => {
    const tat: JsonPath = [...at, 'tools', ti];
    const name = tool.name ?? tool.ref?.split('.')[1];
    if (name !== undefined)
      ctx.unique(names, name, [...tat, tool.name ? 'name' : 'ref'], 'tool name');
    if (!checkMode(ctx, tool, tat, functions, 'tool', mcp.namespace, tool.inputParameters ?? []))
      return;
    checkInvocation(ctx, tool, tat, mcp.namespace, tool.inputParameters ?? [], []);
  });
}

/**
 * The control adapter: health, info and the observability endpoints are generated; the engine's
 * reload, validate and logs endpoints and an authenticated control port are not.
 */
function checkControl(
  ctx: CheckContext,
  control: NaftikoControl,
  at: JsonPath,
  all: readonly { type: string; port?: number }[],
): void {
  if (all.find((e) => e.type === 'control') !== control)
    ctx.error(
      [...at, 'type'],
      'naftiko/duplicate-name',
      'a capability has at most one control adapter',
      'merge the control adapters into one',
    );
  if (control.port !== undefined && all.some((e) => e !== control && e.port === control.port))
    ctx.error(
      [...at, 'port'],
      'naftiko/invalid-value',
      `control port ${control.port} is also the port of a business adapter`,
      'give the control adapter a port of its own',
    );
  if (control.authentication !== undefined)
    ctx.notGenerated(
      [...at, 'authentication'],
      'an authenticated control port is',
      'bind the control port to localhost (the default) and leave out its authentication',
    );
  for (const key of ['reload', 'validate', 'logs'] as const) {
    const value = control.management?.[key];
    if (value !== undefined && value !== false)
      ctx.notGenerated(
        [...at, 'management', key],
        `the control port's ${key} endpoint is`,
        'capgen generates health, info, metrics and traces endpoints',
      );
  }
}
