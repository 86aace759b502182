/**
 * Reads an orchestrated invocation (`steps` + `mappings`) or a mock one (output `value`s without a
 * call) into the data the runtime's interpreter executes (templates/runtime/orchestrate.ts), and
 * reports at its position what cannot run: a reference to no step, input or bound variable, a step
 * referenced before it runs, a lookup whose index is not an earlier step, duplicate step names, a
 * script language that cannot run in a sandbox here. Shared by the checker (which reports) and the
 * model builder (which takes the plan), so both read the steps the same way.
 *
 * How a value is read (`with` values, `lookupValue`, mapping values):
 * - a number: a literal;
 * - `<adapter or aggregate namespace>.<input>`: an input; `<step>.<field>`: a step's output;
 * - `$.<step>.<path>`: JSONPath over the step outputs (`$.<field>` alone reads the last step);
 * - `{{...}}` anywhere: a Mustache template over inputs (`{{name}}`, `{{ns.name}}`), step outputs
 *   (`{{step.field}}`) and bound variables (`{{VAR}}`); a whole value `{{$.path}}` is the JSONPath;
 * - anything else: a literal string.
 */
import type {
  PlanTemplatePart,
  PlanValue,
  ResultShape,
  ScriptSpec,
  StepPlan,
} from '../../templates/runtime/orchestrate.js';
import type {
  NaftikoDocument,
  NaftikoInvocation,
  NaftikoOutputParameter,
} from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import { isRecord } from './paths.js';
import { lookupBinding, type BoundVariable } from './references.js';

/** A step as read: a call names its operation by `call` key; every step keeps its position. */
export type ReadStep =
  | (Omit<Extract<StepPlan, { kind: 'call' }>, 'call' | 'outputs'> & { call: string; at: JsonPath })
  | (Exclude<StepPlan, { kind: 'call' }> & { at: JsonPath });

export interface ReadPlan {
  steps: ReadStep[];
  result?: ResultShape;
  /** Inputs the plan reads, in order of first use. */
  inputs: string[];
  /** True when a step cannot be generated (a script language capgen does not run). */
  unsupported: boolean;
}

export interface Problem {
  at: JsonPath;
  severity: 'error' | 'warning';
  rule: string;
  message: string;
  hint: string;
}

/** Script defaults of the control adapter (`management.scripting`). */
export interface ScriptDefaults {
  language?: string;
  location?: string;
  timeoutMs?: number;
}

export interface ReadContext {
  /** Prefixes that qualify an input: the adapter's namespace, rest/tools/mcp, an aggregate's. */
  prefixes: ReadonlySet<string>;
  /** Declared inputs; undefined when none are declared (any name is an input then). */
  inputs: ReadonlySet<string> | undefined;
  binds: Map<string, Map<string, BoundVariable>>;
  scriptDefaults: ScriptDefaults;
}

/** `management.scripting` of the document's control adapter, when it has one. */
export function scriptDefaults(doc: NaftikoDocument): ScriptDefaults {
  for (const exposes of doc.capability?.exposes ?? []) {
    const scripting = (exposes as { management?: { scripting?: unknown } }).management?.scripting;
    if (exposes.type !== 'control' || !isRecord(scripting)) continue;
    return {
      language:
        typeof scripting.defaultLanguage === 'string' ? scripting.defaultLanguage : undefined,
      location:
        typeof scripting.defaultLocation === 'string' ? scripting.defaultLocation : undefined,
      timeoutMs: typeof scripting.timeout === 'number' ? scripting.timeout : undefined,
    };
  }
  return {};
}

/** CPU time a script may take unless the control adapter says otherwise, and its memory. */
export const SCRIPT_TIMEOUT_MS = 3000;
export const SCRIPT_MEMORY_BYTES = 32 * 1024 * 1024;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

