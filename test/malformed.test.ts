/**
 * Malformed input: every case is a small temp project (specs/ with one broken file, sometimes a
 * config or an OpenAPI file) whose out dir already holds a previous generation plus a user's own
 * file. `capgen generate` runs in-process and must:
 *   - exit with the expected code (1 for errors),
 *   - print `file:line:col  severity  rule-id  message` at the exact position, followed by a hint line,
 *   - print no stack trace and no "internal error",
 *   - leave the project byte-identical (the out dir and everything else) when it fails.
 *
 * The corpus is in test/fixtures/malformed/: `_base.yaml` is a minimal valid capability and
 * `_openapi.yaml` a matching OpenAPI document; every other file (or folder) breaks one thing,
 * named after what it breaks, with a `# Breaks:` comment on its first line.
 *
 * Cases marked `knownBug` document a generator bug: they state the behaviour we expect and run as
 * `it.fails` until the generator is fixed (then vitest reports them, and the mark must go).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../generator/cli.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'malformed');

interface Case {
  /** What the case breaks (the fixture's name). */
  name: string;
  /** Project-relative path → fixture path (relative to test/fixtures/malformed). */
  files: Record<string, string>;
  /** Extra arguments after `generate`. */
  args?: string[];
  expectExit: 0 | 1;
  /** The rule id of the diagnostic at expectPos (a pattern only for known bugs whose rule id is not decided). */
  expectRule: string | RegExp;
  /** `file:line:col` exactly as printed. */
  expectPos: string;
  severity: 'error' | 'warning';
  /** A generator bug this case shows: what happens today. The case runs as `it.fails`. */
  knownBug?: string;
}

/** A capability fixture as specs/<name>.yaml, next to the valid OpenAPI document. */
const cap = (name: string): Record<string, string> => ({
  [`specs/${name}.yaml`]: `${name}.yaml`,
  'specs/widgets.openapi.yaml': '_openapi.yaml',
});
/** The valid capability and OpenAPI document, plus more files. */
const valid = (more: Record<string, string>): Record<string, string> => ({
  'specs/widgets.yaml': '_base.yaml',
  'specs/widgets.openapi.yaml': '_openapi.yaml',
  ...more,
});

