/**
 * How `capgen` commands print diagnostics. Errors are all listed; warnings and infos repeat in real
 * files (one deviation on every operation), so by default each rule is shown once per file, at its
 * first position, with how many more there are; --verbose lists them all.
 */
import type { CliIO } from './cli.js';
import { formatDiagnostic, printable, type DiagnosticBag, type Style } from './diagnostics.js';

/** Prints the diagnostics; returns the exit code they call for (1 when any is an error). */
export function report(bag: DiagnosticBag, io: CliIO, style: Style, verbose = false): number {
  const diagnostics = bag
    .sorted()
    .filter((d) => verbose || !(d.verboseOnly && d.severity === 'info'));
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
        style.dim(
          `    … and ${count - 1} more ${d.rule} in ${printable(d.file)} (--verbose lists them)\n`,
        ),
      );
  }
  const { errorCount: errors, warningCount: warnings } = bag;
  const infos = diagnostics.filter((d) => d.severity === 'info').length;
  if (diagnostics.length)
    io.stderr(
      `${errors ? style.red(`${errors} error(s)`) : '0 errors'}, ${warnings} warning(s)${infos ? `, ${infos} info(s)` : ''}${errors ? '; nothing was written' : ''}\n`,
    );
  return errors ? 1 : 0;
}
