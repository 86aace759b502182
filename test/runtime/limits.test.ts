/** The shape limits (limits.ts) and the form encoder's own limits (form.ts). */
import { describe, expect, it } from 'vitest';
import { encodeForm, FormEncodingError } from '../../templates/runtime/form.js';
import { checkShape, DEFAULT_SHAPE_LIMITS } from '../../templates/runtime/limits.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: 1, b: value };
  return value;
}

describe('checkShape', () => {
  it('accepts values up to the depth limit and refuses one level more, as a depth issue', () => {
    expect(checkShape(nested(DEFAULT_SHAPE_LIMITS.maxDepth), 'the body')).toBeUndefined();
    expect(checkShape(nested(DEFAULT_SHAPE_LIMITS.maxDepth + 1), 'the body')).toEqual({
      kind: 'depth',
      message: 'The body is nested too deeply: more than 32 levels of objects and arrays.',
    });
  });

  it('walks 100 000 levels without recursion', () => {
    expect(checkShape(nested(100_000), 'the body')?.kind).toBe('depth');
  });

  it('counts members and elements over the whole value, as a size issue', () => {
    const wide = { list: Array.from({ length: 60_000 }, () => 0), more: Array(50_000).fill(1) };
    expect(checkShape(wide, 'the arguments')?.kind).toBe('nodes');
    expect(checkShape(wide, 'x', { maxDepth: 32, maxNodes: 200_000 })).toBeUndefined();
  });

  it('stops on circular structures', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(checkShape(loop, 'the body')).toBeDefined();
  });
});

describe('encodeForm limits', () => {
  it('refuses nesting past maxDepth, naming the parameter', () => {
    expect(() => encodeForm({ metadata: nested(40) as Record<string, unknown> })).toThrow(
      FormEncodingError,
    );
    expect(encodeForm({ a: nested(3) as Record<string, unknown> })).toBe(
      'a[a]=1&a[b][a]=1&a[b][b][a]=1&a[b][b][b]=leaf',
    );
  });

  it('refuses output past maxLength', () => {
    const big = { items: Array.from({ length: 100 }, (_, i) => `value-${i}`) };
    expect(() => encodeForm(big, { maxLength: 500 })).toThrow(/too large to encode/);
    expect(encodeForm(big, { maxLength: 5000 })).toContain('items[99]=value-99');
  });

  it('encodes each key segment once: brackets and escapes as for the whole key', () => {
    expect(encodeForm({ 'a b': { 'c[d]': { "e'!": 'v w' } } })).toBe('a%20b[c[d]][e%27%21]=v%20w');
  });
});
