/** client.ts of a capability: the operation descriptors and a typed client over the shared runtime. */
import type { OperationSpec } from '../../templates/runtime/contract.js';
import type { CapabilityModel } from '../model/types.js';
import { docInline, identifier, objectKey, trustedTs, ts, typeKey } from './escape.js';
import { codeHeader } from './header.js';
import { docComment } from './json-schema-to-ts.js';
import {
  CodeRef,
  dataLiteral,
  literal,
  renderWithLiterals,
  runtimeCodeRef,
  type Emitted,
  type LiteralSlots,
} from './literal.js';
import { runtimeImports } from './imports.js';
import { renderTs } from './render.js';

export function emitClient(capability: CapabilityModel): Emitted {
  return renderWithLiterals((slots) => clientText(capability, slots));
}

function clientText(capability: CapabilityModel, slots: LiteralSlots): string {
  const clientVar = new Map(capability.apis.map((api) => [api.spec.namespace, api.clientVar]));
  // Descriptors as data; a converter or the digest scheme as a reference to its runtime module.
  const refs: CodeRef[] = [];
  const data = (value: unknown) => {
    const printed = dataLiteral(value, runtimeCodeRef);
    refs.push(...printed.refs);
    return slots.slot(value, runtimeCodeRef, printed);
  };
  const operations = capability.operations.map((op) => {
    const paginated = op.types.item !== undefined;
    const p = ts`T.${identifier(op.types.params)}`;
    const r = ts`T.${identifier(op.types.response)}`;
    const item = op.types.item ? ts`T.${identifier(op.types.item)}` : undefined;
    const signature = `${op.spec.method} ${op.spec.path}`;
    const constName = identifier(op.constName);
    const api = identifier(clientVar.get(op.api)!);
    const doc = docComment(
      `${op.description}\n\n\`${signature}\`${paginated ? '. Use `.autoPaginate(params)` to iterate over every item of every page.' : ''}`,
      '',
    );
    return {
      constName,
      methodKey: typeKey(op.methodName),
      methodProperty: objectKey(op.methodName),
      summary: docInline(
        `${signature}${op.openapi?.operationId ? ` (OpenAPI operation ${op.openapi.operationId})` : ''}`,
      ),
      literal: data(callOnly(op.spec)),
      doc: trustedTs(doc.trimEnd().replace(/\n/g, '\n  ')),
      methodType: item
        ? ts`PaginatedOperationMethod<${p}, ${r}, ${item}>`
        : ts`OperationMethod<${p}, ${r}>`,
      factoryCall: item
        ? ts`paginatedMethod<${p}, ${r}, ${item}>(${api}, ${constName})`
        : ts`operationMethod<${p}, ${r}>(${api}, ${constName})`,
    };
  });
  const upstreamSecrets = capability.env.filter((e) => e.secret && e.scope === 'upstream');
  const apis = capability.apis.map((api) => ({
    constName: identifier(api.constName),
    description: docInline(api.description || api.spec.namespace),
    literal: data(api.spec),
    clientVar: identifier(api.clientVar),
  }));
  return renderTs('client.ts.hbs', {
    runtimeImports: runtimeImports(refs),
    header: codeHeader(`Typed client for ${capability.label}.`, capability),
    label: docInline(capability.label),
    apis,
    operations,
    apiList: trustedTs(capability.apis.map((api) => identifier(api.constName)).join(', ')),
    hasPlain: capability.operations.some((op) => !op.types.item),
    hasPaginated: capability.operations.some((op) => op.types.item),
    clientType: identifier(capability.names.clientType),
    factory: identifier(capability.names.clientFactory),
    envList: docInline(upstreamSecrets.map((e) => e.name).join(', ') || 'no credentials'),
    clientMap: literal(
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
