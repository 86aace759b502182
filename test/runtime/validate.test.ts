import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../templates/runtime/contract.js';
import {
  coerceQueryParam,
  coerceTextParam,
  MalformedQueryError,
  parseQuery,
} from '../../templates/runtime/rest-query.js';
import { formatParam, validateArguments, validateValue } from '../../templates/runtime/validate.js';

describe('validateValue', () => {
  it('checks types, including lists of types and null', () => {
    expect(validateValue({ type: 'string' }, 'x')).toBeUndefined();
    expect(validateValue({ type: 'integer' }, 3)).toBeUndefined();
    expect(validateValue({ type: 'number' }, 3.5)).toBeUndefined();
    expect(validateValue({ type: ['string', 'null'] }, null)).toBeUndefined();
    expect(validateValue({ type: 'integer' }, 3.5, 'limit')).toEqual({
      param: 'limit',
      message: 'Invalid limit: expected an integer, got the number 3.5.',
    });
    expect(validateValue({ type: ['string', 'null'] }, 1, 'x')?.message).toBe(
      'Invalid x: expected a string or null, got the number 1.',
    );
    expect(validateValue({ type: 'object' }, [], 'x')?.message).toMatch(
      /expected an object, got an array/,
    );
    expect(validateValue({ type: 'number' }, Number.NaN, 'x')).toBeDefined();
    expect(validateValue({}, { anything: [1] })).toBeUndefined();
  });

  it('checks enum, bounds, lengths and patterns', () => {
    expect(validateValue({ enum: ['a', 'b'] }, 'c', 'mode')?.message).toBe(
      'Invalid mode: must be one of "a", "b"; got a string ("c").',
    );
    expect(validateValue({ enum: [{ a: 1 }] }, { a: 1 })).toBeUndefined();
    expect(validateValue({ type: 'integer', minimum: 1, maximum: 100 }, 0, 'limit')?.message).toBe(
      'Invalid limit: must be at least 1 (got 0).',
    );
    expect(
      validateValue({ type: 'integer', minimum: 1, maximum: 100 }, 101, 'limit')?.message,
    ).toBe('Invalid limit: must be at most 100 (got 101).');
    expect(validateValue({ type: 'string', maxLength: 3 }, 'abcd', 's')?.message).toBe(
      'Invalid s: must be at most 3 characters long (got 4).',
    );
    expect(validateValue({ type: 'string', maxLength: 1 }, '😀')).toBeUndefined();
    expect(validateValue({ type: 'string', minLength: 2 }, 'a', 's')?.message).toMatch(
      /at least 2 characters/,
    );
    expect(validateValue({ type: 'string', pattern: '^cs_' }, 'pi_1', 'id')?.message).toBe(
      'Invalid id: "pi_1" does not match the pattern /^cs_/.',
    );
    expect(validateValue({ type: 'string', pattern: '^cs_' }, 'cs_1')).toBeUndefined();
    expect(validateValue({ type: 'string', pattern: '(' }, 'x')).toBeUndefined(); // broken pattern ignored
  });

  it('names nested parameters in bracket notation', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        account_holder: {
          type: 'object',
          properties: { type: { enum: ['individual', 'company'] } },
          required: ['type'],
        },
        line_items: {
          type: 'array',
          items: { type: 'object', properties: { quantity: { type: 'integer' } } },
        },
      },
    };
    expect(validateValue(schema, { account_holder: { type: 'robot' } })?.param).toBe(
      'account_holder[type]',
    );
    expect(validateValue(schema, { account_holder: {} })).toEqual({
      param: 'account_holder[type]',
      message: 'Missing required param: account_holder[type].',
    });
    expect(
      validateValue(schema, { line_items: [{ quantity: 1 }, { quantity: 'two' }] })?.param,
    ).toBe('line_items[1][quantity]');
    expect(validateValue(schema, { line_items: [{ quantity: 1 }] }, 'body')).toBeUndefined();
    expect(validateValue(schema, 'text')).toEqual({
      param: '',
      message: 'Invalid request body: expected an object, got a string ("text").',
    });
    expect(formatParam('', ['a', 0, 'b'])).toBe('a[0][b]');
    expect(formatParam('root', ['a'])).toBe('root[a]');
  });

  it('rejects unknown properties only when additionalProperties is false, and checks their schema otherwise', () => {
    const closed: JsonSchema = {
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: false,
    };
    expect(validateValue(closed, { a: 'x', b: 1 }, 'o')).toEqual({
      param: 'o[b]',
      message: 'Received unknown parameter: o[b]. Known parameters: a.',
    });
    expect(
      validateValue(
        { type: 'object', additionalProperties: { type: 'string' } },
        { k: 1 },
        'metadata',
      )?.param,
    ).toBe('metadata[k]');
    expect(validateValue({ type: 'object', properties: {} }, { k: 1 })).toBeUndefined();
  });

  it('accepts anyOf when one branch matches and reports the branch the value aimed at', () => {
    const created: JsonSchema = {
      anyOf: [
        { type: 'object', properties: { gte: { type: 'integer' } }, additionalProperties: false },
        { type: 'integer' },
      ],
    };
    expect(validateValue(created, 5)).toBeUndefined();
    expect(validateValue(created, { gte: 1 })).toBeUndefined();
    expect(validateValue(created, { gte: 'x' }, 'created')).toEqual({
      param: 'created[gte]',
      message: 'Invalid created[gte]: expected an integer, got a string ("x").',
    });
    expect(validateValue(created, 'x', 'created')?.message).toBe(
      'Invalid created: expected an object or an integer, got a string ("x").',
    );
    const unsettable: JsonSchema = {
      anyOf: [
        { type: 'object', additionalProperties: { type: 'string' } },
        { type: 'string', enum: [''] },
      ],
    };
    expect(validateValue(unsettable, '')).toBeUndefined();
    expect(validateValue(unsettable, 'x', 'metadata')?.message).toBe(
      'Invalid metadata: must be one of "" (empty string); got a string ("x").',
    );
  });
});

