/**
 * Input binding and output mapping between an exposed operation (REST route, MCP tool) and the
 * upstream operation it calls.
 *
 * - {@link bindInputs} turns the exposed operation's inputs into upstream parameters following its
 *   `with` block.
 * - {@link applyOutput} shapes the upstream response following the operation's `outputParameters`
 *   (Naftiko MappedOutputParameter): JSONPath selections, static values, and objects/arrays built
 *   from them.
 *
 * JSONPath subset: `$` (or `$.`) is the whole document; `.name`, `['name']` / `["name"]`, `[0]`,
 * `[-1]` (from the end) and `[*]` / `.*` (every element or property value). A path with a wildcard
 * yields an array of every match (possibly empty; elements lacking the rest of the path are skipped,
 * as in JSONPath); any other path yields the single value or `null` when it is missing.
 * Recursive descent (`..`), filters and slices are not supported and are rejected with an error.
 */
import type { Binding, JsonValue, OutputMapping, ValueTemplate } from './contract.js';
import { resolveValueTemplate } from './credentials.js';
import { bindingValue } from './values.js';

/**
 * Maps exposed inputs to upstream parameters. `{input: name}` takes that input (omitted when the
 * caller did not provide it); `{literal: value}` always passes the value.
 */
export function bindInputs(
  bindings: Record<string, Binding>,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const name of Object.keys(bindings)) {
    const binding = bindings[name];
    const value = bindingValue(binding, inputs);
    if (value !== undefined) setProperty(params, name, value);
  }
  return params;
}

/**
 * Applies output mappings to an upstream response body.
 *
 * - no mappings (undefined or empty): the body as is;
 * - one mapping: its value (the usual case: `mapping: $.` returns the body unchanged);
 * - several mappings (one per output parameter): an array of their values, in order.
 *
 * `env` resolves `{env: NAME}` parts of value templates; it defaults to empty, so a template cannot
 * pull a secret from the process environment into a response unless the caller passes one in.
 */
export function applyOutput(
  mappings: OutputMapping[] | undefined,
  response: JsonValue,
  env: Record<string, string | undefined> = {},
): JsonValue {
  if (mappings === undefined || mappings.length === 0) return response;
  if (mappings.length === 1) return applyMapping(mappings[0], response, env);
  return mappings.map((mapping) => applyMapping(mapping, response, env));
}

/** Evaluates one mapping against `root` (the response, or the current element inside an array mapping). */
export function applyMapping(
  mapping: OutputMapping,
  root: JsonValue,
  env: Record<string, string | undefined> = {},
): JsonValue {
  switch (mapping.kind) {
    case 'path':
      return evaluatePath(mapping.path, root);
    case 'value':
      return isValueTemplate(mapping.value) ? resolveTemplate(mapping.value, env) : mapping.value;
    case 'object': {
      const out: { [key: string]: JsonValue } = {};
      for (const name of Object.keys(mapping.properties)) {
        setProperty(out, name, applyMapping(mapping.properties[name], root, env));
      }
      return out;
    }
    case 'array': {
      const selected = evaluatePath(mapping.path, root);
      if (selected === null) return null;
      // A single non-array value is mapped as a one-element list rather than dropped.
      const elements = Array.isArray(selected) ? selected : [selected];
      return elements.map((element) => applyMapping(mapping.items, element, env));
    }
  }
}

/** Whether the mappings give the response unchanged: none, or one selecting the whole document (`$`, `$.`). */
export function isIdentityOutput(mappings: OutputMapping[] | undefined): boolean {
  if (mappings === undefined || mappings.length === 0) return true;
  const only = mappings[0];
  if (mappings.length !== 1 || only.kind !== 'path') return false;
  try {
    return compilePath(only.path).steps.length === 0;
  } catch {
    return false; // an unsupported path fails when applied
  }
}

/** Whether any mapping reads an environment variable (then servers redact what it produces). */
export function mappingsUseEnv(mappings: OutputMapping[] | undefined): boolean {
  const usesEnv = (mapping: OutputMapping): boolean => {
    switch (mapping.kind) {
      case 'value':
        return isValueTemplate(mapping.value) && mapping.value.some((part) => 'env' in part);
      case 'object':
        return Object.values(mapping.properties).some(usesEnv);
      case 'array':
        return usesEnv(mapping.items);
      case 'path':
        return false;
    }
  };
  return (mappings ?? []).some(usesEnv);
}

// ---------------------------------------------------------------------------------------------------
// JSONPath subset

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

