/**
 * Values the capability fixes rather than the caller: parameters with a `value` and body templates
 * of a consumed operation (rendered from the call's parameters, the environment and bind files),
 * and `with` entries that select part of an input (JSONPath) or fill a `{{input}}` template.
 */
import type { Binding, JsonValue, OperationSpec, ValueTemplate } from './contract.js';
import { resolveValueTemplate } from './credentials.js';
import { MissingCredentialsError, redactString } from './errors.js';
import { encodeFormComponent } from './form.js';
import { evaluatePath } from './output.js';

/**
 * Renders a template; `param` parts read `params` (escaped as they ask). Missing variables throw.
 * Values read from the environment or a bind file are pushed to `secrets`, for redaction.
 */
export function renderTemplate(
  template: ValueTemplate,
  env: Record<string, string | undefined>,
  params: Record<string, unknown>,
  namespace: string,
  secrets: string[] = [],
): string {
  let out = '';
  for (const part of template) {
    if (!('param' in part)) {
      const { value, missing } = resolveValueTemplate([part], env);
      if (missing.length) throw new MissingCredentialsError(missing[0], namespace);
      if (!('literal' in part) && value) secrets.push(value);
      out += value;
      continue;
    }
    const value = params[part.param];
    const text =
      value === undefined || value === null
        ? ''
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    out +=
      part.escape === 'json'
        ? JSON.stringify(text).slice(1, -1)
        : part.escape === 'form'
          ? encodeFormComponent(text)
          : text;
  }
  return out;
}

/**
 * The call's parameters with the operation's fixed values and body template applied, and the
 * bound values (environment, bind files) they put in the request, which must never be echoed.
 */
export function withFixedValues(
  op: OperationSpec,
  params: Record<string, unknown>,
  env: Record<string, string | undefined>,
  namespace: string,
): { params: Record<string, unknown>; secrets: string[] } {
  const secrets: string[] = [];
  if (!op.bodyTemplate && !op.params.some((p) => p.value)) return { params, secrets };
  const out: Record<string, unknown> = { ...params };
  for (const p of op.params)
    if (p.value) out[p.name] = renderTemplate(p.value, env, params, namespace, secrets);
  if (op.bodyTemplate) out.body = renderTemplate(op.bodyTemplate, env, params, namespace, secrets);
  return { params: out, secrets };
}

function processEnv(): Record<string, string | undefined> {
  return (
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
  );
}

/** The value a binding passes, from the exposed operation's inputs (undefined: pass nothing). */
export function bindingValue(binding: Binding, inputs: Record<string, unknown>): unknown {
  if ('literal' in binding) return binding.literal;
  if ('template' in binding) return renderTemplate(binding.template, processEnv(), inputs, '');
  let value = inputs[binding.input];
  if (binding.path !== undefined && value !== undefined) {
    const selected = evaluatePath(binding.path, value as JsonValue);
    value = selected === null ? undefined : selected;
  }
  return value === undefined ? binding.default : value;
}
