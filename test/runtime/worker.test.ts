/**
 * runtime/worker.ts: how a Worker's fetch entry builds its handlers from the bindings that come with
 * each request (test/deploy/workers.test.ts runs a generated Worker in workerd).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../templates/runtime/errors.js';
import { workerFetch, type WorkerSpec } from '../../templates/runtime/worker.js';

type Built = { kind: 'rest' | 'mcp'; options: unknown; handlerOptions: unknown };

function recordingSpec(kinds: Array<'rest' | 'mcp'>): { spec: WorkerSpec; built: Built[] } {
  const built: Built[] = [];
  const factory =
    (kind: 'rest' | 'mcp') =>
    (options: { env?: Record<string, string | undefined> }, handlerOptions: unknown) => {
      built.push({ kind, options, handlerOptions });
      const token = options.env?.TOKEN ?? '';
      return async (request: Request) =>
        new Response(`${kind} ${new URL(request.url).pathname} ${token}`);
    };
  const spec: WorkerSpec = {};
  if (kinds.includes('rest')) spec.rest = factory('rest');
  if (kinds.includes('mcp')) spec.mcp = factory('mcp');
  return { spec, built };
}

const get = async (spec: WorkerSpec, url: string, env?: object) =>
  (await workerFetch(spec, new Request(url), env as Record<string, unknown>)).text();

afterEach(() => vi.restoreAllMocks());

describe('workerFetch', () => {
  it('builds the handlers once per bindings object, from its string bindings only', async () => {
    const { spec, built } = recordingSpec(['rest', 'mcp']);
    const env = { TOKEN: 'a', BASE_URI: 'https://x.example', KV: { get() {} }, COUNT: 3 };
    expect(await get(spec, 'https://w.example/v1/things', env)).toBe('rest /v1/things a');
    expect(await get(spec, 'https://w.example/mcp', env)).toBe('mcp /mcp a');
    expect(await get(spec, 'https://w.example/healthz?x=/mcp', env)).toBe('rest /healthz a');
    expect(built.map((b) => b.kind)).toEqual(['rest', 'mcp']);
    const strings = { TOKEN: 'a', BASE_URI: 'https://x.example' };
    expect(built[0]).toEqual({
      kind: 'rest',
      options: { env: strings },
      handlerOptions: { env: strings },
    });
    expect(built[1].handlerOptions).toEqual({ env: strings, path: '/mcp' });
  });

  it('one bindings object serves each Worker with its own handlers', async () => {
    const [a, b] = [recordingSpec(['rest']), recordingSpec(['mcp'])];
    const env = { TOKEN: 't' };
    expect(await get(a.spec, 'https://w.example/x', env)).toBe('rest /x t');
    expect(await get(b.spec, 'https://w.example/x', env)).toBe('mcp /x t');
    expect([a.built.length, b.built.length]).toEqual([1, 1]);
  });

  it('requests with other bindings get their own handlers: nothing is shared between them', async () => {
    const { spec, built } = recordingSpec(['rest']);
    const [first, second] = [{ TOKEN: 'one' }, { TOKEN: 'two' }];
    expect(await get(spec, 'https://w.example/a', first)).toBe('rest /a one');
    expect(await get(spec, 'https://w.example/a', second)).toBe('rest /a two');
    expect(await get(spec, 'https://w.example/b', first)).toBe('rest /b one');
    expect(built).toHaveLength(2);
  });

  it('an MCP-only capability serves every path from the MCP handler (its /healthz and 404s)', async () => {
    const { spec } = recordingSpec(['mcp']);
    expect(await get(spec, 'https://w.example/healthz', {})).toBe('mcp /healthz ');
  });

  it('bindings that cannot work: a 500 naming the setting for a ConfigurationError, logged once', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let calls = 0;
    const spec: WorkerSpec = {
      rest: () => {
        calls++;
        throw new ConfigurationError('Invalid base URI', 'set X_BASE_URI');
      },
    };
    const env = {};
    for (let i = 0; i < 2; i++) {
      const response = await workerFetch(spec, new Request('https://w.example/healthz'), env);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({
        error: {
          type: 'api_error',
          message: 'The Worker is not configured: Invalid base URI (set X_BASE_URI)',
        },
      });
    }
    expect(calls).toBe(1);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('any other failure while building: a 500 that points at the log, without the message', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const spec: WorkerSpec = {
      mcp: () => {
        throw new Error('internal detail');
      },
    };
    const response = await workerFetch(spec, new Request('https://w.example/mcp'), {});
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain('its log says why');
    expect(text).not.toContain('internal detail');
  });
});
