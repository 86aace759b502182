/**
 * What matching a consumed operation to its OpenAPI operation found, said at the operation: which
 * document won when several have it (--verbose), another server it is called on, and parameters
 * the capability sends that the OpenAPI operation does not have.
 */
import type { ConsumedRef } from '../check/references.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { operationParameters, type MatchedOperation } from './openapi-subset.js';

export function reportMatch(
  bag: DiagnosticBag,
  site: SourceDocument,
  ref: ConsumedRef,
  match: MatchedOperation,
): void {
  const what = `${ref.operation.method} ${ref.resource.path}`;
  const position = site.locate([...ref.at, 'name']);
  if (match.choice) {
    const [winner, ...others] = match.choice;
    const refs = (n: number) => (n ? `${n} $ref(s) that do not resolve` : 'every $ref resolved');
    bag.info(
      site.file,
      position,
      'openapi/document-choice',
      `${what} is in ${match.choice.length} OpenAPI documents; ${winner.file} was chosen (${refs(winner.dangling)}) over ${others.map((o) => `${o.file} (${refs(o.dangling)})`).join(', ')}`,
      'fewest unresolved $refs reachable from the operation wins; then the larger document, then the one listed later',
      true,
    );
  }
  if (match.server)
    bag.info(
      site.file,
      position,
      'openapi/operation-server',
      `${what} is served on ${match.server} (the servers of its OpenAPI operation): the client calls it there`,
      'a base URI set at run time (the baseUri option or the <NAMESPACE>_BASE_URI variable) moves every operation, this one included',
    );
  reportUnknownParams(bag, site, ref, match, what);
}

/**
 * Query, header and cookie parameters the capability declares that the OpenAPI operation (with its
 * path item's parameters and `$ref`ed ones) does not have (another version of the API may): sent all the same, with a warning naming the version.
 * Path parameters are left out: placeholders match by position, whatever their names.
 */
function reportUnknownParams(
  bag: DiagnosticBag,
  site: SourceDocument,
  ref: ConsumedRef,
  match: MatchedOperation,
  what: string,
): void {
  const known = new Set(
    operationParameters(match).flatMap((p) =>
      typeof p.name === 'string' && typeof p.in === 'string'
        ? [`${p.in}:${p.name.toLowerCase()}`]
        : [],
    ),
  );
  const version = match.doc.data.info?.version;
  const where = `${match.method.toUpperCase()} ${match.path} of ${match.doc.file}${typeof version === 'string' ? ` (API version ${version})` : ''}`;
  const resourceAt = ref.at.slice(0, -2);
  const lists: Array<[JsonPath, typeof ref.operation.inputParameters]> = [
    [resourceAt, ref.resource.inputParameters],
    [ref.at, ref.operation.inputParameters],
  ];
  for (const [at, params] of lists)
    (params ?? []).forEach((param, i) => {
      if (param.in !== 'query' && param.in !== 'header' && param.in !== 'cookie') return;
      if (known.has(`${param.in}:${param.name.toLowerCase()}`)) return;
      bag.warning(
        site.file,
        site.locate([...at, 'inputParameters', i, 'name']),
        'openapi/unknown-param',
        `${param.in} parameter '${param.name}' of ${what} is not a parameter of ${where}; it is sent as declared`,
        'check the name against the API version you call, or load the OpenAPI document of that version',
      );
    });
}
