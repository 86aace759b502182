import type { JsonValue } from '../runtime/contract.js';

export type { JsonValue };

/** Parameters of getIdentityVerificationSessions: GET /v1/identity/verification_sessions */
export interface GetIdentityVerificationSessionsParams {
  /** (query parameter) */
  created?: string;
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
   * A cursor for use in pagination. `starting_after` is an object ID that defines your place in the list. For instance, if you make a list request and receive 100 o
   *
   * (query parameter)
   */
  starting_after?: string;
  /**
   * Only return VerificationSessions with this status. [Learn more about the lifecycle of sessions](https://stripe.com/docs/identity/how-sessions-work).
   *
   * (query parameter)
   */
  status?: string;
}

/** Response of getIdentityVerificationSessions. No OpenAPI operation describes it, so it is any JSON value. */
export type GetIdentityVerificationSessionsResponse = JsonValue;

/** One item of getIdentityVerificationSessions's list, as yielded by its auto-pagination. */
export type GetIdentityVerificationSessionsItem = JsonValue;

/**
 * Request body of postIdentityVerificationSessions.
 *
 * Request body (JSON).
 */
export type PostIdentityVerificationSessionsBody = Record<string, unknown>;

/** Parameters of postIdentityVerificationSessions: POST /v1/identity/verification_sessions */
export interface PostIdentityVerificationSessionsParams {
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body: PostIdentityVerificationSessionsBody;
}

/** Response of postIdentityVerificationSessions. No OpenAPI operation describes it, so it is any JSON value. */
export type PostIdentityVerificationSessionsResponse = JsonValue;

/** Parameters of getIdentityVerificationSessionsSession: GET /v1/identity/verification_sessions/{session} */
export interface GetIdentityVerificationSessionsSessionParams {
  /**
   * Specifies which fields in the response should be expanded.
   *
   * (query parameter)
   */
  expand?: Array<unknown>;
  /** (path parameter) */
  session: string;
}

/** Response of getIdentityVerificationSessionsSession. No OpenAPI operation describes it, so it is any JSON value. */
export type GetIdentityVerificationSessionsSessionResponse = JsonValue;

/**
 * Request body of postIdentityVerificationSessionsSession.
 *
 * Request body (JSON).
 */
export type PostIdentityVerificationSessionsSessionBody = Record<string, unknown>;

/** Parameters of postIdentityVerificationSessionsSession: POST /v1/identity/verification_sessions/{session} */
export interface PostIdentityVerificationSessionsSessionParams {
  /** (path parameter) */
  session: string;
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body?: PostIdentityVerificationSessionsSessionBody;
}

/** Response of postIdentityVerificationSessionsSession. No OpenAPI operation describes it, so it is any JSON value. */
export type PostIdentityVerificationSessionsSessionResponse = JsonValue;

/**
 * Request body of postIdentityVerificationSessionsSessionCancel.
 *
 * Request body (JSON).
 */
export type PostIdentityVerificationSessionsSessionCancelBody = Record<string, unknown>;

/** Parameters of postIdentityVerificationSessionsSessionCancel: POST /v1/identity/verification_sessions/{session}/cancel */
export interface PostIdentityVerificationSessionsSessionCancelParams {
  /** (path parameter) */
  session: string;
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body?: PostIdentityVerificationSessionsSessionCancelBody;
}

/** Response of postIdentityVerificationSessionsSessionCancel. No OpenAPI operation describes it, so it is any JSON value. */
export type PostIdentityVerificationSessionsSessionCancelResponse = JsonValue;

/**
 * Request body of postIdentityVerificationSessionsSessionRedact.
 *
 * Request body (JSON).
 */
export type PostIdentityVerificationSessionsSessionRedactBody = Record<string, unknown>;

/** Parameters of postIdentityVerificationSessionsSessionRedact: POST /v1/identity/verification_sessions/{session}/redact */
export interface PostIdentityVerificationSessionsSessionRedactParams {
  /** (path parameter) */
  session: string;
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body?: PostIdentityVerificationSessionsSessionRedactBody;
}

/** Response of postIdentityVerificationSessionsSessionRedact. No OpenAPI operation describes it, so it is any JSON value. */
export type PostIdentityVerificationSessionsSessionRedactResponse = JsonValue;
