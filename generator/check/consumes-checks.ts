/** Checks of consumes blocks: namespaces, resources, operations, parameters, auth, bodies. */
import type { NaftikoAuthentication } from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { pathPlaceholders, pathTemplateProblem } from './references.js';
import type { CheckContext } from './semantics.js';

export function checkConsumes(ctx: CheckContext): void {
  const namespaces = new Set<string>();
  const operationKeys = new Set<string>();
  for (const site of ctx.sites) {
    const { consumes, source, at, binds } = site;
    ctx.unique(namespaces, consumes.namespace, [...at, 'namespace'], 'namespace', source);
    if (consumes.authentication !== undefined)
      checkAuthentication(ctx, consumes.authentication, [...at, 'authentication'], source, binds);
    (consumes.inputParameters ?? []).forEach((param, pi) => {
      if (param.value !== undefined)
        ctx.checkBindTemplate(param.value, [...at, 'inputParameters', pi, 'value'], source, binds);
    });
    const resourceNames = new Set<string>();
    (consumes.resources ?? []).forEach((resource, ri) => {
      const rat: JsonPath = [...at, 'resources', ri];
      ctx.unique(resourceNames, resource.name, [...rat, 'name'], 'resource name', source);
      checkPathTemplate(ctx, resource.path, [...rat, 'path'], source);
      const placeholders = pathPlaceholders(resource.path);
      const routes = new Set<string>();
      resource.operations.forEach((operation, oi) => {
        const oat: JsonPath = [...rat, 'operations', oi];
        const key = `${consumes.namespace}.${operation.name}`;
        if (operationKeys.has(key))
          ctx.error(
            [...oat, 'name'],
            'naftiko/duplicate-name',
            `operation '${operation.name}' is declared twice in namespace '${consumes.namespace}'`,
            'give each consumed operation a unique name',
            false,
            source,
          );
        operationKeys.add(key);
        ctx.unique(routes, operation.method, [...oat, 'method'], 'method on this resource', source);
        const bodyless = operation.method === 'GET' || operation.method === 'DELETE';
        (operation.inputParameters ?? []).forEach((param, pi) => {
          const pat: JsonPath = [...oat, 'inputParameters', pi];
          if (param.in === 'path' && !placeholders.includes(param.name))
            ctx.error(
              [...pat, 'name'],
              'naftiko/path-param-mismatch',
              `path parameter '${param.name}' does not appear in the resource path '${resource.path}'`,
              `add '{${param.name}}' to the path or change 'in'`,
              false,
              source,
            );
          if (param.in === 'body' && param.name === 'body' && bodyless)
            ctx.warning(
              pat,
              'capgen/body-ignored',
              `a ${operation.method} request never sends a body; parameter 'body' of '${operation.name}' is ignored`,
              'remove the body parameter from this operation',
              false,
              source,
            );
          if (param.in === 'environment')
            ctx.notGenerated(
              pat,
              "'in: environment' parameters are",
              'pass the value with `value:` or through `with`',
              source,
            );
        });
        const seen = new Set<string>();
        (operation.inputParameters ?? []).forEach((param, pi) =>
          ctx.unique(
            seen,
            `${param.in}:${param.name}`,
            [...oat, 'inputParameters', pi, 'name'],
            'parameter',
            source,
          ),
        );
        if (operation.body !== undefined) {
          if (bodyless)
            ctx.warning(
              [...oat, 'body'],
              'capgen/body-ignored',
              `a ${operation.method} request never sends a body; the body of '${operation.name}' is ignored`,
              'remove `body` from this operation',
              true,
              source,
            );
          else if (typeof operation.body === 'object' && operation.body.type === 'multipartForm')
            ctx.notGenerated(
              [...oat, 'body'],
              'multipart form bodies are',
              'send JSON, text or form data',
              source,
            );
        }
      });
    });
  }
}

/** A positioned warning for a path that is not a URL path template (`/v1/Invoice Items`). */
export function checkPathTemplate(
  ctx: CheckContext,
  path: string,
  at: JsonPath,
  source: SourceDocument = ctx.source,
): void {
  const problem = pathTemplateProblem(path);
  if (problem)
    ctx.warning(
      at,
      'capgen/invalid-path',
      `'${path}' is not a valid URL path template: it contains ${problem}`,
      'write the path as the API spells it (e.g. /v1/invoiceitems), %-encoding what is not a path character',
      false,
      source,
    );
}

/**
 * An authentication object: on a consumes block (`inbound` false) how upstream calls authenticate,
 * on an adapter how callers must. oauth2 describes a resource server, so it is inbound only.
 */
export function checkAuthentication(
  ctx: CheckContext,
  auth: NaftikoAuthentication,
  at: JsonPath,
  source: SourceDocument = ctx.source,
  binds = ctx.binds,
  inbound = false,
): void {
  if (auth.type === 'oauth2') {
    if (!inbound) {
      ctx.warning(
        [...at, 'type'],
        'capgen/auth-ignored',
        'oauth2 authentication describes a resource server (callers presenting tokens); upstream calls carry no credentials, as with the Naftiko engine',
        'to send a token you obtained, use `type: bearer` with `token: "{{TOKEN}}"`',
        true,
        source,
      );
      return;
    }
    if (auth.tokenValidation === 'introspection')
      ctx.notGenerated(
        [...at, 'tokenValidation'],
        'token introspection (RFC 7662) is',
        'use `tokenValidation: jwks` (the default); the adapter is left out until then',
        source,
      );
    for (const field of ['authorizationServerUri', 'resource'] as const) {
      const value = auth[field];
      if (value !== undefined && !/^https?:\/\/[^/?#\s]+/i.test(value))
        ctx.error(
          [...at, field],
          'naftiko/invalid-uri',
          `${field} '${value}' is not an absolute http(s) URI`,
          field === 'resource'
            ? 'write the canonical URI of this server, e.g. https://mcp.example.com/mcp'
            : 'write the issuer URI of the authorization server, e.g. https://auth.example.com',
          false,
          source,
        );
    }
    return;
  }
  for (const field of ['token', 'value', 'username', 'password'] as const) {
    const text = auth[field];
    if (typeof text === 'string') ctx.checkBindTemplate(text, [...at, field], source, binds);
  }
  const missing = (what: string, hint: string) =>
    ctx.error(at, 'naftiko/missing-field', what, hint, false, source);
  if (auth.type === 'bearer' && auth.token === undefined)
    missing(
      'bearer authentication needs a token',
      'add `token: "{{API_KEY}}"` and bind API_KEY under binds',
    );
  if (auth.type === 'apikey' && (auth.key === undefined || auth.value === undefined))
    missing(
      'apikey authentication needs key and value',
      'add `key: X-Api-Key` and `value: "{{API_KEY}}"`',
    );
  if ((auth.type === 'basic' || auth.type === 'digest') && auth.username === undefined)
    missing(`${auth.type} authentication needs a username`, 'add `username: "{{API_USER}}"`');
}
