/**
 * Authentication for a consumes block that declares none while its binds hold a credential
 * (STRIPE_API_KEY): the scheme of the API's OpenAPI document when one matched (said as an info),
 * else a warning that its calls go without credentials.
 */
import type { UpstreamAuth } from '../../templates/runtime/contract.js';
import { parseTemplate } from '../check/references.js';
import type { DiagnosticBag, Position } from '../diagnostics.js';
import type { NaftikoConsumes, NaftikoDocument } from '../load/naftiko-types.js';
import type { MatchedOperation } from './openapi-subset.js';
import { preferredScheme, SCHEME_PREFERENCE, type SchemeKind } from './security.js';
import { valueTemplate, type Binds } from './values.js';

/** Names of bound variables that hold a credential. */
const CREDENTIAL = /key|token|secret|password|credential/i;

export function impliedAuth(
  consumes: NaftikoConsumes,
  doc: NaftikoDocument,
  binds: Binds,
  matched: MatchedOperation[],
  report: { bag: DiagnosticBag; file: string; at: Position },
): UpstreamAuth | undefined {
  const credentials = unusedCredentials([consumes, doc], binds);
  if (!credentials.length) return undefined;
  const names = credentials.map((c) => c.name).join(', ');
  const scheme = credentials.length === 1 ? votedScheme(matched) : undefined;
  if (!scheme) {
    report.bag.warning(
      report.file,
      report.at,
      'capgen/no-authentication',
      `'${consumes.namespace}' declares no authentication although binds name ${names}: its calls go without credentials${credentials.length > 1 ? '' : ' (no OpenAPI document of the API says how to send it)'}`,
      `add to the consumes entry: authentication: { type: bearer, token: '{{${credentials[0].namespace}.${credentials[0].name}}}' } (or apikey, basic)`,
    );
    return undefined;
  }
  const [credential] = credentials;
  const template = valueTemplate(`{{${credential.namespace}.${credential.name}}}`, binds);
  const { kind } = scheme;
  const auth: UpstreamAuth =
    kind.type === 'bearer'
      ? { type: 'bearer', token: template }
      : kind.type === 'basic'
        ? // The key as the username and no password, as Stripe's basic scheme reads it.
          { type: 'basic', username: template, password: [] }
        : { type: 'apikey', key: kind.name, value: template, placement: kind.in };
  report.bag.info(
    report.file,
    report.at,
    'capgen/auth-from-openapi',
    `'${consumes.namespace}' declares no authentication: ${credential.name} is sent ${describe(kind)}, as the security scheme '${scheme.name}' of ${scheme.file} says`,
    `declare it to make it explicit: authentication: { type: ${kind.type}, … '{{${credential.namespace}.${credential.name}}}' }`,
  );
  return auth;
}

/**
 * Bound variables named like credentials that no template reads, in the consumes block or anywhere
 * in the capability (an adapter's inbound secret is never sent upstream).
 */
function unusedCredentials(
  holders: unknown[],
  binds: Binds,
): Array<{ namespace: string; name: string }> {
  const read = new Set<string>();
  for (const match of JSON.stringify(holders).matchAll(/\{\{[^{}]*\}\}/g))
    for (const part of parseTemplate(match[0])) if ('name' in part) read.add(part.name);
  const found: Array<{ namespace: string; name: string }> = [];
  for (const [namespace, keys] of binds)
    for (const name of keys.keys())
      if (CREDENTIAL.test(name) && !read.has(name)) found.push({ namespace, name });
  return found;
}

/** The scheme most matched operations prefer (ties: the preferred kind, then the name). */
function votedScheme(
  matched: MatchedOperation[],
): { name: string; kind: SchemeKind; file: string } | undefined {
  const votes = new Map<string, { name: string; kind: SchemeKind; file: string; count: number }>();
  for (const match of matched) {
    const scheme = preferredScheme(match.doc, match.operation);
    if (!scheme) continue;
    const key = `${match.doc.file}\u0000${scheme.name}`;
    const vote = votes.get(key) ?? { ...scheme, file: match.doc.file, count: 0 };
    vote.count++;
    votes.set(key, vote);
  }
  return [...votes.values()].sort(
    (a, b) =>
      b.count - a.count ||
      SCHEME_PREFERENCE[a.kind.type] - SCHEME_PREFERENCE[b.kind.type] ||
      (a.name < b.name ? -1 : 1),
  )[0];
}

function describe(kind: SchemeKind): string {
  return kind.type === 'bearer'
    ? 'as a bearer token (Authorization: Bearer)'
    : kind.type === 'basic'
      ? 'as the basic-auth username (Authorization: Basic)'
      : `as the API key ${kind.name} in the ${kind.in}`;
}
