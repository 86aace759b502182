import { describe, expect, it } from 'vitest';
import type { JsonValue, OutputMapping } from '../../templates/runtime/contract.js';
import {
  applyOutput,
  bindInputs,
  evaluatePath,
  isValueTemplate,
} from '../../templates/runtime/output.js';

const session: JsonValue = {
  id: 'cs_123',
  object: 'checkout.session',
  'amount-total': 1200,
  customer_details: { email: 'a@example.com', address: { country: 'FR' } },
  data: [
    { id: 'li_1', price: { id: 'price_1' }, quantity: 1 },
    { id: 'li_2', price: { id: 'price_2' }, quantity: 3 },
    { price: { id: 'price_3' } },
  ],
  empty: [],
  nothing: null,
};

describe('evaluatePath', () => {
  it('returns the whole document for $ and $.', () => {
    expect(evaluatePath('$', session)).toBe(session);
    expect(evaluatePath('$.', session)).toBe(session);
  });

  it('follows dotted, bracketed and quoted names', () => {
    expect(evaluatePath('$.id', session)).toBe('cs_123');
    expect(evaluatePath('$.customer_details.address.country', session)).toBe('FR');
    expect(evaluatePath("$['amount-total']", session)).toBe(1200);
    expect(evaluatePath('$["customer_details"]["email"]', session)).toBe('a@example.com');
  });

  it('indexes arrays, including from the end', () => {
    expect(evaluatePath('$.data[0].id', session)).toBe('li_1');
    expect(evaluatePath('$.data[-1].price.id', session)).toBe('price_3');
    expect(evaluatePath('$.data.1.quantity', session)).toBe(3);
  });

  it('yields null for anything missing', () => {
    expect(evaluatePath('$.missing', session)).toBeNull();
    expect(evaluatePath('$.missing.deeper', session)).toBeNull();
    expect(evaluatePath('$.data[9].id', session)).toBeNull();
    expect(evaluatePath('$.id.length', session)).toBeNull();
    expect(evaluatePath('$.data.length', session)).toBeNull();
    expect(evaluatePath('$.nothing', session)).toBeNull();
    expect(evaluatePath('$.constructor', session)).toBeNull();
  });

  it('projects wildcards into arrays, skipping elements without the rest of the path', () => {
    expect(evaluatePath('$.data[*].id', session)).toEqual(['li_1', 'li_2']);
    expect(evaluatePath('$.data[*].price.id', session)).toEqual(['price_1', 'price_2', 'price_3']);
    expect(evaluatePath('$.customer_details.address.*', session)).toEqual(['FR']);
    expect(evaluatePath('$.empty[*].id', session)).toEqual([]);
    expect(evaluatePath('$.missing[*]', session)).toEqual([]);
  });

  it('rejects syntax outside the subset', () => {
    expect(() => evaluatePath('data.id', session)).toThrow(/must start with \$/);
    expect(() => evaluatePath('$..id', session)).toThrow(/recursive descent/);
    expect(() => evaluatePath('$.data[?(@.id)]', session)).toThrow(/unsupported selector/);
    expect(() => evaluatePath('$.data[0:2]', session)).toThrow(/unsupported selector/);
    expect(() => evaluatePath("$['open", session)).toThrow(/unterminated/);
  });
});

