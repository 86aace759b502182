/** Inbound authentication of the REST adapter: checks what the caller presents, answers 401. */
import type { InboundAuth } from './contract.js';
import { credentialsMatch, resolveExpectedCredentials } from './credentials.js';
import { checkDigest, checkOAuth2, type Refusal } from './inbound-auth.js';
import type { ParsedQuery } from './rest-query.js';
import { authNotConfigured, errorResponse, unauthorized } from './rest-responses.js';
import type { CoreResponse, RequestView } from './rest-types.js';

/**
 * Undefined when the request is authenticated; otherwise the 401 (403 for a token without the
 * scopes, 500 if misconfigured). A promise only for oauth2, whose tokens are verified asynchronously.
 */
export function checkAuth(
  auth: Exclude<InboundAuth, { type: 'none' }>,
  req: RequestView,
  query: ParsedQuery | undefined,
  env: Record<string, string | undefined>,
  realm: string,
): CoreResponse | undefined | Promise<CoreResponse | undefined> {
  if (auth.type === 'oauth2')
    return checkOAuth2(auth, req.header('authorization'), env).then(refusalResponse);
  const expected = resolveExpectedCredentials(auth, env);
  if ('missing' in expected) return authNotConfigured(expected.missing[0]);
  if (expected.type === 'digest') {
    const uri = req.query === '' ? req.path : `${req.path}?${req.query}`;
    const refusal = checkDigest(
      expected,
      req.header('authorization'),
      { method: req.method, uri },
      realm,
    );
    return refusalResponse(refusal);
  }
  const presented = {
    header: (name: string) => req.header(name),
    query: (name: string) => {
      const entries = query?.get(name);
      return entries !== undefined && entries.length === 1 && entries[0].keys.length === 0
        ? entries[0].value
        : undefined;
    },
  };
  if (credentialsMatch(expected, presented)) return undefined;
  const quotedRealm = `"${realm.replace(/["\\]/g, '')}"`;
  switch (expected.type) {
    case 'bearer':
      return unauthorized(
        'Missing or invalid credentials. Send the header `Authorization: Bearer <token>`.',
        `Bearer realm=${quotedRealm}${req.header('authorization') === undefined ? '' : ', error="invalid_token"'}`,
      );
    case 'apikey': {
      const where =
        expected.placement === 'header'
          ? `the \`${expected.key}\` header`
          : `the \`${expected.key}\` query parameter`;
      return unauthorized(
        `Missing or invalid API key. Pass it in ${where}.`,
        `ApiKey realm=${quotedRealm}, in="${expected.placement}", name="${expected.key.replace(/["\\]/g, '')}"`,
      );
    }
    case 'basic':
      return unauthorized(
        'Missing or invalid credentials. Use HTTP Basic authentication.',
        `Basic realm=${quotedRealm}, charset="UTF-8"`,
      );
  }
}

function refusalResponse(refusal: Refusal | undefined): CoreResponse | undefined {
  if (refusal === undefined) return undefined;
  const type = refusal.status === 500 ? 'api_error' : 'invalid_request_error';
  const headers = refusal.challenge ? { 'www-authenticate': refusal.challenge } : undefined;
  return errorResponse(refusal.status, type, refusal.message, undefined, headers);
}
