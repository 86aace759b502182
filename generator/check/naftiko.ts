/**
 * Checks one capability document against the Naftiko model: its shape (naftiko-shape.ts), then
 * the references between its parts. Returns the typed document when it has no errors.
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import type {
  NaftikoAuthentication,
  NaftikoDocument,
  NaftikoExposedOperation,
  NaftikoMcp,
  NaftikoOutputParameter,
  NaftikoRest,
  NaftikoTool,
} from '../load/naftiko-types.js';
import { authenticationShape, documentShape, mcpShape, restShape } from './naftiko-shape.js';
import { checkShape, isRecord } from './shape.js';
import {
  allAdapterPrefixes,
  bindings,
  indexConsumedOperations,
  parseTemplate,
  parseWithValue,
  pathPlaceholders,
  type ConsumedRef,
} from './references.js';

const SUPPORTED_AUTH = ['bearer', 'apikey', 'basic'];

export function checkCapability(
  source: SourceDocument,
  bag: DiagnosticBag,
): NaftikoDocument | undefined {
  const before = bag.errorCount;
  checkShape(source, bag, documentShape, source.data, []);
  if (bag.errorCount > before) return undefined;
  const doc = source.data as NaftikoDocument;
  new CapabilityChecker(source, bag, doc).run();
  return bag.errorCount > before ? undefined : doc;
}

class CapabilityChecker {
  private readonly consumed: Map<string, ConsumedRef>;
  private readonly prefixes: Set<string>;
  private readonly binds: Map<string, Map<string, string>>;

  constructor(
    private readonly source: SourceDocument,
    private readonly bag: DiagnosticBag,
    private readonly doc: NaftikoDocument,
  ) {
    this.consumed = indexConsumedOperations(doc);
    this.prefixes = allAdapterPrefixes(doc);
    this.binds = bindings(doc);
  }

  private error(path: JsonPath, rule: string, message: string, hint: string, key = false): void {
    this.bag.error(this.source.file, this.source.locate(path, { key }), rule, message, hint);
  }

  private warning(path: JsonPath, rule: string, message: string, hint: string, key = false): void {
    this.bag.warning(this.source.file, this.source.locate(path, { key }), rule, message, hint);
  }

  run(): void {
    const capability = this.doc.capability;
    if (capability.aggregates !== undefined) {
      this.error(
        ['capability', 'aggregates'],
        'naftiko/unsupported',
        'aggregates are not supported yet',
        'expose consumed operations directly with `call`',
        true,
      );
    }
    this.checkConsumes();
    this.checkExposes();
  }

  private checkConsumes(): void {
    const namespaces = new Set<string>();
    this.doc.capability.consumes.forEach((consumes, ci) => {
      const at: JsonPath = ['capability', 'consumes', ci];
      this.unique(namespaces, consumes.namespace, [...at, 'namespace'], 'namespace');
      if (consumes.authentication !== undefined)
        this.checkAuthentication(consumes.authentication, [...at, 'authentication']);
      const resourceNames = new Set<string>();
      consumes.resources.forEach((resource, ri) => {
        const rat: JsonPath = [...at, 'resources', ri];
        this.unique(resourceNames, resource.name, [...rat, 'name'], 'resource name');
        const placeholders = pathPlaceholders(resource.path);
        if (!resource.path.startsWith('/'))
          this.error(
            [...rat, 'path'],
            'naftiko/invalid-path',
            `resource path '${resource.path}' must start with '/'`,
            `write '/${resource.path}'`,
          );
        const operationNames = new Set<string>();
        resource.operations.forEach((operation, oi) => {
          const oat: JsonPath = [...rat, 'operations', oi];
          const key = `${consumes.namespace}.${operation.name}`;
          const first = this.consumed.get(key);
          if (
            first &&
            (first.consumesIndex !== ci ||
              first.resourceIndex !== ri ||
              first.operationIndex !== oi)
          ) {
            this.error(
              [...oat, 'name'],
              'naftiko/duplicate-name',
              `operation '${operation.name}' is declared twice in namespace '${consumes.namespace}'`,
              'give each consumed operation a unique name',
            );
          }
          this.unique(
            operationNames,
            `${operation.method} ${resource.path}`,
            [...oat, 'method'],
            'method on this resource',
          );
          const params = [
            ...(resource.inputParameters ?? []),
            ...(operation.inputParameters ?? []),
          ];
          const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
          for (const placeholder of placeholders) {
            if (!pathParams.includes(placeholder)) {
              this.error(
                [...rat, 'path'],
                'naftiko/path-param-mismatch',
                `path placeholder '{${placeholder}}' of '${resource.path}' has no 'in: path' input parameter in operation '${operation.name}'`,
                `add an input parameter '${placeholder}' with 'in: path'`,
              );
            }
          }
          (operation.inputParameters ?? []).forEach((param, pi) => {
            if (param.in === 'path' && !placeholders.includes(param.name)) {
              this.error(
                [...oat, 'inputParameters', pi, 'name'],
                'naftiko/path-param-mismatch',
                `path parameter '${param.name}' does not appear in the resource path '${resource.path}'`,
                `add '{${param.name}}' to the path or change 'in'`,
              );
            }
            if (
              param.in === 'body' &&
              param.name === 'body' &&
              (operation.method === 'GET' || operation.method === 'DELETE')
            ) {
              this.warning(
                [...oat, 'inputParameters', pi],
                'capgen/body-ignored',
                `a ${operation.method} request never sends a body; parameter 'body' of '${operation.name}' is ignored`,
                'remove the body parameter from this operation',
              );
            }
          });
          const seen = new Set<string>();
          (operation.inputParameters ?? []).forEach((param, pi) =>
            this.unique(
              seen,
              `${param.in}:${param.name}`,
              [...oat, 'inputParameters', pi, 'name'],
              'parameter',
            ),
          );
        });
      });
    });
  }

  private checkAuthentication(auth: unknown, at: JsonPath): void {
    if (!isRecord(auth) || typeof auth.type !== 'string') {
      this.error(
        at,
        'naftiko/wrong-type',
        'authentication must be a mapping with a type',
        'write e.g. `type: bearer` and `token: "{{env.API_KEY}}"`',
      );
      return;
    }
    if (!SUPPORTED_AUTH.includes(auth.type)) {
      const known = ['digest', 'oauth2'].includes(auth.type);
      this.error(
        [...at, 'type'],
        known ? 'naftiko/unsupported' : 'naftiko/invalid-value',
        known
          ? `authentication type '${auth.type}' is not supported yet`
          : `unknown authentication type '${auth.type}'`,
        `use one of: ${SUPPORTED_AUTH.join(', ')}`,
      );
      return;
    }
    const shape = authenticationShape(auth.type);
    if (shape) checkShape(this.source, this.bag, shape, auth, at);
    const typed = auth as unknown as NaftikoAuthentication;
    for (const field of ['token', 'value', 'username', 'password'] as const) {
      const text = typed[field];
      if (typeof text === 'string') this.checkTemplate(text, [...at, field]);
    }
    if (typed.type === 'bearer' && typed.token === undefined)
      this.error(
        at,
        'naftiko/missing-field',
        'bearer authentication needs a token',
        'add `token: "{{env.API_KEY}}"`',
      );
    if (typed.type === 'apikey' && (typed.key === undefined || typed.value === undefined))
      this.error(
        at,
        'naftiko/missing-field',
        'apikey authentication needs key and value',
        'add `key: X-Api-Key` and `value: "{{env.API_KEY}}"`',
      );
    if (typed.type === 'basic' && typed.username === undefined)
      this.error(
        at,
        'naftiko/missing-field',
        'basic authentication needs a username',
        'add `username: "{{env.API_USER}}"`',
      );
  }

  /** `{{env.X}}` must name a key declared in `binds`. */
  private checkTemplate(text: string, at: JsonPath): void {
    for (const part of parseTemplate(text)) {
      if ('literal' in part) continue;
      const keys = this.binds.get(part.namespace);
      if (!keys) {
        this.error(
          at,
          'naftiko/unknown-binding',
          `template '{{${part.namespace}.${part.key}}}' uses namespace '${part.namespace}', which no 'binds' entry declares`,
          `add a binds entry with namespace '${part.namespace}'`,
        );
      } else if (!keys.has(part.key)) {
        this.error(
          at,
          'naftiko/unknown-binding',
          `template '{{${part.namespace}.${part.key}}}' names key '${part.key}', which binds '${part.namespace}' does not declare`,
          `add '${part.key}: ${part.key}' under that binds entry's keys`,
        );
      } else if (part.namespace !== 'env') {
        this.error(
          at,
          'naftiko/unsupported',
          `binds namespace '${part.namespace}' is not supported yet; only 'env' (process environment) is`,
          "use namespace 'env'",
        );
      }
    }
  }

  private checkExposes(): void {
    const namespaces = new Set(this.doc.capability.consumes.map((c) => c.namespace));
    const seenTypes = new Set<string>();
    (this.doc.capability.exposes ?? []).forEach((exposes, ei) => {
      const at: JsonPath = ['capability', 'exposes', ei];
      if (!isRecord(exposes) || typeof exposes.type !== 'string') {
        this.error(
          at,
          'naftiko/wrong-type',
          'an exposes entry must be a mapping with a type',
          'write `type: rest` or `type: mcp`',
        );
        return;
      }
      if (exposes.type !== 'rest' && exposes.type !== 'mcp') {
        this.error(
          [...at, 'type'],
          'naftiko/unsupported',
          `exposes type '${exposes.type}' is not supported yet`,
          'capgen generates rest and mcp adapters',
        );
        return;
      }
      if (seenTypes.has(exposes.type)) {
        this.error(
          [...at, 'type'],
          'naftiko/unsupported',
          `a second '${exposes.type}' adapter in one capability is not supported yet`,
          `merge the two ${exposes.type} adapters, or split the capability into two files`,
        );
        return;
      }
      seenTypes.add(exposes.type);
      const before = this.bag.errorCount;
      checkShape(
        this.source,
        this.bag,
        exposes.type === 'rest' ? restShape : mcpShape,
        exposes,
        at,
      );
      if (this.bag.errorCount > before) return;
      this.unique(namespaces, String(exposes.namespace), [...at, 'namespace'], 'namespace');
      const authentication = (exposes as { authentication?: unknown }).authentication;
      if (authentication !== undefined)
        this.checkAuthentication(authentication, [...at, 'authentication']);
      if (exposes.type === 'rest') this.checkRest(exposes as unknown as NaftikoRest, at);
      else this.checkMcp(exposes as unknown as NaftikoMcp, at);
    });
  }

  private checkRest(rest: NaftikoRest, at: JsonPath): void {
    const routes = new Set<string>();
    const names = new Set<string>();
    rest.resources.forEach((resource, ri) => {
      const rat: JsonPath = [...at, 'resources', ri];
      if (resource.forward !== undefined)
        this.error(
          [...rat, 'forward'],
          'naftiko/unsupported',
          'forward resources are not supported yet',
          'declare operations with `call` instead',
          true,
        );
      if (!resource.path.startsWith('/'))
        this.error(
          [...rat, 'path'],
          'naftiko/invalid-path',
          `path '${resource.path}' must start with '/'`,
          `write '/${resource.path}'`,
        );
      const placeholders = pathPlaceholders(resource.path);
      (resource.operations ?? []).forEach((operation, oi) => {
        const oat: JsonPath = [...rat, 'operations', oi];
        this.unique(
          routes,
          `${operation.method} ${resource.path}`,
          [...oat, 'method'],
          'route (method and path)',
        );
        if (operation.name) this.unique(names, operation.name, [...oat, 'name'], 'operation name');
        const declared = [
          ...(resource.inputParameters ?? []),
          ...(operation.inputParameters ?? []),
        ].map((p) => p.name);
        this.checkInvocation(
          operation,
          oat,
          rest.namespace,
          [...placeholders, ...declared],
          declared.length > 0 || false,
          placeholders,
        );
      });
    });
  }

  private checkMcp(mcp: NaftikoMcp, at: JsonPath): void {
    if ((mcp.transport ?? 'http') === 'http' && mcp.port === undefined) {
      this.error(
        at,
        'naftiko/missing-field',
        'an MCP adapter with http transport needs a port',
        'add `port: 9090`, or `transport: stdio`',
      );
    }
    for (const block of ['resources', 'prompts'] as const) {
      if ((mcp as unknown as Record<string, unknown>)[block] !== undefined) {
        this.warning(
          [...at, block],
          'capgen/not-generated',
          `MCP ${block} are not generated yet; only tools are`,
          `remove '${block}' or expose the data through a tool`,
          true,
        );
      }
    }
    const names = new Set<string>();
    mcp.tools.forEach((tool, ti) => {
      const tat: JsonPath = [...at, 'tools', ti];
      this.unique(names, tool.name, [...tat, 'name'], 'tool name');
      const declared = (tool.inputParameters ?? []).map((p) => p.name);
      this.checkInvocation(tool, tat, mcp.namespace, declared, declared.length > 0, []);
    });
  }

  /** `call`, `with` and output parameters of an exposed operation or tool. */
  private checkInvocation(
    item: NaftikoExposedOperation | NaftikoTool,
    at: JsonPath,
    namespace: string,
    inputs: string[],
    inputsDeclared: boolean,
    placeholders: string[],
  ): void {
    if (item.steps !== undefined) {
      this.error(
        [...at, 'steps'],
        'naftiko/unsupported',
        'orchestrated mode (steps) is not supported yet',
        'call one consumed operation with `call` and `with`',
        true,
      );
      return;
    }
    if (item.ref !== undefined) {
      this.error(
        [...at, 'ref'],
        'naftiko/unsupported',
        'ref mode (aggregate functions) is not supported yet',
        'call one consumed operation with `call` and `with`',
        true,
      );
      return;
    }
    if (item.call === undefined) {
      this.error(
        at,
        'naftiko/missing-field',
        'missing `call`: which consumed operation does this run?',
        'add `call: <consumes namespace>.<operation name>`',
      );
      return;
    }
    const target = this.consumed.get(item.call);
    if (!target) {
      const known = [...this.consumed.keys()];
      this.error(
        [...at, 'call'],
        'naftiko/unknown-call',
        `call '${item.call}' does not name a consumed operation`,
        known.length
          ? `known operations: ${known.slice(0, 6).join(', ')}${known.length > 6 ? ', …' : ''}`
          : 'declare the operation under capability.consumes',
      );
      return;
    }
    const params = [
      ...(target.resource.inputParameters ?? []),
      ...(target.operation.inputParameters ?? []),
    ];
    const byName = new Map(params.map((p) => [p.name, p]));
    const bound = new Set<string>();
    const referenced = new Set<string>();
    for (const [key, value] of Object.entries(item.with ?? {})) {
      const wat: JsonPath = [...at, 'with', key];
      if (!byName.has(key)) {
        this.error(
          wat,
          'naftiko/unknown-parameter',
          `'${key}' is not a parameter of '${item.call}'`,
          `parameters of ${item.call}: ${[...byName.keys()].join(', ') || 'none'}`,
          true,
        );
        continue;
      }
      bound.add(key);
      const parsed = parseWithValue(value, this.prefixes);
      if (parsed.kind === 'literal') continue;
      const allowed = ['rest', 'tools', 'mcp', namespace];
      if (!allowed.includes(parsed.prefix)) {
        this.error(
          wat,
          'naftiko/unknown-input',
          `'${value}' refers to adapter '${parsed.prefix}', not to this one ('${namespace}')`,
          `write '${namespace}.${parsed.name}' or 'rest.${parsed.name}'`,
        );
        continue;
      }
      referenced.add(parsed.name);
      if (inputsDeclared && !inputs.includes(parsed.name)) {
        this.error(
          wat,
          'naftiko/unknown-input',
          `'${value}' names input '${parsed.name}', which is not declared`,
          `declared inputs: ${inputs.join(', ')}`,
        );
      }
    }
    for (const param of params) {
      if (
        (param.required || param.in === 'path') &&
        param.in !== 'body' &&
        !bound.has(param.name) &&
        param.value === undefined
      ) {
        this.error(
          [...at, 'call'],
          'naftiko/missing-binding',
          `required parameter '${param.name}' of '${item.call}' gets no value in 'with'`,
          `add '${param.name}: ${namespace}.${param.name}' under with`,
        );
      }
    }
    for (const placeholder of placeholders) {
      if (!referenced.has(placeholder)) {
        this.warning(
          at,
          'capgen/unused-path-param',
          `path placeholder '{${placeholder}}' is not passed to '${item.call}'`,
          `add 'with: { <parameter>: rest.${placeholder} }'`,
        );
      }
    }
    (item.outputParameters ?? []).forEach((output, oi) =>
      this.checkOutputParameter(output, [...at, 'outputParameters', oi]),
    );
  }

  private checkOutputParameter(output: NaftikoOutputParameter, at: JsonPath): void {
    if (!isRecord(output) || typeof output.type !== 'string') {
      this.error(
        at,
        'naftiko/wrong-type',
        'an output parameter needs a type',
        'write e.g. `type: object` with `mapping: $.`',
      );
      return;
    }
    if (!['string', 'number', 'boolean', 'object', 'array'].includes(output.type)) {
      this.error(
        [...at, 'type'],
        'naftiko/invalid-value',
        `output parameter type '${output.type}' is not one of string, number, boolean, object, array`,
        'fix the type',
      );
      return;
    }
    const hasMapping = output.mapping !== undefined;
    if (
      !hasMapping &&
      output.value === undefined &&
      output.properties === undefined &&
      output.items === undefined
    ) {
      this.error(
        at,
        'naftiko/missing-field',
        'an output parameter needs a mapping (JSONPath) or a value',
        'add `mapping: $.` to return the upstream response as it is',
      );
      return;
    }
    if (hasMapping && typeof output.mapping === 'string' && !output.mapping.startsWith('$')) {
      this.error(
        [...at, 'mapping'],
        'naftiko/invalid-value',
        `mapping '${output.mapping}' is not a JSONPath`,
        "JSONPaths start with '$', e.g. `$.data[*].id`",
      );
    }
    if (output.type === 'object' && typeof output.mapping === 'string') {
      this.warning(
        [...at, 'mapping'],
        'schema/deviation',
        'an object output parameter with a JSONPath mapping is not allowed by the official Naftiko schema (it wants mapping.properties)',
        'capgen accepts it and returns the value at that path; --strict rejects it',
        true,
      );
    }
    for (const [name, child] of Object.entries(output.properties ?? {}))
      this.checkOutputParameter(child, [...at, 'properties', name]);
    if (output.items) this.checkOutputParameter(output.items, [...at, 'items']);
  }

  private unique(seen: Set<string>, value: string, at: JsonPath, what: string): void {
    if (seen.has(value))
      this.error(
        at,
        'naftiko/duplicate-name',
        `${what} '${value}' is used twice`,
        `give each ${what} a unique value`,
      );
    seen.add(value);
  }
}