describe('applyOutput', () => {
  it('passes the body through without mappings or with $.', () => {
    expect(applyOutput(undefined, session)).toBe(session);
    expect(applyOutput([], session)).toBe(session);
    expect(applyOutput([{ kind: 'path', path: '$.' }], session)).toBe(session);
    expect(applyOutput([{ kind: 'path', path: '$' }], session)).toBe(session);
  });

  it('returns the value of a single unnamed mapping', () => {
    expect(applyOutput([{ kind: 'path', path: '$.customer_details.email' }], session)).toBe(
      'a@example.com',
    );
  });

  it('builds objects from properties', () => {
    const mapping: OutputMapping = {
      kind: 'object',
      properties: {
        id: { kind: 'path', path: '$.id' },
        email: { kind: 'path', path: '$.customer_details.email' },
        missing: { kind: 'path', path: '$.nope' },
        source: { kind: 'value', value: 'stripe' },
        nested: {
          kind: 'object',
          properties: { country: { kind: 'path', path: '$.customer_details.address.country' } },
        },
      },
    };
    expect(applyOutput([mapping], session)).toEqual({
      id: 'cs_123',
      email: 'a@example.com',
      missing: null,
      source: 'stripe',
      nested: { country: 'FR' },
    });
  });

  it('maps arrays with items evaluated relative to each element', () => {
    const mapping: OutputMapping = {
      kind: 'array',
      path: '$.data',
      items: {
        kind: 'object',
        properties: {
          id: { kind: 'path', path: '$.id' },
          price: { kind: 'path', path: '$.price.id' },
        },
      },
    };
    expect(applyOutput([mapping], session)).toEqual([
      { id: 'li_1', price: 'price_1' },
      { id: 'li_2', price: 'price_2' },
      { id: null, price: 'price_3' },
    ]);
    expect(
      applyOutput(
        [{ kind: 'array', path: '$.missing', items: { kind: 'path', path: '$' } }],
        session,
      ),
    ).toBeNull();
    expect(
      applyOutput([{ kind: 'array', path: '$.id', items: { kind: 'path', path: '$' } }], session),
    ).toEqual(['cs_123']);
    expect(
      applyOutput(
        [{ kind: 'array', path: '$.data[*].price', items: { kind: 'path', path: '$.id' } }],
        session,
      ),
    ).toEqual(['price_1', 'price_2', 'price_3']);
  });

  it('returns one value per mapping when there are several', () => {
    expect(
      applyOutput(
        [
          { kind: 'path', path: '$.id' },
          { kind: 'path', path: '$.object' },
          { kind: 'value', value: 3 },
        ],
        session,
      ),
    ).toEqual(['cs_123', 'checkout.session', 3]);
  });

  it('keeps static arrays and objects as they are, and resolves value templates from the given env only', () => {
    expect(applyOutput([{ kind: 'value', value: [1, { a: 2 }] }], session)).toEqual([1, { a: 2 }]);
    const template: OutputMapping = {
      kind: 'value',
      value: [{ literal: 'region-' }, { env: 'REGION' }],
    };
    expect(applyOutput([template], session, { REGION: 'eu' })).toBe('region-eu');
    expect(applyOutput([template], session)).toBe('region-');
    expect(isValueTemplate([{ literal: 'x' }, { env: 'Y' }])).toBe(true);
    expect(isValueTemplate([{ literal: 'x', other: 1 }])).toBe(false);
    expect(isValueTemplate([])).toBe(false);
  });

  it('does not let a __proto__ property change the prototype', () => {
    const properties = JSON.parse(
      '{"__proto__": {"kind": "value", "value": {"polluted": true}}}',
    ) as Record<string, OutputMapping>;
    const out = applyOutput([{ kind: 'object', properties }], {}) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('bindInputs', () => {
  it('maps inputs to upstream parameters, passes literals, omits undefined inputs', () => {
    const params = bindInputs(
      {
        session: { input: 'session' },
        expand: { input: 'expand' },
        limit: { input: 'limit' },
        mode: { literal: 'payment' },
      },
      { session: 'cs_1', expand: ['data'], limit: undefined, unrelated: 1 },
    );
    expect(params).toEqual({ session: 'cs_1', expand: ['data'], mode: 'payment' });
    expect('limit' in params).toBe(false);
  });

  it('keeps falsy values that were given', () => {
    expect(
      bindInputs(
        { a: { input: 'a' }, b: { input: 'b' }, c: { input: 'c' } },
        { a: 0, b: false, c: null },
      ),
    ).toEqual({
      a: 0,
      b: false,
      c: null,
    });
  });

  it('can bind one input to several parameters under other names', () => {
    expect(
      bindInputs({ customer: { input: 'id' }, 'metadata[id]': { input: 'id' } }, { id: 'cus_1' }),
    ).toEqual({
      customer: 'cus_1',
      'metadata[id]': 'cus_1',
    });
  });
});