const cases: Case[] = [
  // --- YAML syntax ----------------------------------------------------------------------------
  {
    name: 'yaml-bad-indentation',
    files: cap('yaml-bad-indentation'),
    expectExit: 1,
    expectRule: 'yaml/syntax',
    expectPos: 'specs/yaml-bad-indentation.yaml:5:1',
    severity: 'error',
  },
  {
    name: 'yaml-unclosed-quote',
    files: cap('yaml-unclosed-quote'),
    expectExit: 1,
    expectRule: 'yaml/syntax',
    expectPos: 'specs/yaml-unclosed-quote.yaml:17:16',
    severity: 'error',
  },
  {
    name: 'yaml-tab-indentation',
    files: cap('yaml-tab-indentation'),
    expectExit: 1,
    expectRule: 'yaml/syntax',
    expectPos: 'specs/yaml-tab-indentation.yaml:20:1',
    severity: 'error',
  },
  {
    name: 'yaml-duplicate-key',
    files: cap('yaml-duplicate-key'),
    expectExit: 1,
    expectRule: 'yaml/duplicate-key',
    expectPos: 'specs/yaml-duplicate-key.yaml:37:7',
    severity: 'error',
  },
  {
    name: 'yaml-alias-bomb',
    files: cap('yaml-alias-bomb'),
    expectExit: 1,
    expectRule: /^yaml\//,
    expectPos: 'specs/yaml-alias-bomb.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'empty-file',
    files: cap('empty-file'),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'specs/empty-file.yaml:1:1',
    severity: 'error',
  },

  // --- document shape -------------------------------------------------------------------------
  {
    name: 'info-missing-description',
    files: cap('info-missing-description'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/info-missing-description.yaml:4:3',
    severity: 'error',
  },
  {
    name: 'missing-label',
    files: cap('missing-label'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/missing-label.yaml:4:3',
    severity: 'error',
  },
  {
    name: 'missing-capability',
    files: cap('missing-capability'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/missing-capability.yaml:2:1',
    severity: 'error',
  },
  {
    name: 'wrong-naftiko-version',
    files: cap('wrong-naftiko-version'),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'specs/wrong-naftiko-version.yaml:2:10',
    severity: 'error',
  },
  {
    name: 'tags-string-not-list',
    files: cap('tags-string-not-list'),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'specs/tags-string-not-list.yaml:6:9',
    severity: 'error',
  },
  {
    name: 'resources-mapping-not-list',
    files: cap('resources-mapping-not-list'),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'specs/resources-mapping-not-list.yaml:19:11',
    severity: 'error',
  },
  {
    name: 'port-out-of-range',
    files: cap('port-out-of-range'),
    expectExit: 1,
    expectRule: 'naftiko/out-of-range',
    expectPos: 'specs/port-out-of-range.yaml:51:13',
    severity: 'error',
  },
  {
    name: 'port-not-an-integer',
    files: cap('port-not-an-integer'),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'specs/port-not-an-integer.yaml:36:13',
    severity: 'error',
  },
  {
    name: 'port-is-a-string',
    files: cap('port-is-a-string'),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'specs/port-is-a-string.yaml:36:13',
    severity: 'error',
  },
  {
    name: 'invalid-method',
    files: cap('invalid-method'),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'specs/invalid-method.yaml:41:23',
    severity: 'error',
  },
  {
    name: 'mcp-http-without-port',
    files: cap('mcp-http-without-port'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/mcp-http-without-port.yaml:49:7',
    severity: 'error',
  },
  {
    name: 'missing-call',
    files: cap('missing-call'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/missing-call.yaml:41:15',
    severity: 'error',
  },
  {
    name: 'output-mapping-not-jsonpath',
    files: cap('output-mapping-not-jsonpath'),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'specs/output-mapping-not-jsonpath.yaml:48:28',
    severity: 'error',
  },
  {
    name: 'unknown-field',
    files: cap('unknown-field'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-field',
    expectPos: 'specs/unknown-field.yaml:37:7',
    severity: 'error',
  },
  {
    name: 'schema-deviation-strict',
    files: cap('schema-deviation-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'schema/deviation',
    expectPos: 'specs/schema-deviation-strict.yaml:19:17',
    severity: 'error',
  },

  // --- references -----------------------------------------------------------------------------
  {
    name: 'unknown-call',
    files: cap('unknown-call'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-call',
    expectPos: 'specs/unknown-call.yaml:43:21',
    severity: 'error',
  },
  {
    name: 'with-key-not-a-parameter',
    files: cap('with-key-not-a-parameter'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'naftiko/unknown-parameter',
    expectPos: 'specs/with-key-not-a-parameter.yaml:46:17',
    severity: 'error',
  },
  {
    name: 'with-undeclared-input',
    files: cap('with-undeclared-input'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-input',
    expectPos: 'specs/with-undeclared-input.yaml:63:21',
    severity: 'error',
  },
  {
    name: 'with-foreign-adapter-prefix',
    files: cap('with-foreign-adapter-prefix'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-input',
    expectPos: 'specs/with-foreign-adapter-prefix.yaml:45:21',
    severity: 'error',
  },
  {
    name: 'missing-path-binding',
    files: cap('missing-path-binding'),
    expectExit: 1,
    expectRule: 'naftiko/missing-binding',
    expectPos: 'specs/missing-path-binding.yaml:57:17',
    severity: 'error',
  },
  {
    name: 'missing-path-binding-no-with',
    files: cap('missing-path-binding-no-with'),
    expectExit: 1,
    expectRule: 'naftiko/missing-binding',
    expectPos: 'specs/missing-path-binding-no-with.yaml:56:17',
    severity: 'error',
  },
  {
    name: 'path-placeholder-unbound',
    files: cap('path-placeholder-unbound'),
    expectExit: 1,
    expectRule: 'naftiko/missing-binding',
    expectPos: 'specs/path-placeholder-unbound.yaml:43:21',
    severity: 'error',
  },
  {
    name: 'path-param-without-placeholder',
    files: cap('path-param-without-placeholder'),
    expectExit: 1,
    expectRule: 'naftiko/path-param-mismatch',
    expectPos: 'specs/path-param-without-placeholder.yaml:25:25',
    severity: 'error',
  },
  {
    name: 'unused-path-param-strict',
    files: cap('unused-path-param-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/unused-path-param',
    expectPos: 'specs/unused-path-param-strict.yaml:41:15',
    severity: 'error',
  },
  {
    name: 'body-on-get-strict',
    files: cap('body-on-get-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/body-ignored',
    expectPos: 'specs/body-on-get-strict.yaml:29:19',
    severity: 'error',
  },
  {
    name: 'mcp-prompt-unknown-placeholder-strict',
    files: cap('mcp-prompt-unknown-placeholder-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'naftiko/unknown-input',
    expectPos: 'specs/mcp-prompt-unknown-placeholder-strict.yaml:60:24',
    severity: 'error',
  },
  {
    name: 'duplicate-consumes-namespace',
    files: cap('duplicate-consumes-namespace'),
    expectExit: 1,
    expectRule: 'naftiko/duplicate-name',
    expectPos: 'specs/duplicate-consumes-namespace.yaml:35:18',
    severity: 'error',
  },
  {
    name: 'duplicate-exposes-namespace',
    files: cap('duplicate-exposes-namespace'),
    expectExit: 1,
    expectRule: 'naftiko/duplicate-name',
    expectPos: 'specs/duplicate-exposes-namespace.yaml:50:18',
    severity: 'error',
  },
  {
    name: 'duplicate-tool-name',
    files: cap('duplicate-tool-name'),
    expectExit: 1,
    expectRule: 'naftiko/duplicate-name',
    expectPos: 'specs/duplicate-tool-name.yaml:62:17',
    severity: 'error',
  },
  {
    name: 'duplicate-route',
    files: cap('duplicate-route'),
    expectExit: 1,
    expectRule: 'naftiko/duplicate-name',
    expectPos: 'specs/duplicate-route.yaml:49:23',
    severity: 'error',
  },
  {
    name: 'duplicate-capability-id',
    files: valid({ 'specs/widgets.yml': '_base.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/duplicate-name',
    expectPos: 'specs/widgets.yml:1:1',
    severity: 'error',
  },
  {
    name: 'capability-named-types',
    files: { 'specs/types.yaml': '_base.yaml', 'specs/widgets.openapi.yaml': '_openapi.yaml' },
    expectExit: 1,
    expectRule: 'naftiko/reserved-name',
    expectPos: 'specs/types.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'template-unbound-env-key',
    files: cap('template-unbound-env-key'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-binding',
    expectPos: 'specs/template-unbound-env-key.yaml:17:16',
    severity: 'error',
  },
  {
    name: 'template-unknown-namespace',
    files: cap('template-unknown-namespace'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-binding',
    expectPos: 'specs/template-unknown-namespace.yaml:17:16',
    severity: 'error',
  },

  // --- not generated yet (warnings; errors with --strict), unknown refs and step references -------
  {
    name: 'orchestrated-steps',
    files: cap('orchestrated-steps'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-reference',
    expectPos: 'specs/orchestrated-steps.yaml:61:21',
    severity: 'error',
  },
  {
    name: 'ref-mode',
    files: cap('ref-mode'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-ref',
    expectPos: 'specs/ref-mode.yaml:43:20',
    severity: 'error',
  },
  {
    name: 'aggregates-unknown-call',
    files: cap('aggregates-unknown-call'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-call',
    expectPos: 'specs/aggregates-unknown-call.yaml:39:17',
    severity: 'error',
  },
  {
    name: 'digest-auth-no-username',
    files: cap('digest-auth-no-username'),
    expectExit: 1,
    expectRule: 'naftiko/missing-field',
    expectPos: 'specs/digest-auth-no-username.yaml:16:9',
    severity: 'error',
  },
  {
    name: 'oauth2-on-consumes',
    files: cap('oauth2-on-consumes'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/auth-ignored',
    expectPos: 'specs/oauth2-on-consumes.yaml:16:9',
    severity: 'error',
  },
  {
    name: 'forward-resource',
    files: cap('forward-resource'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/not-generated',
    expectPos: 'specs/forward-resource.yaml:38:11',
    severity: 'error',
  },

  // --- imports, templates, binds, bodies (the specification's other constructs) --------------
  {
    name: 'import-missing-file',
    files: cap('import-missing-file'),
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'specs/import-missing-file.yaml:12:17',
    severity: 'error',
  },
  {
    name: 'import-outside-project',
    files: cap('import-outside-project'),
    expectExit: 1,
    expectRule: 'naftiko/invalid-import',
    expectPos: 'specs/import-outside-project.yaml:12:17',
    severity: 'error',
  },
  {
    name: 'import-unknown-namespace',
    files: {
      'specs/widgets.yaml': 'import-unknown-namespace/widgets.yaml',
      'specs/shared.consumes.yaml': 'import-unknown-namespace/shared.consumes.yaml',
      'specs/widgets.openapi.yaml': '_openapi.yaml',
    },
    expectExit: 1,
    expectRule: 'naftiko/unknown-import',
    expectPos: 'specs/widgets.yaml:13:15',
    severity: 'error',
  },
  {
    name: 'import-cycle',
    files: {
      'specs/widgets.yaml': 'import-cycle/widgets.yaml',
      'specs/shared.consumes.yaml': 'import-cycle/shared.consumes.yaml',
      'specs/widgets.openapi.yaml': '_openapi.yaml',
    },
    expectExit: 1,
    expectRule: 'naftiko/import-cycle',
    expectPos: 'specs/widgets.yaml:12:17',
    severity: 'error',
  },
  {
    name: 'capability-and-root-consumes',
    files: cap('capability-and-root-consumes'),
    expectExit: 1,
    expectRule: 'naftiko/ambiguous',
    expectPos: 'specs/capability-and-root-consumes.yaml:2:1',
    severity: 'error',
  },
  {
    name: 'body-template-unbound-variable',
    files: cap('body-template-unbound-variable'),
    expectExit: 1,
    expectRule: 'naftiko/missing-binding',
    expectPos: 'specs/body-template-unbound-variable.yaml:57:21',
    severity: 'error',
  },
  {
    name: 'with-template-unknown-input',
    files: cap('with-template-unknown-input'),
    expectExit: 1,
    expectRule: 'naftiko/unknown-input',
    expectPos: 'specs/with-template-unknown-input.yaml:45:21',
    severity: 'error',
  },
  {
    name: 'bind-location-unsupported-strict',
    files: cap('bind-location-unsupported-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/not-generated',
    expectPos: 'specs/bind-location-unsupported-strict.yaml:8:15',
    severity: 'error',
  },
  {
    name: 'multipart-body-strict',
    files: cap('multipart-body-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/not-generated',
    expectPos: 'specs/multipart-body-strict.yaml:24:15',
    severity: 'error',
  },
  {
    name: 'output-schema-not-found',
    files: cap('output-schema-not-found'),
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'specs/output-schema-not-found.yaml:25:29',
    severity: 'error',
  },
  {
    name: 'output-schema-outside',
    files: cap('output-schema-outside'),
    expectExit: 1,
    expectRule: 'io/outside-project',
    expectPos: 'specs/output-schema-outside.yaml:25:29',
    severity: 'error',
  },
  {
    name: 'oauth2-resource-not-http',
    files: cap('oauth2-resource-not-http'),
    expectExit: 1,
    expectRule: 'naftiko/invalid-uri',
    expectPos: 'specs/oauth2-resource-not-http.yaml:40:19',
    severity: 'error',
  },
  {
    name: 'output-schema-missing-strict',
    files: cap('output-schema-missing-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/output-schema-missing',
    expectPos: 'specs/output-schema-missing-strict.yaml:24:32',
    severity: 'error',
  },
  {
    name: 'body-template-on-get-strict',
    files: cap('body-template-on-get-strict'),
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'capgen/body-ignored',
    expectPos: 'specs/body-template-on-get-strict.yaml:24:15',
    severity: 'error',
  },

  // --- OpenAPI documents ----------------------------------------------------------------------
  {
    name: 'openapi-plain-mapping',
    files: {
      'capgen.config.yaml': 'openapi-plain-mapping/capgen.config.yaml',
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.yaml': 'openapi-plain-mapping/widgets.openapi.yaml',
    },
    expectExit: 1,
    expectRule: 'openapi/not-openapi',
    expectPos: 'specs/widgets.openapi.yaml:2:1',
    severity: 'error',
  },
  {
    name: 'openapi-swagger-2',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.swagger.yaml': 'openapi-swagger-2.yaml',
    },
    expectExit: 1,
    expectRule: 'openapi/not-openapi',
    expectPos: 'specs/widgets.swagger.yaml:2:1',
    severity: 'error',
  },
  {
    name: 'openapi-unsupported-version',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.yaml': 'openapi-unsupported-version.yaml',
    },
    expectExit: 1,
    expectRule: 'openapi/unsupported-version',
    expectPos: 'specs/widgets.openapi.yaml:2:10',
    severity: 'error',
  },
  {
    name: 'openapi-invalid-json',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.json': 'openapi-invalid-json.json',
    },
    expectExit: 1,
    expectRule: 'openapi/syntax',
    expectPos: 'specs/widgets.openapi.json:7:68',
    severity: 'error',
  },
  {
    name: 'openapi-dangling-ref-strict',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.yaml': 'openapi-dangling-ref.yaml',
    },
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'openapi/dangling-ref',
    expectPos: 'specs/widgets.openapi.yaml:30:23',
    severity: 'error',
  },
  {
    name: 'openapi-no-match-strict',
    files: { 'specs/widgets.yaml': '_base.yaml' },
    args: ['--strict'],
    expectExit: 1,
    expectRule: 'openapi/no-match',
    expectPos: 'specs/widgets.yaml:22:21',
    severity: 'error',
  },
  {
    name: 'openapi-flag-missing-file',
    files: { 'specs/widgets.yaml': '_base.yaml' },
    args: ['--openapi', 'api/widgets.openapi.yaml'],
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'api/widgets.openapi.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'openapi-servers-not-a-list',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.yaml': 'openapi-servers-not-a-list.yaml',
    },
    expectExit: 1,
    expectRule: /^openapi\//,
    expectPos: 'specs/widgets.openapi.yaml:6:10',
    severity: 'error',
  },
  {
    name: 'openapi-responses-not-a-mapping',
    files: {
      'specs/widgets.yaml': '_base.yaml',
      'specs/widgets.openapi.yaml': 'openapi-responses-not-a-mapping.yaml',
    },
    expectExit: 1,
    expectRule: /^openapi\//,
    expectPos: 'specs/widgets.openapi.yaml:24:18',
    severity: 'error',
  },

  // --- config and files -----------------------------------------------------------------------
  {
    name: 'config-missing-capability-file',
    files: valid({ 'capgen.config.yaml': 'config-missing-capability-file/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'specs/gadgets.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'config-missing-openapi-file',
    files: valid({ 'capgen.config.yaml': 'config-missing-openapi-file/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'specs/gadgets.openapi.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'config-flag-missing-file',
    files: valid({}),
    args: ['--config', 'capgen.prod.yaml'],
    expectExit: 1,
    expectRule: 'io/not-found',
    expectPos: 'capgen.prod.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'config-wrong-types',
    files: valid({ 'capgen.config.yaml': 'config-wrong-types/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/wrong-type',
    expectPos: 'capgen.config.yaml:2:15',
    severity: 'error',
  },
  {
    name: 'config-type-depth-out-of-range',
    files: valid({ 'capgen.config.yaml': 'config-type-depth-out-of-range/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/out-of-range',
    expectPos: 'capgen.config.yaml:2:12',
    severity: 'error',
  },
  {
    name: 'config-yaml-syntax',
    files: valid({ 'capgen.config.yaml': 'config-yaml-syntax/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'yaml/syntax',
    expectPos: 'capgen.config.yaml:3:1',
    severity: 'error',
  },
  {
    name: 'config-schema-missing',
    files: valid({ 'capgen.config.yaml': 'config-schema-missing/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'io/schema',
    expectPos: 'capgen.config.yaml:2:9',
    severity: 'error',
  },
  {
    name: 'config-schema-broken',
    files: valid({
      'capgen.config.yaml': 'config-schema-broken/capgen.config.yaml',
      'naftiko.schema.json': 'config-schema-broken/naftiko.schema.json',
    }),
    expectExit: 1,
    expectRule: 'io/schema',
    expectPos: 'naftiko.schema.json:1:1',
    severity: 'error',
  },
  {
    name: 'config-ruleset-missing',
    files: valid({ 'capgen.config.yaml': 'config-ruleset-missing/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'io/ruleset',
    expectPos: 'capgen.config.yaml:2:12',
    severity: 'error',
  },
  {
    name: 'config-rules-bad-severity',
    files: valid({ 'capgen.config.yaml': 'config-rules-bad-severity/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'capgen.config.yaml:3:21',
    severity: 'error',
  },
  {
    name: 'config-rules-cannot-lower',
    files: {
      'capgen.config.yaml': 'config-rules-cannot-lower/capgen.config.yaml',
      'specs/widgets.yaml': 'unknown-field.yaml',
      'specs/widgets.openapi.yaml': '_openapi.yaml',
    },
    expectExit: 1,
    expectRule: 'config/rule-not-lowered',
    expectPos: 'capgen.config.yaml:3:3',
    severity: 'warning',
  },
  {
    name: 'config-targets-unknown',
    files: valid({ 'capgen.config.yaml': 'config-targets-unknown/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'capgen.config.yaml:2:17',
    severity: 'error',
  },
  {
    name: 'config-targets-kubernetes-alone',
    files: valid({ 'capgen.config.yaml': 'config-targets-kubernetes-alone/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'config/target-needs',
    expectPos: 'capgen.config.yaml:2:10',
    severity: 'error',
  },
  {
    name: 'config-image-bad',
    files: valid({ 'capgen.config.yaml': 'config-image-bad/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'naftiko/invalid-value',
    expectPos: 'capgen.config.yaml:3:8',
    severity: 'error',
  },
  {
    name: 'config-container-out',
    files: valid({ 'capgen.config.yaml': 'config-container-out/capgen.config.yaml' }),
    expectExit: 1,
    expectRule: 'config/container-out',
    expectPos: 'capgen.config.yaml:3:6',
    severity: 'error',
  },
  {
    name: 'capability-named-kubernetes',
    files: { 'specs/kubernetes.yaml': '_base.yaml', 'specs/widgets.openapi.yaml': '_openapi.yaml' },
    expectExit: 1,
    expectRule: 'naftiko/reserved-name',
    expectPos: 'specs/kubernetes.yaml:1:1',
    severity: 'error',
  },
  {
    name: 'empty-specs-dir',
    files: { 'specs/notes.txt': 'empty-specs-dir/notes.txt' },
    expectExit: 1,
    expectRule: 'io/no-capabilities',
    expectPos: 'specs:1:1',
    severity: 'error',
  },
];

// --- harness ------------------------------------------------------------------------------------

const OUT = 'generated';
const SENTINEL = `${OUT}/NOTES.md`;
const SENTINEL_TEXT = 'A file of my own in the out dir: capgen must never touch it.\n';
const DIAGNOSTIC = /^(\S+:\d+:\d+) {2}(error|warning) {2}(\S+) {2}\S/;
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

let template: string;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Every file and folder under `root`: relative path → contents (folders map to '<dir>'). */
function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const absolute = path.join(dir, entry.name);
      const relative = path.relative(root, absolute).split(path.sep).join('/');
      if (entry.isDirectory()) {
        result[`${relative}/`] = '<dir>';
        walk(absolute);
      } else {
        result[relative] = fs.readFileSync(absolute).toString('base64');
      }
    }
  };
  walk(root);
  return result;
}

async function capgen(cwd: string, argv: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const write = (text: string) => {
    output += text;
  };
  const code = await runCli(argv, { cwd, stdout: write, stderr: write, color: false });
  return { code, output };
}

/** A project holding the case's files and, in its out dir, the template's previous generation. */
function project(c: Case): string {
  const root = tempDir(`capgen-malformed-${c.name}-`);
  fs.cpSync(path.join(template, OUT), path.join(root, OUT), { recursive: true });
  for (const [target, fixture] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(root, target)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, fixture), path.join(root, target));
  }
  return root;
}

beforeAll(async () => {
  // One previous generation from the valid base, shared by every case (copied into each project).
  template = tempDir('capgen-malformed-template-');
  fs.mkdirSync(path.join(template, 'specs'));
  fs.copyFileSync(path.join(FIXTURES, '_base.yaml'), path.join(template, 'specs/widgets.yaml'));
  fs.copyFileSync(
    path.join(FIXTURES, '_openapi.yaml'),
    path.join(template, 'specs/widgets.openapi.yaml'),
  );
  const { code, output } = await capgen(template, ['generate']);
  expect(output).not.toMatch(/warning|error/);
  expect(code).toBe(0);
  fs.writeFileSync(path.join(template, SENTINEL), SENTINEL_TEXT);
  expect(fs.existsSync(path.join(template, OUT, 'widgets', 'client.ts'))).toBe(true);
});

afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('malformed input corpus', () => {
  it('has at least 35 cases and uses every fixture', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const used = new Set(cases.flatMap((c) => Object.values(c.files).map((f) => f.split('/')[0])));
    const fixtures = fs.readdirSync(FIXTURES).filter((f) => !f.startsWith('_'));
    expect(fixtures.filter((f) => !used.has(f))).toEqual([]);
  });
});

describe.each(cases)('$name', (c) => {
  const test = c.knownBug ? it.fails : it;
  const title = c.knownBug
    ? `KNOWN BUG (${c.knownBug}): reports ${c.expectPos} ${String(c.expectRule)} and exits ${c.expectExit}`
    : `reports ${c.expectPos} ${c.expectRule} and exits ${c.expectExit}`;
  test(title, async () => {
    const root = project(c);
    const before = snapshot(root);
    const { code, output } = await capgen(root, ['generate', ...(c.args ?? [])]);
    const lines = output.split('\n');

    // The diagnostic, at the exact position, with the expected severity and rule, then a hint.
    const at = lines.findIndex((line) => {
      const m = DIAGNOSTIC.exec(line);
      return (
        m !== null &&
        m[1] === c.expectPos &&
        m[2] === c.severity &&
        (typeof c.expectRule === 'string' ? m[3] === c.expectRule : c.expectRule.test(m[3]))
      );
    });
    expect(
      at,
      `no '${c.expectPos}  ${c.severity}  ${String(c.expectRule)}' line in:\n${output}`,
    ).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toMatch(/^ {4}hint: \S/);
    // Every diagnostic carries a hint.
    lines.forEach((line, i) => {
      if (DIAGNOSTIC.test(line))
        expect(lines[i + 1], `no hint after: ${line}`).toMatch(/^ {4}hint: \S/);
    });
    // No stack trace, no crash.
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toMatch(/internal error/);
    expect(code, output).toBe(c.expectExit);

    const after = snapshot(root);
    if (c.expectExit === 1) {
      expect(output).toMatch(/\d+ error\(s\), \d+ warning\(s\); nothing was written\n$/);
      // Nothing written, nothing removed: the whole project, out dir included, is byte-identical.
      expect(after).toEqual(before);
    } else {
      // Warnings only: the run generates, but leaves the user's file and everything outside the out dir alone.
      const outside = (s: Record<string, string>) =>
        Object.fromEntries(Object.entries(s).filter(([p]) => !p.startsWith(`${OUT}/`)));
      expect(outside(after)).toEqual(outside(before));
      expect(fs.readFileSync(path.join(root, SENTINEL), 'utf8')).toBe(SENTINEL_TEXT);
      expect(output).toMatch(/✓ 1 capabilities → generated\//);
    }
  });
});
