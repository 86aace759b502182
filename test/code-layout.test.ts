/**
 * The statements of client.ts laid out without prettier (generator/emit/code-layout.ts) are
 * prettier's, byte for byte, for names of every length: an object property whose value is a call
 * with type arguments, and a function's signature.
 */
import fc from 'fast-check';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { callProperty, constCall, functionSignature } from '../generator/emit/code-layout.js';
import { PRETTIER_OPTIONS } from '../generator/prettier-options.js';

const format = (source: string) =>
  prettier.format(source, { ...PRETTIER_OPTIONS, parser: 'babel-ts' });

const name = (max: number) =>
  fc
    .tuple(fc.constantFrom('a', 'B', '_', '$'), fc.stringMatching(/^[A-Za-z0-9_]*$/))
    .map(([first, rest]) => `${first}${rest}`.slice(0, max))
    .filter((n) => n.length > 0);

describe('client.ts statements are laid out as prettier lays them out', () => {
  it('an object property whose value is a call with type arguments', async () => {
    await fc.assert(
      fc.asyncProperty(
        name(60),
        name(30),
        fc.array(name(60), { minLength: 2, maxLength: 3 }),
        fc.array(name(70), { minLength: 1, maxLength: 3 }),
        async (key, callee, types, args) => {
          const ours = callProperty(
            2,
            key,
            callee,
            types.map((t) => ({ t: 'ref', name: `T.${t}` })),
            args,
          );
          const source = `function f() {\n  return {\n    ${key}: ${callee}<${types.map((t) => `T.${t}`).join(', ')}>(${args.join(', ')}),\n  };\n}\n`;
          const theirs = (await format(source)).split('\n').slice(2, -3).join('\n');
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 300, seed: 20261130 },
    );
  });

  it('a declaration whose value is a call with type arguments', async () => {
    await fc.assert(
      fc.asyncProperty(
        name(70),
        name(30),
        fc.array(name(60), { minLength: 2, maxLength: 2 }),
        fc.array(name(70), { minLength: 1, maxLength: 2 }),
        async (constName, callee, types, args) => {
          const refs = types.map((t) => ({ t: 'ref' as const, name: t }));
          const ours = constCall(constName, callee, refs, args);
          const source = `export const ${constName} = ${callee}<${types.join(', ')}>(${args.join(', ')});\n`;
          expect(`${ours}\n`).toBe(await format(source));
        },
      ),
      { numRuns: 300, seed: 20261130 },
    );
  });

  it("a function's signature", async () => {
    await fc.assert(
      fc.asyncProperty(name(90), name(90), async (fn, returns) => {
        const params = ['options: ClientOptions = {}'];
        const ours = functionSignature(fn, params, returns);
        const theirs = await format(
          `export function ${fn}(${params[0]}): ${returns} {\n  f();\n}\n`,
        );
        expect(`${ours}\n  f();\n}\n`).toBe(theirs);
      }),
      { numRuns: 200, seed: 20261130 },
    );
  });
});
