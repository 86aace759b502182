/**
 * orchestrations.ts of a capability: each orchestrated, mock or aggregate-function run as a plan
 * (data) and a typed function over it (`runGetVoyageManifest(input, client)`), which the REST
 * adapter and the MCP server also execute.
 */
import type { CapabilityModel, OrchestrationModel } from '../model/types.js';
import { docInline, identifier, trustedTs } from './escape.js';
import { codeHeader } from './header.js';
import { docComment, schemaToTs } from './json-schema-to-ts.js';
import { CodeRef, dataLiteral } from './literal.js';
import { importLine } from './imports.js';
import { renderTs } from './render.js';

export const ORCHESTRATIONS_MODULE = './orchestrations.js';
const CLIENT_MODULE = './client.js';

/** The plan as the runtime's data: call steps name their operation constant from client.ts. */
function planData(run: OrchestrationModel) {
  return {
    label: run.label,
    steps: run.steps.map((step) =>
      step.kind === 'call'
        ? {
            kind: step.kind,
            name: step.name,
            call: new CodeRef(step.operation.constName, CLIENT_MODULE),
            with: step.with,
            outputs: step.outputs,
          }
        : step,
    ),
    result: run.result,
  };
}

export function emitOrchestrations(capability: CapabilityModel): string {
  const refs: CodeRef[] = [];
  const runs = capability.orchestrations.map((run) => {
    const plan = dataLiteral(planData(run));
    refs.push(...plan.refs);
    const required = run.inputs.filter((i) => i.required).map((i) => i.name);
    const input = schemaToTs(
      {
        type: 'object',
        properties: Object.fromEntries(
          run.inputs.map((i) => [
            i.name,
            i.description && !i.schema.description
              ? { ...i.schema, description: i.description }
              : i.schema,
          ]),
        ),
        ...(required.length ? { required } : {}),
      },
      'input',
    );
    const steps = run.steps.map((s) => s.name).join(' → ');
    return {
      runName: identifier(run.runName),
      planName: identifier(run.planName),
      inputType: identifier(run.inputType),
      outputType: identifier(run.outputType),
      label: docInline(run.label),
      input: trustedTs(run.inputs.length ? input : 'Record<string, never>'),
      output: trustedTs(run.outputSchema ? schemaToTs(run.outputSchema) : 'JsonValue'),
      plan: plan.code,
      scripts: run.scripts,
      doc: docComment(
        `${run.description || run.label}\n\n${steps ? `Steps: ${steps}.` : 'Mock: answers from its output values, without an upstream call.'} ` +
          'Call it with its input and a client of this capability (`create…Client()`), or anything with its `invoke`.',
      ),
    };
  });
  return renderTs('orchestrations.ts.hbs', {
    header: codeHeader(
      `Orchestrations of ${capability.label}: plans and typed functions.`,
      capability,
    ),
    scripts: capability.orchestrations.some((r) => r.scripts),
    jsonValue: runs.some((r) => r.output.includes('JsonValue')),
    operationImports: importLine(refs, CLIENT_MODULE),
    runs,
  });
}
