/**
 * orchestrations.ts of a capability: each orchestrated, mock or aggregate-function run as a plan
 * (data) and a typed function over it (`runGetVoyageManifest(input, client)`), which the REST
 * adapter and the MCP server also execute.
 */
import type { CapabilityModel, OrchestrationModel } from '../model/types.js';
import { constCall } from './code-layout.js';
import { docInline, identifier, trustedTs } from './escape.js';
import { codeHeader } from './header.js';
import { renderCanonical } from './canonical.js';
import { importLine } from './imports.js';
import { docComment, schemaToNode } from './json-schema-to-ts.js';
import { CodeRef, dataLiteral, type Emitted, type LiteralSlots } from './literal.js';
import { renderTs } from './render.js';
import { layoutDeclaration } from './type-layout.js';
import {
  declarationSource,
  typeSource,
  type TypeDeclaration,
  type TypeNode,
} from './type-nodes.js';

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

/**
 * orchestrations.ts: canonical (canonical.ts) when its types can be laid out here
 * (type-layout.ts), else source for prettier.
 */
export function emitOrchestrations(capability: CapabilityModel): Emitted {
  return renderCanonical((slots, laidOut) => orchestrationsText(capability, slots, laidOut));
}

function orchestrationsText(
  capability: CapabilityModel,
  slots: LiteralSlots,
  laidOut: boolean,
): string {
  const declare = (declaration: TypeDeclaration) =>
    trustedTs(laidOut ? layoutDeclaration(declaration) : declarationSource(declaration).trimEnd());
  const refs: CodeRef[] = [];
  let jsonValue = false;
  const runs = capability.orchestrations.map((run) => {
    const data = planData(run);
    const plan = dataLiteral(data);
    refs.push(...plan.refs);
    const required = run.inputs.filter((i) => i.required).map((i) => i.name);
    const input: TypeNode = run.inputs.length
      ? schemaToNode(
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
        )
      : {
          t: 'generic',
          name: 'Record',
          args: [
            { t: 'keyword', name: 'string' },
            { t: 'keyword', name: 'never' },
          ],
        };
    const output: TypeNode = run.outputSchema
      ? schemaToNode(run.outputSchema)
      : { t: 'ref', name: 'JsonValue' };
    jsonValue ||= typeSource(output).includes('JsonValue');
    const steps = run.steps.map((s) => s.name).join(' → ');
    const runName = identifier(run.runName);
    const inputType = identifier(run.inputType);
    const outputType = identifier(run.outputType);
    const planName = identifier(run.planName);
    const types: TypeNode[] = [
      { t: 'ref', name: inputType },
      { t: 'ref', name: outputType },
    ];
    const args = [planName, ...(run.scripts ? ['RUN_OPTIONS'] : [])];
    return {
      planName,
      label: docInline(run.label),
      inputDeclaration: declare({
        comment: `/** Input of ${runName}. */\n`,
        name: inputType,
        type: input,
        interface: false,
      }),
      outputDeclaration: declare({
        comment: `/** What ${runName} returns. */\n`,
        name: outputType,
        type: output,
        interface: false,
      }),
      plan: slots.slot(data, undefined, plan),
      doc: docComment(
        `${run.description || run.label}\n\n${steps ? `Steps: ${steps}.` : 'Mock: answers from its output values, without an upstream call.'} ` +
          'Call it with its input and a client of this capability (`create…Client()`), or anything with its `invoke`.',
      ),
      declaration: trustedTs(
        laidOut
          ? constCall(runName, 'orchestration', types, args)
          : `export const ${runName} = orchestration<${inputType}, ${outputType}>(${args.join(', ')});`,
      ),
    };
  });
  return renderTs('orchestrations.ts.hbs', {
    header: codeHeader(
      `Orchestrations of ${capability.label}: plans and typed functions.`,
      capability,
    ),
    scripts: capability.orchestrations.some((r) => r.scripts),
    jsonValue,
    operationImports: importLine(refs, CLIENT_MODULE),
    runs,
  });
}
