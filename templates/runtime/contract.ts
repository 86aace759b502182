/**
 * The data contract between generated per-capability code and the shared capgen runtime.
 *
 * Generated files describe each operation, route and tool as plain data of these types; the runtime
 * modules (client, REST adapter, MCP server) interpret that data. Nothing here depends on a
 * particular upstream API: every API-specific fact arrives in these descriptors.
 */

/** Any JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The subset of JSON Schema (2020-12 vocabulary) that capgen emits. */
export interface JsonSchema {
  type?: JsonSchemaType | JsonSchemaType[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: JsonValue[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  default?: JsonValue;
}
export type JsonSchemaType =
  'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A secret or configuration value resolved at run time: literal parts, environment-variable parts,
 * keys of a JSON file (a `file:///` binds location) and, in operation templates, the call's own
 * parameters, concatenated (`'Bearer {{env.KEY}}'` becomes `[{literal:'Bearer '},{env:'KEY'}]`).
 * Generated files carry only the variable names, never values.
 */
export type ValueTemplate = Array<ValuePart>;
export type ValuePart =
  | { literal: string }
  | { env: string }
  | { file: string; key: string }
  /** A parameter of the call, escaped for where it lands (a JSON string, a form field). */
  | { param: string; escape?: 'json' | 'form' };

/** How the runtime authenticates to an upstream API (the consumes block's `authentication`). */
export type UpstreamAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: ValueTemplate }
  | { type: 'apikey'; key: string; value: ValueTemplate; placement: 'header' | 'query' }
  | { type: 'basic'; username: ValueTemplate; password: ValueTemplate }
  | DigestAuth;

/** HTTP Digest (RFC 7616): the hashing lives in auth-digest.ts, which generated code passes in. */
export interface DigestAuth {
  type: 'digest';
  username: ValueTemplate;
  password: ValueTemplate;
  scheme: DigestScheme;
}

/** The challenge-response computations of HTTP Digest, both sides (auth-digest.ts). */
export interface DigestScheme {
  /**
   * Client side: the `Authorization` value answering the `WWW-Authenticate` header of a 401, or
   * undefined when it holds no Digest challenge the scheme can answer.
   */
  authorization(
    challenge: string,
    request: { method: string; uri: string },
    credentials: { username: string; password: string },
  ): string | undefined;
  /** Server side: the `WWW-Authenticate` value (one challenge per algorithm), `stale` after an expired nonce. */
  challenge(
    realm: string,
    credentials: { username: string; password: string },
    stale: boolean,
  ): string;
  /** Server side: checks an `Authorization: Digest ...` value against the expected credentials. */
  verify(
    header: string,
    request: { method: string; uri: string },
    realm: string,
    credentials: { username: string; password: string },
  ): 'valid' | 'stale' | 'invalid';
}

/**
 * OAuth 2.1 resource server (the `oauth2` authentication of an exposes block): bearer JWTs verified
 * by auth-oauth2.ts (which generated code passes in as `verifier`) against the authorization
 * server's keys (its JWKS, found through its metadata, or `jwksUriEnv` / `publicKeyEnv`).
 */
export interface OAuth2Auth {
  type: 'oauth2';
  /** Issuer URI of the authorization server (`iss` must equal it, trailing slash aside). */
  authorizationServerUri: string;
  /** Canonical URI of this server (RFC 8707), served in its Protected Resource Metadata. */
  resource: string;
  /** Expected `aud` (default: `resource`). */
  audience?: string;
  /** Scopes every token must carry (403 `insufficient_scope` otherwise). */
  scopes?: string[];
  /** Environment variable naming a JWKS URL to use instead of the authorization server's metadata. */
  jwksUriEnv: string;
  /** Environment variable holding a static public key (PEM SPKI, a JWK or a JWKS), instead of a JWKS URL. */
  publicKeyEnv: string;
  verifier: OAuth2Verifier;
}

/** What an oauth2 check decided: accepted, or the status, `WWW-Authenticate` and message of a refusal. */
export type OAuth2Outcome =
  { ok: true } | { ok: false; status: 401 | 403 | 500; challenge: string; message: string };

/** Verifies bearer JWTs for an `OAuth2Auth` (auth-oauth2.ts); keeps its key cache per auth object. */
export interface OAuth2Verifier {
  check(
    auth: OAuth2Auth,
    authorization: string | undefined,
    env: Record<string, string | undefined>,
    /** Added to the challenge: the Protected Resource Metadata URL (MCP). */
    resourceMetadata?: string,
  ): Promise<OAuth2Outcome>;
}

/** How a server checks its callers (an exposes block's `authentication`): the upstream shapes, and oauth2. */
export type InboundAuth = UpstreamAuth | OAuth2Auth;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** One parameter of an upstream operation, outside the body. */
export interface ParamSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  /** Not needed to make the call; carried where a server validates inputs. */
  schema?: JsonSchema;
  description?: string;
  /** A fixed value (`value:` in the capability), rendered at call time; wins over a passed one. */
  value?: ValueTemplate;
  /**
   * How a query parameter's array or object value is written (its OpenAPI `style` and `explode`)
   * when not as bracketed keys (`tags[0]=a`, `deepObject`, Stripe's encoding and the default):
   * `form` repeats the name (`tags=a&tags=b`; without explode `tags=a,b`), `spaceDelimited` and
   * `pipeDelimited` join the items with a space or `|`.
   */
  serialization?: { style: 'form' | 'spaceDelimited' | 'pipeDelimited'; explode: boolean };
}

