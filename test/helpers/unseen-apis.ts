/**
 * The public OpenAPI documents of test/fixtures/apis (sources and licences in its README), with
 * what `capgen import` is expected to make of each: used by test/unseen-apis.e2e.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cli } from './import.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/apis');

export interface Api {
  file: string;
  /** More `capgen import` arguments (a base URI for documents without servers). */
  args: string[];
  /** Capability files written, and how many operations they consume in all. */
  capabilities: string[];
  operations: number;
}

export const APIS: Api[] = [
  { file: 'petstore-expanded.yaml', args: [], capabilities: ['pets'], operations: 4 },
  { file: 'uspto.yaml', args: [], capabilities: ['metadata', 'search'], operations: 3 },
  {
    file: 'link-example.yaml',
    args: ['--base-uri', 'https://code.example/api'],
    capabilities: ['2-0'],
    operations: 6,
  },
  {
    file: 'webhook-example.yaml',
    args: ['--base-uri', 'https://pets.example'],
    capabilities: ['pets'],
    operations: 1,
  },
  {
    file: 'theater.yaml',
    args: ['--base-uri', 'https://theater.example'],
    capabilities: ['seating'],
    operations: 3,
  },
  {
    file: 'museum.yaml',
    args: [],
    capabilities: ['events', 'operations', 'tickets'],
    operations: 8,
  },
  {
    file: 'pets-polymorphic.yaml',
    args: [],
    capabilities: ['adoptions', 'pets'],
    operations: 5,
  },
  { file: 'zoo-3.0.yaml', args: [], capabilities: ['animals'], operations: 5 },
  {
    file: 'petstore3.yaml',
    args: ['--base-uri', 'https://petstore3.swagger.io/api/v3'],
    capabilities: ['pet', 'store', 'user'],
    operations: 10,
  },
  {
    file: 'api-with-examples.yaml',
    args: ['--base-uri', 'https://compute.example'],
    capabilities: ['root', 'v2'],
    operations: 2,
  },
  {
    file: 'non-oauth-scopes.yaml',
    args: ['--base-uri', 'https://users.example'],
    capabilities: ['users'],
    operations: 1,
  },
  {
    file: 'github-advisories.yaml',
    args: [],
    capabilities: ['security-advisories'],
    operations: 2,
  },
  { file: 'uber.yaml', args: [], capabilities: ['estimates', 'products', 'user'], operations: 5 },
];

/**
 * A fresh project folder (from a `workspace`'s `project`) holding the API's document in specs/,
 * and what `capgen import` of it into `out` said.
 */
export async function importedProject(
  project: (folder: string) => string,
  api: Api,
  out: string,
): Promise<{ dir: string; imported: Awaited<ReturnType<typeof cli>> }> {
  const dir = project(api.file.replace(/\W+/g, '-'));
  fs.copyFileSync(path.join(FIXTURES, api.file), path.join(dir, 'specs', api.file));
  const imported = await cli(
    dir,
    'import',
    '--openapi',
    `specs/${api.file}`,
    '--out',
    out,
    ...api.args,
  );
  return { dir, imported };
}
