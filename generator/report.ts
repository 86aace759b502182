/** How `capgen` commands print diagnostics: sorted, warnings capped per file and rule, a count. */
import type { CliIO } from './cli.js';
import { formatDiagnostic, type DiagnosticBag, type Style } from './diagnostics.js';

/** Warnings of one kind repeat in real files; this many per file and rule are shown unless --verbose. */
const WARNINGS_SHOWN_PER_RULE = 3;

/** Prints the diagnostics; returns the exit code they call for (1 when any is an error). */
export function report(bag: DiagnosticBag, io: CliIO, style: Style, verbose = false): number {
  const diagnostics = bag.sorted();
  // Warnings seen per file and rule; past the limit they are only counted.
  const warningsSeen = new Map<string, number>();
  for (const d of diagnostics) {
    if (!verbose && d.severity === 'warning') {
      const group = `${d.file}\u0000${d.rule}`;
      const count = (warningsSeen.get(group) ?? 0) + 1;
      warningsSeen.set(group, count);
      if (count > WARNINGS_SHOWN_PER_RULE) continue;
    }
    io.stderr(`${formatDiagnostic(d, style)}\n`);
  }
  for (const [group, count] of warningsSeen) {
    if (count <= WARNINGS_SHOWN_PER_RULE) continue;
    const [file, rule] = group.split('\u0000');
    const hidden = count - WARNINGS_SHOWN_PER_RULE;
    io.stderr(
      style.dim(`${file}: ${hidden} more ${rule} warning(s) like these (--verbose lists them)\n`),
    );
  }
  const errors = bag.errorCount;
  const warnings = bag.warningCount;
  if (diagnostics.length)
    io.stderr(
      `${errors ? style.red(`${errors} error(s)`) : '0 errors'}, ${warnings} warning(s)${errors ? '; nothing was written' : ''}\n`,
    );
  return errors ? 1 : 0;
}
