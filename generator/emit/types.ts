/**
 * types.ts of a capability: parameter, body, response and list-item types for every consumed
 * operation. Bodies and responses come from openapi-typescript run on the capability's OpenAPI
 * subset; each operation's body and response type are then picked out of its syntax tree, and
 * everything else (paths, operations, empty component kinds) is cut away.
 */
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import type { OpenApiSubset } from '../pipeline.js';
import type { CapabilityModel, OperationModel } from '../model/types.js';
import { docComment, propertyKey, schemaToTs } from './json-schema-to-ts.js';
import type { JsonSchema } from '../../templates/runtime/contract.js';
import { commentSafeDocument } from './openapi-comments.js';

interface OperationTypes {
  body?: string;
  response?: string;
}

export async function emitTypes(
  capability: CapabilityModel,
  subsets: OpenApiSubset[],
): Promise<string> {
  const extracted = new Map<string, OperationTypes>();
  const componentBlocks: string[] = [];
  for (const [i, subset] of subsets.entries()) {
    const componentsName = i === 0 ? 'components' : `components${i + 1}`;
    const named = nameOperations(subset, capability.operations);
    const ast = await openapiTS(named as never, { alphabetize: true });
    const { components, operations } = cutDown(
      ast,
      componentsName,
      capability.operations.map((o) => o.typeName),
    );
    for (const [name, types] of operations) extracted.set(name, types);
    if (components) componentBlocks.push(components);
  }
  const blocks = capability.operations.map((op) =>
    operationTypes(op, extracted.get(op.typeName) ?? {}),
  );
  return [
    `import type { JsonValue } from '../runtime/contract.js';`,
    `export type { JsonValue };`,
    ...blocks,
    componentBlocks.length
      ? `/** Component schemas from the OpenAPI document, cut down to what this capability reaches. */`
      : '',
    ...componentBlocks,
  ].join('\n\n');
}

/** Give each matched operation our type name as operationId, so its types can be found again. */
function nameOperations(subset: OpenApiSubset, operations: OperationModel[]): unknown {
  const doc = commentSafeDocument(subset.document);
  for (const op of operations) {
    if (!op.openapi || op.openapi.source !== subset.source) continue;
    const target = doc.paths[op.openapi.path]?.[op.openapi.method] as
      Record<string, unknown> | undefined;
    if (target) target.operationId = op.typeName;
  }
  return doc;
}

/**
 * Picks each operation's body and response type out of openapi-typescript's syntax tree and keeps
 * only the component schemas: paths, operations, webhooks and empty component kinds are dropped.
 */
function cutDown(
  ast: ts.Node[],
  componentsName: string,
  typeNames: string[],
): { components?: string; operations: Map<string, OperationTypes> } {
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  for (const node of ast) if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, node);
  const rename = (text: string) =>
    componentsName === 'components' ? text : text.replaceAll('components[', `${componentsName}[`);
  const print = (node: ts.Node) => rename(astToString(node).trim());
  const operations = new Map<string, OperationTypes>();
  const opsInterface = interfaces.get('operations');
  for (const name of typeNames) {
    const op = opsInterface && member(opsInterface.members, name);
    if (!op) continue;
    const content = descend(op, ['requestBody', 'content']);
    const bodyMember =
      content && ts.isTypeLiteralNode(content)
        ? content.members.find(ts.isPropertySignature)
        : undefined;
    const responses = descend(op, ['responses']);
    const success =
      responses && ts.isTypeLiteralNode(responses)
        ? responses.members.find(
            (m): m is ts.PropertySignature =>
              ts.isPropertySignature(m) && /^2\d\d$/.test(propertyName(m)),
          )
        : undefined;
    const json = success?.type ? descend(success.type, ['content', 'application/json']) : undefined;
    operations.set(name, {
      body: bodyMember?.type ? print(bodyMember.type) : undefined,
      response: json ? print(json) : undefined,
    });
  }
  const schemas =
    interfaces.get('components') && member(interfaces.get('components')!.members, 'schemas');
  if (!schemas || !ts.isTypeLiteralNode(schemas) || schemas.members.length === 0)
    return { operations };
  return {
    components: `export interface ${componentsName} {\n  schemas: ${print(schemas)};\n}`,
    operations,
  };
}

function propertyName(node: ts.PropertySignature): string {
  const name = node.name;
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)
    ? name.text
    : '';
}

function member(members: ts.NodeArray<ts.TypeElement>, name: string): ts.TypeNode | undefined {
  const found = members.find(
    (m): m is ts.PropertySignature => ts.isPropertySignature(m) && propertyName(m) === name,
  );
  return found?.type;
}

function descend(start: ts.TypeNode, names: string[]): ts.TypeNode | undefined {
  let node: ts.TypeNode | undefined = start;
  for (const name of names) {
    if (!node || !ts.isTypeLiteralNode(node)) return undefined;
    node = member(node.members, name);
  }
  return node;
}

function operationTypes(op: OperationModel, extracted: OperationTypes): string {
  const parts: string[] = [];
  const bodyInput = op.inputs.find((i) => i.in === 'body');
  const bodyType = `${op.typeName}Body`;
  if (bodyInput) {
    parts.push(
      `${docComment(`Request body of ${op.methodName}.${bodyInput.description ? `\n\n${bodyInput.description}` : ''}`)}export type ${bodyType} = ${extracted.body ?? schemaToTs(bodyInput.schema, '', 'input')};`,
    );
  }
  const fields = op.inputs.map((input) => {
    const type =
      input.in === 'body' ? bodyType : schemaToTs(input.schema as JsonSchema, '  ', 'input');
    const where = input.in === 'body' ? 'request body' : `${input.in} parameter`;
    return `${docComment(`${input.description ? `${input.description}\n\n` : ''}(${where})`, '  ')}  ${propertyKey(input.name)}${input.required ? '' : '?'}: ${type};`;
  });
  parts.push(
    `${docComment(`Parameters of ${op.methodName}: ${op.spec.method} ${op.spec.path}`)}export interface ${op.types.params} {\n${fields.join('\n')}\n}`,
  );
  const unknownWhy = op.openapi
    ? ' The OpenAPI operation declares no JSON response body.'
    : ' No OpenAPI operation describes it, so it is any JSON value.';
  parts.push(
    `${docComment(`Response of ${op.methodName}.${extracted.response ? '' : unknownWhy}`)}export type ${op.types.response} = ${extracted.response ?? (op.responseSchema ? schemaToTs(op.responseSchema) : 'JsonValue')};`,
  );
  if (op.types.item) {
    const item = extracted.response
      ? `${op.types.response} extends { data: Array<infer T> } ? T : JsonValue`
      : 'JsonValue';
    parts.push(
      `${docComment(`One item of ${op.methodName}'s list, as yielded by its auto-pagination.`)}export type ${op.types.item} = ${item};`,
    );
  }
  return parts.join('\n\n');
}
