/**
 * Templates of a capability document as runtime value templates: `{{VAR}}` / `{{ns.VAR}}` of a
 * binds entry reads the environment variable (or, with a `file:///` location, the JSON file's key)
 * the entry maps it to; any other `{{name}}` reads the call's parameter `name`.
 */
import type { ValuePart, ValueTemplate } from '../../templates/runtime/contract.js';
import { lookupBinding, parseTemplate, type BoundVariable } from '../check/references.js';

export type Binds = Map<string, Map<string, BoundVariable>>;

export function valueTemplate(text: string, binds: Binds, escape?: 'json' | 'form'): ValueTemplate {
  return parseTemplate(text).map((part): ValuePart => {
    if ('literal' in part) return part;
    const bound = lookupBinding(binds, part);
    if (!bound) return escape ? { param: part.name, escape } : { param: part.name };
    if (bound.location && /^file:\/\/\//i.test(bound.location))
      return { file: bound.location, key: bound.source };
    return { env: bound.source };
  });
}
