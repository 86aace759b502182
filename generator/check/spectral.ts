/**
 * Spectral rulesets (e.g. Naftiko's own `naftiko-rules.yml`, with its custom functions) run on
 * every capability file through @stoplight/spectral-core. Findings become diagnostics with their
 * position and the rule's own id, prefixed by the ruleset's name: `naftiko-rules/naftiko-namespaces-unique`.
 * They are advisory: configured severities may lower them (capgen does not depend on them).
 * Loaded only when a ruleset is configured.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DiagnosticBag, Severity } from '../diagnostics.js';
import type { JsonPath, SourceDocument } from '../load/source.js';
import { inputFileProblem } from '../paths.js';

export interface LoadedRuleset {
  /** Prefix of its rule ids: the ruleset file's name without extension. */
  name: string;
  lint(file: string, text: string): Promise<SpectralFinding[]>;
  describe(code: string): string | undefined;
}

interface SpectralFinding {
  code: string | number;
  message: string;
  severity: number;
  range: { start: { line: number; character: number } };
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info', 'info'];

/** Loads each ruleset (path relative to root); a ruleset that cannot be loaded is an error where it is named. */
export async function loadRulesets(
  files: string[],
  root: string,
  bag: DiagnosticBag,
  namedAt: (index: number) => { file: string; line: number; col: number },
): Promise<LoadedRuleset[]> {
  if (!files.length) return [];
  const [{ Spectral, Document }, parsers, bundler, runtime] = await Promise.all([
    import('@stoplight/spectral-core'),
    import('@stoplight/spectral-parsers'),
    import('@stoplight/spectral-ruleset-bundler/with-loader'),
    import('@stoplight/spectral-runtime'),
  ]);
  const Yaml = (parsers as unknown as { default?: typeof parsers }).default?.Yaml ?? parsers.Yaml;
  const fetch =
    (runtime as unknown as { default?: typeof runtime }).default?.fetch ?? runtime.fetch;
  const loaded: LoadedRuleset[] = [];
  for (const [i, file] of files.entries()) {
    const absolute = path.resolve(root, file);
    const problem = inputFileProblem(root, file);
    if (problem && problem !== 'missing') {
      const at = namedAt(i);
      bag.error(at.file, at, problem.rule, problem.message, problem.hint);
      continue;
    }
    try {
      if (problem) throw new Error(`file '${file}' does not exist`);
      const spectral = new Spectral();
      spectral.setRuleset(await bundler.bundleAndLoadRuleset(absolute, { fs, fetch }));
      loaded.push({
        name: path.basename(file).replace(/\.[^.]*$/, ''),
        lint: async (name, text) =>
          (await spectral.run(new Document(text, Yaml, name))) as SpectralFinding[],
        describe: (code) => spectral.ruleset?.rules[code]?.description ?? undefined,
      });
    } catch (error) {
      const at = namedAt(i);
      bag.error(
        at.file,
        at,
        'io/ruleset',
        `cannot load Spectral ruleset '${file}': ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        'check the path under `rulesets:` (or --ruleset) and the ruleset file',
      );
    }
  }
  return loaded;
}

export async function runRulesets(
  rulesets: LoadedRuleset[],
  source: SourceDocument,
  text: string,
  bag: DiagnosticBag,
): Promise<void> {
  for (const ruleset of rulesets) {
    let findings: SpectralFinding[];
    try {
      findings = await ruleset.lint(source.file, text);
    } catch (error) {
      bag.error(
        source.file,
        { line: 1, col: 1 },
        'io/ruleset',
        `the ${ruleset.name} ruleset failed on this file: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        'check the ruleset and its custom functions',
      );
      continue;
    }
    for (const finding of findings) {
      const code = String(finding.code);
      if (code === 'parser') continue; // YAML syntax: capgen reports it itself
      const description = ruleset.describe(code)?.replace(/\s+/g, ' ').trim();
      bag.add({
        file: source.file,
        line: finding.range.start.line + 1,
        col: finding.range.start.character + 1,
        severity: SEVERITIES[finding.severity] ?? 'warning',
        rule: `${ruleset.name}/${code}`,
        message: finding.message,
        hint: description || `see the rule '${code}' in the ${ruleset.name} ruleset`,
        advisory: true,
      });
    }
  }
}

export type { JsonPath };
