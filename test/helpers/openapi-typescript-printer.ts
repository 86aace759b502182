/**
 * The oracle for capgen's type printer (generator/emit/schema-printer.ts): the types printed the
 * way capgen printed them before it had its own printer, through openapi-typescript's
 * `transformSchemaObject` (which builds them with the TypeScript factory) and TypeScript's printer.
 * Its `$ref`s (`components["schemas"]["checkout.session"]`) are replaced by the named types of the
 * API's shared module: `CheckoutSession` inside it, `Stripe.CheckoutSession` from a capability.
 * Same exports as schema-printer.ts, so that a test can stand it in (test/schema-types.test.ts).
 */
import { createRequire } from 'node:module';
import type { GlobalContext, OpenAPI3, SchemaObject } from 'openapi-typescript';
import type * as TS from 'typescript';
import { isFileSchema } from '../../generator/model/media.js';
import type { OpenApiSchema, TypeContext, TypeModuleModel } from '../../generator/model/types.js';
import { commentSafeDocument } from '../../generator/emit/openapi-comments.js';
import type { TypeNode } from '../../generator/emit/type-nodes.js';

// TypeScript and openapi-typescript's transforms through require: an `import` of the 9 MB CommonJS
// compiler makes Node scan it for module syntax and for its export names (about 0.4 s of CPU at
// every run that prints types), and openapi-typescript's entry point loads Redocly's whole
// OpenAPI toolkit (0.3 s) for the `openapiTS()` function capgen never calls.
const require = createRequire(import.meta.url);
const ts = require('typescript') as typeof TS;
const { default: transformSchemaObject } =
  require('openapi-typescript/dist/transform/schema-object.cjs') as {
    default: typeof import('openapi-typescript').transformSchemaObject;
  };
const { addJSDocComment, oapiRef } =
  require('openapi-typescript/dist/lib/ts.cjs') as typeof import('openapi-typescript');
const { scanDiscriminators } =
  require('openapi-typescript/dist/lib/utils.cjs') as typeof import('openapi-typescript');
const factory = ts.factory;

/** What an opaque named type stands for: any JSON object. */
const ANY_OBJECT: OpenApiSchema = { type: 'object', additionalProperties: true };

export interface SchemaPrinter {
  type(schema: OpenApiSchema, path: string): string;
  /**
   * The type as a `ref` node holding its text: capgen's layout lays out only a name that way and
   * leaves any other text to prettier, as the oracle's output is made.
   */
  node(schema: OpenApiSchema, path: string): TypeNode;
  typeOfSafe(schema: OpenApiSchema, path: string): { text: string; kind: string };
  footer(): string[];
  /** True once a printed type has referred to one of the module's named types. */
  usedModule(): boolean;
}

/** The runtime's type of a file to upload (contract.ts), which types.ts imports when it uses it. */
export const FILE_INPUT = 'FileInput';

/**
 * A printer whose `$ref`s resolve to the module's named types, written bare (inside the module)
 * or qualified by the module's namespace (from a capability).
 */
export function schemaPrinter(
  module: TypeModuleModel,
  qualified: boolean,
  options: { files?: boolean } = {},
): SchemaPrinter {
  const printer = nodePrinter(module, qualified, options);
  const text = (schema: OpenApiSchema, path: string) =>
    printNode(printer.typeOfSafe(commentSafeDocument(schema), path));
  return {
    type: text,
    node: (schema, path) => ({ t: 'ref', name: text(schema, path) }),
    typeOfSafe: (schema, path) => {
      const node = printer.typeOfSafe(schema, path);
      return { text: printNode(node), kind: ts.isTypeLiteralNode(node) ? 'object' : 'other' };
    },
    footer: () => printer.footer().map(printNode),
    usedModule: printer.usedModule,
  };
}

