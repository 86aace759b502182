/**
 * Checks of an MCP adapter's resources and prompts: unique names and URIs, `{param}` placeholders
 * of resource templates (the inputs of a dynamic resource's call), the folder of a static resource,
 * and the `{{argument}}` placeholders of prompt messages.
 */
import type { NaftikoMcp } from '../load/naftiko-types.js';
import type { JsonPath } from '../load/source.js';
import { checkInvocation, invocationMode } from './invocation-checks.js';
import type { CheckContext } from './semantics.js';

/** `{name}` in a resource URI. */
const URI_PLACEHOLDER = /\{([A-Za-z0-9_-]+)\}/g;
/** `{{name}}` in a prompt message. */
const PROMPT_PLACEHOLDER = /\{\{([A-Za-z0-9_*-]+)\}\}/g;

/** The placeholders of a resource URI, in order. */
export function uriPlaceholders(uri: string): string[] {
  return [...uri.matchAll(URI_PLACEHOLDER)].map((m) => m[1]);
}

export function checkResources(ctx: CheckContext, mcp: NaftikoMcp, at: JsonPath): void {
  const names = new Set<string>();
  const uris = new Set<string>();
  (mcp.resources ?? []).forEach((resource, ri) => {
    const rat: JsonPath = [...at, 'resources', ri];
    ctx.unique(names, resource.name, [...rat, 'name'], 'resource name');
    ctx.unique(uris, resource.uri, [...rat, 'uri'], 'resource uri');
    const placeholders = uriPlaceholders(resource.uri);
    if (/[{}]/.test(resource.uri.replace(URI_PLACEHOLDER, '')))
      ctx.error(
        [...rat, 'uri'],
        'naftiko/invalid-value',
        `uri '${resource.uri}' has a brace outside a {name} placeholder`,
        'write placeholders as {name}: letters, digits, _ and - between single braces',
      );
    const repeated = placeholders.find((p, i) => placeholders.indexOf(p) !== i);
    if (repeated !== undefined)
      ctx.error(
        [...rat, 'uri'],
        'naftiko/duplicate-name',
        `uri placeholder '{${repeated}}' is used twice`,
        'give each placeholder of the uri its own name',
      );
    if (resource.location !== undefined) {
      if (placeholders.length)
        ctx.error(
          [...rat, 'uri'],
          'naftiko/invalid-value',
          `the uri of a static resource is the prefix of its files' URIs; it cannot hold placeholders`,
          'remove the {placeholders}, or serve the data through `call`',
        );
      if (resource.uri.endsWith('/'))
        ctx.error(
          [...rat, 'uri'],
          'naftiko/invalid-value',
          `the uri of a static resource is the prefix of its files' URIs (<uri>/<file>); it cannot end with '/'`,
          `write '${resource.uri.replace(/\/+$/, '')}'`,
        );
      return;
    }
    const mode = invocationMode(resource);
    if (mode === 'orchestrated') {
      ctx.notGenerated(
        [...rat, 'steps'],
        'MCP resources in orchestrated mode (steps) are',
        'call one consumed operation with `call` and `with`',
      );
      return;
    }
    if (mode !== 'simple') return; // the schema requires call, steps or location
    checkInvocation(ctx, resource, rat, mcp.namespace, [], placeholders);
  });
}

export function checkPrompts(ctx: CheckContext, mcp: NaftikoMcp, at: JsonPath): void {
  const names = new Set<string>();
  (mcp.prompts ?? []).forEach((prompt, pi) => {
    const pat: JsonPath = [...at, 'prompts', pi];
    ctx.unique(names, prompt.name, [...pat, 'name'], 'prompt name');
    const args = new Set<string>();
    (prompt.arguments ?? []).forEach((arg, ai) =>
      ctx.unique(args, arg.name, [...pat, 'arguments', ai, 'name'], 'argument name'),
    );
    (prompt.template ?? []).forEach((message, mi) => {
      for (const [, name] of message.content.matchAll(PROMPT_PLACEHOLDER))
        if (!args.has(name))
          ctx.warning(
            [...pat, 'template', mi, 'content'],
            'naftiko/unknown-input',
            `'{{${name}}}' names no argument of prompt '${prompt.name}'; it is sent as written`,
            args.size
              ? `arguments: ${[...args].join(', ')}`
              : 'declare it under arguments, or remove the placeholder',
          );
    });
  });
}
