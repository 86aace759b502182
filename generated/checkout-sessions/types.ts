import type { JsonValue } from '../runtime/contract.js';

export type { JsonValue };

/** Parameters of getCheckoutSessions: GET /v1/checkout/sessions */
export interface GetCheckoutSessionsParams {
  /**
   * Only return the Checkout Sessions that were created during the given date interval.
   *
   * (query parameter)
   */
  created?: string;
  /**
   * Only return the Checkout Sessions for the Customer specified.
   *
   * (query parameter)
   */
  customer?: string;
  /**
   * Only return the Checkout Sessions for the Customer details specified.
   *
   * (query parameter)
   */
  customer_details?: Record<string, unknown>;
  /**
   * A cursor for use in pagination. `ending_before` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 ob
   *
   * (query parameter)
   */
  ending_before?: string;
  /**
   * Specifies which fields in the response should be expanded.
   *
   * (query parameter)
   */
  expand?: Array<unknown>;
  /**
   * A limit on the number of objects to be returned. Limit can range between 1 and 100, and the default is 10.
   *
   * (query parameter)
   */
  limit?: number;
  /**
   * Only return the Checkout Session for the PaymentIntent specified.
   *
   * (query parameter)
   */
  payment_intent?: string;
  /**
   * Only return the Checkout Sessions for the Payment Link specified.
   *
   * (query parameter)
   */
  payment_link?: string;
  /**
   * A cursor for use in pagination. `starting_after` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 o
   *
   * (query parameter)
   */
  starting_after?: string;
  /**
   * Only return the Checkout Sessions matching the given status.
   *
   * (query parameter)
   */
  status?: string;
  /**
   * Only return the Checkout Session for the subscription specified.
   *
   * (query parameter)
   */
  subscription?: string;
}

/** Response of getCheckoutSessions. No OpenAPI operation describes it, so it is any JSON value. */
export type GetCheckoutSessionsResponse = JsonValue;

/** One item of getCheckoutSessions's list, as yielded by its auto-pagination. */
export type GetCheckoutSessionsItem = JsonValue;

/**
 * Request body of postCheckoutSessions.
 *
 * Request body (JSON).
 */
export type PostCheckoutSessionsBody = Record<string, unknown>;

/** Parameters of postCheckoutSessions: POST /v1/checkout/sessions */
export interface PostCheckoutSessionsParams {
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body?: PostCheckoutSessionsBody;
}

/** Response of postCheckoutSessions. No OpenAPI operation describes it, so it is any JSON value. */
export type PostCheckoutSessionsResponse = JsonValue;

/** Parameters of getCheckoutSessionsSession: GET /v1/checkout/sessions/{session} */
export interface GetCheckoutSessionsSessionParams {
  /**
   * Specifies which fields in the response should be expanded.
   *
   * (query parameter)
   */
  expand?: Array<unknown>;
  /** (path parameter) */
  session: string;
}

/** Response of getCheckoutSessionsSession. No OpenAPI operation describes it, so it is any JSON value. */
export type GetCheckoutSessionsSessionResponse = JsonValue;

/**
 * Request body of postCheckoutSessionsSessionExpire.
 *
 * Request body (JSON).
 */
export type PostCheckoutSessionsSessionExpireBody = Record<string, unknown>;

/** Parameters of postCheckoutSessionsSessionExpire: POST /v1/checkout/sessions/{session}/expire */
export interface PostCheckoutSessionsSessionExpireParams {
  /** (path parameter) */
  session: string;
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body?: PostCheckoutSessionsSessionExpireBody;
}

/** Response of postCheckoutSessionsSessionExpire. No OpenAPI operation describes it, so it is any JSON value. */
export type PostCheckoutSessionsSessionExpireResponse = JsonValue;

/** Parameters of getCheckoutSessionsSessionLineItems: GET /v1/checkout/sessions/{session}/line_items */
export interface GetCheckoutSessionsSessionLineItemsParams {
  /**
   * A cursor for use in pagination. `ending_before` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 ob
   *
   * (query parameter)
   */
  ending_before?: string;
  /**
   * Specifies which fields in the response should be expanded.
   *
   * (query parameter)
   */
  expand?: Array<unknown>;
  /**
   * A limit on the number of objects to be returned. Limit can range between 1 and 100, and the default is 10.
   *
   * (query parameter)
   */
  limit?: number;
  /** (path parameter) */
  session: string;
  /**
   * A cursor for use in pagination. `starting_after` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 o
   *
   * (query parameter)
   */
  starting_after?: string;
}

/** Response of getCheckoutSessionsSessionLineItems. No OpenAPI operation describes it, so it is any JSON value. */
export type GetCheckoutSessionsSessionLineItemsResponse = JsonValue;

/** One item of getCheckoutSessionsSessionLineItems's list, as yielded by its auto-pagination. */
export type GetCheckoutSessionsSessionLineItemsItem = JsonValue;
