/**
 * Limits on the shape of untrusted JSON: request bodies (REST), tool arguments and JSON-RPC messages
 * (MCP), and what the client is asked to encode. Checked once per value by an iterative walk, before
 * anything recursive (validation, form encoding, serialization) touches it, so that every later step
 * runs in time linear in the input and on a bounded stack.
 */

/** How deep and how large a JSON value may be. */
export interface ShapeLimits {
  /** Deepest nesting of objects and arrays (a flat object is depth 1). */
  maxDepth: number;
  /** Most object members plus array elements, counted over the whole value. */
  maxNodes: number;
}

/** Stripe's deepest parameters nest 5 levels; real bodies stay far below both figures. */
export const DEFAULT_SHAPE_LIMITS: Readonly<ShapeLimits> = { maxDepth: 32, maxNodes: 100_000 };

/** Why a value broke a limit; `kind` tells a 400 (depth) from a 413 (size). */
export interface ShapeIssue {
  kind: 'depth' | 'nodes';
  message: string;
}

/**
 * Checks `value` against `limits` without recursion. `what` names the value in messages ("the
 * request body", "the arguments"). Returns undefined when it fits.
 */
export function checkShape(
  value: unknown,
  what: string,
  limits: Readonly<ShapeLimits> = DEFAULT_SHAPE_LIMITS,
): ShapeIssue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  let nodes = 0;
  while (stack.length > 0) {
    const current = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limits.maxDepth) {
      return {
        kind: 'depth',
        message: `${capitalize(what)} is nested too deeply: more than ${limits.maxDepth} levels of objects and arrays.`,
      };
    }
    const children = Array.isArray(current) ? current : Object.values(current);
    nodes += children.length;
    if (nodes > limits.maxNodes) {
      return {
        kind: 'nodes',
        message: `${capitalize(what)} has more than ${limits.maxNodes} values (object members and array elements).`,
      };
    }
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
