/**
 * Loading OpenAPI documents (YAML or JSON; a fragment or a whole spec) and checking that they are
 * OpenAPI 3.x. Dangling internal `$ref`s are reported as warnings and later degrade to an opaque
 * JSON value type.
 */
import { DiagnosticBag } from '../diagnostics.js';
import { isRecord } from './source.js';
import { parseSource, type JsonPath, type SourceDocument } from './source.js';

export interface OpenApiDocument {
  file: string;
  data: OpenApiObject;
  locate: SourceDocument['locate'];
  /** `$ref` targets that do not resolve inside the document. */
  danglingRefs: Set<string>;
}

/** The parts of an OpenAPI 3.x document capgen reads. */
export interface OpenApiObject {
  openapi: string;
  info?: { title?: string; version?: string; [key: string]: unknown };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export function loadOpenApi(
  file: string,
  text: string,
  bag: DiagnosticBag,
): OpenApiDocument | undefined {
  const source = file.endsWith('.json') ? parseJson(file, text, bag) : parseSource(file, text, bag);
  if (!source || source.data === undefined) return undefined;
  const data = source.data;
  if (isRecord(data) && typeof data.openapi === 'number') {
    bag.error(
      file,
      source.locate(['openapi']),
      'openapi/not-openapi',
      `'openapi: ${data.openapi}' is a number; the version must be a string`,
      `quote it: openapi: '${data.openapi}.0'`,
    );
    return undefined;
  }
  if (!isRecord(data) || typeof data.openapi !== 'string' || !isRecord(data.paths)) {
    const swagger = isRecord(data) && 'swagger' in data;
    bag.error(
      file,
      source.locate(isRecord(data) && 'openapi' in data ? ['openapi'] : []),
      'openapi/not-openapi',
      swagger
        ? 'this is a Swagger 2.0 document; capgen reads OpenAPI 3.x'
        : "this is not an OpenAPI document (it needs an 'openapi: 3.x' field and a 'paths' mapping)",
      swagger
        ? 'convert it to OpenAPI 3 (e.g. with swagger2openapi) first'
        : 'point --openapi at an OpenAPI 3.x YAML or JSON file',
    );
    return undefined;
  }
  if (!data.openapi.startsWith('3.')) {
    bag.error(
      file,
      source.locate(['openapi']),
      'openapi/unsupported-version',
      `OpenAPI version '${data.openapi}' is not supported`,
      'capgen reads OpenAPI 3.0 and 3.1 documents',
    );
    return undefined;
  }
  const doc: OpenApiDocument = {
    file,
    data: data as OpenApiObject,
    locate: source.locate,
    danglingRefs: new Set(),
  };
  if (!checkStructure(doc, bag)) return undefined;
  reportDanglingRefs(doc, bag);
  return doc;
}

/**
 * JSON parses an order of magnitude faster than YAML with source positions: JSON.parse reads it,
 * and the positions of a diagnostic come from the yaml parser, run on the text only when a
 * diagnostic first asks where something is (a valid document seldom does).
 */
function parseJson(file: string, text: string, bag: DiagnosticBag): SourceDocument | undefined {
  try {
    const data: unknown = JSON.parse(text);
    let positions: SourceDocument | undefined;
    return {
      file,
      data,
      locate: (path, options) =>
        (positions ??= parseSource(file, text, new DiagnosticBag())).locate(path, options),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
    const before = text.slice(0, offset).split('\n');
    bag.error(
      file,
      { line: before.length, col: before[before.length - 1].length + 1 },
      'openapi/syntax',
      `invalid JSON: ${message}`,
      'fix the JSON syntax at this position',
    );
    return undefined;
  }
}

/** A server's URL with its variables at their defaults: `https://{region}.api.test` → `https://eu.api.test`. */
export function serverUrl(server: Record<string, unknown>): string | undefined {
  if (typeof server.url !== 'string') return undefined;
  const variables = isRecord(server.variables) ? server.variables : {};
  return server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isRecord(variable) && typeof variable.default === 'string' ? variable.default : whole;
  });
}

