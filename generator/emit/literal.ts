/**
 * Data for generated files, written as TypeScript object literals. Written on one line, so that
 * prettier decides the layout: objects that fit on a line stay on one line.
 */
export function literal(value: unknown): string {
  return JSON.stringify(value);
}
