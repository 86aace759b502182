/**
 * The version header an API expects, when its OpenAPI documents say so: Stripe's documents carry
 * `x-stripeSpecFilename` in info, and their info.version is the Stripe-Version they describe.
 *
 * One version per API (family of documents, see api-families.ts), whichever capability consumes
 * it: the version of the family's preferred document that has one (the document its types come
 * from first), with a warning where a consumes block's operations were matched in documents of
 * another version.
 */
import type { ApiSpec } from '../../templates/runtime/contract.js';
import type { DiagnosticBag, Position } from '../diagnostics.js';
import type { OpenApiDocument } from '../load/openapi.js';
import type { NaftikoConsumes } from '../load/naftiko-types.js';
import type { ApiFamily } from './api-families.js';
import type { MatchedOperation } from './openapi-subset.js';

export function apiVersion(
  consumes: NaftikoConsumes,
  matched: MatchedOperation[],
  families: ApiFamily[],
  report: { bag: DiagnosticBag; file: string; at: Position },
): ApiSpec['version'] {
  const versioned = [...new Set(matched.map((m) => m.doc))].filter((d) => versionOf(d));
  if (!versioned.length) return undefined;
  const family = families.find((f) => f.documents.includes(versioned[0]));
  const chosen = family?.documents.find((d) => versionOf(d)) ?? versioned[0];
  const value = versionOf(chosen)!;
  const others = versioned.filter((d) => versionOf(d) !== value);
  if (others.length)
    report.bag.warning(
      report.file,
      report.at,
      'openapi/mixed-versions',
      `operations of '${consumes.namespace}' come from OpenAPI documents of different API versions (${[...others, chosen].map((d) => `${versionOf(d)}: ${d.file}`).join('; ')}); every request sends Stripe-Version ${value}, the version of ${chosen.file}, the API's preferred document`,
      'load documents of one version, or check that these operations behave the same in that version',
    );
  return { header: 'Stripe-Version', value };
}

function versionOf(doc: OpenApiDocument): string | undefined {
  const info = doc.data.info;
  return info && typeof info.version === 'string' && 'x-stripeSpecFilename' in info
    ? info.version
    : undefined;
}
