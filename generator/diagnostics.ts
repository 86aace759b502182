/**
 * Diagnostics: what is wrong, where (file:line:col), and how to fix it.
 * Every stage reports into a DiagnosticBag; nothing throws for bad input.
 */
export type Severity = 'error' | 'warning' | 'info';

/** Severity overrides by rule id (`schema/deviation`) or rule family (`naftiko-rules/*`). */
export type RuleSeverities = Record<string, 'off' | 'info' | 'warning' | 'error'>;

export interface Position {
  line: number;
  col: number;
}

export interface Diagnostic {
  /** Path of the input file as the user named it (relative to the working directory). */
  file: string;
  line: number;
  col: number;
  severity: Severity;
  /** Stable rule id, e.g. `naftiko/unknown-call`. */
  rule: string;
  message: string;
  /** One line telling the user how to fix it. */
  hint?: string;
  /**
   * Set on findings capgen does not depend on (a Spectral ruleset's): their severity may be
   * lowered. capgen's own errors stop generation and are never lowered.
   */
  advisory?: boolean;
  /** An info worth reading only when asked for everything: printed with --verbose only. */
  verboseOnly?: boolean;
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  /** Errors so far, kept as items are added (checks ask after every step). */
  private errors = 0;

  /** What was reported, so a file checked twice (imported by two capabilities) reports once. */
  private readonly seen = new Set<string>();

  add(diagnostic: Diagnostic): void {
    const { file, line, col, rule, message } = diagnostic;
    const key = JSON.stringify([file, line, col, rule, message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(diagnostic);
    if (diagnostic.severity === 'error') this.errors++;
  }

  error(file: string, pos: Position, rule: string, message: string, hint?: string): void {
    this.add({ file, ...pos, severity: 'error', rule, message, hint });
  }

  warning(file: string, pos: Position, rule: string, message: string, hint?: string): void {
    this.add({ file, ...pos, severity: 'warning', rule, message, hint });
  }

  /** What capgen decided on its own and the user may want to know (`verboseOnly`: --verbose only). */
  info(
    file: string,
    pos: Position,
    rule: string,
    message: string,
    hint?: string,
    verboseOnly = false,
  ): void {
    this.add({
      file,
      ...pos,
      severity: 'info',
      rule,
      message,
      hint,
      ...(verboseOnly ? { verboseOnly } : {}),
    });
  }

  get errorCount(): number {
    return this.errors;
  }

  get warningCount(): number {
    return this.items.filter((d) => d.severity === 'warning').length;
  }

  get infoCount(): number {
    return this.items.filter((d) => d.severity === 'info').length;
  }

  /**
   * Applies configured severities: `off` drops a rule's findings, the others set their severity.
   * Returns the rules whose errors could not be lowered (capgen needs them fixed to generate).
   */
  applyRuleSeverities(rules: RuleSeverities): string[] {
    const refused = new Set<string>();
    const overrideOf = (rule: string) =>
      rules[rule] ?? rules[`${rule.slice(0, rule.indexOf('/'))}/*`];
    const kept: Diagnostic[] = [];
    for (const d of this.items) {
      const override = overrideOf(d.rule);
      if (override === undefined) kept.push(d);
      else if (d.severity === 'error' && !d.advisory && override !== 'error') {
        refused.add(d.rule);
        kept.push(d);
      } else if (override !== 'off') kept.push({ ...d, severity: override });
    }
    this.items.length = 0;
    for (const d of kept) this.items.push(d);
    this.errors = kept.filter((d) => d.severity === 'error').length;
    return [...refused];
  }

  hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** In --strict mode every warning counts as an error (infos stay infos). */
  promoteWarnings(): void {
    for (const d of this.items) if (d.severity === 'warning') d.severity = 'error';
    this.errors = this.items.filter((d) => d.severity === 'error').length;
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort(compareDiagnostics);
  }
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.col - b.col ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

export interface Style {
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  green(text: string): string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const colorStyle: Style = {
  red: ansi(31),
  yellow: ansi(33),
  dim: ansi(2),
  bold: ansi(1),
  green: ansi(32),
};
const same = (text: string) => text;
export const plainStyle: Style = { red: same, yellow: same, dim: same, bold: same, green: same };

/**
 * Text quoted from a spec, made safe for one line of a terminal: line breaks, control characters
 * (escape sequences), bidirectional overrides and lone surrogates are shown as `\u` escapes.
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `file:line:col  error  rule-id  message` followed by an indented hint line. */
export function formatDiagnostic(d: Diagnostic, style: Style = plainStyle): string {
  const severity =
    d.severity === 'error'
      ? style.red('error')
      : d.severity === 'warning'
        ? style.yellow('warning')
        : style.dim('info');
  const head = `${style.bold(`${printable(d.file)}:${d.line}:${d.col}`)}  ${severity}  ${style.dim(d.rule)}  ${printable(d.message)}`;
  return d.hint ? `${head}\n    ${style.dim(`hint: ${printable(d.hint)}`)}` : head;
}

/** Raised for problems that stop the run before diagnostics can be collected (bad CLI usage). */
export class UsageError extends Error {
  override name = 'UsageError';
}
