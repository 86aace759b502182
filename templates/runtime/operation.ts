/**
 * Typed methods over the generic ApiClient: generated clients turn each operation descriptor into
 * one callable method, with `.withResponse` and, for list operations, `.autoPaginate`.
 */
import type { ApiClient, ApiResponse, RequestOptions } from './client.js';
import { decodeUploads } from './binary.js';
import type { BinaryBody, Invoke, JsonValue, OperationSpec } from './contract.js';

/** Parameters are optional when no field of P is required. */
type Args<P> = {} extends P
  ? [params?: P, options?: RequestOptions]
  : [params: P, options?: RequestOptions];

export interface OperationMethod<P, R> {
  (...args: Args<P>): Promise<R>;
  /** The same call, returning status, headers and request id with the data. */
  withResponse(...args: Args<P>): Promise<ApiResponse<R>>;
  /** The operation's descriptor (method, path, parameters). */
  readonly operation: OperationSpec;
}

export interface PaginatedOperationMethod<P, R, I> extends OperationMethod<P, R> {
  /**
   * Every item of every page, fetched lazily, following the cursor until `has_more` is false
   * (backwards when called with `ending_before`, as stripe-node does). An AsyncGenerator rather
   * than AsyncIterableIterator<I>, whose return and next types default to `any`.
   */
  autoPaginate(...args: Args<P>): AsyncGenerator<I, void, undefined>;
}

type Params = Record<string, unknown> | undefined;

export function operationMethod<P, R>(
  client: ApiClient,
  operation: OperationSpec,
): OperationMethod<P, R> {
  const call = (...[params, options]: Args<P>) =>
    client.call<R>(operation, params as Params, options);
  return Object.assign(call, {
    withResponse: (...[params, options]: Args<P>) =>
      client.request<R>(operation, params as Params, options),
    operation,
  });
}

export function paginatedMethod<P, R, I>(
  client: ApiClient,
  operation: OperationSpec,
): PaginatedOperationMethod<P, R, I> {
  return Object.assign(operationMethod<P, R>(client, operation), {
    autoPaginate: (...[params, options]: Args<P>) =>
      client.paginate<I>(operation, params as Params, options),
  });
}

/** The upstream call (see contract.ts). */
export type { Invoke };

/**
 * An Invoke that routes each operation to the client of its consumes namespace, passing the caller's
 * signal and idempotency key; it reports every client's credentials (for redaction) and start-up
 * check.
 */
export function invokeThrough(clients: Record<string, ApiClient>): Invoke {
  const all = Object.values(clients);
  const invoke: Invoke = async (operation, params, context) => {
    const namespace = operation.id.slice(0, operation.id.lastIndexOf('.'));
    const client = clients[namespace];
    if (!client)
      throw new Error(`no client for namespace '${namespace}' (operation ${operation.id})`);
    // Servers pass files as base64 in their JSON input; the client sends bytes.
    const call = operation.body?.files ? decodeUploads(operation, params) : params;
    const response = await client.request<JsonValue | BinaryBody>(operation, call, {
      signal: context.signal,
      idempotencyKey: context.idempotencyKey,
      passThrough: context.passThrough,
    });
    // Passed through, the response's `data` is parsed only if read (the REST adapter writes `json`).
    if (context.passThrough) return response;
    const { data, status, requestId, json } = response;
    return { data, status, requestId, json };
  };
  invoke.secrets = () => all.flatMap((client) => client.secrets());
  invoke.releasesSignal = true; // the client stops listening to the signal when each attempt ends
  invoke.check = () => all.flatMap((client) => client.check());
  return invoke;
}
