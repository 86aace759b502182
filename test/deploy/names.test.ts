/**
 * The names and the printing of the deploy files: Kubernetes and Worker names from capability ids,
 * Secret keys from variable names, YAML that reads the same under 1.1 and 1.2, Dockerfile paths.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerfilePath, yamlText } from '../../generator/emit/escape.js';
import { deployNames } from '../../generator/model/deploy.js';
import type { CapabilityModel, EnvVarModel } from '../../generator/model/types.js';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const capability = (id: string, env: Array<Partial<EnvVarModel>> = []) =>
  ({
    id,
    env: env.map((e) => ({ purpose: '', scope: 'upstream', secret: true, ...e })),
  }) as CapabilityModel;

describe('deployNames', () => {
  it('keeps an id that is a DNS-1035 label already', () => {
    expect(deployNames(capability('checkout-sessions')).base).toBe('checkout-sessions');
  });

  it('makes ids that start with a digit, or are long, into distinct labels of at most 58 characters', () => {
    const long = 'a'.repeat(40) + '-' + 'b'.repeat(40);
    const names = ['3ds-sessions', long, `${long}-c`, `${'x'.repeat(57)}-yyyy`].map(
      (id) => deployNames(capability(id)).base,
    );
    expect(names[0]).toBe('c-3ds-sessions');
    for (const name of names) {
      expect(name).toMatch(DNS_1035);
      expect(name.length).toBeLessThanOrEqual(58);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(deployNames(capability(long)).base).toBe(names[1]); // deterministic
  });

  it('gives each secret variable a distinct Secret key, and none to the others', () => {
    const keys = deployNames(
      capability('x', [
        { name: 'API_KEY' },
        { name: 'TOKEN*' },
        { name: 'TOKEN_' },
        { name: 'X_BASE_URI', secret: false },
      ]),
    ).secretKeys;
    expect([...keys]).toEqual([
      ['API_KEY', 'API_KEY'],
      ['TOKEN*', 'TOKEN_'],
      ['TOKEN_', 'TOKEN__2'],
    ]);
  });
});

describe('yamlText', () => {
  it('keeps strings strings for YAML 1.1 readers (Kubernetes) as for 1.2 ones', () => {
    const value = {
      a: ['on', 'no', 'Y', '0777', '12:30', '1e3', '~', '', '#x', 'a: b', '- x', '*ref', "'q'"],
    };
    const text = yamlText(value);
    expect(parse(text, { version: '1.1' })).toEqual(value);
    expect(parse(text, { version: '1.2' })).toEqual(value);
  });

  it('refuses text that YAML 1.1 could read as a line break (a bug: names are ASCII)', () => {
    for (const s of ['a\u2028b', 'a\u0085b', 'é', 'a\nb'])
      expect(() => yamlText({ name: s })).toThrow(/capgen bug/);
  });
});

describe('dockerfilePath', () => {
  it('passes plain paths and refuses anything a Dockerfile would read otherwise', () => {
    expect(dockerfilePath('generated')).toBe('generated');
    expect(dockerfilePath('out/gen-1.x')).toBe('out/gen-1.x');
    for (const p of ['gen erated', '$HOME', 'a\nRUN x', '"x"', '--from=x', 'a\\b'])
      expect(() => dockerfilePath(p)).toThrow(/capgen bug/);
  });
});
