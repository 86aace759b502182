/** Programmatic API: the same pipeline the CLI runs. */
export { runCli } from './cli.js';
export { runPipeline } from './pipeline.js';
export type { Diagnostic } from './diagnostics.js';
export type { ProjectModel, CapabilityModel } from './model/types.js';
