/**
 * The capgen command line: generate (and --check), validate, import, serve.
 * Bad input ends in diagnostics and exit code 1, never a stack trace.
 *
 * Each command loads its modules when it runs, so `capgen --version` and `--help` load only
 * commander (start-up time is a benchmark figure).
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { colorStyle, formatDiagnostic, plainStyle, UsageError, type Style } from './diagnostics.js';
import {
  commandOf,
  generateHeapMb,
  runOnGenerateThread,
  wantsGenerateThread,
} from './generate-thread.js';
import { keepYoungGenerationSmall } from './heap-tuning.js';
import { GENERATOR_VERSION } from './version.js';
import type { ServeOptions } from './serve.js';
import type { ImportCommandOptions } from './import/command.js';
import type { PipelineResult } from './pipeline.js';
import type { RunStore } from './store.js';
import { NAFTIKO_VERSIONS } from './import/versions.js';

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

/**
 * Runs the CLI; resolves to the process exit code. Without `io` (the command line itself),
 * `generate` runs on a thread with a capped heap (generate-thread.ts).
 */
export async function runCli(argv: string[], given?: CliIO): Promise<number> {
  const io = given ?? defaultIO();
  if (!given && wantsGenerateThread(argv, io.cwd)) {
    let code: number | undefined;
    try {
      code = await runOnGenerateThread({ argv, cwd: io.cwd, color: io.color }, io);
    } catch (error) {
      return internalError(io, error);
    }
    if (code !== undefined) return code;
    // Out of memory under the cap: the same run on this thread, without one.
    io.stderr(
      `note: generating needed more memory than the generate thread's cap (${generateHeapMb()} MB); running again without it (CAPGEN_GENERATE_THREAD=0 skips the thread, CAPGEN_GENERATE_HEAP_MB raises the cap)\n`,
    );
  }
  // A batch command on this thread (not `serve`, whose servers run here): see heap-tuning.ts.
  if (!given && ['generate', 'validate', 'import'].includes(commandOf(argv) ?? ''))
    keepYoungGenerationSmall();
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
    .option(
      '--no-cache',
      'regenerate every capability (by default, those whose inputs are unchanged since the last run come from the cache in node_modules/.cache/capgen or .capgen-cache)',
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
        cache?: boolean;
      }) => {
        const [{ runPipeline }, { report }, write, stores] = await Promise.all([
          import('./pipeline.js'),
          import('./report.js'),
          import('./write.js'),
          import('./store.js'),
        ]);
        let store: RunStore | undefined;
        // Interrupted (Ctrl-C, a stop): the store goes, then the signal does what it would have.
        const interrupted = (signal: NodeJS.Signals) => {
          store?.dispose();
          process.kill(process.pid, signal);
        };
        const signals = ['SIGINT', 'SIGTERM'] as const;
        for (const signal of signals) process.once(signal, interrupted);
        try {
          const result = await runPipeline(io.cwd, options, {
            emit: true,
            // --check writes nothing, the cache included; it reads what `generate` stored.
            cache: options.cache === false ? undefined : options.check ? 'read' : 'write',
            // Files go to disk as they are made: a write run's into the staging folder it swaps in.
            store: (outDir) =>
              (store = options.check
                ? new stores.CheckStore(outDir)
                : stores.OutputStore.staging(outDir)),
          });
          exitCode = report(result.bag, io, style, options.verbose);
          if (exitCode !== 0 || !result.files || !result.config) return;
          exitCode = writeOrCheck(result as Generated, write, options, io, style);
        } finally {
          store?.dispose();
          for (const signal of signals) process.removeListener(signal, interrupted);
        }
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
      const [{ runPipeline }, { report }] = await Promise.all([
        import('./pipeline.js'),
        import('./report.js'),
      ]);
      const result = await runPipeline(io.cwd, options, { emit: false });
      exitCode = report(result.bag, io, style, options.verbose);
      if (exitCode === 0)
        io.stdout(
          `${style.green('✓')} ${result.project?.capabilities.length ?? 0} capabilities are valid\n`,
        );
    },
  );

  program
    .command('serve <capability>')
    .description('run a generated REST adapter, MCP server, skill catalog or control port')
    .option('--rest', 'serve the REST adapter')
    .option('--mcp', 'serve the MCP server')
    .option('--skills', 'serve the skill catalog')
    .option('--control', "serve the control port with all of the capability's adapters")
    .option('--stdio', 'MCP over stdio instead of Streamable HTTP')
    .option('-p, --port <port>', 'port (overrides the spec and the environment)', parsePort)
    .option('-a, --address <address>', 'address to bind (default from the spec, else 127.0.0.1)')
    .option('--base-uri <uri>', 'upstream base URI (default: <NAMESPACE>_BASE_URI, else the spec)')
    .option('-o, --out <dir>', 'folder holding the generated code', 'generated')
    .action(async (capability: string, options: ServeOptions) => {
      const { serve } = await import('./serve.js');
      exitCode = await serve(capability, options, io);
    });

  program
    .command('import')
    .description(
      'write Naftiko capability files from an OpenAPI document, one per resource group: consumed operations, a REST adapter and MCP tools',
    )
    .requiredOption('--openapi <file>', 'the OpenAPI 3.x document (YAML or JSON)')
    .option('-o, --out <dir>', 'output folder, inside the project', 'specs')
    .addOption(
      new Option(
        '--group-by <kind>',
        'one capability per tag (untagged operations: per path prefix), or per path prefix',
      )
        .choices(['tag', 'path'])
        .default('tag'),
    )
    .option(
      '--depth <n>',
      'path segments in a path prefix, after a version segment like v1',
      parseCount,
      1,
    )
    .option(
      '--paths <glob>',
      "one capability of the paths matching this glob (e.g. '/v1/customers/**'); repeatable",
      collect,
    )
    .option('--name <name>', 'name of the --paths capability (default: from the glob)')
    .option('--namespace <name>', 'namespace of the consumed API (default: from info.title)')
    .option('--base-uri <uri>', "the API's base URI (default: the document's server URL)")
    .option(
      '--port-base <port>',
      'servers get port pairs from here on, by a hash of their name (default 20000)',
      parsePortBase,
    )
    .addOption(
      new Option(
        '--naftiko-version <version>',
        "the Naftiko version the files declare (default: the newest capgen's checker reads)",
      ).choices([...NAFTIKO_VERSIONS]),
    )
    .option('--force', 'also replace files edited since capgen import wrote them')
    .option('--verbose', 'list every warning (by default at most 3 of each kind per file)')
    .action(async (options: ImportCommandOptions) => {
      const { importCommand } = await import('./import/command.js');
      exitCode = await importCommand(options, io, style);
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
    return internalError(io, error);
  }
  return exitCode;
}

