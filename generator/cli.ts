/**
 * The capgen command line: generate (and --check), validate, serve.
 * Bad input ends in diagnostics and exit code 1, never a stack trace.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { colorStyle, formatDiagnostic, plainStyle, UsageError, type Style } from './diagnostics.js';
import { runPipeline, type PipelineResult } from './pipeline.js';
import { apply, plan, shortDiff, withManifest } from './write.js';
import { GENERATOR_VERSION } from './version.js';
import { serve, type ServeOptions } from './serve.js';

export interface CliIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
}

const defaultIO = (): CliIO => ({
  cwd: process.cwd(),
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  color:
    Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb',
});

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const style: Style = io.color ? colorStyle : plainStyle;
  let exitCode = 0;
  const program = new Command()
    .name('capgen')
    .description(
      'Generate typed API clients, REST adapters and MCP servers from Naftiko capability specs and OpenAPI.',
    )
    .version(GENERATOR_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError();

  const common = (command: Command) =>
    command
      .option('-c, --config <file>', 'config file (default: capgen.config.yaml when present)')
      .option('--openapi <file>', 'add an OpenAPI document (YAML or JSON); repeatable', collect)
      .option('--strict', 'treat warnings (deviations from the official Naftiko schema) as errors')
      .option(
        '--schema <file>',
        'check shape with the official Naftiko JSON Schema (a file or a folder); repeatable',
        collect,
      )
      .option(
        '--ruleset <file>',
        'run a Spectral ruleset on every capability file; repeatable',
        collect,
      )
      .option('--verbose', 'list every warning (by default each rule once per file, with a count)');

  common(
    program
      .command('generate')
      .description('generate clients, REST adapters and MCP servers into the output folder'),
  )
    .option('-o, --out <dir>', 'output folder (default: generated)')
    .option(
      '--check',
      'write nothing; exit 1 when the output folder differs from what the specs produce',
    )
    .action(
      async (options: {
        config?: string;
        openapi?: string[];
        strict?: boolean;
        verbose?: boolean;
        schema?: string[];
        ruleset?: string[];
        out?: string;
        check?: boolean;
      }) => {
        const result = await runPipeline(io.cwd, options, { emit: true });
        exitCode = report(result, io, style, options.verbose);
        if (exitCode !== 0 || !result.files || !result.config) return;
        const outDir = path.resolve(io.cwd, result.config.out);
        const files = withManifest(result.files);
        const p = plan(outDir, files);
        const caps = result.project?.capabilities.length ?? 0;
        if (options.check) {
          const drift = p.added.length + p.changed.length + p.removed.length;
          if (!drift) {
            io.stdout(
              `${style.green('✓')} ${result.config.out}/ is up to date (${files.length} files, ${caps} capabilities)\n`,
            );
            return;
          }
          for (const f of p.added)
            io.stdout(`${style.green('added')}    ${result.config.out}/${f.path}\n`);
          for (const f of p.changed)
            io.stdout(
              `${style.yellow('changed')}  ${result.config.out}/${f.path}\n${indent(shortDiff(outDir, f))}\n`,
            );
          for (const f of p.removed)
            io.stdout(`${style.red('removed')}  ${result.config.out}/${f}\n`);
          io.stdout(
            `${style.red('✗')} ${result.config.out}/ is out of date: ${p.added.length} added, ${p.changed.length} changed, ${p.removed.length} removed. Run \`npx capgen generate\` and commit the result.\n`,
          );
          exitCode = 1;
          return;
        }
        apply(outDir, p);
        io.stdout(
          `${style.green('✓')} ${caps} capabilities → ${result.config.out}/: ${p.added.length} added, ${p.changed.length} changed, ${p.removed.length} removed, ${p.unchanged.length} unchanged\n`,
        );
      },
    );

  common(
    program
      .command('validate')
      .description('check capability files and OpenAPI documents; print diagnostics only'),
  ).action(
    async (options: {
      config?: string;
      openapi?: string[];
      strict?: boolean;
      verbose?: boolean;
      schema?: string[];
      ruleset?: string[];
    }) => {
      const result = await runPipeline(io.cwd, options, { emit: false });
      exitCode = report(result, io, style, options.verbose);
      if (exitCode === 0)
        io.stdout(
          `${style.green('✓')} ${result.project?.capabilities.length ?? 0} capabilities are valid\n`,
        );
    },
  );

  program
    .command('serve <capability>')
    .description('run a generated REST adapter or MCP server')
    .option('--rest', 'serve the REST adapter')
    .option('--mcp', 'serve the MCP server')
    .option('--stdio', 'MCP over stdio instead of Streamable HTTP')
    .option('-p, --port <port>', 'port (overrides the spec and the environment)', parsePort)
    .option('-a, --address <address>', 'address to bind (default from the spec, else 127.0.0.1)')
    .option('--base-uri <uri>', 'upstream base URI (default: <NAMESPACE>_BASE_URI, else the spec)')
    .option('-o, --out <dir>', 'folder holding the generated code', 'generated')
    .action(async (capability: string, options: ServeOptions) => {
      exitCode = await serve(capability, options, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'commander.helpDisplayed' ||
      code === 'commander.version' ||
      code === 'commander.help'
    )
      return 0;
    if (code?.startsWith('commander.')) return 2;
    if (error instanceof UsageError) {
      io.stderr(`capgen: ${error.message}\n`);
      return 2;
    }
    io.stderr(
      `capgen: internal error: ${error instanceof Error ? error.message : String(error)}\nPlease report this with the input that caused it.\n`,
    );
    return 70;
  }
  return exitCode;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return port;
}

/**
 * Prints the diagnostics. Errors are all listed; warnings and infos repeat in real files (one
 * deviation on every operation), so by default each rule is shown once per file, at its first
 * position, with how many more there are; --verbose lists them all.
 */
function report(result: PipelineResult, io: CliIO, style: Style, verbose = false): number {
  const diagnostics = result.bag.sorted();
  const perRule = new Map<string, number>();
  for (const d of diagnostics) {
    if (d.severity === 'error' || verbose) continue;
    const group = `${d.file}\u0000${d.rule}`;
    perRule.set(group, (perRule.get(group) ?? 0) + 1);
  }
  const shown = new Set<string>();
  for (const d of diagnostics) {
    const group = `${d.file}\u0000${d.rule}`;
    const count = d.severity === 'error' || verbose ? 1 : (perRule.get(group) ?? 1);
    if (count > 1 && shown.has(group)) continue;
    shown.add(group);
    io.stderr(`${formatDiagnostic(d, style)}\n`);
    if (count > 1)
      io.stderr(
        style.dim(`    … and ${count - 1} more ${d.rule} in ${d.file} (--verbose lists them)\n`),
      );
  }
  const { errorCount: errors, warningCount: warnings, infoCount: infos } = result.bag;
  if (diagnostics.length)
    io.stderr(
      `${errors ? style.red(`${errors} error(s)`) : '0 errors'}, ${warnings} warning(s)${infos ? `, ${infos} info(s)` : ''}${errors ? '; nothing was written' : ''}\n`,
    );
  return errors ? 1 : 0;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