interface CompiledPath {
  steps: Step[];
  /** True when the path contains a wildcard and therefore yields a list. */
  multi: boolean;
}

const compiledPaths = new Map<string, CompiledPath>();

/** Evaluates a JSONPath (subset, see the module comment) against `root`. */
export function evaluatePath(path: string, root: JsonValue): JsonValue {
  const compiled = compilePath(path);
  if (compiled.steps.length === 0) return root;
  if (!compiled.multi) {
    let current: JsonValue | undefined = root;
    for (const step of compiled.steps) {
      current = stepInto(current, step);
      if (current === undefined) return null;
    }
    return current;
  }
  let current: JsonValue[] = [root];
  for (const step of compiled.steps) {
    const next: JsonValue[] = [];
    for (const value of current) {
      if (step.kind === 'wildcard') {
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) for (const key of Object.keys(value)) next.push(value[key]);
      } else {
        const child = stepInto(value, step);
        if (child !== undefined) next.push(child);
      }
    }
    current = next;
  }
  return current;
}

/** Parses a JSONPath once (cached); throws on syntax outside the supported subset. */
export function compilePath(path: string): CompiledPath {
  const cached = compiledPaths.get(path);
  if (cached !== undefined) return cached;
  const compiled = parsePath(path);
  if (compiledPaths.size > 1000) compiledPaths.clear(); // paths come from specs; bound it anyway
  compiledPaths.set(path, compiled);
  return compiled;
}

function parsePath(path: string): CompiledPath {
  const fail = (why: string): never => {
    throw new Error(`Unsupported JSONPath ${JSON.stringify(path)}: ${why}`);
  };
  const text = path.trim();
  if (text[0] !== '$') fail('it must start with $');
  const steps: Step[] = [];
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') fail('recursive descent (..) is not supported');
      i++;
      if (i === text.length) break; // '$.' means the whole document
      if (text[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      let end = i;
      while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
      if (end === i) fail(`empty name at offset ${i}`);
      steps.push({ kind: 'key', key: text.slice(i, end) });
      i = end;
    } else if (c === '[') {
      const quoteChar = text[i + 1];
      if (quoteChar === "'" || quoteChar === '"') {
        let key = '';
        let j = i + 2;
        for (; j < text.length && text[j] !== quoteChar; j++) {
          if (text[j] === '\\' && j + 1 < text.length) j++;
          key += text[j];
        }
        if (text[j] !== quoteChar || text[j + 1] !== ']')
          fail(`unterminated quoted name at offset ${i}`);
        steps.push({ kind: 'key', key });
        i = j + 2;
      } else {
        const close = text.indexOf(']', i);
        if (close < 0) fail(`missing ] after offset ${i}`);
        const inner = text.slice(i + 1, close).trim();
        if (inner === '*') steps.push({ kind: 'wildcard' });
        else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
        else fail(`unsupported selector [${inner}] (only [n], [*] and ['name'])`);
        i = close + 1;
      }
    } else {
      fail(`unexpected ${JSON.stringify(c)} at offset ${i}`);
    }
  }
  return { steps, multi: steps.some((s) => s.kind === 'wildcard') };
}

/** One non-wildcard step; undefined when the value has no such member. */
function stepInto(value: JsonValue | undefined, step: Step): JsonValue | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  if (step.kind === 'index') {
    if (!Array.isArray(value)) return undefined;
    return value[step.index < 0 ? value.length + step.index : step.index];
  }
  if (step.kind === 'key') {
    if (Array.isArray(value)) {
      // Lenient: `$.data.0` reads like `$.data[0]`.
      return /^\d+$/.test(step.key) ? value[Number(step.key)] : undefined;
    }
    return Object.prototype.hasOwnProperty.call(value, step.key) ? value[step.key] : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** A `ValueTemplate` (`[{literal}|{env}, ...]`) as opposed to a static JSON array. */
export function isValueTemplate(value: JsonValue | ValueTemplate): value is ValueTemplate {
  if (!Array.isArray(value) || value.length === 0) return false;
  return value.every((part) => {
    if (typeof part !== 'object' || part === null || Array.isArray(part)) return false;
    const keys = Object.keys(part);
    if (keys.length !== 1) return false;
    const record = part as Record<string, unknown>;
    return (keys[0] === 'literal' || keys[0] === 'env') && typeof record[keys[0]] === 'string';
  });
}

/** Concatenates a template; unset environment variables contribute nothing. */
export function resolveTemplate(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
): string {
  return resolveValueTemplate(template, env).value;
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__` (plain assignment would change the prototype). */
function setProperty<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
