/** client.ts of a capability: the operation descriptors and a typed client over the shared runtime. */
import type { OperationSpec } from '../../templates/runtime/contract.js';
import type { CapabilityModel } from '../model/types.js';
import { codeHeader } from './header.js';
import { docComment } from './json-schema-to-ts.js';
import { literal } from './literal.js';
import { render } from './render.js';
import { camelCase } from '../model/names.js';

export function emitClient(capability: CapabilityModel): string {
  const clientVar = (namespace: string) => `${camelCase(namespace)}Api`;
  const operations = capability.operations.map((op) => {
    const paginated = op.types.item !== undefined;
    const p = `T.${op.types.params}`;
    const r = `T.${op.types.response}`;
    const signature = `${op.spec.method} ${op.spec.path}`;
    return {
      constName: op.constName,
      methodName: op.methodName,
      summary: `${signature}${op.openapi?.operationId ? ` (OpenAPI operation ${op.openapi.operationId})` : ''}`,
      literal: literal(callOnly(op.spec)),
      doc: docComment(
        `${op.description}\n\n\`${signature}\`${paginated ? '. Use `.autoPaginate(params)` to iterate over every item of every page.' : ''}`,
        '',
      )
        .trimEnd()
        .replace(/\n/g, '\n  '),
      methodType: paginated
        ? `PaginatedOperationMethod<${p}, ${r}, T.${op.types.item}>`
        : `OperationMethod<${p}, ${r}>`,
      factoryCall: paginated
        ? `paginatedMethod<${p}, ${r}, T.${op.types.item}>(${clientVar(op.api)}, ${op.constName})`
        : `operationMethod<${p}, ${r}>(${clientVar(op.api)}, ${op.constName})`,
    };
  });
  return render('client.ts.hbs', {
    header: codeHeader(`Typed client for ${capability.label}.`, capability),
    label: capability.label,
    apis: capability.apis.map((api) => ({
      constName: api.constName,
      description: api.description || api.spec.namespace,
      literal: literal(api.spec),
      clientVar: clientVar(api.spec.namespace),
    })),
    operations,
    hasPlain: capability.operations.some((op) => !op.types.item),
    hasPaginated: capability.operations.some((op) => op.types.item),
    clientType: capability.names.clientType,
    factory: capability.names.clientFactory,
    envList:
      capability.env
        .filter((e) => e.secret && e.scope === 'upstream')
        .map((e) => e.name)
        .join(', ') || 'no credentials',
    clientMap: capability.apis
      .map((api) => `${JSON.stringify(api.spec.namespace)}: ${clientVar(api.spec.namespace)}`)
      .join(', '),
  });
}

/** What the client needs to make the call: no schemas (types.ts carries those). */
function callOnly(spec: OperationSpec): OperationSpec {
  const { body, params, ...rest } = spec;
  return {
    ...rest,
    params: params.map(({ schema: _schema, description: _description, ...param }) => param),
    ...(body ? { body: { required: body.required, mediaType: body.mediaType } } : {}),
  };
}
