/**
 * The types of an API's schemas, as printed into its shared module (`types/<api>.ts`) and into
 * each capability's `types.ts`: a `$ref` is the module's named type, written bare inside the module
 * (`CheckoutSession`) and qualified from a capability (`Stripe.CheckoutSession`). The types
 * themselves come from schema-types.ts.
 */
import { isFileSchema } from '../model/media.js';
import type { OpenApiSchema, TypeContext, TypeModuleModel } from '../model/types.js';
import { commentSafeDocument } from './openapi-comments.js';
import { NotLaidOut } from './layout.js';
import { docComment } from './schema-comments.js';
import { scanDiscriminators } from './schema-discriminators.js';
import {
  schemaType,
  type Discriminators,
  type PrintContext,
  type TypeText,
} from './schema-types.js';
import { layoutModule } from './type-layout.js';
import {
  declarationSource,
  typeSource,
  type TypeDeclaration,
  type TypeNode,
} from './type-nodes.js';

/** What an opaque named type stands for: any JSON object. */
const ANY_OBJECT: OpenApiSchema = { type: 'object', additionalProperties: true };

/** The runtime's type of a file to upload (contract.ts), which types.ts imports when it uses it. */
export const FILE_INPUT = 'FileInput';

export interface SchemaPrinter {
  /**
   * The type of a schema, as TypeScript text; `path` names where it is (openapi-typescript's
   * paths: a JSON Pointer, or a type name). Its comment texts are escaped first.
   */
  type(schema: OpenApiSchema, path: string): string;
  /** The same type, as a type node. */
  node(schema: OpenApiSchema, path: string): TypeNode;
  /** The type of a schema whose comment texts are escaped already. */
  typeOfSafe(schema: OpenApiSchema, path: string): TypeText;
  /** Helper declarations the printed types need (`WithRequired`), as TypeScript text. */
  footer(): string[];
  /** True once a printed type has referred to one of the module's named types. */
  usedModule(): boolean;
}

/**
 * A printer whose `$ref`s resolve to the module's named types, written bare (inside the module)
 * or qualified by the module's namespace (from a capability). With `files`, a multipart body's
 * top-level file members take `FileInput`.
 */
export function schemaPrinter(
  module: TypeModuleModel,
  qualified: boolean,
  options: { files?: boolean } = {},
): SchemaPrinter {
  const { context } = module;
  const discriminators = discriminatorsOf(context);
  let used = false;
  let root = '';
  const ctx: PrintContext = {
    reference(ref) {
      const name = context.names.get(ref);
      if (name === undefined) return undefined;
      used = true;
      return qualified ? `${module.namespace}.${name}` : name;
    },
    resolve: (ref) => discriminators.patched.get(ref) ?? context.resolve(ref),
    discriminators,
    replace: options.files
      ? (schema, at) =>
          at === root && isFileSchema(schema)
            ? { node: { t: 'ref', name: FILE_INPUT }, kind: 'other' }
            : undefined
      : undefined,
    footer: new Map(),
  };
  const typeOfSafe = (schema: OpenApiSchema, path: string): TypeText => {
    root = path;
    return schemaType(schema, path, ctx);
  };
  const node = (schema: OpenApiSchema, path: string) =>
    typeOfSafe(commentSafeDocument(schema), path).node;
  return {
    type: (schema, path) => typeSource(node(schema, path)),
    node,
    typeOfSafe,
    footer: () => [...ctx.footer.values()],
    usedModule: () => used,
  };
}

/**
 * The type declarations of a shared module, as source text for prettier: an interface for each
 * object, else a type alias, each with the doc comment its schema gives, then the helper
 * declarations they need.
 */
export function moduleDeclarations(module: TypeModuleModel): string[] {
  const { declarations, footer } = moduleTypes(module);
  return [...declarations.map(declarationSource), ...footer];
}

/**
 * The whole module (`header`, then its declarations) in prettier's layout (type-layout.ts), or
 * undefined when it holds what only prettier lays out: its source then goes through prettier.
 */
export function laidOutModule(module: TypeModuleModel, header: string): string | undefined {
  const { declarations, footer } = moduleTypes(module);
  try {
    return layoutModule(header, declarations, footer);
  } catch (error) {
    if (error instanceof NotLaidOut) return undefined;
    throw error;
  }
}

function moduleTypes(module: TypeModuleModel): {
  declarations: TypeDeclaration[];
  footer: string[];
} {
  const printer = schemaPrinter(module, false);
  const { patched } = discriminatorsOf(module.context);
  const declarations = module.types.map((named): TypeDeclaration => {
    // A schema a discriminator gave its property to is printed as it was given it.
    const schema = named.schema && (patched.get(named.ref) ?? named.schema);
    // Spec text (descriptions, examples, the opaque note's $ref) only through doc-comment escaping.
    const safe = commentSafeDocument(schema ?? { description: named.opaque });
    const type = printer.typeOfSafe(schema ? safe : ANY_OBJECT, named.ref);
    return {
      comment: docComment(safe),
      name: named.name,
      type: type.node,
      interface: type.kind === 'object' && Boolean(schema),
    };
  });
  return { declarations, footer: printer.footer() };
}

const scanned = new WeakMap<TypeContext, Discriminators>();

/** The discriminators of a module's API, scanned once per API (the scan patches its schemas). */
function discriminatorsOf(context: TypeContext): Discriminators {
  let found = scanned.get(context);
  if (!found) {
    found = scanDiscriminators(context.discriminatorSources());
    scanned.set(context, found);
  }
  return found;
}