describe('validateArguments', () => {
  it('lists every problem', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: { session: { type: 'string' }, limit: { type: 'integer', maximum: 100 } },
      required: ['session'],
      additionalProperties: false,
    };
    expect(validateArguments(schema, { session: 'cs_1', limit: 5 })).toEqual([]);
    expect(validateArguments(schema, { limit: 500, extra: true })).toEqual([
      'Missing required param: session.',
      'Invalid limit: must be at most 100 (got 500).',
      'Received unknown parameter: extra. Known parameters: session, limit.',
    ]);
    expect(validateArguments(schema, 'nope')).toEqual([
      'Invalid arguments: expected an object, got a string ("nope").',
    ]);
    expect(validateArguments(schema, { a: 1, b: 2, c: 3 }, 2)).toHaveLength(2);
  });
});

describe('query coercion', () => {
  const coerce = (schema: JsonSchema, query: string, name: string) => {
    const entries = parseQuery(query).get(name);
    if (entries === undefined) throw new Error(`no ${name} in ${query}`);
    return coerceQueryParam(schema, entries, name);
  };
  const value = (schema: JsonSchema, query: string, name: string): unknown => {
    const result = coerce(schema, query, name);
    if (!result.ok) throw new Error(result.issue.message);
    return result.value;
  };
  const issue = (schema: JsonSchema, query: string, name: string) => {
    const result = coerce(schema, query, name);
    if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
    return result.issue;
  };

  it('parses and decodes query strings', () => {
    const parsed = parseQuery('a=1&b=x+y&c=%C3%A9&d&&e=&a=2&f%5Bg%5D=h');
    expect(parsed.get('a')).toEqual([
      { keys: [], value: '1' },
      { keys: [], value: '2' },
    ]);
    expect(parsed.get('b')?.[0].value).toBe('x y');
    expect(parsed.get('c')?.[0].value).toBe('é');
    expect(parsed.get('d')?.[0].value).toBe('');
    expect(parsed.get('e')?.[0].value).toBe('');
    expect(parsed.get('f')).toEqual([{ keys: ['g'], value: 'h' }]);
    expect(parseQuery('a[b=1').get('a[b')).toBeDefined();
    expect(() => parseQuery('a=%E0%A4%A')).toThrow(MalformedQueryError);
  });

  it('types scalars', () => {
    expect(value({ type: 'integer' }, 'limit=3', 'limit')).toBe(3);
    expect(value({ type: 'integer' }, 'limit=-3', 'limit')).toBe(-3);
    expect(issue({ type: 'integer' }, 'limit=3.5', 'limit')).toEqual({
      param: 'limit',
      message: 'Invalid limit: expected an integer, got "3.5".',
    });
    expect(issue({ type: 'integer' }, 'limit=99999999999999999999', 'limit').param).toBe('limit');
    expect(value({ type: 'number' }, 'n=3.5', 'n')).toBe(3.5);
    expect(value({ type: 'number' }, 'n=1e3', 'n')).toBe(1000);
    expect(issue({ type: 'number' }, 'n=0x10', 'n').param).toBe('n');
    expect(value({ type: 'boolean' }, 'b=true', 'b')).toBe(true);
    expect(value({ type: 'boolean' }, 'b=false', 'b')).toBe(false);
    expect(issue({ type: 'boolean' }, 'b=yes', 'b').message).toBe(
      'Invalid b: expected a boolean (true or false), got "yes".',
    );
    expect(value({ type: 'string' }, 's=123', 's')).toBe('123');
    expect(value({ type: ['integer', 'null'] }, 'x=', 'x')).toBeNull();
    expect(value({ type: ['integer', 'string'] }, 'x=5', 'x')).toBe(5);
    expect(value({}, 'x=5', 'x')).toBe('5');
    expect(issue({ type: 'string' }, 's=a&s=b', 's').message).toMatch(/given 2 times/);
    expect(issue({ type: 'string', enum: ['open', 'complete'] }, 's=x', 's').message).toMatch(
      /must be one of "open", "complete"/,
    );
  });

  it('reads arrays in all three forms', () => {
    const expand: JsonSchema = { type: 'array', items: { type: 'string' } };
    expect(value(expand, 'expand[]=a&expand[]=b', 'expand')).toEqual(['a', 'b']);
    expect(value(expand, 'expand[0]=a&expand[1]=b', 'expand')).toEqual(['a', 'b']);
    expect(value(expand, 'expand[1]=b&expand[0]=a', 'expand')).toEqual(['a', 'b']);
    expect(value(expand, 'expand=a&expand=b', 'expand')).toEqual(['a', 'b']);
    expect(value(expand, 'expand=a', 'expand')).toEqual(['a']);
    expect(value({ type: 'array', items: { type: 'integer' } }, 'n[]=1&n[]=2', 'n')).toEqual([
      1, 2,
    ]);
    expect(issue({ type: 'array', items: { type: 'integer' } }, 'n[]=1&n[]=x', 'n').param).toBe(
      'n[1]',
    );
    expect(issue(expand, 'expand[]=a&expand[0]=b', 'expand').message).toMatch(/not both/);
    expect(issue(expand, 'expand=a&expand[0]=b', 'expand').message).toMatch(/cannot mix/);
    expect(issue(expand, 'expand[99999]=a', 'expand').message).toMatch(/too large/);
  });

  it('reads objects in nested bracket notation, typed by their properties', () => {
    const created: JsonSchema = {
      anyOf: [
        {
          type: 'object',
          properties: {
            gt: { type: 'integer' },
            gte: { type: 'integer' },
            lt: { type: 'integer' },
            lte: { type: 'integer' },
          },
          additionalProperties: false,
        },
        { type: 'integer' },
      ],
    };
    expect(value(created, 'created[gte]=1&created[lt]=9', 'created')).toEqual({ gte: 1, lt: 9 });
    expect(value(created, 'created=5', 'created')).toBe(5);
    expect(issue(created, 'created[gte]=x', 'created')).toEqual({
      param: 'created[gte]',
      message: 'Invalid created[gte]: expected an integer, got "x".',
    });
    expect(issue(created, 'created[foo]=1', 'created').param).toBe('created[foo]');
    expect(issue(created, 'created=soon', 'created').message).toBe(
      'Invalid created: expected an object or an integer, got "soon".',
    );

    const items: JsonSchema = {
      type: 'array',
      items: {
        type: 'object',
        properties: { price: { type: 'string' }, quantity: { type: 'integer' } },
        required: ['price'],
      },
    };
    expect(
      value(items, 'items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2', 'items'),
    ).toEqual([{ price: 'p1', quantity: 2 }, { price: 'p2' }]);
    expect(issue(items, 'items[0][quantity]=2', 'items')).toEqual({
      param: 'items[0][price]',
      message: 'Missing required param: items[0][price].',
    });

    const holder: JsonSchema = {
      type: 'object',
      properties: { type: { type: 'string', enum: ['individual', 'company'] } },
    };
    expect(issue(holder, 'account_holder[type]=robot', 'account_holder').param).toBe(
      'account_holder[type]',
    );
    expect(
      value(
        { type: 'object', additionalProperties: { type: 'string' } },
        'metadata[a]=1&metadata[b]=2',
        'metadata',
      ),
    ).toEqual({ a: '1', b: '2' });
    expect(value({}, 'x[a][b]=1', 'x')).toEqual({ a: { b: '1' } });
    expect(issue({ type: 'object' }, 'x=1', 'x').message).toMatch(
      /pass its fields as x\[field\]=value/,
    );
    const polluted = value({ type: 'object' }, 'x[__proto__][polluted]=1', 'x') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(polluted)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(polluted, '__proto__')?.value).toEqual({
      polluted: '1',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('types path parameters', () => {
    expect(coerceTextParam({ type: 'integer' }, '12', 'id')).toEqual({ ok: true, value: 12 });
    expect(coerceTextParam({ type: 'string' }, 'a/b', 'id')).toEqual({ ok: true, value: 'a/b' });
    expect(coerceTextParam({ type: 'integer' }, 'x', 'id').ok).toBe(false);
  });
});
