/**
 * The OpenAPI 3.1 documents generated for the REST adapters (generated/<cap>/openapi.json): they
 * lint clean under Redocly's `recommended` ruleset and describe exactly what REST_ADAPTER serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConfig, lintFromString, type Config } from '@redocly/openapi-core';
import Ajv2020Module from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import * as checkout from '../generated/checkout-sessions/rest.js';
import * as identity from '../generated/identity-sessions/rest.js';
import * as link from '../generated/link-account-sessions/rest.js';
import type { RestAdapterSpec } from '../generated/runtime/rest.js';
import { generateAuthFixture } from './fixtures/rest-auth-fixture.js';

// ajv is CommonJS: under NodeNext the default import is its module.exports, whose `default` is the class.
const Ajv2020 = Ajv2020Module.default;

const CAPS = {
  'checkout-sessions': checkout,
  'identity-sessions': identity,
  'link-account-sessions': link,
} as const;
type CapName = keyof typeof CAPS;
const NAMES = Object.keys(CAPS) as CapName[];

// Minimal typing of the parts of an OpenAPI document read here.
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: Record<string, unknown> }>;
  };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}
interface Document {
  openapi: string;
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation | Parameter[]> & { parameters?: Parameter[] }>;
  components?: { schemas?: Record<string, Record<string, unknown>> };
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

function fileOf(cap: CapName): string {
  return fileURLToPath(new URL(`../generated/${cap}/openapi.json`, import.meta.url));
}

function load(cap: CapName): Document {
  return JSON.parse(fs.readFileSync(fileOf(cap), 'utf8')) as Document;
}

function operations(
  doc: Document,
): Array<{ path: string; method: string; op: Operation; pathParams: Parameter[] }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([key]) => METHODS.has(key))
      .map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        op: op as Operation,
        pathParams: item.parameters ?? [],
      })),
  );
}

const adapter = (cap: CapName): RestAdapterSpec => CAPS[cap].REST_ADAPTER;

describe('Redocly lint (recommended)', () => {
  let config: Config;
  beforeAll(async () => {
    config = await createConfig({ extends: ['recommended'] });
  });

  async function lintErrors(cap: CapName): Promise<Array<{ ruleId: string; text: string }>> {
    const file = fileOf(cap);
    const problems = await lintFromString({
      source: fs.readFileSync(file, 'utf8'),
      absoluteRef: file,
      config,
    });
    const describeProblem = (p: (typeof problems)[number]): string =>
      `${p.severity} ${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`;
    const warnings = problems.filter((p) => p.severity === 'warn');
    if (warnings.length > 0)
      console.log(
        `${cap}/openapi.json: ${warnings.length} warning(s)\n  ${warnings.map(describeProblem).join('\n  ')}`,
      );
    return problems
      .filter((p) => p.severity === 'error')
      .map((p) => ({ ruleId: p.ruleId, text: describeProblem(p) }));
  }

  it.each(NAMES)('%s/openapi.json has no lint errors', async (cap) => {
    const errors = await lintErrors(cap);
    expect(errors.map((e) => e.text)).toEqual([]);
  });
});

describe('an adapter with inbound bearer auth (generated fixture)', () => {
  it('declares the bearer scheme and requires it on every operation, and lints clean', async () => {
    const fixture = await generateAuthFixture();
    try {
      const file = path.join(fixture.capabilityDir, 'openapi.json');
      const source = fs.readFileSync(file, 'utf8');
      const doc = JSON.parse(source) as Document & {
        security?: unknown;
        components: { securitySchemes?: Record<string, unknown> };
      };
      expect(doc.components.securitySchemes).toEqual({
        inbound: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      });
      expect(doc.security).toEqual([{ inbound: [] }]);
      const config = await createConfig({ extends: ['recommended'] });
      const problems = await lintFromString({ source, absoluteRef: file, config });
      expect(
        problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`),
      ).toEqual([]);
    } finally {
      fixture.cleanup();
    }
  }, 30_000);
});

describe.each(NAMES)('%s/openapi.json describes REST_ADAPTER', (cap) => {
  const doc = load(cap);
  const spec = adapter(cap);
  const ops = operations(doc);

  it('is OpenAPI 3.1 with the default listen address as its server', () => {
    expect(doc.openapi).toBe('3.1.0');
    const { port, address } = CAPS[cap].LISTEN;
    expect(doc.servers?.[0]?.url).toBe(`http://${address}:${port}`);
  });

  it('has exactly the routes of REST_ADAPTER (method and path as written), with their operation ids', () => {
    expect(ops.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      spec.routes.map((r) => `${r.method} ${r.path}`).sort(),
    );
    for (const route of spec.routes) {
      const found = ops.find((o) => o.method === route.method && o.path === route.path);
      expect(found?.op.operationId).toBe(route.operationName);
    }
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path parameter (in: path, required) and every query input', () => {
    for (const route of spec.routes) {
      const { op, pathParams } = ops.find(
        (o) => o.method === route.method && o.path === route.path,
      )!;
      const params = [...pathParams, ...(op.parameters ?? [])];
      const placeholders = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const name of placeholders) {
        const declared = params.find((p) => p.in === 'path' && p.name === name);
        expect(declared, `${route.method} ${route.path}: path parameter ${name}`).toBeDefined();
        expect(declared?.required).toBe(true);
      }
      expect(
        params
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort(),
      ).toEqual([...placeholders].sort());
      for (const input of route.inputs.filter((i) => i.in === 'query')) {
        const declared = params.find((p) => p.in === 'query' && p.name === input.name);
        expect(
          declared,
          `${route.method} ${route.path}: query parameter ${input.name}`,
        ).toBeDefined();
        expect(declared?.required ?? false).toBe(input.required);
        expect(declared?.schema?.type).toEqual(input.schema.type);
      }
      expect(
        params
          .filter((p) => p.in === 'query')
          .map((p) => p.name)
          .sort(),
      ).toEqual(
        route.inputs
          .filter((i) => i.in === 'query')
          .map((i) => i.name)
          .sort(),
      );
    }
  });

  it('documents a JSON request body exactly where the route takes one, with the schema it validates', () => {
    for (const route of spec.routes) {
      const { op } = ops.find((o) => o.method === route.method && o.path === route.path)!;
      const body = route.inputs.find((i) => i.in === 'body');
      if (body === undefined) {
        expect(op.requestBody, `${route.method} ${route.path}`).toBeUndefined();
        continue;
      }
      expect(op.requestBody?.required ?? false).toBe(body.required);
      expect(Object.keys(op.requestBody?.content ?? {})).toEqual(['application/json']);
      expect(
        stripDocs(resolveRef(doc, op.requestBody?.content['application/json'].schema)),
      ).toEqual(stripDocs(body.schema));
    }
  });

  it("documents errors with an Error schema in Stripe's shape", () => {
    const error = doc.components?.schemas?.Error;
    expect(error).toMatchObject({ type: 'object', required: ['error'] });
    for (const { path, method, op } of ops) {
      expect(op.responses['200'], `${method} ${path}`).toBeDefined();
      for (const status of ['400', 'default']) {
        expect(
          op.responses[status]?.content?.['application/json'].schema,
          `${method} ${path} ${status}`,
        ).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
  });
});

describe('link-account-sessions request body', () => {
  it('POST /v1/v1/link-account-sessions: account_holder with the type enum, required fields', () => {
    const linkDoc = load('link-account-sessions');
    const op = linkDoc.paths['/v1/v1/link-account-sessions'].post as Operation;
    expect(op.requestBody?.required).toBe(true);
    const schema = resolveRef(linkDoc, op.requestBody?.content['application/json'].schema) as {
      type: string;
      required: string[];
      properties: Record<
        string,
        {
          type?: string;
          required?: string[];
          properties?: Record<string, { enum?: string[] }>;
          items?: { enum?: string[] };
        }
      >;
    };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['account_holder', 'permissions']));
    expect(schema.properties.account_holder.type).toBe('object');
    expect(schema.properties.account_holder.required).toEqual(['type']);
    expect(schema.properties.account_holder.properties?.type.enum).toEqual(['account', 'customer']);
    expect(schema.properties.permissions.items?.enum).toEqual([
      'balances',
      'ownership',
      'payment_method',
      'transactions',
    ]);
  });
});

describe('documented error shape matches real answers', () => {
  it("the adapter's 400, 404, 405, 413 and 415 bodies validate against components.schemas.Error", async () => {
    const doc = load('link-account-sessions');
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(doc.components!.schemas!.Error);
    // No upstream is reached for any of these; the fetch below fails the test if it is.
    const handler = link.createHandler({
      apiKey: 'sk_test_unused',
      fetch: () => Promise.reject(new Error('no upstream call expected')),
    });
    const base = 'http://adapter.test';
    const requests = [
      new Request(`${base}/v1/v1/link-account-sessions`, {
        method: 'POST',
        body: '{"account_holder":{"type":"x"}}',
        headers: { 'content-type': 'application/json' },
      }),
      new Request(`${base}/nowhere`),
      new Request(`${base}/v1/v1/link-account-sessions`, { method: 'DELETE' }),
      new Request(`${base}/v1/v1/link-account-sessions`, {
        method: 'POST',
        body: 'x'.repeat(1024 * 1024 + 1),
        headers: { 'content-type': 'application/json' },
      }),
      new Request(`${base}/v1/v1/link-account-sessions`, {
        method: 'POST',
        body: 'a=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    ];
    const statuses: number[] = [];
    for (const request of requests) {
      const response = await handler(request);
      statuses.push(response.status);
      const body: unknown = await response.json();
      expect(
        validate(body),
        `${request.method} ${request.url}: ${JSON.stringify(validate.errors)}`,
      ).toBe(true);
    }
    expect(statuses).toEqual([400, 404, 405, 413, 415]);
  });
});

/** Drops documentation-only keywords, so the comparison is about what is validated. */
function stripDocs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripDocs);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key === 'title' || key === 'examples' || key === 'example')
      continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, stripDocs(v)]))
        : stripDocs(value);
  }
  return out;
}

/** A `$ref` to the document's own components, resolved (bodies and responses are shared that way). */
function resolveRef(
  document: { components?: { schemas?: Record<string, unknown> } },
  schema: unknown,
): unknown {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  const target = document.components?.schemas?.[name];
  if (target === undefined) throw new Error(`dangling $ref ${ref}`);
  return target;
}
