/**
 * Query strings in the OpenAPI parameter styles (OpenAPI 3.x Parameter Object, "Style Examples"),
 * beside Stripe's bracketed keys, and operation paths joined to the base path as OpenAPI does.
 */
import { describe, expect, it } from 'vitest';
import type { OperationSpec, ParamSpec } from '../../templates/runtime/contract.js';
import { buildQuery, joinPath } from '../../templates/runtime/client-url.js';

const op = (...params: ParamSpec[]): OperationSpec =>
  ({ id: 'op', method: 'GET', path: '/x', params }) as unknown as OperationSpec;
const query = (name: string, serialization?: ParamSpec['serialization']): ParamSpec => ({
  name,
  in: 'query',
  required: false,
  ...(serialization ? { serialization } : {}),
});
const color = ['blue', 'black', 'brown'];
const point = { R: 100, G: 200 };

describe('buildQuery', () => {
  it.each([
    [{ style: 'form', explode: true }, color, 'color=blue&color=black&color=brown'],
    [{ style: 'form', explode: false }, color, 'color=blue,black,brown'],
    [{ style: 'spaceDelimited', explode: false }, color, 'color=blue%20black%20brown'],
    [{ style: 'pipeDelimited', explode: false }, color, 'color=blue|black|brown'],
    [{ style: 'pipeDelimited', explode: true }, color, 'color=blue&color=black&color=brown'],
    [{ style: 'form', explode: true }, point, 'R=100&G=200'],
    [{ style: 'form', explode: false }, point, 'color=R,100,G,200'],
    [{ style: 'form', explode: true }, 'a b&c', 'color=a%20b%26c'],
  ] as const)('%o of %o is %s', (serialization, value, expected) => {
    expect(buildQuery(op(query('color', serialization)), { color: value })).toBe(expected);
  });

  it('keeps bracketed keys (deepObject, the default) and the declared order around styled ones', () => {
    const spec = op(
      query('expand'),
      query('tags', { style: 'form', explode: true }),
      query('limit'),
    );
    expect(
      decodeURIComponent(buildQuery(spec, { expand: ['a', 'b'], tags: ['x', 'y'], limit: 3 })),
    ).toBe('expand[0]=a&expand[1]=b&tags=x&tags=y&limit=3');
  });
});

describe('joinPath', () => {
  it('appends the operation path to the base path, `/` included', () => {
    expect(joinPath('/ds-api', '/')).toBe('/ds-api/');
    expect(joinPath('/ds-api/', '/fields')).toBe('/ds-api/fields');
    expect(joinPath('/', '/')).toBe('/');
    expect(joinPath('/v1', '')).toBe('/v1');
  });
});
