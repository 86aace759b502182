/**
 * The generate thread's entry point (dist/generate-worker.js): runs the command line it is given,
 * its output sent to the main thread, and reports the exit code. See generate-thread.ts.
 */
import { workerData } from 'node:worker_threads';
import { runCli } from './cli.js';
import { threadOutput, type GenerateThreadData } from './generate-thread.js';

const { argv, cwd, color } = workerData as GenerateThreadData;
const { stdout, stderr, exit } = threadOutput;
exit(await runCli(argv, { cwd, color, stdout, stderr }));
