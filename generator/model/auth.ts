/**
 * Authentication as generated code carries it: credentials as value templates over binds (read at
 * run time, never written into generated files), the digest scheme and oauth2 verifier as
 * references to their optional runtime modules.
 */
import type {
  InboundAuth,
  OAuth2Auth,
  UpstreamAuth,
  ValueTemplate,
} from '../../templates/runtime/contract.js';
import type { NaftikoAuthentication } from '../load/naftiko-types.js';
import { constantCase } from './names.js';
import { runtimeRef } from './runtime-modules.js';
import { valueTemplate, type Binds } from './values.js';

/** Upstream (consumes) authentication; `none` when there is none (nothing is sent, as the engine does). */
export function upstreamAuth(auth: NaftikoAuthentication | undefined, binds: Binds): UpstreamAuth {
  if (!auth) return { type: 'none' };
  const template = (text: string): ValueTemplate => valueTemplate(text, binds);
  switch (auth.type) {
    case 'bearer':
      return { type: 'bearer', token: template(auth.token ?? '') };
    case 'apikey':
      return {
        type: 'apikey',
        key: auth.key ?? '',
        value: template(auth.value ?? ''),
        placement: auth.placement ?? 'header',
      };
    case 'basic':
      return {
        type: 'basic',
        username: template(auth.username ?? ''),
        password: template(auth.password ?? ''),
      };
    case 'digest':
      return {
        type: 'digest',
        username: template(auth.username ?? ''),
        password: template(auth.password ?? ''),
        scheme: runtimeRef('auth-digest'),
      };
    default:
      return { type: 'none' };
  }
}

/** Whether capgen generates an adapter protecting itself with `auth` (else the adapter is left out). */
export function generatedInbound(auth: NaftikoAuthentication): boolean {
  return (
    ['bearer', 'apikey', 'basic', 'digest'].includes(auth.type) ||
    (auth.type === 'oauth2' && auth.tokenValidation !== 'introspection')
  );
}

/** Inbound (exposes) authentication of the adapter `namespace`; undefined when open. */
export function inboundAuth(
  auth: NaftikoAuthentication | undefined,
  binds: Binds,
  namespace: string,
): InboundAuth | undefined {
  if (auth?.type === 'oauth2') {
    const prefix = constantCase(namespace);
    const oauth2: OAuth2Auth = {
      type: 'oauth2',
      authorizationServerUri: auth.authorizationServerUri ?? '',
      resource: auth.resource ?? '',
      ...(auth.audience !== undefined ? { audience: auth.audience } : {}),
      ...(auth.scopes?.length ? { scopes: auth.scopes } : {}),
      jwksUriEnv: `${prefix}_JWKS_URI`,
      publicKeyEnv: `${prefix}_JWT_PUBLIC_KEY`,
      verifier: runtimeRef('auth-oauth2'),
    };
    return oauth2;
  }
  const result = upstreamAuth(auth, binds);
  return result.type === 'none' ? undefined : result;
}

/** The environment variables holding credentials an auth declaration reads, in order. */
export function templateEnvVars(auth: InboundAuth | undefined): string[] {
  if (!auth) return [];
  const templates: ValueTemplate[] =
    auth.type === 'bearer'
      ? [auth.token]
      : auth.type === 'apikey'
        ? [auth.value]
        : auth.type === 'basic' || auth.type === 'digest'
          ? [auth.username, auth.password]
          : [];
  return templates.flatMap((t) => t.flatMap((p) => ('env' in p ? [p.env] : [])));
}

/** The environment variables that configure how an oauth2 adapter gets its keys (not secrets). */
export function keyEnvVars(auth: InboundAuth | undefined): string[] {
  return auth?.type === 'oauth2' ? [auth.jwksUriEnv, auth.publicKeyEnv] : [];
}
