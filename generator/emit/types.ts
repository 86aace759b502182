/**
 * types.ts of a capability: parameter, body, response and list-item types for every consumed
 * operation. Bodies, responses and items of matched operations are printed from their OpenAPI
 * schemas, referring to the named types of the API's shared module (`Stripe.CheckoutSession`);
 * parameters, and operations no OpenAPI document describes, from the model's JSON Schemas.
 */
import type {
  CapabilityModel,
  OpenApiSchema,
  OperationModel,
  TypeModuleModel,
} from '../model/types.js';
import { identifier, ts, tsString } from './escape.js';
import { codeHeader } from './header.js';
import { docComment, propertyKey, schemaToTs } from './json-schema-to-ts.js';
import { printNode, schemaPrinter, type SchemaPrinter } from './openapi-ts.js';

interface OperationTypes {
  body?: string;
  response?: string;
  item?: string;
}

export function emitTypes(capability: CapabilityModel, modules: TypeModuleModel[]): string {
  const printers = new Map<string, { module: TypeModuleModel; printer: SchemaPrinter }>();
  const printerFor = (path: string) => {
    const module = modules.find((m) => m.path === path);
    if (!module) return undefined;
    const existing = printers.get(path);
    if (existing) return existing.printer;
    const printer = schemaPrinter(module, true);
    printers.set(path, { module, printer });
    return printer;
  };
  const blocks = capability.operations.map((op) => {
    const schemas = op.types.openapi;
    const printer = schemas && printerFor(schemas.module);
    const print = (schema: OpenApiSchema | undefined, what: string) =>
      printer && schema ? printNode(printer.type(schema, `${op.typeName}${what}`)) : undefined;
    return operationTypes(op, {
      body: print(schemas?.body, 'Body'),
      response: print(schemas?.response, 'Response'),
      item: print(schemas?.item, 'Item'),
    });
  });
  const used = [...printers.values()].filter(({ printer }) => printer.usedModule());
  // Helper declarations, once each even when two modules' types need the same one.
  const footer = [
    ...new Set([...printers.values()].flatMap(({ printer }) => printer.footer().map(printNode))),
  ];
  return [
    codeHeader(`Parameter, body and response types of ${capability.label}.`, capability),
    [
      `import type { JsonValue } from '../runtime/contract.js';`,
      ...used.map(
        ({ module }) =>
          ts`import type * as ${identifier(module.namespace)} from ${tsString(`../${module.path.replace(/\.ts$/, '.js')}`)};`,
      ),
    ].join('\n'),
    `export type { ${['JsonValue', ...used.map(({ module }) => identifier(module.namespace))].join(', ')} };`,
    ...blocks,
    ...footer,
  ].join('\n\n');
}

function operationTypes(op: OperationModel, printed: OperationTypes): string {
  const parts: string[] = [];
  const bodyInput = op.inputs.find((i) => i.in === 'body');
  const bodyType = `${op.typeName}Body`;
  if (bodyInput) {
    parts.push(
      `${docComment(`Request body of ${op.methodName}.${bodyInput.description ? `\n\n${bodyInput.description}` : ''}`)}export type ${bodyType} = ${printed.body ?? schemaToTs(bodyInput.schema, '', 'input')};`,
    );
  }
  const fields = op.inputs.map((input) => {
    const type = input.in === 'body' ? bodyType : schemaToTs(input.schema, '  ', 'input');
    const where = input.in === 'body' ? 'request body' : `${input.in} parameter`;
    return `${docComment(`${input.description ? `${input.description}\n\n` : ''}(${where})`, '  ')}  ${propertyKey(input.name)}${input.required ? '' : '?'}: ${type};`;
  });
  parts.push(
    `${docComment(`Parameters of ${op.methodName}: ${op.spec.method} ${op.spec.path}`)}export interface ${op.types.params} {\n${fields.join('\n')}\n}`,
  );
  const format = op.spec.output?.format;
  const unknownWhy = format
    ? ` The ${format} answer converted to JSON${op.responseSchema ? '' : ' (any JSON value)'}.`
    : op.openapi
      ? ' The OpenAPI operation declares no JSON response body.'
      : ' No OpenAPI operation describes it, so it is any JSON value.';
  parts.push(
    `${docComment(`Response of ${op.methodName}.${printed.response ? '' : unknownWhy}`)}export type ${op.types.response} = ${printed.response ?? (op.responseSchema ? schemaToTs(op.responseSchema) : 'JsonValue')};`,
  );
  if (op.types.item) {
    const item =
      printed.item ??
      (printed.response
        ? `${op.types.response} extends { data: Array<infer T> } ? T : JsonValue`
        : 'JsonValue');
    parts.push(
      `${docComment(`One item of ${op.methodName}'s list, as yielded by its auto-pagination.`)}export type ${op.types.item} = ${item};`,
    );
  }
  return parts.join('\n\n');
}
