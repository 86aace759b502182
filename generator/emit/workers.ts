/**
 * The `workers` target: per capability, worker.ts (one fetch entry for the REST routes and the MCP
 * server, on the web-standard handlers) and wrangler.jsonc (printed by JSON.stringify, so spec text
 * is escaped by construction; the comments above it go through `lineComments`).
 */
import type { DeployNames } from '../model/deploy.js';
import type { CapabilityModel } from '../model/types.js';
import { WORKERS_COMPATIBILITY_DATE } from '../version.js';
import { jsonText } from './escape.js';
import { codeHeader, lineCommentHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import type { Emitted } from './literal.js';
import { renderTs } from './render.js';

/** True when a capability has something for a Worker to serve. */
export const hasServer = (capability: CapabilityModel): boolean =>
  Boolean(capability.rest || capability.mcp);

/** worker.ts, from a template in prettier's layout (canonical.ts). */
export function emitWorker(capability: CapabilityModel): Emitted {
  return renderCanonical(() =>
    renderTs('worker.ts.hbs', {
      header: codeHeader(`Cloudflare Worker for ${capability.label}.`, capability),
      rest: Boolean(capability.rest),
      mcp: Boolean(capability.mcp),
    }),
  );
}

/**
 * wrangler.jsonc: the Worker's name, entry and compatibility date (capgen's, not today's); each
 * consumed API's base URI as a var (the spec's, to be overridden per environment); and the secrets
 * it needs, by name only. No `compatibility_flags`: the Worker imports no Node built-in, so it needs
 * no `nodejs_compat`.
 */
export function emitWrangler(capability: CapabilityModel, names: DeployNames, out: string): string {
  const secrets = capability.env.filter((e) => e.secret).map((e) => e.name);
  const config = {
    name: names.base,
    main: 'worker.ts',
    compatibility_date: WORKERS_COMPATIBILITY_DATE,
    vars: Object.fromEntries(capability.apis.map((api) => [api.spec.baseUriEnv, api.spec.baseUri])),
    ...(secrets.length ? { secrets: { required: secrets } } : {}),
  };
  const file = `${out}/${capability.id}/wrangler.jsonc`;
  const header = lineCommentHeader(
    '//',
    `Cloudflare Worker for ${capability.label}: ${serves(capability)} on one fetch entry.`,
    capability,
    [
      '',
      `Deploy: npx wrangler deploy -c ${file}`,
      ...(secrets.length
        ? [`Secrets, named here and never filled: npx wrangler secret put <NAME> -c ${file}`]
        : []),
    ],
  );
  return `${header}\n${jsonText(config)}\n`;
}

function serves(capability: CapabilityModel): string {
  const parts = [
    ...(capability.rest ? ['the REST routes'] : []),
    ...(capability.mcp ? ['the MCP server at /mcp'] : []),
    'GET /healthz',
  ];
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
