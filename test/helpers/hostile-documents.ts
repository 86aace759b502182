/**
 * The documents and edits of the hostile property test: a capability and its OpenAPI document
 * covering every kind of field the issue lists, every place hostile text can go in them, the
 * hostile strings, and how an edit is applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { PAYLOAD_MARKER } from './inert.js';

// --- the documents ------------------------------------------------------------------------------

export function capability(host: string, version: number) {
  return {
    naftiko: '1.0.0-alpha2',
    info: { label: 'Pets', description: 'Pets, for the property test.', tags: ['pets'] },
    binds: [{ namespace: 'env', keys: { PETS_KEY: 'PETS_KEY' } }],
    capability: {
      consumes: [
        {
          type: 'http',
          namespace: 'pets',
          baseUri: `https://${host}`,
          description: 'The pets API.',
          authentication: { type: 'bearer', token: '{{env.PETS_KEY}}' },
          inputParameters: [{ name: 'X-Client', in: 'header', value: 'capgen' }],
          resources: [
            {
              name: 'pet',
              path: `/v${version}/pets/{id}`,
              description: 'One pet.',
              operations: [
                {
                  name: 'get-pet',
                  method: 'GET',
                  description: 'Get a pet.',
                  inputParameters: [
                    { name: 'id', in: 'path', description: 'The id.' },
                    { name: 'expand', in: 'query', type: 'string', description: 'Expand.' },
                  ],
                },
                {
                  name: 'update-pet',
                  method: 'POST',
                  description: 'Update a pet.',
                  inputParameters: [
                    { name: 'id', in: 'path' },
                    { name: 'body', in: 'body', type: 'object', description: 'The pet.' },
                  ],
                },
              ],
            },
            {
              name: 'page',
              path: `/v${version}/pets/page`,
              operations: [
                {
                  name: 'get-page',
                  method: 'GET',
                  outputRawFormat: 'html',
                  outputSchema: 'table.pets',
                },
              ],
            },
          ],
        },
      ],
      exposes: [
        {
          type: 'rest',
          namespace: 'pets-rest',
          port: 8080,
          description: 'Pets over REST.',
          authentication: {
            type: 'oauth2',
            authorizationServerUri: 'https://auth.example.com/pets',
            resource: 'https://pets.example.com/',
            audience: 'pets-api',
            scopes: ['pets:read'],
          },
          resources: [
            {
              path: '/pets/{id}',
              name: 'pet',
              description: 'A pet.',
              operations: [
                {
                  method: 'GET',
                  name: 'get-pet',
                  description: 'Get one.',
                  call: 'pets.get-pet',
                  with: { id: 'rest.id', expand: 'owner' },
                  outputParameters: [
                    {
                      type: 'object',
                      properties: {
                        id: { type: 'string', mapping: '$.id' },
                        kind: { type: 'string', value: 'pet' },
                      },
                    },
                  ],
                },
                {
                  method: 'POST',
                  name: 'update-pet',
                  description: 'Update one.',
                  call: 'pets.update-pet',
                  with: { id: 'rest.id', body: 'rest.body' },
                },
              ],
            },
            {
              path: '/pets/{id}/summary',
              name: 'summary',
              description: 'A summary.',
              operations: [
                {
                  method: 'GET',
                  name: 'pet-summary',
                  description: 'Summarise one.',
                  steps: [
                    {
                      type: 'call',
                      name: 'fetch',
                      call: 'pets.get-pet',
                      with: { id: 'pets-rest.id' },
                    },
                    {
                      type: 'lookup',
                      name: 'find',
                      index: 'fetch',
                      match: 'id',
                      lookupValue: '{{id}}',
                      outputParameters: ['name'],
                    },
                  ],
                  mappings: [{ targetName: 'pet.name', value: '$.fetch.name' }],
                  outputParameters: [{ name: 'pet', type: 'string' }],
                },
              ],
            },
            {
              path: '/proxy/{{rest}}',
              description: 'Forwarded.',
              forward: { targetNamespace: 'pets', trustedHeaders: ['X-Trace'] },
            },
          ],
        },
        {
          type: 'mcp',
          namespace: 'pets-mcp',
          port: 9090,
          description: 'Pets over MCP.',
          tools: [
            {
              name: 'get-pet',
              label: 'Get a pet',
              description: 'Get one pet.',
              hints: { readOnly: true, openWorld: false },
              call: 'pets.get-pet',
              with: { id: 'tools.id' },
              inputParameters: [
                { name: 'id', type: 'string', description: 'Pet id.', required: true },
              ],
              outputParameters: [{ type: 'string', mapping: '$.name' }],
            },
            {
              name: 'update-pet',
              description: 'Update a pet.',
              call: 'pets.update-pet',
              with: { id: 'tools.id', body: 'tools.body' },
            },
            { ref: 'pets-fns.greet', hints: { openWorld: false } },
          ],
          resources: [
            {
              name: 'pet-card',
              label: 'Pet card',
              uri: 'pets://cards/{id}',
              description: 'One pet, as a card.',
              mimeType: 'application/json',
              call: 'pets.get-pet',
              with: { id: '{{id}}' },
              outputParameters: [{ type: 'string', mapping: '$.name' }],
            },
            {
              name: 'pet-docs',
              label: 'Pet docs',
              uri: 'docs://pets',
              description: 'Pet documentation.',
              location: 'file:///nonexistent/capgen-property/docs',
            },
          ],
          prompts: [
            {
              name: 'describe-pet',
              label: 'Describe a pet',
              description: 'Describe one pet.',
              arguments: [
                { name: 'pet', label: 'Pet', description: 'The pet.', required: true },
                { name: 'tone', description: 'The tone.', required: false },
              ],
              template: [
                { role: 'user', content: 'Describe {{pet}} in a {{tone}} tone.' },
                { role: 'assistant', content: 'Here is {{pet}}.' },
              ],
            },
          ],
        },
        {
          type: 'skill',
          namespace: 'pets-skills',
          port: 9091,
          description: 'Pet skills.',
          skills: [
            {
              name: 'pet-care',
              description: 'Look after pets.',
              license: 'MIT',
              compatibility: 'Any agent.',
              metadata: { team: 'pets' },
              'allowed-tools': 'get-pet find-pet',
              'argument-hint': 'A pet id.',
              location: 'file:///nonexistent/capgen-property/pet-care',
              tools: [
                {
                  name: 'get-pet',
                  description: 'Get a pet over REST.',
                  from: { sourceNamespace: 'pets-rest', action: 'get-pet' },
                },
                {
                  name: 'find-pet',
                  description: 'Get a pet over MCP.',
                  from: { sourceNamespace: 'pets-mcp', action: 'get-pet' },
                },
                { name: 'care-guide', description: 'How to care.', instruction: 'guide.md' },
              ],
            },
          ],
        },
      ],
      aggregates: [
        {
          label: 'Pet functions',
          namespace: 'pets-fns',
          functions: [
            {
              name: 'greet',
              description: 'Greets a pet.',
              semantics: { safe: true },
              inputParameters: [{ name: 'who', type: 'string', description: 'Who.' }],
              outputParameters: [{ name: 'message', type: 'string', value: 'Hello, {{who}}!' }],
            },
          ],
        },
      ],
    },
  };
}

export function openapi(host: string, version: number) {
  const pet = { $ref: '#/components/schemas/Pet' };
  const json = (schema: object, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1', description: 'The pets API.' },
    servers: [{ url: `https://${host}`, description: 'Production.' }],
    paths: {
      [`/v${version}/pets/{id}`]: {
        get: {
          operationId: 'GetPet',
          summary: 'Get a pet.',
          description: 'Returns a pet.',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'Id.',
              schema: { type: 'string' },
            },
            {
              name: 'expand',
              in: 'query',
              description: 'Expand.',
              schema: { type: 'string', enum: ['owner', 'toys'] },
            },
          ],
          responses: { '200': json(pet, 'A pet.') },
        },
        post: {
          operationId: 'UpdatePet',
          summary: 'Update a pet.',
          description: 'Updates a pet.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: json(
            {
              type: 'object',
              properties: {
                name: { type: 'string', description: 'Name.' },
                kind: { type: 'string', enum: ['cat', 'dog'] },
              },
            },
            'The pet.',
          ),
          responses: { '200': json(pet, 'The pet.') },
        },
      },
    },
    components: {
      schemas: {
        Pet: {
          type: 'object',
          title: 'Pet',
          description: 'A pet.',
          // Titles, examples and formats reach only the JSDoc of the shared types module.
          example: { id: 'p1', name: 'Rex' },
          required: ['id'],
          properties: {
            id: { type: 'string', description: 'Id.' },
            name: { type: 'string', description: 'Name.', format: 'pet-name', example: 'Rex' },
            status: { type: 'string', enum: ['available', 'sold'], description: 'Status.' },
          },
        },
      },
    },
  };
}

// --- where hostile text goes ------------------------------------------------------------------

export type Doc = 'capability' | 'openapi';
export interface Target {
  doc: Doc;
  at: Array<string | number>;
  /** The name (key) at `at` is edited rather than its value. */
  key: boolean;
}

