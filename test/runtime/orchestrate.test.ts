/**
 * The orchestration interpreter (orchestrate.ts) on plans written by hand, with an in-memory
 * `invoke`: the call → lookup → call → call chain of the engine's OperationStepExecutorIntegrationTest,
 * projections, dot-path results, Mustache rendering, and every error path.
 */
import { describe, expect, it } from 'vitest';
import type { Invoke, JsonValue, OperationSpec } from '../../templates/runtime/contract.js';
import {
  execute,
  orchestration,
  OrchestrationError,
  project,
  type OrchestrationPlan,
  type StepPlan,
} from '../../templates/runtime/orchestrate.js';

const op = (id: string, path: string): OperationSpec => ({ id, method: 'GET', path, params: [] });
const LIST_USERS = op('testns.list-users', '/users');
const FETCH_PROFILE = op('testns.fetch-profile', '/profiles/{userId}');
const ECHO_REGION = op('testns.echo-region', '/echo/{region}');

/** An invoke answering from a table of paths, recording each call with its parameters. */
function fakeInvoke(answers: Record<string, JsonValue>) {
  const calls: Array<{ id: string; path: string; params: Record<string, unknown>; key?: string }> =
    [];
  const invoke: Invoke = async (operation, params, context) => {
    const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => String(params[name]));
    calls.push({ id: operation.id, path, params, key: context.idempotencyKey });
    if (!(path in answers)) throw Object.assign(new Error(`404 ${path}`), { name: 'ApiError' });
    return { data: answers[path], status: 200 };
  };
  return { invoke, calls };
}

const ENGINE_PLAN: OrchestrationPlan = {
  label: 'operation workflow',
  steps: [
    { kind: 'call', name: 'fetch-users', call: LIST_USERS, with: {} },
    {
      kind: 'lookup',
      name: 'find-user',
      index: 'fetch-users',
      match: 'email',
      value: { template: [{ input: 'targetEmail' }] },
      fields: ['id', 'email'],
    },
    {
      kind: 'call',
      name: 'fetch-profile',
      call: FETCH_PROFILE,
      with: { userId: { template: [{ input: 'requestingUserId' }] } },
      outputs: { region: '$.profile.region' },
    },
    {
      kind: 'call',
      name: 'echo-region',
      call: ECHO_REGION,
      with: {
        region: {
          template: [{ step: 'fetch-profile', path: '$.region', ref: 'fetch-profile.region' }],
        },
      },
    },
  ],
  result: {
    properties: {
      user: { value: { step: 'find-user', path: '$.id' } },
      region: { value: { step: 'fetch-profile', path: '$.region' } },
      echo: { value: { step: 'echo-region', path: '$' } },
    },
  },
};

const ANSWERS = {
  '/users': [
    { id: 'u-1', email: 'alice@example.com' },
    { id: 'u-2', email: 'bob@example.com' },
  ],
  '/profiles/u-1': { profile: { region: 'eu' } },
  '/echo/eu': { ok: true },
};

