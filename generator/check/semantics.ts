/**
 * What the schema cannot say about a capability document: references between its parts (calls,
 * refs, `with` inputs, template variables, binds), unique names, and the parts capgen does not
 * generate yet (reported as `capgen/not-generated` warnings, never as errors).
 */
import type { DiagnosticBag } from '../diagnostics.js';
import type { NaftikoDocument } from '../load/naftiko-types.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { checkConsumes } from './consumes-checks.js';
import { checkExposes } from './exposes-checks.js';
import { scriptDefaults, type ScriptDefaults } from './steps.js';
import {
  allAdapterPrefixes,
  bindings,
  indexConsumedOperations,
  lookupBinding,
  parseTemplate,
  type BoundVariable,
  type ConsumedRef,
  type ConsumesSite,
} from './references.js';

/** What every check reads, and where it reports. */
export class CheckContext {
  readonly consumed: Map<string, ConsumedRef>;
  readonly prefixes: Set<string>;
  readonly binds: Map<string, Map<string, BoundVariable>>;

  constructor(
    readonly source: SourceDocument,
    readonly bag: DiagnosticBag,
    readonly doc: NaftikoDocument,
    readonly sites: ConsumesSite[],
  ) {
    this.consumed = indexConsumedOperations(sites);
    this.prefixes = allAdapterPrefixes(doc);
    this.binds = bindings(doc);
    this.scriptDefaults = scriptDefaults(doc);
  }

  /** Script defaults of the control adapter (`management.scripting`), for script steps. */
  readonly scriptDefaults: ScriptDefaults;

  readonly error = this.reporter('error');
  readonly warning = this.reporter('warning');
  readonly info = this.reporter('info');

  private reporter(severity: 'error' | 'warning' | 'info') {
    return (
      path: JsonPath,
      rule: string,
      message: string,
      hint: string,
      key = false,
      in_ = this.source,
    ) =>
      this.bag.add({ file: in_.file, ...in_.locate(path, { key }), severity, rule, message, hint });
  }

  notGenerated(path: JsonPath, what: string, hint: string, in_ = this.source): void {
    this.warning(path, 'capgen/not-generated', `${what} not generated yet`, hint, true, in_);
  }

  unique(seen: Set<string>, value: string, at: JsonPath, what: string, in_ = this.source): void {
    if (seen.has(value))
      this.error(
        at,
        'naftiko/duplicate-name',
        `${what} '${value}' is used twice`,
        `give each ${what} a unique value`,
        false,
        in_,
      );
    seen.add(value);
  }

  /**
   * `{{VAR}}` / `{{ns.VAR}}` in a value that only binds may fill (authentication): every variable
   * must be declared in `binds`.
   */
  checkBindTemplate(text: string, at: JsonPath, in_ = this.source, binds = this.binds): void {
    for (const part of parseTemplate(text)) {
      if (!('name' in part) || lookupBinding(binds, part)) continue;
      const shown = part.namespace ? `${part.namespace}.${part.name}` : part.name;
      const keys = part.namespace ? binds.get(part.namespace) : undefined;
      this.error(
        at,
        'naftiko/unknown-binding',
        part.namespace && !keys
          ? `template '{{${shown}}}' uses namespace '${part.namespace}', which no 'binds' entry declares`
          : `template '{{${shown}}}' names a variable no 'binds' entry declares`,
        part.namespace && !keys
          ? `add a binds entry with namespace '${part.namespace}'`
          : `add '${part.name}: ${part.name}' under the keys of a binds entry`,
        false,
        in_,
      );
    }
  }
}

export function checkSemantics(
  source: SourceDocument,
  bag: DiagnosticBag,
  doc: NaftikoDocument,
  sites: ConsumesSite[],
): void {
  const ctx = new CheckContext(source, bag, doc, sites);
  for (const [i, bind] of [...(doc.binds ?? []), ...(doc.capability?.binds ?? [])].entries()) {
    const at: JsonPath =
      i < (doc.binds?.length ?? 0)
        ? ['binds', i]
        : ['capability', 'binds', i - (doc.binds?.length ?? 0)];
    const location = bind.location;
    if (location !== undefined && !/^file:\/\/\//i.test(location))
      ctx.warning(
        [...at, 'location'],
        'capgen/not-generated',
        `binds location '${location.split('://')[0]}://' is not read by generated code yet; its keys are read from the environment`,
        'use a file:/// location, or none (the environment)',
      );
  }
  checkConsumes(ctx);
  checkExposes(ctx);
}
