/** `capgen import` on the command line: options in, diagnostics or a summary out, files written or not. */
import path from 'node:path';
import type { CliIO } from '../cli.js';
import { DiagnosticBag, type Style } from '../diagnostics.js';
import { realRoot } from '../paths.js';
import { report } from '../report.js';
import {
  applyImport,
  planImport,
  runImport,
  UnsafeOutputError,
  type ImportOptions,
  type ImportPlan,
} from './index.js';

export interface ImportCommandOptions extends Omit<ImportOptions, 'naftiko'> {
  naftikoVersion?: string;
  force?: boolean;
  verbose?: boolean;
}

const KEBAB = /^[a-zA-Z0-9-]+$/;

export async function importCommand(
  options: ImportCommandOptions,
  io: CliIO,
  style: Style,
): Promise<number> {
  for (const [flag, value] of [
    ['--namespace', options.namespace],
    ['--name', options.name],
  ] as const) {
    if (value !== undefined && !KEBAB.test(value)) {
      io.stderr(
        `capgen import: ${flag} '${value}' is not a Naftiko name (letters, digits and '-' only)\n`,
      );
      return 2;
    }
  }
  if (options.name !== undefined && !options.paths) {
    io.stderr('capgen import: --name names the capability of --paths; add --paths <glob>\n');
    return 2;
  }
  const bag = new DiagnosticBag();
  // Inputs and outputs are checked against the project folder with its links resolved (paths.ts).
  const root = realRoot(io.cwd);
  const result = runImport(root, { ...options, naftiko: options.naftikoVersion }, bag);
  let plan: ImportPlan | undefined;
  if (result) {
    try {
      plan = planImport(root, options.out, result.files);
    } catch (error) {
      if (!(error instanceof UnsafeOutputError)) throw error;
      bag.error(
        options.out,
        { line: 1, col: 1 },
        'io/unsafe-output',
        error.message,
        'choose a plain folder inside the project with --out',
      );
    }
  }
  const out = toPosix(path.relative(io.cwd, path.resolve(io.cwd, options.out))) || '.';
  for (const file of plan && !options.force ? plan.edited : [])
    bag.error(
      `${out}/${file.path}`,
      { line: 1, col: 1 },
      'import/edited',
      'this file was edited since capgen import wrote it (or capgen import did not write it); it would be replaced',
      'keep your edits by importing into another --out folder, or pass --force to replace it',
    );
  const code = report(bag, io, style, options.verbose);
  if (code !== 0 || !result || !plan) return code || 1;

  try {
    applyImport(plan, options.force ?? false);
  } catch (error) {
    const failed = new DiagnosticBag();
    failed.error(
      out,
      { line: 1, col: 1 },
      'io/write-failed',
      `could not write the files: ${error instanceof Error ? error.message : String(error)}`,
      'check that the output folder can be written to',
    );
    return report(failed, io, style);
  }
  const replaced = options.force ? plan.edited.length : 0;
  io.stdout(
    `${style.green('✓')} ${result.operations} operations of ${result.title} → ${result.files.length} capabilities in ${out}/: ${plan.added.length} added, ${plan.changed.length + replaced} changed, ${plan.unchanged.length} unchanged${replaced ? ` (${replaced} edited file(s) replaced: --force)` : ''}\n`,
  );
  const openapi = toPosix(path.relative(io.cwd, path.resolve(io.cwd, options.openapi)));
  const discovered = openapi.startsWith('specs/') && (out === 'specs' || out.startsWith('specs/'));
  io.stdout(
    `  next: npx capgen generate${discovered ? '' : ` --openapi ${openapi}`}${out === 'specs' || out.startsWith('specs/') ? '' : ` (and list ${out}/*.yaml under 'capabilities' in capgen.config.yaml)`}\n`,
  );
  return 0;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