describe('orchestration', () => {
  it('runs call → lookup → call → call, the last one reaching /echo/eu', async () => {
    const { invoke, calls } = fakeInvoke(ANSWERS);
    const run = orchestration<Record<string, string>, JsonValue>(ENGINE_PLAN);
    const result = await run(
      { targetEmail: 'bob@example.com', requestingUserId: 'u-1' },
      { invoke },
    );
    expect(calls.map((c) => c.path)).toEqual(['/users', '/profiles/u-1', '/echo/eu']);
    expect(result).toEqual({ user: 'u-2', region: 'eu', echo: { ok: true } });
    expect(run.plan).toBe(ENGINE_PLAN);
  });

  it('gives each upstream call its own idempotency key derived from the caller’s', async () => {
    const { invoke, calls } = fakeInvoke(ANSWERS);
    await execute(
      ENGINE_PLAN,
      { targetEmail: 'bob@example.com', requestingUserId: 'u-1' },
      invoke,
      { idempotencyKey: 'k'.repeat(255) },
    );
    expect(calls.map((c) => c.key?.slice(250))).toEqual(['kkkkk', 'kkk/1', 'kkk/2']);
    expect(calls.every((c) => c.key!.length === 255)).toBe(true);
  });

  it('without mappings returns the last step’s output; omits a `with` value that finds nothing', async () => {
    const { invoke, calls } = fakeInvoke({ '/profiles/undefined': { none: true } });
    const plan: OrchestrationPlan = {
      label: 'tool t',
      steps: [
        {
          kind: 'call',
          name: 'p',
          call: FETCH_PROFILE,
          with: { userId: { input: 'absent' }, other: { literal: 3 } },
        },
      ],
    };
    expect(await execute(plan, {}, invoke, {})).toEqual({ none: true });
    expect(calls[0].params).toEqual({ other: 3 });
  });

  it('builds mock outputs from inputs and bound variables, rendering substituted values once', async () => {
    const plan: OrchestrationPlan = {
      label: 'tool hello',
      steps: [],
      result: {
        properties: {
          message: {
            value: { template: [{ literal: 'Hello, ' }, { input: 'name' }, { literal: '!' }] },
          },
          source: { value: { literal: 'aggregate-mock' } },
          region: { value: { template: [{ env: 'REGION' }] } },
        },
      },
    };
    const { invoke, calls } = fakeInvoke({});
    expect(
      await execute(plan, { name: '{{name}} {{env.SECRET}}' }, invoke, {
        env: { REGION: 'eu', SECRET: 's3cret' },
      }),
    ).toEqual({
      message: 'Hello, {{name}} {{env.SECRET}}!',
      source: 'aggregate-mock',
      region: 'eu',
    });
    expect(calls).toEqual([]);
  });
});