/** Maps whose keys are names from the spec (parameter and property names, paths). */
const NAMED_KEYS = new Set(['with', 'properties', 'paths', 'metadata']);
/** Fields that only ever reach generated text, never a name or the structure of the output. */
const TEXT_FIELDS = new Set(['label', 'description', 'summary', 'title', 'tags', 'example']);

/** Every string or boolean leaf of a document, and every key of its name maps. */
function targets(doc: Doc, value: unknown, at: Array<string | number> = []): Target[] {
  if (typeof value === 'string' || typeof value === 'boolean') return [{ doc, at, key: false }];
  if (Array.isArray(value)) return value.flatMap((v, i) => targets(doc, v, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(NAMED_KEYS.has(String(at[at.length - 1])) ? [{ doc, at: [...at, k], key: true }] : []),
    ...targets(doc, v, [...at, k]),
  ]);
}

export const TARGETS = [
  ...targets('capability', capability('x', 1)),
  ...targets('openapi', openapi('x', 1)),
].filter((t) => !(t.doc === 'capability' && t.at.join('.') === 'naftiko'));

const PAYLOAD = `globalThis.${PAYLOAD_MARKER} = 1`;
const FRAGMENTS = [
  '*/',
  '/*',
  '`',
  '${',
  '}',
  `\${${PAYLOAD}}`,
  '"',
  "'",
  '\\',
  '\r\n',
  '\n',
  '\r',
  '\u2028',
  '\u2029',
  '\u0000',
  '@@ref:process@@',
  '@@operation:process@@',
  '</script>',
  '<script>alert(1)</script>',
  '&#x41;',
  '&#65;',
  '&amp;',
  '&#1114112;',
  '&#xFFFFFFFF;',
  '@deprecated',
  '\n@param x',
  `*/ ${PAYLOAD}; /*`,
  `'); ${PAYLOAD}; ('`,
  `"); ${PAYLOAD}; ("`,
  `\`); ${PAYLOAD}; (\``,
  '-->',
  '|',
  '```',
  '# ',
  '[x](javascript:alert(1))',
  '__proto__',
  '\ud800',
  '\u202e',
  '😀',
  ' ',
  'é',
];

