/**
 * Generation with Stripe's full OpenAPI document (../shared/stripe/spec3.json, outside the
 * repository) added: every consumed operation of the three capabilities then matches an OpenAPI
 * operation, the output compiles under strict, carries real request/response types, and stays
 * small (types cut down to what the capabilities reach, instead of the whole spec).
 *
 * Skipped with a notice when ../shared/stripe/spec3.json is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Project, SourceFile, Type } from 'ts-morph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.ts';
import { runPipeline, type PipelineResult } from '../generator/pipeline.ts';
import {
  check,
  formatDiagnostics,
  PROJECT_ROOT as ROOT,
  strictProject,
} from './helpers/ts-project.ts';

const SPEC_ARG = '../shared/stripe/spec3.json';
const SPEC = path.resolve(ROOT, SPEC_ARG);
const HAS_SPEC = fs.existsSync(SPEC);
if (!HAS_SPEC)
  console.warn(`[full-spec] ${SPEC} not found: skipping the full-spec generation tests.`);

const CAPABILITIES = ['checkout-sessions', 'identity-sessions', 'link-account-sessions'];
/** Bytes of openapi-typescript 7.13's output for the whole spec3.json (measured: 2 949 477). */
const OPENAPI_TYPESCRIPT_FULL_BYTES = 2_949_477;
const MAX_TYPES_BYTES = 150 * 1024;

