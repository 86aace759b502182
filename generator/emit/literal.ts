/** Data for generated files, written as TypeScript object literals (prettier formats them later). */
export function literal(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => v, 2);
}
