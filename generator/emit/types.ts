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
import { FILE_INPUT, schemaPrinter, type SchemaPrinter } from './schema-printer.js';

interface OperationTypes {
  body?: string;
  response?: string;
  item?: string;
}

export function emitTypes(capability: CapabilityModel, modules: TypeModuleModel[]): string {
  // One printer per module, and one more for multipart bodies (their files are FileInput).
  const printers = new Map<string, { module: TypeModuleModel; printer: SchemaPrinter }>();
  const printerFor = (path: string, files: boolean) => {
    const module = modules.find((m) => m.path === path);
    if (!module) return undefined;
    const key = `${path}${files ? ' files' : ''}`;
    const existing = printers.get(key);
    if (existing) return existing.printer;
    const printer = schemaPrinter(module, true, { files });
    printers.set(key, { module, printer });
    return printer;
  };
  const blocks = capability.operations.map((op) => {
    const schemas = op.types.openapi;
    const print = (schema: OpenApiSchema | undefined, what: string, files = false) => {
      const printer = schemas && printerFor(schemas.module, files);
      return printer && schema ? printer.type(schema, `${op.typeName}${what}`) : undefined;
    };
    return operationTypes(op, {
      body: print(schemas?.body, 'Body', op.spec.body?.files !== undefined),
      response: print(schemas?.response, 'Response'),
      item: print(schemas?.item, 'Item'),
    });
  });
  const used = [
    ...new Set(
      [...printers.values()].filter(({ printer }) => printer.usedModule()).map((p) => p.module),
    ),
  ];
  // Helper declarations, once each even when two modules' types need the same one.
  const footer = [...new Set([...printers.values()].flatMap(({ printer }) => printer.footer()))];
  const runtimeTypes = [
    'JsonValue',
    ...(capability.operations.some((op) => !op.openapi || op.spec.binaryResponse)
      ? ['BinaryBody']
      : []),
    ...(capability.operations.some((op) => op.spec.body?.files) ? [FILE_INPUT] : []),
  ];
  return [
    codeHeader(`Parameter, body and response types of ${capability.label}.`, capability),
    [
      `import type { ${runtimeTypes.join(', ')} } from '../runtime/contract.js';`,
      ...used.map(
        (module) =>
          ts`import type * as ${identifier(module.namespace)} from ${tsString(`../${module.path.replace(/\.ts$/, '.js')}`)};`,
      ),
    ].join('\n'),
    `export type { ${[...runtimeTypes, ...used.map((module) => identifier(module.namespace))].join(', ')} };`,
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
  const unknownWhy = op.spec.binaryResponse
    ? ' A binary answer: its bytes and media type.'
    : format
      ? ` The ${format} answer converted to JSON${op.responseSchema ? '' : ' (any JSON value)'}.`
      : op.openapi
        ? ' The OpenAPI operation declares no JSON response body.'
        : ' No OpenAPI operation describes it, so it is any JSON value, or the bytes of a binary answer (a Content-Type neither JSON nor text).';
  const fallback = op.spec.binaryResponse
    ? 'BinaryBody'
    : op.responseSchema
      ? schemaToTs(op.responseSchema)
      : op.openapi || format
        ? 'JsonValue'
        : 'JsonValue | BinaryBody';
  parts.push(
    `${docComment(`Response of ${op.methodName}.${printed.response ? '' : unknownWhy}`)}export type ${op.types.response} = ${printed.response ?? fallback};`,
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
