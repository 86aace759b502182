import type { JsonValue } from '../runtime/contract.js';

export type { JsonValue };

/** Parameters of getTodos: GET /todos */
export interface GetTodosParams {
  /**
   * Only todos with this status.
   *
   * (query parameter)
   */
  status?: 'open' | 'done';
  /** (query parameter) */
  page_size?: number;
}

/** Response of getTodos. */
export type GetTodosResponse = {
  items: components['schemas']['Todo'][];
  next?: string | null;
};

/** Request body of postTodos. */
export type PostTodosBody = components['schemas']['NewTodo'];

/** Parameters of postTodos: POST /todos */
export interface PostTodosParams {
  /** (request body) */
  body: PostTodosBody;
}

/** Response of postTodos. */
export type PostTodosResponse = components['schemas']['Todo'];

/** Parameters of getTodosId: GET /todos/{id} */
export interface GetTodosIdParams {
  /** (path parameter) */
  id: string;
}

/** Response of getTodosId. */
export type GetTodosIdResponse = components['schemas']['Todo'];

/** Parameters of deleteTodosId: DELETE /todos/{id} */
export interface DeleteTodosIdParams {
  /** (path parameter) */
  id: string;
}

/** Response of deleteTodosId. The OpenAPI operation declares no JSON response body. */
export type DeleteTodosIdResponse = JsonValue;

/** Component schemas from the OpenAPI document, cut down to what this capability reaches. */

export interface components {
  schemas: {
    NewTodo: {
      /** Format: date */
      due?: string;
      tags?: string[];
      /** @description What needs doing. */
      title: string;
    };
    Todo: components['schemas']['NewTodo'] & {
      id: string;
      /** @enum {string} */
      status: 'open' | 'done';
    };
  };
}
