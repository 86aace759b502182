/**
 * Forwarded resources (`forward`): a path prefix served by passing requests to a consumed API,
 * with the headers the resource trusts and the consumes block's fixed header values.
 */
import { pathPlaceholders, servedPath, type ConsumesSite } from '../check/references.js';
import type { NaftikoRest } from '../load/naftiko-types.js';
import type { ApiModel, ForwardModel } from './types.js';
import { valueTemplate } from './values.js';

export function buildForwards(
  rest: NaftikoRest,
  sites: ConsumesSite[],
  apis: ApiModel[],
): ForwardModel[] {
  const forwards: ForwardModel[] = [];
  for (const resource of rest.resources ?? []) {
    const forward = resource.forward;
    if (!forward) continue;
    const site = sites.find((s) => s.consumes.namespace === forward.targetNamespace);
    const api = apis.find((a) => a.spec.namespace === forward.targetNamespace);
    if (!site || !api) continue;
    const path = servedPath(resource.path);
    const params = pathPlaceholders(path);
    // Checked: at most one placeholder, and last.
    const param = params.length === 1 && path.endsWith(`{${params[0]}}`) ? params[0] : undefined;
    if (params.length && !param) continue;
    forwards.push({
      path,
      prefix: param ? path.slice(0, path.length - param.length - 2) : path,
      ...(param ? { param } : {}),
      api,
      trustedHeaders: [...new Set((forward.trustedHeaders ?? []).map((h) => h.toLowerCase()))],
      headers: (site.consumes.inputParameters ?? [])
        .filter((p) => p.in === 'header' && typeof p.value === 'string')
        .map((p) => ({ name: p.name, value: valueTemplate(p.value!, site.binds) })),
    });
  }
  return forwards;
}
