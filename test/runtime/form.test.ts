import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The stripe package's own encoder (used for v1 bodies and query strings) is the oracle. It is not
// exported from the package entry point, so it is imported by file path.
import { queryStringifyRequestData } from '../../node_modules/stripe/esm/utils.js';
import { encodeForm, encodeFormComponent } from '../../templates/runtime/form.js';

const oracle = (params: Record<string, unknown>): string =>
  queryStringifyRequestData(params as Parameters<typeof queryStringifyRequestData>[0]);

describe('encodeForm: fixed cases', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['empty', {}, ''],
    [
      'flat scalars',
      { amount: 2000, currency: 'usd', capture: false },
      'amount=2000&currency=usd&capture=false',
    ],
    [
      'nested object',
      { account_holder: { type: 'customer', customer: 'cus_1' } },
      'account_holder[type]=customer&account_holder[customer]=cus_1',
    ],
    [
      'array of strings',
      { permissions: ['balances', 'payment_method'] },
      'permissions[0]=balances&permissions[1]=payment_method',
    ],
    [
      'array in object',
      { filters: { countries: ['US', 'CA'] } },
      'filters[countries][0]=US&filters[countries][1]=CA',
    ],
    ['expand', { expand: ['data.customer'] }, 'expand[0]=data.customer'],
    [
      'array of objects',
      {
        line_items: [
          { price: 'price_1', quantity: 2 },
          { price: 'price_2', quantity: 1 },
        ],
      },
      'line_items[0][price]=price_1&line_items[0][quantity]=2&line_items[1][price]=price_2&line_items[1][quantity]=1',
    ],
    ['null is empty string', { description: null }, 'description='],
    ['undefined omitted', { a: undefined, b: 1 }, 'b=1'],
    ['undefined array element keeps indices', { a: ['x', undefined, 'z'] }, 'a[0]=x&a[2]=z'],
    ['empty array and object produce nothing', { a: [], b: {}, c: 1 }, 'c=1'],
    [
      'Date as unix seconds',
      { created: new Date('2024-01-02T03:04:05.678Z') },
      'created=1704164645',
    ],
    ['space and plus', { q: 'a b+c' }, 'q=a%20b%2Bc'],
    ["qs-only escapes !'()*", { q: "it's (a) *star*!" }, 'q=it%27s%20%28a%29%20%2Astar%2A%21'],
    ['brackets left readable in keys and values', { 'metadata[x]': '[y]' }, 'metadata[x]=[y]'],
    ['unicode', { name: 'Zoë 😀' }, 'name=Zo%C3%AB%20%F0%9F%98%80'],
    ['reserved chars', { q: '&=?#/%' }, 'q=%26%3D%3F%23%2F%25'],
    ['numbers', { a: 1.5, b: -0, c: 1e21 }, 'a=1.5&b=0&c=1e%2B21'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(encodeForm(input)).toBe(expected);
      expect(encodeForm(input)).toBe(oracle(input));
    });
  }

  it('encodeFormComponent matches qs-style escaping', () => {
    expect(encodeFormComponent("a[b]!*'()~-_.")).toBe('a[b]%21%2A%27%28%29~-_.');
  });
});

/** Random nested request params: the shapes a caller can pass, including odd leaves. */
const leaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(..."[]!*'()~ +&=%?#/.-_aZ9é"), maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date(),
);
const key = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: fc.constantFrom(...'[]ab_ !*.'), maxLength: 4 }),
);
const { value: nested } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.sparseArray(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const params = fc.dictionary(key, nested, { maxKeys: 6 });

describe('encodeForm: property', () => {
  it('produces the same bytes as the stripe package encoder', () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(encodeForm(p)).toBe(oracle(p));
      }),
      { numRuns: 2000 },
    );
  });
});
