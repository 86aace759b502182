/**
 * Runtime modules that generated code imports only where a capability needs them: one per
 * non-JSON output format, the digest and OAuth 2.1 schemes, and the control port's Node runner and
 * OpenTelemetry SDK (for a capability with a control adapter). Each needs npm packages that the
 * user adds (the generated README names them), so the shared runtime holds a module only when
 * some capability of the output uses it, and a capability that needs none imports none.
 */
/** The OpenTelemetry SDK that node-telemetry.ts starts (node-control.ts names its exporter type). */
const OTEL_SDK = [
  '@opentelemetry/api',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  '@opentelemetry/exporter-prometheus',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/propagator-b3',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace-base',
] as const;

export const OPTIONAL_RUNTIME = {
  'format-xml': { export: 'decodeXml', packages: ['fast-xml-parser'] },
  'format-yaml': { export: 'decodeYaml', packages: ['yaml'] },
  'format-delimited': { export: 'decodeDelimited', packages: ['papaparse'] },
  'format-html': { export: 'decodeHtml', packages: ['htmlparser2', 'css-select'] },
  'format-markdown': { export: 'decodeMarkdown', packages: ['markdown-it', 'yaml'] },
  'format-avro': { export: 'decodeAvro', packages: ['avsc'] },
  'format-protobuf': { export: 'decodeProtobuf', packages: ['protobufjs'] },
  'auth-digest': { export: 'DIGEST', packages: ['@noble/hashes'] },
  'auth-oauth2': { export: 'OAUTH2', packages: ['jose'] },
  'node-control': { export: 'serveControl', packages: OTEL_SDK },
  'node-telemetry': { export: 'startTelemetry', packages: OTEL_SDK },
} as const;

/** The modules control.ts imports, directly or (node-telemetry, when observability is on) lazily. */
export const CONTROL_RUNTIME = ['node-control', 'node-telemetry'] as const;

export type OptionalModule = keyof typeof OPTIONAL_RUNTIME;

/**
 * Where the model holds a value of generated code that comes from an optional runtime module (a
 * converter, the digest scheme, the oauth2 verifier): the emitter writes a reference to the
 * module's export there and imports it.
 */
export class RuntimeRef {
  constructor(readonly module: OptionalModule) {}
}

/** A RuntimeRef standing for the runtime value of type T that `module` exports. */
export function runtimeRef<T>(module: OptionalModule): T {
  return new RuntimeRef(module) as unknown as T;
}

/** The optional modules a value of the model refers to (anywhere inside it), sorted. */
export function runtimeModulesIn(value: unknown): OptionalModule[] {
  const found = new Set<OptionalModule>();
  const stack: unknown[] = [value];
  const seen = new Set<unknown>();
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof RuntimeRef) found.add(v.module);
    else stack.push(...Object.values(v));
  }
  return [...found].sort();
}

/** The npm packages those modules need, sorted, without repeats. */
export function packagesOf(modules: readonly OptionalModule[]): string[] {
  return [...new Set(modules.flatMap((m) => OPTIONAL_RUNTIME[m].packages))].sort();
}
