/**
 * types/<api>.ts: the named types of one API, shared by every capability that consumes it (each
 * capability's types.ts imports it as a namespace: `Stripe.CheckoutSession`).
 */
import type { TypeModuleModel } from '../model/types.js';
import { codeHeader } from './header.js';
import type { GeneratedFile } from './index.js';
import { laidOutModule, moduleDeclarations } from './schema-printer.js';

/**
 * The module at `path`, in prettier's layout already (the formatter leaves it), or, when it holds
 * what only prettier lays out, as source for the formatter.
 */
export function emitApiTypes(
  module: TypeModuleModel,
  regenerate: string,
  path: string,
): GeneratedFile {
  const header = codeHeader(
    `Types of the API at ${module.label}: one named type for each schema the generated capabilities reach.`,
    { sources: module.sources, regenerate },
  ) as unknown as string;
  const laidOut = laidOutModule(module, header);
  if (laidOut !== undefined) return { path, contents: laidOut, laidOut: true };
  return { path, contents: [header, ...moduleDeclarations(module)].join('\n\n') };
}
