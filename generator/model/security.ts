/**
 * OpenAPI security schemes capgen can run, and which one an operation prefers: shared by the model
 * (a consumes block without `authentication` takes its API's scheme) and `capgen import`.
 */
import { isRecord } from '../check/paths.js';
import { followRefs, type OpenApiDocument } from '../load/openapi.js';

/** A scheme as capgen runs it: a bearer token (OAuth 2 and OpenID Connect end in one), basic, an API key. */
export type SchemeKind =
  { type: 'bearer' } | { type: 'basic' } | { type: 'apikey'; name: string; in: 'header' | 'query' };

/** How much a kind is preferred when a document offers alternatives (Stripe: basic or bearer). */
export const SCHEME_PREFERENCE = { bearer: 0, apikey: 1, basic: 2 } as const;

/** What capgen makes of a Security Scheme Object; undefined for what it cannot run. */
export function schemeKind(scheme: Record<string, unknown>): SchemeKind | undefined {
  const type = scheme.type;
  const httpScheme = typeof scheme.scheme === 'string' ? scheme.scheme.toLowerCase() : '';
  if ((type === 'http' && httpScheme === 'bearer') || type === 'oauth2' || type === 'openIdConnect')
    return { type: 'bearer' };
  if (type === 'http' && httpScheme === 'basic') return { type: 'basic' };
  if (
    type === 'apiKey' &&
    typeof scheme.name === 'string' &&
    (scheme.in === 'header' || scheme.in === 'query')
  )
    return { type: 'apikey', name: scheme.name, in: scheme.in };
  return undefined;
}

/**
 * The scheme an operation of `doc` prefers among its security alternatives (its own `security`,
 * else the document's) that name one scheme capgen can run; undefined when it needs none or none
 * can be run.
 */
export function preferredScheme(
  doc: OpenApiDocument,
  operation: Record<string, unknown>,
): { name: string; kind: SchemeKind } | undefined {
  const requirements = operation.security ?? doc.data.security;
  if (!Array.isArray(requirements)) return undefined;
  const schemes = isRecord(doc.data.components?.securitySchemes)
    ? doc.data.components.securitySchemes
    : {};
  const usable: Array<{ name: string; kind: SchemeKind }> = [];
  for (const requirement of requirements) {
    if (!isRecord(requirement) || Object.keys(requirement).length !== 1) continue;
    const name = Object.keys(requirement)[0];
    const scheme = followRefs(doc.data, schemes[name], 8);
    const kind = isRecord(scheme) ? schemeKind(scheme) : undefined;
    if (kind) usable.push({ name, kind });
  }
  return usable.sort(
    (a, b) =>
      SCHEME_PREFERENCE[a.kind.type] - SCHEME_PREFERENCE[b.kind.type] || (a.name < b.name ? -1 : 1),
  )[0];
}