/** The request body of an upstream operation, passed as the parameter named `body`. */
export interface BodySpec {
  required: boolean;
  /**
   * How the body is put on the wire: Stripe-style bracket form encoding, JSON, multipart/form-data
   * (file uploads, see binary.ts), or a body template's text.
   */
  mediaType:
    | 'application/x-www-form-urlencoded'
    | 'application/json'
    | 'multipart/form-data'
    | 'text/plain'
    | 'application/xml'
    | 'application/sparql-query';
  /**
   * Multipart only: the body members that are files. Servers take them as `{data: <base64>, name?,
   * type?}` in their JSON input and pass bytes on; the client sends them as file parts.
   */
  files?: string[];
  /** Not needed to make the call; carried where a server validates inputs. */
  schema?: JsonSchema;
}

/** One consumed (upstream) operation. */
export interface OperationSpec {
  /** `<consumes namespace>.<operation name>`, as written in `call`. */
  id: string;
  method: HttpMethod;
  /** Path relative to the base URI, with `{param}` placeholders. */
  path: string;
  /**
   * Where this operation is served when it is not the API's base URI (OpenAPI `servers` on the
   * operation or its path, e.g. Stripe's `https://files.stripe.com`). A base URI set at run time
   * (the `baseUri` option, `ApiSpec.baseUriEnv`) still wins: it moves every operation.
   */
  baseUri?: string;
  params: ParamSpec[];
  body?: BodySpec;
  /** The body as a template over the call's parameters (`body:` in the capability); sent as text. */
  bodyTemplate?: ValueTemplate;
  /** Set when the operation declares a non-JSON `outputRawFormat`: how a 2xx body becomes JSON. */
  output?: OutputFormat;
  /**
   * Set when a successful answer is binary (a PDF, an image: neither JSON nor text): it is returned
   * as a `BinaryBody` (bytes and media type) whatever its Content-Type says. Answers whose
   * Content-Type names binary content are returned that way in any case.
   */
  binaryResponse?: boolean;
  /**
   * Set when the response is a cursor-paginated list envelope (`has_more` + `data` array);
   * names the query parameter that takes the last item's id (`starting_after`).
   */
  pagination?: { cursorParam: string };
}

/** The formats `outputRawFormat` names besides json. */
export type RawFormat =
  'xml' | 'yaml' | 'csv' | 'tsv' | 'psv' | 'html' | 'markdown' | 'avro' | 'protobuf';

/** An upstream body as received: its text (UTF-8, credentials scrubbed) and its bytes. */
export interface RawBody {
  readonly text: string;
  readonly bytes: Uint8Array;
}

/**
 * How the body of a 2xx answer is converted to JSON before output mapping, for an operation that
 * declares a non-JSON `outputRawFormat`. `decode` comes from a runtime module (format-*.ts) that
 * generated code imports only when one of its operations needs it.
 */
export interface OutputFormat {
  format: RawFormat;
  /** Sent as `Accept` (a declared Accept header parameter wins). */
  accept: string;
  /**
   * `outputSchema`: a CSS selector scoping the tables (html), a heading prefix filtering the
   * sections (markdown), or the text of the schema file it names, read at generate time (avro,
   * protobuf).
   */
  schema?: string;
  /** Throws when the body is not valid in the format (the client refuses the answer). */
  decode: (body: RawBody, output: OutputFormat) => JsonValue;
}