describe.skipIf(!HAS_SPEC)('generate --openapi ../shared/stripe/spec3.json', () => {
  let dir: string;
  let specDir: string;
  let exitCode: number;
  let stdout = '';
  let stderr = '';
  let full: PipelineResult;
  let fragmentOnly: PipelineResult;
  let project: Project;

  beforeAll(async () => {
    // Inside the project (.tmp/ is git-ignored) so the output resolves the project's node_modules.
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    dir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'full-spec-'));
    // capgen reads only inside the project: the spec is copied in.
    specDir = fs.mkdtempSync(path.join(ROOT, '.tmp', 'full-spec-input-'));
    const spec = path.relative(ROOT, path.join(specDir, 'spec3.json'));
    fs.copyFileSync(path.join(ROOT, SPEC_ARG), path.join(ROOT, spec));
    exitCode = await runCli(['generate', '--out', dir, '--openapi', spec], {
      cwd: ROOT,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      color: false,
    });
    full = await runPipeline(ROOT, { openapi: [spec] }, { emit: false });
    fragmentOnly = await runPipeline(ROOT, {}, { emit: false });
  }, 120_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (specDir) fs.rmSync(specDir, { recursive: true, force: true });
  });

  it('exits 0 and writes the three capabilities', () => {
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toMatch(/3 capabilities → /);
    for (const capability of CAPABILITIES) {
      for (const file of [
        'client.ts',
        'types.ts',
        'rest.ts',
        'mcp.ts',
        'openapi.json',
        'README.md',
      ]) {
        expect(fs.existsSync(path.join(dir, capability, file)), `${capability}/${file}`).toBe(true);
      }
    }
    expect(stderr).toMatch(/\b0 errors\b/);
  });

  it('matches every consumed operation: no openapi/no-match warning, and the model has all 13 matched', () => {
    expect(stderr).not.toContain('openapi/no-match');
    expect(full.bag.items.filter((d) => d.rule === 'openapi/no-match')).toEqual([]);
    const operations = full.project!.capabilities.flatMap((c) =>
      c.operations.map((o) => ({ capability: c.id, method: o.methodName, openapi: o.openapi })),
    );
    expect(operations).toHaveLength(13);
    expect(operations.filter((o) => !o.openapi)).toEqual([]);
    const fromSpec3 = operations.filter((o) => o.openapi?.source.endsWith('spec3.json'));
    expect(fromSpec3.map((o) => o.capability).sort()).toEqual([
      ...Array(5).fill('checkout-sessions'),
      ...Array(6).fill('identity-sessions'),
    ]);
    // The contrast: with the bundled fragment alone, the checkout and identity operations match
    // nothing, and the pipeline says so.
    const unmatched = fragmentOnly.project!.capabilities.flatMap((c) =>
      c.operations.filter((o) => !o.openapi),
    );
    expect(unmatched).toHaveLength(11);
    expect(fragmentOnly.bag.items.filter((d) => d.rule === 'openapi/no-match')).toHaveLength(11);
  });

  describe('the generated tree', () => {
    beforeAll(() => {
      project = strictProject();
      project.addSourceFilesAtPaths(path.join(dir, '**/*.ts'));
    });

    it('compiles under strict with zero diagnostics', () => {
      const files = project.getSourceFiles().filter((f) => f.getFilePath().startsWith(dir));
      expect(files.length).toBeGreaterThan(15);
      expect(formatDiagnostics(project, check(project))).toBe('');
    }, 60_000);

    const typesFile = (capability: string): SourceFile =>
      project.getSourceFileOrThrow(path.join(dir, capability, 'types.ts'));
    const propertyType = (type: Type, name: string, at: SourceFile): Type =>
      type.getPropertyOrThrow(name).getTypeAtLocation(at).getNonNullableType();

    it('types GetCheckoutSessionsResponse as a list of checkout sessions', () => {
      const types = typesFile('checkout-sessions');
      const response = types.getTypeAliasOrThrow('GetCheckoutSessionsResponse').getType();
      expect(propertyType(response, 'has_more', types).getText()).toBe('boolean');
      expect(propertyType(response, 'object', types).getText()).toBe('"list"');
      const data = propertyType(response, 'data', types);
      expect(data.isArray()).toBe(true);
      const session = data.getArrayElementTypeOrThrow();
      expect(propertyType(session, 'object', types).getText()).toBe('"checkout.session"');
      expect(propertyType(session, 'id', types).getText()).toBe('string');
      expect(session.getProperty('payment_status')).toBeDefined();
      // Auto-pagination yields that element type.
      const item = types.getTypeAliasOrThrow('GetCheckoutSessionsItem').getType();
      expect(propertyType(item, 'object', types).getText()).toBe('"checkout.session"');
    });

    it('types request bodies from the spec: PostCheckoutSessionsBody has line_items, identity has its type enum', () => {
      const checkout = typesFile('checkout-sessions');
      const body = checkout.getTypeAliasOrThrow('PostCheckoutSessionsBody').getType();
      const lineItems = propertyType(body, 'line_items', checkout);
      expect(lineItems.isArray()).toBe(true);
      expect(lineItems.getArrayElementTypeOrThrow().getProperty('price_data')).toBeDefined();
      expect(body.getProperty('payment_method_types')).toBeDefined();

      const identity = typesFile('identity-sessions');
      const identityBody = identity
        .getTypeAliasOrThrow('PostIdentityVerificationSessionsBody')
        .getType();
      const kind = propertyType(identityBody, 'type', identity);
      expect(
        kind
          .getUnionTypes()
          .map((t) => t.getText())
          .sort(),
      ).toEqual(['"document"', '"id_number"']);

      const link = typesFile('link-account-sessions');
      const linkBody = link.getTypeAliasOrThrow('PostLinkAccountSessionsBody').getType();
      expect(linkBody.getProperty('account_holder')).toBeDefined();
    });

    it('gives all 13 operations a real response type (a Stripe object, not JsonValue)', () => {
      const responses: string[] = [];
      for (const capability of CAPABILITIES) {
        const types = typesFile(capability);
        expect(types.getFullText()).not.toContain('No OpenAPI operation describes it');
        for (const alias of types
          .getTypeAliases()
          .filter((a) => a.getName().endsWith('Response'))) {
          const type = alias.getType();
          responses.push(alias.getName());
          expect(type.getText(alias), alias.getName()).not.toContain('JsonValue');
          // Every Stripe object and list has an `object` discriminator.
          expect(type.getProperty('object'), alias.getName()).toBeDefined();
        }
      }
      expect(responses).toHaveLength(13);
    });
  });

  it("keeps types.ts under 5% of openapi-typescript's full-spec output", () => {
    const sizes = CAPABILITIES.map(
      (c) => [c, fs.statSync(path.join(dir, c, 'types.ts')).size] as const,
    );
    const total = sizes.reduce((sum, [, size]) => sum + size, 0);
    console.log(
      `[full-spec] types.ts sizes: ${sizes.map(([c, s]) => `${c} ${(s / 1024).toFixed(1)} KB`).join(', ')}; ` +
        `total ${(total / 1024).toFixed(1)} KB = ${((100 * total) / OPENAPI_TYPESCRIPT_FULL_BYTES).toFixed(2)}% of ` +
        `openapi-typescript's ${(OPENAPI_TYPESCRIPT_FULL_BYTES / 1024 / 1024).toFixed(2)} MB`,
    );
    expect(total).toBeLessThan(MAX_TYPES_BYTES);
    expect(total).toBeLessThan(OPENAPI_TYPESCRIPT_FULL_BYTES * 0.05);
    // Real types, not a stub: the checkout surface alone is tens of KB.
    expect(sizes[0][1]).toBeGreaterThan(20 * 1024);
  });
});