export function readPlan(
  item: NaftikoInvocation,
  at: JsonPath,
  ctx: ReadContext,
  report: (problem: Problem) => void,
): ReadPlan {
  const inputs: string[] = [];
  const useInput = (name: string) => {
    if (!inputs.includes(name)) inputs.push(name);
  };
  const done: string[] = [];
  const all = (item.steps ?? []).map((s) => (isRecord(s) ? String(s.name ?? '') : ''));
  const error = (where: JsonPath, rule: string, message: string, hint: string) =>
    report({ at: where, severity: 'error', rule, message, hint });
  let unsupported = false;

  /** A reference to step `name` from `where`: only steps that ran before. */
  const stepKnown = (name: string, where: JsonPath): boolean => {
    if (done.includes(name)) return true;
    if (all.includes(name))
      error(
        where,
        'naftiko/unknown-step',
        `step '${name}' is referenced before it runs`,
        'steps run in order: move this reference to a later step',
      );
    return false;
  };

  const readTemplate = (text: string, where: JsonPath): PlanTemplatePart[] => {
    const parts: PlanTemplatePart[] = [];
    let last = 0;
    for (const m of text.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
      if (m.index > last) parts.push({ literal: text.slice(last, m.index) });
      last = m.index + m[0].length;
      const expr = m[1];
      const dot = expr.indexOf('.');
      const head = dot < 0 ? expr : expr.slice(0, dot);
      const rest = dot < 0 ? '' : expr.slice(dot + 1);
      if (all.includes(head) && stepKnown(head, where)) {
        parts.push({ step: head, path: rest ? `$.${rest}` : '$', ref: expr });
        continue;
      }
      if (dot < 0 && (ctx.inputs === undefined || ctx.inputs.has(expr)) && !isBound(expr)) {
        useInput(expr);
        parts.push({ input: expr });
        continue;
      }
      if (dot >= 0 && ctx.prefixes.has(head) && !rest.includes('.') && inputOk(rest)) {
        useInput(rest);
        parts.push({ input: rest });
        continue;
      }
      const bound = lookupBinding(
        ctx.binds,
        dot < 0 ? { name: expr } : { namespace: head, name: rest },
      );
      if (bound) {
        parts.push(
          bound.location && /^file:\/\/\//i.test(bound.location)
            ? { file: bound.location, key: bound.source }
            : { env: bound.source },
        );
        continue;
      }
      error(
        where,
        'naftiko/unknown-reference',
        `'{{${expr}}}' names no earlier step, input or bound variable`,
        `steps before this one: ${done.join(', ') || 'none'}; inputs: ${[...(ctx.inputs ?? [])].join(', ') || 'none'}`,
      );
      parts.push({ literal: '' });
    }
    if (last < text.length) parts.push({ literal: text.slice(last) });
    return parts;
  };

  const inputOk = (name: string) => ctx.inputs === undefined || ctx.inputs.has(name);

  /** A JSONPath over the step outputs: `$.step.path`, or `$.path` over the last step. */
  const readPath = (path: string, where: JsonPath): PlanValue => {
    const m = /^\$\.?([A-Za-z0-9_-]*)(.*)$/.exec(path);
    if (m && m[1] && all.includes(m[1])) {
      if (!stepKnown(m[1], where)) return { literal: null };
      return { step: m[1], path: `$${m[2]}` };
    }
    const previous = done[done.length - 1];
    if (previous === undefined) {
      error(
        where,
        'naftiko/unknown-step',
        `'${path}' reads a step output, but no step runs before it`,
        'write `$.<step name>.<field>`',
      );
      return { literal: null };
    }
    return { step: previous, path };
  };

  const readValue = (value: unknown, where: JsonPath): PlanValue => {
    if (typeof value !== 'string') return { literal: (value ?? null) as never };
    const text = value.trim();
    const whole = /^\{\{\s*(\$[^{}]*?)\s*\}\}$/.exec(text);
    if (whole) return readPath(whole[1], where);
    if (text.startsWith('$')) return readPath(text, where);
    if (text.includes('{{')) return { template: readTemplate(value, where) };
    const ref = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_*-]+)$/.exec(text);
    if (ref && all.includes(ref[1]) && stepKnown(ref[1], where))
      return { step: ref[1], path: `$.${ref[2]}` };
    if (ref && ctx.prefixes.has(ref[1])) {
      if (!inputOk(ref[2]))
        error(
          where,
          'naftiko/unknown-input',
          `'${value}' names input '${ref[2]}', which is not declared`,
          `declared inputs: ${[...(ctx.inputs ?? [])].join(', ')}`,
        );
      useInput(ref[2]);
      return { input: ref[2] };
    }
    return { literal: value };
  };

  const readWith = (withMap: unknown, where: JsonPath): Record<string, PlanValue> => {
    const out: Record<string, PlanValue> = {};
    if (!isRecord(withMap)) return out;
    for (const [key, value] of Object.entries(withMap))
      Object.defineProperty(out, key, {
        value: readValue(value, [...where, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  };

  const steps: ReadStep[] = [];
  (item.steps ?? []).forEach((raw, si) => {
    const sat: JsonPath = [...at, 'steps', si];
    if (!isRecord(raw)) return;
    const name = String(raw.name ?? '');
    if (done.includes(name))
      error(
        [...sat, 'name'],
        'naftiko/duplicate-name',
        `step name '${name}' is used twice`,
        'give each step a unique name',
      );
    if (raw.type === 'call' && typeof raw.call === 'string') {
      steps.push({
        kind: 'call',
        name,
        call: raw.call,
        with: readWith(raw.with, [...sat, 'with']),
        at: sat,
      });
    } else if (raw.type === 'lookup') {
      const index = String(raw.index ?? '');
      if (!done.includes(index))
        error(
          [...sat, 'index'],
          'naftiko/unknown-step',
          all.includes(index)
            ? `lookup index '${index}' runs after this step`
            : `lookup index '${index}' is not a step of this orchestration`,
          `earlier steps: ${done.join(', ') || 'none'}`,
        );
      steps.push({
        kind: 'lookup',
        name,
        index,
        match: String(raw.match ?? ''),
        value: readValue(raw.lookupValue, [...sat, 'lookupValue']),
        fields: Array.isArray(raw.outputParameters) ? raw.outputParameters.map(String) : [],
        at: sat,
      });
    } else if (raw.type === 'script') {
      const script = readScript(raw, sat, ctx.scriptDefaults, report);
      if (script)
        steps.push({
          kind: 'script',
          name,
          script,
          with: readWith(raw.with, [...sat, 'with']),
          at: sat,
        });
      else unsupported = true;
    }
    done.push(name);
  });

  let result: ResultShape | undefined;
  if (item.steps !== undefined) {
    const mappings = (item.mappings ?? []).filter(isRecord);
    if (mappings.length) {
      result = { properties: {} };
      (item.mappings ?? []).forEach((m, mi) => {
        if (!isRecord(m)) return;
        const target = String(m.targetName ?? '').split('.');
        placeResult(
          result as { properties: Record<string, ResultShape> },
          target,
          readValue(m.value, [...at, 'mappings', mi, 'value']),
        );
      });
    }
  } else {
    result = mockResult(item.outputParameters ?? [], [...at, 'outputParameters'], readValue);
  }
  return { steps, result, inputs, unsupported };

  function isBound(name: string): boolean {
    return lookupBinding(ctx.binds, { name }) !== undefined;
  }
}

/** Puts `value` at the dot path `target` of the result object (`route.from` nests). */
function placeResult(
  root: { properties: Record<string, ResultShape> },
  target: string[],
  value: PlanValue,
): void {
  let node = root;
  for (const [i, key] of target.entries()) {
    if (i === target.length - 1) {
      define(node.properties, key, { value });
      return;
    }
    const next = Object.prototype.hasOwnProperty.call(node.properties, key)
      ? node.properties[key]
      : undefined;
    if (next && 'properties' in next) node = next;
    else {
      const created = { properties: {} as Record<string, ResultShape> };
      define(node.properties, key, created);
      node = created;
    }
  }
}

/** Mock outputs: each output's `value` (a template over the inputs), named ones as an object. */
function mockResult(
  outputs: NaftikoOutputParameter[],
  at: JsonPath,
  readValue: (value: unknown, at: JsonPath) => PlanValue,
): ResultShape {
  const shape = (o: NaftikoOutputParameter, where: JsonPath): ResultShape => {
    if (o.properties && isRecord(o.properties)) {
      const properties: Record<string, ResultShape> = {};
      for (const [key, child] of Object.entries(o.properties))
        define(properties, key, shape(child, [...where, 'properties', key]));
      return { properties };
    }
    return {
      value: o.value === undefined ? { literal: null } : readValue(o.value, [...where, 'value']),
    };
  };
  if (outputs.length === 1 && !outputs[0].name) return shape(outputs[0], [...at, 0]);
  const properties: Record<string, ResultShape> = {};
  outputs.forEach((o, i) => define(properties, o.name ?? `output${i + 1}`, shape(o, [...at, i])));
  return { properties };
}

function readScript(
  raw: Record<string, unknown>,
  at: JsonPath,
  defaults: ScriptDefaults,
  report: (problem: Problem) => void,
): ScriptSpec | undefined {
  const language = typeof raw.language === 'string' ? raw.language : defaults.language;
  const location = typeof raw.location === 'string' ? raw.location : defaults.location;
  const name = String(raw.name ?? '');
  if (language === undefined || location === undefined) {
    report({
      at,
      severity: 'error',
      rule: 'naftiko/missing-field',
      message: `script step '${name}' has no ${language === undefined ? 'language' : 'location'}, and no control adapter gives a default`,
      hint:
        'set it on the step, or management.scripting.default' +
        (language === undefined ? 'Language' : 'Location') +
        ' on a control adapter',
    });
    return undefined;
  }
  if (language !== 'javascript') {
    report({
      at: raw.language === undefined ? at : [...at, 'language'],
      severity: 'warning',
      rule: 'capgen/not-generated',
      message: `script step '${name}' in ${language} is not generated: only JavaScript runs in capgen's sandbox`,
      hint: 'rewrite the script in JavaScript (it runs in a QuickJS WebAssembly sandbox)',
    });
    return undefined;
  }
  const files = [raw.file, ...(Array.isArray(raw.dependencies) ? raw.dependencies : [])].map(
    String,
  );
  for (const file of files)
    if (!file.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) {
      report({
        at: [...at, 'file'],
        severity: 'error',
        rule: 'naftiko/invalid-value',
        message: `script path '${file}' must stay inside its location: segments of letters, digits, '.', '_' and '-', no '..'`,
        hint: 'name a file under the location folder',
      });
      return undefined;
    }
  return {
    language: 'javascript',
    location,
    file: files[0],
    dependencies: files.slice(1),
    timeoutMs: defaults.timeoutMs ?? SCRIPT_TIMEOUT_MS,
    memoryBytes: SCRIPT_MEMORY_BYTES,
  };
}

function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