describe('project (a consumed operation’s named output parameters)', () => {
  it('keeps only the named values of an object, and augments every element of a list', () => {
    expect(project({ id: 'u-1', name: 'Alice' }, { userId: '$.id' })).toEqual({ userId: 'u-1' });
    expect(
      project(
        [
          { imo_number: 'IMO-1', vessel_name: 'Star' },
          { imo_number: 'IMO-2', vessel_name: 'Dawn' },
        ],
        { 'imo-number': '$.imo_number' },
      ),
    ).toEqual([
      { imo_number: 'IMO-1', vessel_name: 'Star', 'imo-number': 'IMO-1' },
      { imo_number: 'IMO-2', vessel_name: 'Dawn', 'imo-number': 'IMO-2' },
    ]);
    expect(project({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});

describe('lookup', () => {
  const plan = (value: JsonValue): OrchestrationPlan => ({
    label: 'op l',
    steps: [
      { kind: 'call', name: 'list', call: LIST_USERS, with: {} },
      {
        kind: 'lookup',
        name: 'find',
        index: 'list',
        match: 'id',
        value: { literal: value },
        fields: ['name', 'missing'],
      },
    ],
    result: undefined,
  });
  const table: JsonValue = [
    { id: 1, name: 'one' },
    { id: '2', name: 'two' },
    'not an object',
    { name: 'x' },
  ];

  it('matches scalars by their text, keeps the listed fields (null when absent)', async () => {
    const { invoke } = fakeInvoke({ '/users': table });
    expect(await execute(plan('1'), {}, invoke, {})).toEqual({ name: 'one', missing: null });
    expect(await execute(plan([2, 3]), {}, invoke, {})).toEqual([
      { name: 'two', missing: null },
      null,
    ]);
  });
});

describe('error paths', () => {
  async function failure(plan: OrchestrationPlan, answers: Record<string, JsonValue> = ANSWERS) {
    const { invoke } = fakeInvoke(answers);
    const error = await execute(plan, {}, invoke, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrchestrationError);
    return error as OrchestrationError;
  }
  it('an index step that has not run', async () => {
    const error = await failure({
      label: 'operation dummy',
      steps: [
        {
          kind: 'lookup',
          name: 'find',
          index: 'does-not-exist',
          match: 'id',
          value: { literal: 'u-1' },
          fields: ['id'],
        },
      ],
    });
    expect(error.message).toBe(
      "step 'find' of operation dummy: refers to step 'does-not-exist', which has not run before it",
    );
    expect(error.step).toBe('find');
    expect(error.httpStatus).toBe(502);
  });

  it('an index whose output is not a list', async () => {
    const error = await failure({
      label: 'operation dummy',
      steps: [
        { kind: 'call', name: 'one', call: FETCH_PROFILE, with: { userId: { literal: 'u-1' } } },
        {
          kind: 'lookup',
          name: 'find',
          index: 'one',
          match: 'id',
          value: { literal: 'x' },
          fields: ['id'],
        },
      ],
    });
    expect(error.message).toBe(
      "step 'find' of operation dummy: index step 'one' did not return a list (got an object)",
    );
  });

  it('a lookup value that is missing', async () => {
    const error = await failure({
      label: 'operation dummy',
      steps: [
        { kind: 'call', name: 'list', call: LIST_USERS, with: {} },
        {
          kind: 'lookup',
          name: 'find',
          index: 'list',
          match: 'id',
          value: { input: 'absent' },
          fields: ['id'],
        },
      ],
    });
    expect(error.message).toBe("step 'find' of operation dummy: the value to look up is missing");
  });

  it('an unresolved {{step.field}} reference in a template', async () => {
    const error = await failure({
      label: 'operation workflow',
      steps: [
        { kind: 'call', name: 'fetch-users', call: LIST_USERS, with: {} },
        {
          kind: 'call',
          name: 'echo-region',
          call: ECHO_REGION,
          with: {
            region: {
              template: [{ step: 'fetch-users', path: '$.region', ref: 'fetch-users.region' }],
            },
          },
        },
      ],
    });
    expect(error.message).toBe(
      "step 'echo-region' of operation workflow: unresolved reference {{fetch-users.region}}: step 'fetch-users' has no such value",
    );
  });

  it('a result that refers to a step that never ran', async () => {
    const error = await failure({
      label: 'tool t',
      steps: [],
      result: { value: { step: 'ghost', path: '$' } },
    });
    expect(error.message).toBe(
      "the result of tool t: refers to step 'ghost', which has not run before it",
    );
  });

  it('a script step without a script runner, and a script that throws', async () => {
    const scriptStep: StepPlan = {
      kind: 'script',
      name: 'analyze',
      script: {
        language: 'javascript',
        location: 'file:///scripts',
        file: 'a.js',
        dependencies: [],
        timeoutMs: 100,
        memoryBytes: 1 << 20,
      },
      with: {},
    };
    const plan: OrchestrationPlan = { label: 'tool s', steps: [scriptStep] };
    const none = await failure(plan);
    expect(none.message).toBe(
      "step 'analyze' of tool s: script steps cannot run here: no script runner was given",
    );
    expect(none.httpStatus).toBe(500);
    const { invoke } = fakeInvoke({});
    const thrown = await orchestration(plan, {
      script: async () => {
        throw new Error('boom');
      },
    })
      .run({}, invoke, {})
      .catch((e: unknown) => e as OrchestrationError);
    expect(thrown).toBeInstanceOf(OrchestrationError);
    expect((thrown as OrchestrationError).message).toBe(
      "step 'analyze' of tool s: script a.js failed: boom",
    );
  });

  it('upstream errors pass through unchanged, and an aborted caller stops before the next step', async () => {
    const { invoke, calls } = fakeInvoke({});
    const upstream = await execute(ENGINE_PLAN, {}, invoke, {}).catch((e: unknown) => e);
    expect((upstream as Error).name).toBe('ApiError');
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const aborted = await execute(ENGINE_PLAN, {}, invoke, { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((aborted as Error).message).toBe('gone');
    expect(calls).toHaveLength(1);
  });

  it('passes the script the previous outputs and its `with` values as context', async () => {
    const { invoke } = fakeInvoke(ANSWERS);
    let seen: unknown;
    const run = orchestration(
      {
        label: 'tool s',
        steps: [
          { kind: 'call', name: 'list-members', call: LIST_USERS, with: {} },
          {
            kind: 'script',
            name: 'count',
            script: {
              language: 'javascript',
              location: 'file:///s',
              file: 'c.js',
              dependencies: [],
              timeoutMs: 10,
              memoryBytes: 1,
            },
            with: { threshold: { literal: 5 } },
          },
        ],
      },
      {
        script: async (_s, context) => {
          seen = context;
          return 42;
        },
      },
    );
    expect(await run({}, { invoke })).toBe(42);
    expect(seen).toEqual({ 'list-members': ANSWERS['/users'], threshold: 5 });
  });
});