export const hostile = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...FRAGMENTS).map((f) => f.repeat(Math.ceil(10_240 / f.length))),
  },
);

export interface Edit {
  target: number;
  mode: 'replace' | 'prepend' | 'append';
  text: string;
}

export const caseArbitrary = fc.uniqueArray(
  fc.record({
    target: fc.nat(TARGETS.length - 1),
    mode: fc.constantFrom('replace' as const, 'prepend' as const, 'append' as const),
    text: hostile,
  }),
  { minLength: 1, maxLength: 3, selector: (e) => e.target },
);

export const isTextOnly = (target: Target) =>
  !target.key && TEXT_FIELDS.has(String(target.at[target.at.length - 1]));

/**
 * The two documents of a case: each case has its own upstream host and its own path version
 * (`/v12/pets/{id}`: method names drop a leading version segment), so no document of one case can
 * match an operation of another.
 */
export function documents(host: string, version: number): Record<Doc, unknown> {
  return { capability: capability(host, version), openapi: openapi(host, version) };
}

export function applyEdits(
  docs: Record<Doc, unknown>,
  version: number,
  edits: Edit[],
  twin: boolean,
): Record<Doc, unknown> {
  const copy = structuredClone(docs) as Record<Doc, Record<string, unknown>>;
  // Values first, then names, deepest first, so that no edit renames the path of a later one.
  const ordered = [...edits].sort(
    (a, b) =>
      Number(TARGETS[a.target].key) - Number(TARGETS[b.target].key) ||
      TARGETS[b.target].at.length - TARGETS[a.target].at.length,
  );
  for (const edit of ordered) {
    const base = TARGETS[edit.target];
    const at = base.at.map((k) => (k === '/v1/pets/{id}' ? `/v${version}/pets/{id}` : k));
    const target = { ...base, at };
    const field = String(target.at[target.at.length - 1]);
    // The twin leaves text-only fields as they are in the benign base.
    if (twin && isTextOnly(target)) continue;
    const text = edit.text;
    const parent = target.at
      .slice(0, -1)
      .reduce<Record<string | number, unknown>>(
        (node, k) => node[k] as Record<string | number, unknown>,
        copy[target.doc],
      );
    const old = target.key ? field : String(parent[field]);
    const value =
      edit.mode === 'replace' ? text : edit.mode === 'prepend' ? text + old : old + text;
    if (target.key) {
      // Rename the key in place (same order), defining it as an own property whatever it is.
      const entries = Object.entries(parent).map(([k, v]) => [k === field ? value : k, v]);
      for (const k of Object.keys(parent)) delete parent[k];
      for (const [k, v] of entries)
        Object.defineProperty(parent, k as string, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    } else parent[field] = value;
  }
  return copy;
}

/**
 * Projects of `count` hostile cases (a fixed sample of `caseArbitrary`), each written into the
 * folder `project` gives it (specs/hostile.yaml and hostile.openapi.yaml), yielding those capgen
 * accepts with the flags that load their OpenAPI document.
 */
export async function* acceptedHostileProjects(
  project: (name: string) => string,
  count: number,
): AsyncGenerator<{ dir: string; flags: { openapi: string[] } }> {
  const cases = fc.sample(caseArbitrary, { seed: 20261130, numRuns: count });
  for (const [i, edits] of cases.entries()) {
    const dir = project(`hostile-${i}`);
    const docs = applyEdits(documents(`h${i}.invalid`, i + 1), i + 1, edits, false);
    fs.writeFileSync(path.join(dir, 'specs/hostile.yaml'), YAML.stringify(docs.capability));
    fs.writeFileSync(path.join(dir, 'hostile.openapi.yaml'), YAML.stringify(docs.openapi));
    const flags = { openapi: ['hostile.openapi.yaml'] };
    const { runPipeline } = await import('../../generator/pipeline.js');
    if (!(await runPipeline(dir, flags, { emit: false })).bag.hasErrors()) yield { dir, flags };
  }
}
