/**
 * types/<api>.ts: the named types of one API, shared by every capability that consumes it (each
 * capability's types.ts imports it as a namespace: `Stripe.CheckoutSession`).
 */
import type { TypeModuleModel } from '../model/types.js';
import { codeHeader } from './header.js';
import { moduleDeclarations } from './schema-printer.js';

export function emitApiTypes(module: TypeModuleModel, regenerate: string): string {
  return [
    codeHeader(
      `Types of the API at ${module.label}: one named type for each schema the generated capabilities reach.`,
      { sources: module.sources, regenerate },
    ),
    ...moduleDeclarations(module),
  ].join('\n\n');
}
