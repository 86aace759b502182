/**
 * The main thread's young generation, kept at its starting size for a run that generates or checks
 * on the main thread (a small project: larger ones run on the generate thread, whose heap is capped
 * by `resourceLimits`, generate-thread.ts).
 *
 * V8 doubles the young generation (two semi-spaces) each time a scavenge finds it busy, up to 16 MB
 * a semi-space on 64-bit machines. A run of capgen allocates in bursts (parsing, model, emit) whose
 * objects mostly die young or live for the whole run, so the larger young generation buys little:
 * on three capabilities with Stripe's full spec it held 34 MB committed for at most 7 MB in use,
 * about 20 MB of the run's peak RSS, for no measurable saving in time (bench/README.md, issue 14).
 *
 * The size is fixed when the isolate starts (`--max-semi-space-size`), which a command line tool
 * cannot pass to its own `node`; the growth factor is read whenever the young generation would grow,
 * so setting it to 1 at run time keeps the starting size (measured on V8 11, Node 20: a V8 that holds
 * the factor at 2 or more ignores the setting). Only V8 versions known to have the flag get it (an
 * unknown flag would be reported on stdout). `CAPGEN_YOUNG_GENERATION=grow` leaves V8's default.
 */
import v8 from 'node:v8';

/** V8 major versions with `--semi-space-growth-factor` (Node 20 to 24). */
const KNOWN_V8 = (major: number): boolean => major >= 11 && major <= 13;

export function keepYoungGenerationSmall(): void {
  if (process.env.CAPGEN_YOUNG_GENERATION === 'grow') return;
  if (!KNOWN_V8(Number(process.versions.v8.split('.')[0]))) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
