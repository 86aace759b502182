/**
 * openapi-typescript writes an OpenAPI document's titles, summaries, descriptions, formats,
 * defaults and examples into JSDoc comments. It escapes `*\/`, but a line of spec text can still
 * start a JSDoc tag (`@deprecated`) or break a line where TypeScript sees one (U+2028). Passing the
 * document through here first gives those texts the same treatment as every other doc comment.
 */
import { docText } from './escape.js';

/** Keys whose values openapi-typescript puts in comments. */
const COMMENT_KEYS = new Set(['title', 'summary', 'description', 'format']);
const COMMENT_VALUE_KEYS = new Set(['default', 'example', 'examples']);
/** Keys whose values map names to objects: a member named like a comment key is not a comment. */
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'schemas',
  'responses',
  'parameters',
  'requestBodies',
  'headers',
  'securitySchemes',
  'links',
  'callbacks',
  'paths',
  'webhooks',
  'content',
  'encoding',
  'variables',
  'mapping',
  'dependentSchemas',
  'dependentRequired',
]);

/**
 * A copy of `document` (an OpenAPI document, or one Schema Object) whose comment texts are safe
 * for a doc comment.
 */
export function commentSafeDocument<T>(document: T): T {
  return walk(document, false, false) as T;
}

function walk(value: unknown, inComment: boolean, isNameMap: boolean): unknown {
  if (typeof value === 'string') return inComment ? docText(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, inComment, false));
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties, so a member named `__proto__` stays a member.
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      // Inside a comment value (an example object), keys are printed too.
      if (inComment) return [docText(key), walk(item, true, false)];
      if (key === '$ref') return [key, item];
      const comment =
        inComment ||
        (!isNameMap &&
          (COMMENT_VALUE_KEYS.has(key) || (COMMENT_KEYS.has(key) && typeof item === 'string')));
      return [key, walk(item, comment, !inComment && !isNameMap && NAME_MAPS.has(key))];
    }),
  );
}