/** One consumed API (a consumes block). */
export interface ApiSpec {
  namespace: string;
  baseUri: string;
  /** Environment variable that overrides the base URI at run time, e.g. CHECKOUT_SESSIONS_BASE_URI. */
  baseUriEnv: string;
  auth: UpstreamAuth;
  /** API version header to send on every request, when the OpenAPI document implies one. */
  version?: { header: string; value: string };
}

/** A value passed to an upstream parameter: an input of the exposed operation/tool, or a literal. */
export type Binding =
  | {
      input: string;
      /** The part of the input a JSONPath selects (`value: $.user.id` on a body input). */
      path?: string;
      /** Passed when the caller gives no value (`value:` on an exposed input). */
      default?: JsonValue;
    }
  | { literal: JsonValue }
  /** A `{{input}}` template; its `param` parts name inputs. */
  | { template: ValueTemplate };

/** JSONPath-based output mapping (Naftiko MappedOutputParameter). */
export type OutputMapping =
  | { kind: 'path'; path: string }
  | { kind: 'value'; value: JsonValue | ValueTemplate }
  | { kind: 'object'; properties: Record<string, OutputMapping> }
  | { kind: 'array'; path: string; items: OutputMapping };

/** What a server passes along with one upstream call. */
export interface InvokeContext {
  /** Aborted when the caller goes away. */
  signal?: AbortSignal;
  /** The caller's idempotency key (REST `Idempotency-Key` header, MCP `_meta.idempotencyKey`). */
  idempotencyKey?: string;
  /**
   * The server answers with the upstream body unchanged: the call may return it as received
   * (`InvokeResult.json`) without parsing it, `data` being parsed only if read.
   */
  passThrough?: boolean;
}

/** A binary answer: the bytes as received and their media type (`application/octet-stream` when unnamed). */
export interface BinaryBody {
  contentType: string;
  bytes: Uint8Array;
}

/** A file to upload through the typed client: a Blob or File, bytes, or stripe-node's `{ data, name, type }`. */
export type FileInput =
  Blob | Uint8Array | { data: Blob | Uint8Array; name?: string; type?: string };

/** A file in a JSON input (REST body, MCP arguments): its bytes base64-encoded, with a name and media type. */
export interface FileUpload {
  data: string;
  name?: string;
  type?: string;
}

/** The upstream answer a server shapes into its own. */
export interface InvokeResult {
  /** The parsed JSON (or text) answer, or a binary one's bytes and media type. */
  data: JsonValue | BinaryBody;
  status: number;
  requestId?: string;
  /**
   * `data` as the JSON text received (UTF-8), when it holds none of the call's secrets: a server
   * whose answer is the upstream body unchanged writes these bytes as they are.
   */
  json?: Uint8Array;
}

/**
 * Runs one upstream operation with already-bound parameters: what the REST adapter and the MCP
 * server call (generated code passes the client's `invoke`, which goes through `ApiClient.request`).
 */
export interface Invoke {
  (
    operation: OperationSpec,
    params: Record<string, unknown>,
    context: InvokeContext,
  ): Promise<InvokeResult>;
  /**
   * The credential values upstream calls use now: servers scrub them (in every encoding) from what
   * they answer and log, whatever they are called.
   */
  secrets?(): string[];
  /**
   * Start-up check of the upstream configuration: throws a `ConfigurationError` for what would make
   * every call fail (an invalid base URI), returns warnings for what may be fixed later (an unset
   * credential variable).
   */
  check?(): string[];
  /**
   * True when the call removes every listener it adds to `context.signal` once it settles (the
   * generated clients' `invoke` does): a server on node:http then passes one signal shared by the
   * requests of a connection, which costs less than a signal per request. Otherwise each request
   * gets its own signal.
   */
  releasesSignal?: boolean;
}

/**
 * What the REST adapter and the MCP server execute for a route or tool that is more than one
 * upstream call (steps, mock outputs, aggregate functions): see orchestrate.ts, which makes them
 * from generated plans. The engines import nothing of it, so a capability without orchestrations
 * loads none of it.
 */
export interface Runner {
  run(inputs: Record<string, unknown>, invoke: Invoke, context: RunContext): Promise<JsonValue>;
}

export interface RunContext extends InvokeContext {
  /** Bound variables (`{{env.X}}`) of output templates; default `process.env`. */
  env?: Record<string, string | undefined>;
}
