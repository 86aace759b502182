/**
 * Script steps: a capability's JavaScript runs in QuickJS compiled to WebAssembly
 * (quickjs-emscripten), a sandbox with no host access at all: no file system, network, process,
 * timers or Java classes, nothing but the language and the `context` it is given. Each run gets a
 * fresh runtime with a memory limit, a stack limit and a CPU-time deadline (an interrupt handler),
 * and is disposed of afterwards. Scripts are untrusted code: a script that loops, allocates without
 * end or reaches for the host fails with a clear error, and the server goes on.
 *
 * The files are read when the step runs, from the step's `file:///` location (Node's fs, looked up
 * at run time as bind files are), never copied into generated code. The script sees the previous
 * steps' outputs and its `with` values as `context['step-name']` (and as camelCased globals), and
 * must assign its output to `result`.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { JsonValue } from './contract.js';
import type { ScriptSpec } from './orchestrate.js';

/** Largest result a script may return, as JSON text. */
const MAX_RESULT_CHARS = 16 * 1024 * 1024;
const MAX_STACK_BYTES = 512 * 1024;

let engine: Promise<QuickJSWASMModule> | undefined;

/** Runs a script step (the `script` hook of orchestration()). */
export async function runScript(
  script: ScriptSpec,
  context: Record<string, JsonValue>,
  signal?: AbortSignal,
): Promise<JsonValue> {
  const sources = [...script.dependencies, script.file].map((file) => ({
    file,
    code: readScript(script.location, file),
  }));
  // Loaded on the first script run: the WebAssembly build of QuickJS (about 0.5 MB).
  engine ??= newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync'));
  const quickjs = await engine;
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(script.memoryBytes);
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  const deadline = Date.now() + script.timeoutMs;
  let timedOut = false;
  runtime.setInterruptHandler(() => {
    timedOut = Date.now() > deadline;
    return timedOut || signal?.aborted === true;
  });
  const vm = runtime.newContext();
  try {
    const input = vm.newString(JSON.stringify(context));
    vm.setProp(vm.global, '__capgenContext', input);
    input.dispose();
    const globals = Object.keys(context)
      .map((key) => [camelCase(key), key] as const)
      .filter(
        ([name]) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'context' && name !== 'result',
      )
      .map(
        ([name, key]) => `globalThis[${JSON.stringify(name)}] = context[${JSON.stringify(key)}];`,
      )
      .join('\n');
    const prelude = `globalThis.context = JSON.parse(__capgenContext); delete globalThis.__capgenContext;\n${globals}`;
    for (const { file, code } of [{ file: 'context', code: prelude }, ...sources]) {
      const outcome = vm.evalCode(code, file);
      if (outcome.error) {
        const error = vm.dump(outcome.error) as { name?: string; message?: string } | string;
        outcome.error.dispose();
        throw new Error(describe(file, error, timedOut, script.timeoutMs));
      }
      outcome.value.dispose();
    }
    const read = vm.evalCode('typeof result === "undefined" ? undefined : JSON.stringify(result)');
    if (read.error) {
      read.error.dispose();
      throw new Error('its result cannot be turned into JSON');
    }
    const text = vm.dump(read.value) as string | undefined;
    read.value.dispose();
    if (text === undefined) throw new Error('it did not assign a value to `result`');
    if (text.length > MAX_RESULT_CHARS) throw new Error('its result is larger than 16 MiB');
    return JSON.parse(text) as JsonValue;
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

function describe(
  file: string,
  error: { name?: string; message?: string } | string,
  timedOut: boolean,
  timeoutMs: number,
): string {
  const text =
    typeof error === 'string' ? error : `${error.name ?? 'Error'}: ${error.message ?? ''}`;
  if (/out of memory/i.test(text)) return `${file} used more memory than the sandbox allows`;
  if (timedOut) return `${file} ran longer than ${timeoutMs} ms and was stopped`;
  return `${file}: ${text}`;
}

type ReadFileSync = (path: string, encoding: 'utf8') => string;

/** A script file under `location`; its path was checked at generation time (no `..`), and is here. */
function readScript(location: string, file: string): string {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as { readFileSync?: ReadFileSync } | undefined;
  if (!fs?.readFileSync) throw new Error('script files can only be read under Node');
  if (file.split('/').some((s) => s === '' || s === '.' || s === '..'))
    throw new Error(`script path ${file} leaves its location`);
  const dir = decodeURIComponent(
    new URL(location.endsWith('/') ? location : `${location}/`).pathname,
  );
  try {
    return fs.readFileSync(`${dir}${file}`, 'utf8');
  } catch {
    throw new Error(`script ${file} cannot be read from ${location}`);
  }
}

function camelCase(name: string): string {
  return name.replace(/[-_.]+([A-Za-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