/** What capgen says of its own failure; the exit code is 70 (EX_SOFTWARE). */
function internalError(io: CliIO, error: unknown): number {
  io.stderr(
    `capgen: internal error: ${error instanceof Error ? error.message : String(error)}\nPlease report this with the input that caused it.\n`,
  );
  return 70;
}

type Generated = PipelineResult & Required<Pick<PipelineResult, 'files' | 'config'>>;

/**
 * The last step of `generate`: writes the output folder, or (--check) compares it; the exit code.
 */
function writeOrCheck(
  result: Generated,
  { apply, plan, shortDiff, withManifest }: typeof import('./write.js'),
  options: { check?: boolean; verbose?: boolean; cache?: boolean },
  io: CliIO,
  style: Style,
): number {
  const out = result.config.out;
  const outDir = path.resolve(result.config.root, out);
  const files = withManifest(result.files, result.store);
  const p = plan(outDir, files);
  const caps = result.capabilityCount ?? 0;
  if (options.verbose && options.cache !== false)
    io.stderr(
      `cache: ${result.cachedCount ?? 0} of ${caps} capabilities unchanged since an earlier run (--no-cache regenerates them)\n`,
    );
  if (options.check) {
    const drift = p.added.length + p.changed.length + p.removed.length;
    if (!drift) {
      io.stdout(
        `${style.green('✓')} ${out}/ is up to date (${files.length} files, ${caps} capabilities)\n`,
      );
      return 0;
    }
    for (const f of p.added) io.stdout(`${style.green('added')}    ${out}/${f.path}\n`);
    for (const f of p.changed)
      io.stdout(`${style.yellow('changed')}  ${out}/${f.path}\n${indent(shortDiff(outDir, f))}\n`);
    for (const f of p.removed) io.stdout(`${style.red('removed')}  ${out}/${f}\n`);
    io.stdout(
      `${style.red('✗')} ${out}/ is out of date: ${p.added.length} added, ${p.changed.length} changed, ${p.removed.length} removed. Run \`npx capgen generate\` and commit the result.\n`,
    );
    return 1;
  }
  try {
    apply(outDir, p, result.store ? { staged: result.store } : {});
  } catch (error) {
    return reportWriteFailure(out, error, io, style);
  }
  for (const f of p.kept)
    io.stderr(
      `${style.yellow('kept')}     ${out}/${f}: capgen wrote it, its source is gone, but it was edited since; delete it by hand if it is no longer needed\n`,
    );
  io.stdout(
    `${style.green('✓')} ${caps} capabilities → ${out}/: ${p.added.length} added, ${p.changed.length} changed, ${p.removed.length} removed, ${p.unchanged.length} unchanged\n`,
  );
  return 0;
}

/** A commander argument parser for whole numbers from `min` to `max`. */
function wholeNumber(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}`);
    return n;
  };
}

const parseCount = wholeNumber(1, 20, 'a depth');
const parsePortBase = wholeNumber(1, 65534, 'a port base');
const parsePort = wholeNumber(0, 65535, 'a port');

/** A failed write (full disk, permissions, a name taken by a folder) as a diagnostic: nothing was written. */
function reportWriteFailure(out: string, error: unknown, io: CliIO, style: Style): number {
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(
    `${formatDiagnostic(
      {
        file: out,
        line: 1,
        col: 1,
        severity: 'error',
        rule: 'io/write-failed',
        message: `could not write the output folder: ${message}`,
        hint: 'free disk space or fix the permissions, then run capgen generate again',
      },
      style,
    )}\n${style.red('1 error(s)')}, 0 warning(s); nothing was written\n`,
  );
  return 1;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
