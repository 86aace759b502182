/** Every generated identifier is derived here, once. */
import type { CapabilityNames } from './types.js';

/** Words of an identifier-ish string: `link-account_sessions` → ['link', 'account', 'sessions']. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export const pascalCase = (text: string): string =>
  words(text)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
export const camelCase = (text: string): string => {
  const pascal = pascalCase(text);
  return pascal ? pascal[0].toLowerCase() + pascal.slice(1) : pascal;
};
export const constantCase = (text: string): string => words(text).join('_').toUpperCase();

/**
 * A method name from HTTP method and path, the way Stripe's operationIds read:
 * GET /v1/checkout/sessions/{session}/line_items → getCheckoutSessionsSessionLineItems.
 * A leading version segment (v1, v2…) carries no meaning and is dropped.
 */
export function operationMethodName(method: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  if (segments.length > 1 && /^v\d+$/i.test(segments[0])) segments.shift();
  return camelCase([method, ...segments.map((s) => s.replace(/[{}]/g, ''))].join(' '));
}

/** Makes names unique by numbering later duplicates: a, a2, a3. */
export class NameRegistry {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name);
  }

  claim(name: string): string {
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}${n}`;
    this.used.add(candidate);
    return candidate;
  }
}

/** An identifier name (ASCII): valid as a property name unquoted. */
export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** Words that cannot name a declaration (reserved words, and globals a declaration would shadow). */
const RESERVED_WORDS = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw ' +
    'true try typeof var void while with implements interface let package private protected ' +
    'public static yield await arguments eval undefined NaN Infinity globalThis'
  ).split(' '),
);

/** A name that can be declared (const, function, interface): an identifier, not a reserved word. */
export function isBindingName(name: string): boolean {
  return isIdentifier(name) && !RESERVED_WORDS.has(name);
}

/**
 * A declarable name from a derived one: unchanged when it is one already, else prefixed with `_`
 * (a name derived from spec text may start with a digit, be empty or be a reserved word).
 */
export function bindingName(name: string): string {
  return isBindingName(name) ? name : `_${name}`;
}

/** The folder of the shared API types modules (`types/<api>.ts`, model/api-families.ts). */
export const TYPES_FOLDER = 'types';
/** The folders of the `container` and `kubernetes` deploy targets (model/deploy.ts). */
export const CONTAINER_FOLDER = 'container';
export const KUBERNETES_FOLDER = 'kubernetes';

/**
 * Names at the top of the output folder that capgen uses itself, with what holds each: a capability
 * (whose folder is named by its id) may not take one. A new shared folder or file at the top of
 * the output folder adds its name here.
 */
export const RESERVED_OUTPUT_NAMES: ReadonlyMap<string, string> = new Map([
  ['runtime', 'the shared runtime'],
  [TYPES_FOLDER, 'the shared API types'],
  // Reserved whether or not the target is enabled, so that enabling it never renames a capability.
  [CONTAINER_FOLDER, "the container image's files (target 'container')"],
  [KUBERNETES_FOLDER, "the Kubernetes manifests (target 'kubernetes')"],
]);

/**
 * The id of a capability, from its file name: lower-case letters, digits and single dashes
 * (`Checkout_Sessions.naftiko.yaml` → `checkout-sessions`); it names the output folder and the
 * capability on the command line. `capability` when the name has no letter or digit.
 */
export function capabilityIdFromFile(baseName: string): string {
  const id = baseName
    .replace(/\.(naftiko\.)?ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'capability';
}

/**
 * Names generated files import or declare themselves (runtime imports, fixed constants and
 * functions): a name derived from a spec never takes one of them.
 */
export const GENERATED_FILE_NAMES = [
  'ApiClient',
  'ApiConnectionError',
  'ApiError',
  'ApiResponse',
  'ApiSpec',
  'ApiTimeoutError',
  'ClientOptions',
  'EntryArgs',
  'FORWARDS',
  'ForwardSpec',
  'JsonValue',
  'OrchestrationPlan',
  'Invoke',
  'JsonSchema',
  'LISTEN',
  'MCP_SERVER',
  'McpFetchHandlerOptions',
  'McpHttpServerHandle',
  'McpRuntimeOptions',
  'McpServerSpec',
  'MissingCredentialsError',
  'OperationMethod',
  'OperationSpec',
  'PaginatedOperationMethod',
  'REST_ADAPTER',
  'RequestOptions',
  'RestAdapterSpec',
  'RestHandler',
  'RestHandlerOptions',
  'RestServer',
  'SKILL_SERVER',
  'SkillHandlerOptions',
  'SkillServerSpec',
  'T',
  'TRANSPORT',
  'createHandler',
  'createMcpFetchHandler',
  'createMcpServer',
  'createRestHandler',
  'createServer',
  'createSkillHandler',
  'createForwarder',
  'orchestration',
  'runScript',
  'exitWithError',
  'installSignalHandlers',
  'invokeThrough',
  'isMainModule',
  'listenAddress',
  'main',
  'operationMethod',
  'paginatedMethod',
  'parseEntryArgs',
  'serveMcpHttp',
  'serveMcpStdio',
  'serveRest',
];

/** The capability's own names, claimed first so that nothing derived later takes them. */
export function capabilityNames(id: string, registry: NameRegistry): CapabilityNames {
  const pascal = pascalCase(id);
  return {
    pascal,
    camel: camelCase(id),
    constant: constantCase(id),
    clientFactory: registry.claim(`create${pascal}Client`),
    clientType: registry.claim(bindingName(`${pascal}Client`)),
  };
}