export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = pointerSegment(raw);
    // Own members only: `#/__proto__` names nothing.
    if ((!isRecord(node) && !Array.isArray(node)) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * `node`, through its internal `$ref`s (a chain of them too): undefined when one points nowhere or
 * the chain does not end within `maxHops` references (a loop).
 */
export function followRefs(root: unknown, node: unknown, maxHops = 32): unknown {
  let current = node;
  for (
    let hops = 0;
    hops < maxHops && isRecord(current) && typeof current.$ref === 'string';
    hops++
  )
    current = resolvePointer(root, current.$ref);
  return isRecord(current) && typeof current.$ref === 'string' ? undefined : current;
}

/** A segment of a JSON pointer in a URI fragment, decoded (as written when it is not valid %-encoding). */
export function pointerSegment(raw: string): string {
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // malformed %-encoding: the text as it is
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}

function reportDanglingRefs(doc: OpenApiDocument, bag: DiagnosticBag): void {
  // One path, extended and shortened in place (the full spec has about a million values), and
  // each distinct $ref resolved once.
  const path: Array<string | number> = [];
  const resolves = new Map<string, boolean>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        visit(node[i]);
        path.pop();
      }
      return;
    }
    if (!isRecord(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#')) {
      let found = resolves.get(ref);
      if (found === undefined)
        resolves.set(ref, (found = resolvePointer(doc.data, ref) !== undefined));
      if (!found && !doc.danglingRefs.has(ref)) {
        doc.danglingRefs.add(ref);
        bag.warning(
          doc.file,
          doc.locate([...path, '$ref'] as JsonPath),
          'openapi/dangling-ref',
          `$ref '${ref}' points to nothing in this document; its type is an opaque JSON object unless another document of the same API (same server URL) defines it`,
          'add the missing component, or load the full spec with --openapi',
        );
      }
    }
    for (const key of Object.keys(node)) {
      if (key === '$ref') continue;
      path.push(key);
      visit(node[key]);
      path.pop();
    }
  };
  visit(doc.data);
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The parts capgen walks must have the right kind (list, mapping); reports each one that does not. */
function checkStructure(doc: OpenApiDocument, bag: DiagnosticBag): boolean {
  const before = bag.errorCount;
  const expect = (value: unknown, path: JsonPath, kind: 'list' | 'mapping', what: string) => {
    const ok = kind === 'list' ? Array.isArray(value) : isRecord(value);
    if (!ok)
      bag.error(
        doc.file,
        doc.locate(path),
        'openapi/invalid-structure',
        `${what} must be a ${kind}`,
        `see the OpenAPI specification for '${String(path[path.length - 1])}'`,
      );
    return ok;
  };
  const { servers, paths } = doc.data;
  if (servers !== undefined && expect(servers, ['servers'], 'list', "'servers'")) {
    servers.forEach((server, i) => {
      if (!isRecord(server) || typeof server.url !== 'string')
        bag.error(
          doc.file,
          doc.locate(['servers', i]),
          'openapi/invalid-structure',
          'each server needs a url string',
          "write '- url: https://api.example.com'",
        );
    });
  }
  for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!isRecord(item)) {
      expect(item, ['paths', path], 'mapping', `path item '${path}'`);
      continue;
    }
    if (item.parameters !== undefined)
      expect(item.parameters, ['paths', path, 'parameters'], 'list', `parameters of '${path}'`);
    for (const method of METHODS) {
      const candidate = item[method];
      if (candidate === undefined) continue;
      const at = ['paths', path, method];
      if (!expect(candidate, at, 'mapping', `operation ${method.toUpperCase()} ${path}`)) continue;
      const op = candidate as Record<string, unknown>;
      if (op.parameters !== undefined)
        expect(
          op.parameters,
          [...at, 'parameters'],
          'list',
          `parameters of ${method.toUpperCase()} ${path}`,
        );
      if (
        op.responses !== undefined &&
        expect(
          op.responses,
          [...at, 'responses'],
          'mapping',
          `responses of ${method.toUpperCase()} ${path}`,
        )
      ) {
        for (const [code, response] of Object.entries(op.responses as Record<string, unknown>))
          expect(
            response,
            [...at, 'responses', code],
            'mapping',
            `response ${code} of ${method.toUpperCase()} ${path}`,
          );
      }
      if (op.requestBody !== undefined)
        expect(
          op.requestBody,
          [...at, 'requestBody'],
          'mapping',
          `requestBody of ${method.toUpperCase()} ${path}`,
        );
    }
  }
  return bag.errorCount === before;
}
