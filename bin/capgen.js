#!/usr/bin/env node
// capgen's command line. The generator is written in TypeScript and run through tsx's loader,
// which also lets `capgen serve` load the generated TypeScript servers.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../generator/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
