/** client.ts of a capability: the operation descriptors and a typed client over the shared runtime. */
import type { OperationSpec } from '../../templates/runtime/contract.js';
import type { CapabilityModel } from '../model/types.js';
import { docInline, identifier, objectKey, trustedTs } from './escape.js';
import { callProperty, functionSignature } from './code-layout.js';
import { codeHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import { docComment } from './json-schema-to-ts.js';
import {
  CodeRef,
  dataLiteral,
  runtimeCodeRef,
  type Emitted,
  type LiteralSlots,
} from './literal.js';
import { importNames, runtimeImports } from './imports.js';
import { NotLaidOut } from './layout.js';
import { isIdentifier } from '../model/names.js';
import { layoutDeclaration } from './type-layout.js';
import {
  declarationSource,
  typeSource,
  type MemberNode,
  type TypeDeclaration,
  type TypeNode,
} from './type-nodes.js';
import { renderTs } from './render.js';

/**
 * client.ts: canonical (canonical.ts) when its interface and the factory's methods can be laid out
 * here (code-layout.ts, type-layout.ts), else source for prettier.
 */
export function emitClient(capability: CapabilityModel): Emitted {
  return renderCanonical((slots, laidOut) => clientText(capability, slots, laidOut));
}

function clientText(capability: CapabilityModel, slots: LiteralSlots, laidOut: boolean): string {
  const clientVar = new Map(capability.apis.map((api) => [api.spec.namespace, api.clientVar]));
  // Descriptors as data; a converter or the digest scheme as a reference to its runtime module.
  const refs: CodeRef[] = [];
  const data = (value: unknown) => {
    const printed = dataLiteral(value, runtimeCodeRef);
    refs.push(...printed.refs);
    return slots.slot(value, runtimeCodeRef, printed);
  };
  const typeRef = (name: string): TypeNode => ({ t: 'ref', name: `T.${identifier(name)}` });
  const members: MemberNode[] = [];
  const operations = capability.operations.map((op) => {
    const paginated = op.types.item !== undefined;
    const types = [op.types.params, op.types.response, ...(op.types.item ? [op.types.item] : [])];
    const signature = `${op.spec.method} ${op.spec.path}`;
    const constName = identifier(op.constName);
    const api = identifier(clientVar.get(op.api)!);
    members.push({
      t: 'property',
      comment: docComment(
        `${op.description}\n\n\`${signature}\`${paginated ? '. Use `.autoPaginate(params)` to iterate over every item of every page.' : ''}`,
        '',
      ),
      readonly: true,
      name: op.methodName,
      optional: false,
      type: {
        t: 'generic',
        name: paginated ? 'PaginatedOperationMethod' : 'OperationMethod',
        args: types.map(typeRef),
      },
    });
    const callee = paginated ? 'paginatedMethod' : 'operationMethod';
    // A quoted key would take prettier's quotes: left to prettier.
    if (laidOut && !isIdentifier(op.methodName))
      throw new NotLaidOut(`method name ${JSON.stringify(op.methodName)}`);
    const key = objectKey(op.methodName) as unknown as string;
    return {
      constName,
      summary: docInline(
        `${signature}${op.openapi?.operationId ? ` (OpenAPI operation ${op.openapi.operationId})` : ''}`,
      ),
      literal: data(callOnly(op.spec)),
      property: trustedTs(
        laidOut
          ? callProperty(2, key, callee, types.map(typeRef), [api, constName])
          : `    ${key}: ${callee}<${types.map((t) => typeSource(typeRef(t))).join(', ')}>(${api}, ${constName}),`,
      ),
    };
  });
  members.push({
    t: 'property',
    comment:
      "/** Runs any of this capability's operations by descriptor (used by the REST adapter and MCP server). */\n",
    readonly: true,
    name: 'invoke',
    optional: false,
    type: { t: 'ref', name: 'Invoke' },
  });
  const clientType = identifier(capability.names.clientType);
  const factory = identifier(capability.names.clientFactory);
  const declaration: TypeDeclaration = {
    comment: docComment(
      `Typed client for ${capability.label}.\n\nEvery method takes its parameters (path, query and header parameters by name, the request body\nas \`body\`) and optional per-call options (idempotencyKey, signal, timeoutMs, maxRetries, headers).`,
    ),
    name: clientType,
    type: { t: 'object', members },
    interface: true,
  };
  const params = ['options: ClientOptions = {}'];
  const upstreamSecrets = capability.env.filter((e) => e.secret && e.scope === 'upstream');
  const apis = capability.apis.map((api) => ({
    constName: identifier(api.constName),
    description: docInline(api.description || api.spec.namespace),
    literal: data(api.spec),
    clientVar: identifier(api.clientVar),
  }));
  const hasPlain = capability.operations.some((op) => !op.types.item);
  const hasPaginated = capability.operations.some((op) => op.types.item);
  return renderTs('client.ts.hbs', {
    runtimeImports: runtimeImports(refs),
    operationImport: importNames(
      [
        'invokeThrough',
        ...(hasPlain ? ['operationMethod'] : []),
        ...(hasPaginated ? ['paginatedMethod'] : []),
        'type Invoke',
        ...(hasPlain ? ['type OperationMethod'] : []),
        ...(hasPaginated ? ['type PaginatedOperationMethod'] : []),
      ].map(trustedTs),
      '../runtime/operation.js',
    ),
    header: codeHeader(`Typed client for ${capability.label}.`, capability),
    clientInterface: trustedTs(
      laidOut ? layoutDeclaration(declaration) : declarationSource(declaration),
    ),
    factorySignature: trustedTs(
      laidOut
        ? functionSignature(factory, params, clientType)
        : `export function ${factory}(${params.join(', ')}): ${clientType} {`,
    ),
    apis,
    operations,
    apiList: trustedTs(capability.apis.map((api) => identifier(api.constName)).join(', ')),
    envList: docInline(upstreamSecrets.map((e) => e.name).join(', ') || 'no credentials'),
    clientMap: slots.slot(
      Object.fromEntries(
        capability.apis.map((api) => [api.spec.namespace, new CodeRef(api.clientVar)]),
      ),
    ),
  });
}

/** What the client needs to make the call: no schemas (types.ts carries those). */
function callOnly(spec: OperationSpec): OperationSpec {
  const { body, params, ...rest } = spec;
  return {
    ...rest,
    params: params.map(({ schema: _schema, description: _description, ...param }) => param),
    ...(body
      ? {
          body: {
            required: body.required,
            mediaType: body.mediaType,
            ...(body.files ? { files: body.files } : {}),
          },
        }
      : {}),
  };
}
