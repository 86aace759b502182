/**
 * tsx's loader, registered once per process and only when TypeScript must run: `capgen serve`
 * imports the generated servers, which are TypeScript. (bin/capgen.js registers it too when it runs
 * capgen's own sources, and marks that with the same key.)
 */
const REGISTERED = Symbol.for('capgen.tsx-registered');

export async function enableTypeScript(): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  if (global[REGISTERED]) return;
  const { register } = await import('tsx/esm/api');
  register();
  global[REGISTERED] = true;
}
