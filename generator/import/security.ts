/**
 * Upstream authentication for imported capabilities, from the OpenAPI security schemes. Secrets
 * never appear in the files: every credential is a `{{env.X}}` template bound to an environment
 * variable named after the API's namespace (STRIPE_TOKEN, PETSTORE_API_KEY, …).
 */
import { isRecord } from '../check/paths.js';
import type { DiagnosticBag } from '../diagnostics.js';
import type { OpenApiDocument } from '../load/openapi.js';
import { constantCase } from '../model/names.js';
import { SCHEME_PREFERENCE, schemeKind } from '../model/security.js';
import { deref, type ImportedOperation } from './operations.js';

export type NaftikoAuth =
  | { type: 'bearer'; token: string }
  | { type: 'apikey'; key: string; value: string; placement: 'header' | 'query' }
  | { type: 'basic'; username: string; password: string };

export interface ImportedAuth {
  authentication: NaftikoAuth;
  /** Environment variables the templates read. */
  variables: string[];
  /** The OpenAPI scheme it comes from. */
  scheme: string;
}

const PREFERENCE = SCHEME_PREFERENCE;

/**
 * Maps each usable security scheme of the document; schemes capgen cannot use (digest, cookie API
 * keys, mutual TLS) are reported once and left out.
 */
export class SecuritySchemes {
  private readonly usable = new Map<string, ImportedAuth>();

  constructor(doc: OpenApiDocument, namespace: string, bag: DiagnosticBag) {
    const env = constantCase(namespace);
    const schemes = isRecord(doc.data.components?.securitySchemes)
      ? doc.data.components.securitySchemes
      : {};
    for (const name of Object.keys(schemes).sort()) {
      const scheme = deref(doc, schemes[name]);
      if (!isRecord(scheme)) continue;
      const auth = toNaftiko(scheme, env);
      if (auth) this.usable.set(name, { ...auth, scheme: name });
      else
        bag.warning(
          doc.file,
          doc.locate(['components', 'securitySchemes', name]),
          'import/unsupported-auth',
          `security scheme '${name}' (${describe(scheme)}) cannot be expressed as Naftiko authentication capgen runs; operations that need it get no credentials`,
          'add an authentication block by hand (bearer, apikey in a header or query, or basic)',
        );
    }
  }

  /**
   * The authentication for a set of operations: each operation's preferred usable alternative,
   * and the one most operations prefer wins (ties: the more preferred kind, then the scheme name).
   * Operations that need no credentials do not vote.
   */
  choose(operations: ImportedOperation[]): ImportedAuth | undefined {
    const votes = new Map<string, number>();
    for (const op of operations) {
      const choice = this.preferred(op);
      if (choice) votes.set(choice.scheme, (votes.get(choice.scheme) ?? 0) + 1);
    }
    const ranked = [...votes.entries()].sort(
      ([a, va], [b, vb]) =>
        vb - va ||
        PREFERENCE[this.usable.get(a)!.authentication.type] -
          PREFERENCE[this.usable.get(b)!.authentication.type] ||
        (a < b ? -1 : 1),
    );
    return ranked.length ? this.usable.get(ranked[0][0]) : undefined;
  }

  private preferred(op: ImportedOperation): ImportedAuth | undefined {
    const candidates = op.security
      .filter((requirement) => requirement.length === 1 && this.usable.has(requirement[0]))
      .map((requirement) => this.usable.get(requirement[0])!);
    return candidates.sort(
      (a, b) =>
        PREFERENCE[a.authentication.type] - PREFERENCE[b.authentication.type] ||
        (a.scheme < b.scheme ? -1 : 1),
    )[0];
  }
}

function toNaftiko(
  scheme: Record<string, unknown>,
  env: string,
): Omit<ImportedAuth, 'scheme'> | undefined {
  const kind = schemeKind(scheme);
  switch (kind?.type) {
    case 'bearer':
      // OAuth 2 and OpenID Connect end in a bearer access token; obtaining it is left to the user.
      return {
        authentication: { type: 'bearer', token: `{{env.${env}_TOKEN}}` },
        variables: [`${env}_TOKEN`],
      };
    case 'basic':
      return {
        authentication: {
          type: 'basic',
          username: `{{env.${env}_USERNAME}}`,
          password: `{{env.${env}_PASSWORD}}`,
        },
        variables: [`${env}_USERNAME`, `${env}_PASSWORD`],
      };
    case 'apikey':
      return {
        authentication: {
          type: 'apikey',
          key: kind.name,
          value: `{{env.${env}_API_KEY}}`,
          placement: kind.in,
        },
        variables: [`${env}_API_KEY`],
      };
    default:
      return undefined;
  }
}

function describe(scheme: Record<string, unknown>): string {
  const parts = [scheme.type, scheme.scheme, scheme.in].filter((p) => typeof p === 'string');
  return parts.join(' ') || 'no type';
}