function nodePrinter(
  module: TypeModuleModel,
  qualified: boolean,
  options: { files?: boolean } = {},
): NodePrinter & { usedModule(): boolean } {
  const { names, ctx: shared } = indexOf(module);
  // Each printer collects its own helper declarations, for the file it prints into.
  const ctx: GlobalContext = { ...shared, injectFooter: [] };
  let root = '';
  if (options.files)
    // A multipart body's file members (top level, as the client sends them) take FileInput.
    ctx.transform = (schema, at) =>
      at.path === root && isFileSchema(schema)
        ? factory.createTypeReferenceNode(FILE_INPUT)
        : undefined;
  let used = false;
  const reference = (name: string): TS.TypeNode => {
    used = true;
    return factory.createTypeReferenceNode(
      qualified
        ? factory.createQualifiedName(factory.createIdentifier(module.namespace), name)
        : factory.createIdentifier(name),
    );
  };
  const rename: TS.TransformerFactory<TS.Node> = (transform) => {
    const visit = (node: TS.Node): TS.Node => {
      if (ts.isIndexedAccessTypeNode(node)) {
        const name = names.get(refKey(node));
        if (name) return reference(name);
      }
      tidyComments(node);
      return ts.visitEachChild(node, visit, transform);
    };
    return (node) => ts.visitNode(node, visit);
  };
  const typeOfSafe = (schema: OpenApiSchema, path: string): TS.TypeNode => {
    root = path;
    const raw = transformSchemaObject(schema as SchemaObject, { path, ctx });
    const result = ts.transform<TS.Node>(raw, [rename]);
    const [type] = result.transformed;
    result.dispose();
    return type as TS.TypeNode;
  };
  return {
    typeOfSafe,
    footer: () => ctx.injectFooter,
    usedModule: () => used,
  };
}

/** The old printer lays nothing out itself: its modules always go through prettier. */
export const laidOutModule = (): string | undefined => undefined;

/**
 * The type declarations of a shared module, as source text: an interface for each object, else a
 * type alias; each printed as soon as it is built, so that the syntax trees do not pile up.
 */
export function moduleDeclarations(module: TypeModuleModel): string[] {
  const printer = nodePrinter(module, false);
  const exported = [factory.createModifier(ts.SyntaxKind.ExportKeyword)];
  const declarations = module.types.map((named) => {
    // Spec text (descriptions, examples, the opaque note's $ref) only through doc-comment escaping.
    const safe = commentSafeDocument(named.schema ?? { description: named.opaque });
    const type = printer.typeOfSafe(named.schema ? safe : ANY_OBJECT, named.ref);
    const declaration =
      ts.isTypeLiteralNode(type) && named.schema
        ? factory.createInterfaceDeclaration(
            exported,
            named.name,
            undefined,
            undefined,
            type.members,
          )
        : factory.createTypeAliasDeclaration(exported, named.name, undefined, type);
    addJSDocComment(safe, declaration as unknown as TS.PropertySignature);
    tidyComments(declaration);
    return printNode(declaration);
  });
  return [...declarations, ...printer.footer().map(printNode)];
}

interface NodePrinter {
  typeOfSafe(schema: OpenApiSchema, path: string): TS.TypeNode;
  footer(): TS.Node[];
}

/**
 * Doc comments as a person writes them: openapi-typescript's JSDoc (`@description The status.`,
 * `Format: unix-time`, `@enum {string}`) becomes the description first, without its tag (unless
 * it starts with `@` itself), then the other lines; `@enum` goes, the type says it already.
 */
function tidyComments(node: TS.Node): void {
  const comments = ts.getSyntheticLeadingComments(node);
  if (!comments?.length) return;
  ts.setSyntheticLeadingComments(
    node,
    comments.flatMap((c) => {
      if (!c.text.startsWith('*')) return [c];
      const text = tidyDocText(c.text);
      return text ? [{ ...c, text }] : [];
    }),
  );
}

/**
 * A comment's text (between the delimiters), in the shape openapi-typescript's addJSDocComment
 * writes; '' when nothing is left.
 */
