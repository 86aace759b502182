import type { JsonValue } from '../runtime/contract.js';

export type { JsonValue };

/**
 * Request body of postLinkAccountSessions.
 *
 * Request body (JSON).
 */
export type PostLinkAccountSessionsBody = components['schemas']['PostLinkAccountSessionsRequest'];

/** Parameters of postLinkAccountSessions: POST /v1/link_account_sessions */
export interface PostLinkAccountSessionsParams {
  /**
   * Request body (JSON).
   *
   * (request body)
   */
  body: PostLinkAccountSessionsBody;
}

/** Response of postLinkAccountSessions. */
export type PostLinkAccountSessionsResponse =
  components['schemas']['financial_connections.session'];

/** Parameters of getLinkAccountSessionsSession: GET /v1/link_account_sessions/{session} */
export interface GetLinkAccountSessionsSessionParams {
  /**
   * Specifies which fields in the response should be expanded.
   *
   * (query parameter)
   */
  expand?: Array<string>;
  /** (path parameter) */
  session: string;
}

/** Response of getLinkAccountSessionsSession. */
export type GetLinkAccountSessionsSessionResponse =
  components['schemas']['financial_connections.session'];

/** Component schemas from the OpenAPI document, cut down to what this capability reaches. */

export interface components {
  schemas: {
    /** @description An error response from the Stripe API */
    error: {
      /** @description Opaque JSON object: #/components/schemas/api_errors is not in the OpenAPI document. */
      error: {
        [key: string]: unknown;
      };
    };
    /** @description A Financial Connections Account represents an account that exists outside of Stripe, to which you have been granted some degree of access. */
    'financial_connections.account': {
      /** @description The account holder that this account belongs to. */
      account_holder?: {
        [key: string]: unknown;
      } | null;
      /** @description The most recent information about the account's balance. */
      balance?: {
        [key: string]: unknown;
      } | null;
      /** @description The state of the most recent attempt to refresh the account balance. */
      balance_refresh?: {
        [key: string]: unknown;
      } | null;
      /**
       * @description The type of the account. Account category is further divided in `subcategory`.
       * @enum {string}
       */
      category: 'cash' | 'credit' | 'investment' | 'other';
      /**
       * Format: unix-time
       * @description Time at which the object was created. Measured in seconds since the Unix epoch.
       */
      created: number;
      /** @description A human-readable name that has been assigned to this account, either by the account holder or by the institution. */
      display_name?: string | null;
      /** @description Unique identifier for the object. */
      id: string;
      /** @description The name of the institution that holds this account. */
      institution_name: string;
      /** @description The last 4 digits of the account number. If present, this will be 4 numeric characters. */
      last4?: string | null;
      /** @description Has the value `true` if the object exists in live mode or the value `false` if the object exists in test mode. */
      livemode: boolean;
      /**
       * @description String representing the object's type. Objects of the same type share the same value.
       * @enum {string}
       */
      object: 'financial_connections.account';
      /** @description The most recent information about the account's owners. */
      ownership?:
        | (
            | string
            | {
                [key: string]: unknown;
              }
          )
        | null;
      /** @description The state of the most recent attempt to refresh the account owners. */
      ownership_refresh?: {
        [key: string]: unknown;
      } | null;
      /** @description The list of permissions granted by this account. */
      permissions?: ('balances' | 'ownership' | 'payment_method' | 'transactions')[] | null;
      /**
       * @description The status of the link to the account.
       * @enum {string}
       */
      status: 'active' | 'disconnected' | 'inactive';
      /**
       * @description If `category` is `cash`, one of:
       *     - `checking`
       *     - `savings`
       *     - `other`
       *     If `category` is `credit`, one of:
       *     - `mortgage`
       *     - `line_of_credit`
       *     - `credit_card`
       *     - `other`
       *     If `category` is `investment` or `other`, this will be `other`.
       * @enum {string}
       */
      subcategory: 'checking' | 'credit_card' | 'line_of_credit' | 'mortgage' | 'other' | 'savings';
      /** @description The list of data refresh subscriptions requested on this account. */
      subscriptions?: 'transactions'[] | null;
      /** @description The [PaymentMethod type](https://stripe.com/docs/api/payment_methods/object#payment_method_object-type)(s) that can be created from this account. */
      supported_payment_method_types: ('link' | 'us_bank_account')[];
      /** @description The state of the most recent attempt to refresh the account transactions. */
      transaction_refresh?: {
        [key: string]: unknown;
      } | null;
    };
    /** @description A Financial Connections Session is the secure way to programmatically launch the client-side Stripe.js modal that lets your users link their accounts. */
    'financial_connections.session': {
      /** @description The account holder for whom accounts are collected in this session. */
      account_holder?: {
        [key: string]: unknown;
      } | null;
      /** @description The accounts that were collected as part of this Session. */
      accounts: {
        /** @description Details about each object. */
        data: components['schemas']['financial_connections.account'][];
        /** @description True if this list has another page of items after this one that can be fetched. */
        has_more: boolean;
        /**
         * @description String representing the object's type. Objects of the same type share the same value. Always has the value `list`.
         * @enum {string}
         */
        object: 'list';
        /** @description The URL where this list can be accessed. */
        url: string;
      };
      /** @description A value that will be passed to the client to launch the authentication flow. */
      client_secret: string;
      /** @description Opaque JSON object: #/components/schemas/bank_connections_resource_link_account_session_filters is not in the OpenAPI document. */
      filters?: {
        [key: string]: unknown;
      };
      /** @description Unique identifier for the object. */
      id: string;
      /** @description Has the value `true` if the object exists in live mode or the value `false` if the object exists in test mode. */
      livemode: boolean;
      /**
       * @description String representing the object's type. Objects of the same type share the same value.
       * @enum {string}
       */
      object: 'financial_connections.session';
      /** @description Permissions requested for accounts collected during this session. */
      permissions: ('balances' | 'ownership' | 'payment_method' | 'transactions')[];
      /** @description Data features requested to be retrieved upon account creation. */
      prefetch?: ('balances' | 'ownership' | 'transactions')[] | null;
      /** @description For webview integrations only. Upon completing OAuth login in the native browser, the user will be redirected to this URL to return to your app. */
      return_url?: string;
    };
    GetLinkAccountSessionsSessionRequest: Record<string, never>;
    PostLinkAccountSessionsRequest: {
      /** @description The account holder to link accounts for. */
      account_holder: {
        account?: string;
        customer?: string;
        /** @enum {string} */
        type: 'account' | 'customer';
      };
      /** @description Specifies which fields in the response should be expanded. */
      expand?: string[];
      /** @description Filters to restrict the kinds of accounts to collect. */
      filters?: {
        countries: string[];
      };
      /** @description List of data features that you would like to request access to. Possible values are `balances`, `transactions`, `ownership`, and `payment_method`. */
      permissions: ('balances' | 'ownership' | 'payment_method' | 'transactions')[];
      /** @description List of data features that you would like to retrieve upon account creation. */
      prefetch?: ('balances' | 'ownership' | 'transactions')[];
      /** @description For webview integrations only. Upon completing OAuth login in the native browser, the user will be redirected to this URL to return to your app. */
      return_url?: string;
    };
  };
}
