/**
 * types.ts of a capability: parameter, body, response and list-item types for every consumed
 * operation. Bodies and responses come from openapi-typescript run on the capability's OpenAPI
 * subset; ts-morph then picks each operation's body and response type out of its output and cuts
 * away everything else (paths, operations, empty component kinds).
 */
import openapiTS, { astToString } from 'openapi-typescript';
import { Node, Project, type TypeLiteralNode } from 'ts-morph';
import type { OpenApiSubset } from '../pipeline.js';
import type { CapabilityModel, OperationModel } from '../model/types.js';
import { docComment, propertyKey, schemaToTs } from './json-schema-to-ts.js';
import type { JsonSchema } from '../../templates/runtime/contract.js';

interface OperationTypes {
  body?: string;
  response?: string;
}

export async function emitTypes(capability: CapabilityModel, subsets: OpenApiSubset[]): Promise<string> {
  const extracted = new Map<string, OperationTypes>();
  const componentBlocks: string[] = [];
  for (const [i, subset] of subsets.entries()) {
    const componentsName = i === 0 ? 'components' : `components${i + 1}`;
    const named = nameOperations(subset, capability.operations);
    const text = astToString(await openapiTS(named as never, { alphabetize: true }));
    const { components, operations } = cutDown(text, componentsName, capability.operations.map((o) => o.typeName));
    for (const [name, types] of operations) extracted.set(name, types);
    if (components) componentBlocks.push(components);
  }
  const blocks = capability.operations.map((op) => operationTypes(op, extracted.get(op.typeName) ?? {}));
  return [
    `import type { JsonValue } from '../runtime/contract.js';`,
    `export type { JsonValue };`,
    ...blocks,
    componentBlocks.length ? `/** Component schemas from the OpenAPI document, cut down to what this capability reaches. */` : '',
    ...componentBlocks,
  ].join('\n\n');
}

/** Give each matched operation our type name as operationId, so its types can be found again. */
function nameOperations(subset: OpenApiSubset, operations: OperationModel[]): unknown {
  const doc = structuredClone(subset.document);
  for (const op of operations) {
    if (!op.openapi || op.openapi.source !== subset.source) continue;
    const target = doc.paths[op.openapi.path]?.[op.openapi.method] as Record<string, unknown> | undefined;
    if (target) target.operationId = op.typeName;
  }
  return doc;
}

function cutDown(text: string, componentsName: string, typeNames: string[]): { components?: string; operations: Map<string, OperationTypes> } {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile('openapi.ts', text);
  const operations = new Map<string, OperationTypes>();
  const opsInterface = file.getInterface('operations');
  for (const name of typeNames) {
    const op = opsInterface ? member(opsInterface, name) : undefined;
    if (!op) continue;
    const body = path(op, ['requestBody', 'content']);
    const bodyType = body && Node.isTypeLiteral(body) ? body.getMembers()[0] : undefined;
    const responses = path(op, ['responses']);
    let response: string | undefined;
    if (responses && Node.isTypeLiteral(responses)) {
      const success = responses.getMembers().find((m) => Node.isPropertySignature(m) && /^"?2\d\d"?$/.test(m.getName()));
      const json = success && Node.isPropertySignature(success) ? path(success, ['content', '"application/json"']) : undefined;
      response = json?.getText();
    }
    operations.set(name, {
      body: bodyType && Node.isPropertySignature(bodyType) ? bodyType.getTypeNode()?.getText() : undefined,
      response,
    });
  }
  for (const name of ['paths', 'webhooks', '$defs', 'operations']) {
    file.getInterface(name)?.remove();
    file.getTypeAlias(name)?.remove();
  }
  const components = file.getInterface('components');
  if (!components) return { operations };
  for (const prop of components.getProperties()) if (prop.getName() !== 'schemas') prop.remove();
  const schemas = components.getProperty('schemas')?.getTypeNode();
  if (!schemas || !Node.isTypeLiteral(schemas) || schemas.getMembers().length === 0) return { operations };
  if (componentsName !== 'components') {
    components.rename(componentsName);
    for (const [key, value] of operations) operations.set(key, { body: value.body?.replaceAll('components[', `${componentsName}[`), response: value.response?.replaceAll('components[', `${componentsName}[`) });
  }
  return { components: components.getText(), operations };
}

type WithMembers = { getMembers(): Node[] };

function member(container: WithMembers, name: string): Node | undefined {
  const found = container.getMembers().find((m) => Node.isPropertySignature(m) && (m.getName() === name || m.getName() === `"${name}"` || `"${m.getName()}"` === name));
  return found && Node.isPropertySignature(found) ? found.getTypeNode() : undefined;
}

function path(start: Node, names: string[]): Node | undefined {
  let node: Node | undefined = Node.isPropertySignature(start) ? start.getTypeNode() : start;
  for (const name of names) {
    if (!node || !Node.isTypeLiteral(node)) return undefined;
    node = member(node as TypeLiteralNode, name);
  }
  return node;
}

function operationTypes(op: OperationModel, extracted: OperationTypes): string {
  const parts: string[] = [];
  const bodyInput = op.inputs.find((i) => i.in === 'body');
  const bodyType = `${op.typeName}Body`;
  if (bodyInput) {
    parts.push(`${docComment(`Request body of ${op.methodName}.${bodyInput.description ? `\n\n${bodyInput.description}` : ''}`)}export type ${bodyType} = ${extracted.body ?? schemaToTs(bodyInput.schema)};`);
  }
  const fields = op.inputs.map((input) => {
    const type = input.in === 'body' ? bodyType : schemaToTs(input.schema as JsonSchema, '  ');
    const where = input.in === 'body' ? 'request body' : `${input.in} parameter`;
    return `${docComment(`${input.description ? `${input.description}\n\n` : ''}(${where})`, '  ')}  ${propertyKey(input.name)}${input.required ? '' : '?'}: ${type};`;
  });
  parts.push(`${docComment(`Parameters of ${op.methodName}: ${op.spec.method} ${op.spec.path}`)}export interface ${op.types.params} {\n${fields.join('\n')}\n}`);
  parts.push(`${docComment(`Response of ${op.methodName}.${extracted.response ? '' : ' No OpenAPI operation describes it, so it is any JSON value.'}`)}export type ${op.types.response} = ${extracted.response ?? (op.responseSchema ? schemaToTs(op.responseSchema) : 'JsonValue')};`);
  if (op.types.item) {
    const item = extracted.response ? `${op.types.response} extends { data: Array<infer T> } ? T : JsonValue` : 'JsonValue';
    parts.push(`${docComment(`One item of ${op.methodName}'s list, as yielded by its auto-pagination.`)}export type ${op.types.item} = ${item};`);
  }
  return parts.join('\n\n');
}