function tidyDocText(text: string): string {
  const items: string[] = [];
  if (!text.startsWith('*\n')) items.push(text.slice(1).trim());
  else
    for (const line of text.slice(2).trimEnd().split('\n')) {
      const content = line.replace(/^ \* ?/, '');
      // A continuation line of a multi-line item is indented by four more spaces.
      if (items.length && content.startsWith('    '))
        items[items.length - 1] += `\n${content.slice(4)}`;
      else items.push(content);
    }
  const description = items.find((i) => i.startsWith('@description '));
  const descriptionText = description?.slice('@description '.length);
  const rest = items.filter((i) => i !== description && !/^@enum \{[^}]*\}$/.test(i));
  const ordered = [
    ...(descriptionText === undefined
      ? []
      : [descriptionText.startsWith('@') ? description! : descriptionText]),
    ...rest,
  ];
  if (!ordered.length) return '';
  if (ordered.length === 1 && !ordered[0].includes('\n')) return `* ${ordered[0]} `;
  return `*\n * ${ordered.join('\n').replace(/\n/g, '\n * ').replace(/ +$/gm, '')}\n `;
}

const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed, removeComments: false });
const sourceFile = ts.createSourceFile(
  'types.ts',
  '',
  ts.ScriptTarget.ESNext,
  false,
  ts.ScriptKind.TS,
);

/** Source text of a node, as TypeScript's printer writes it (prettier formats it later). */
export function printNode(node: TS.Node): string {
  return printer.printNode(ts.EmitHint.Unspecified, node, sourceFile).trim();
}

interface ModuleIndex {
  /** refKey of the node openapi-typescript prints for each `$ref` → the named type. */
  names: Map<string, string>;
  ctx: GlobalContext;
}

const indexes = new WeakMap<TypeContext, ModuleIndex>();

/**
 * What every printer of a module shares, worked out once per module (however many capabilities),
 * from its context alone: the family's names, schemas and discriminators.
 */
function indexOf(module: TypeModuleModel): ModuleIndex {
  const { context } = module;
  const known = indexes.get(context);
  if (known) return known;
  const index = {
    names: new Map([...context.names].map(([ref, name]) => [refKey(oapiRef(ref)), name])),
    ctx: options(context),
  };
  indexes.set(context, index);
  return index;
}

/**
 * openapi-typescript's options, as `openapiTS()` would set them from ours: properties in the spec's
 * order, objects without properties typed as records of `unknown` (never `Record<string, never>`,
 * which would reject every response field the spec does not list).
 */
function options(context: TypeContext): GlobalContext {
  return {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    defaultNonNullable: true,
    discriminators: scanDiscriminators(
      {
        openapi: '3.1.0',
        info: { title: '', version: '' },
        components: { schemas: context.discriminatorSources() },
      } as OpenAPI3,
      {},
    ),
    emptyObjectsUnknown: true,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    injectFooter: [],
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    // Only openapiTS() reads Redocly's config (to bundle a whole document); schemas need none.
    redoc: undefined as unknown as GlobalContext['redoc'],
    silent: true,
    transform: undefined,
    transformProperty: undefined,
    resolve: <T>(ref: string) => context.resolve(ref) as T | undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: false,
  };
}

/**
 * A key for the indexed-access chain openapi-typescript prints for a `$ref`
 * (`components["schemas"]["x"]` → `components\0schemas\0x`); '' for any other node.
 */
function refKey(node: TS.TypeNode): string {
  const parts: string[] = [];
  let current: TS.TypeNode = node;
  while (ts.isIndexedAccessTypeNode(current)) {
    const index = current.indexType;
    if (!ts.isLiteralTypeNode(index) || !ts.isStringLiteral(index.literal)) return '';
    parts.unshift(index.literal.text);
    current = current.objectType;
  }
  if (!ts.isTypeReferenceNode(current) || !ts.isIdentifier(current.typeName)) return '';
  return [current.typeName.text, ...parts].join('\0');
}
