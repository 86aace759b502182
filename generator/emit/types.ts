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
import { identifier } from './escape.js';
import { codeHeader } from './header.js';
import { docComment, propertyNode, schemaToNode } from './json-schema-to-ts.js';
import { FILE_INPUT, schemaPrinter, type SchemaPrinter } from './schema-printer.js';
import { specifierStatement } from './imports.js';
import { layoutString, NotLaidOut } from './layout.js';
import { layoutModule } from './type-layout.js';
import { declarationSource, type TypeDeclaration, type TypeNode } from './type-nodes.js';

interface OperationTypes {
  body?: TypeNode;
  response?: TypeNode;
  item?: TypeNode;
}

/**
 * The file's text: in prettier's layout (type-layout.ts) and marked `laidOut`, or, when it holds
 * what only prettier lays out, as source for the formatter.
 */
export function emitTypes(
  capability: CapabilityModel,
  modules: TypeModuleModel[],
): { contents: string; laidOut?: true } {
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
  const declarations = capability.operations.flatMap((op) => {
    const schemas = op.types.openapi;
    const print = (schema: OpenApiSchema | undefined, what: string, files = false) => {
      const printer = schemas && printerFor(schemas.module, files);
      return printer && schema ? printer.node(schema, `${op.typeName}${what}`) : undefined;
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
  const namespaces = used.map((module) => identifier(module.namespace) as unknown as string);
  // Statements prettier would leave as they are: the same in both paths.
  const prologue = [
    [
      specifierStatement('import type', runtimeTypes, ` from '../runtime/contract.js';`),
      ...used.map(
        (module, i) =>
          `import type * as ${namespaces[i]} from ${layoutString(`../${module.path.replace(/\.ts$/, '.js')}`)};`,
      ),
    ].join('\n'),
    specifierStatement('export type', [...runtimeTypes, ...namespaces], ';'),
  ];
  const header = codeHeader(
    `Parameter, body and response types of ${capability.label}.`,
    capability,
  ) as unknown as string;
  try {
    return { contents: layoutModule(header, declarations, footer, prologue), laidOut: true };
  } catch (error) {
    if (!(error instanceof NotLaidOut)) throw error;
    return {
      contents: [header, ...prologue, ...declarations.map(declarationSource), ...footer].join(
        '\n\n',
      ),
    };
  }
}

const ref = (name: string): TypeNode => ({ t: 'ref', name });
const JSON_VALUE = ref('JsonValue');
const BINARY_BODY = ref('BinaryBody');
const alias = (comment: string, name: string, type: TypeNode): TypeDeclaration => ({
  comment: docComment(comment) as unknown as string,
  name,
  type,
  interface: false,
});

/** `Response extends { data: Array<infer T> } ? T : JsonValue`: the items of a list. */
export const itemOf = (response: string): TypeNode => ({
  t: 'conditional',
  check: ref(response),
  test: {
    t: 'object',
    inline: true,
    members: [
      {
        t: 'property',
        comment: '',
        readonly: false,
        name: 'data',
        optional: false,
        type: { t: 'generic', name: 'Array', args: [{ t: 'infer', name: 'T' }] },
      },
    ],
  },
  then: ref('T'),
  otherwise: JSON_VALUE,
});

function operationTypes(op: OperationModel, printed: OperationTypes): TypeDeclaration[] {
  const declarations: TypeDeclaration[] = [];
  const bodyInput = op.inputs.find((i) => i.in === 'body');
  const bodyType = `${op.typeName}Body`;
  if (bodyInput) {
    declarations.push(
      alias(
        `Request body of ${op.methodName}.${bodyInput.description ? `\n\n${bodyInput.description}` : ''}`,
        bodyType,
        printed.body ?? schemaToNode(bodyInput.schema, 'input'),
      ),
    );
  }
  const fields = op.inputs.map((input) => {
    const type = input.in === 'body' ? ref(bodyType) : schemaToNode(input.schema, 'input');
    const where = input.in === 'body' ? 'request body' : `${input.in} parameter`;
    const text = `${input.description ? `${input.description}\n\n` : ''}(${where})`;
    return propertyNode(input.name, type, !input.required, text);
  });
  declarations.push({
    comment: docComment(
      `Parameters of ${op.methodName}: ${op.spec.method} ${op.spec.path}`,
    ) as unknown as string,
    name: op.types.params,
    type: { t: 'object', members: fields },
    interface: true,
  });
  const format = op.spec.output?.format;
  const unknownWhy = op.spec.binaryResponse
    ? ' A binary answer: its bytes and media type.'
    : format
      ? ` The ${format} answer converted to JSON${op.responseSchema ? '' : ' (any JSON value)'}.`
      : op.openapi
        ? ' The OpenAPI operation declares no JSON response body.'
        : ' No OpenAPI operation describes it, so it is any JSON value, or the bytes of a binary answer (a Content-Type neither JSON nor text).';
  const fallback: TypeNode = op.spec.binaryResponse
    ? BINARY_BODY
    : op.responseSchema
      ? schemaToNode(op.responseSchema)
      : op.openapi || format
        ? JSON_VALUE
        : { t: 'union', types: [JSON_VALUE, BINARY_BODY] };
  declarations.push(
    alias(
      `Response of ${op.methodName}.${printed.response ? '' : unknownWhy}`,
      op.types.response,
      printed.response ?? fallback,
    ),
  );
  if (op.types.item) {
    const item = printed.item ?? (printed.response ? itemOf(op.types.response) : JSON_VALUE);
    declarations.push(
      alias(
        `One item of ${op.methodName}'s list, as yielded by its auto-pagination.`,
        op.types.item,
        item,
      ),
    );
  }
  return declarations;
}
