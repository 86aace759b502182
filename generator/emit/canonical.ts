/**
 * Files whose templates are written in prettier's layout ("canonical" files: every TypeScript file
 * of a capability), so that a run need not load prettier's parsers for them.
 *
 * A template writes every statement as prettier prints it. What varies from one capability to the
 * next goes only where it cannot change the layout: inside comments (prettier keeps a comment's
 * text), in import declarations laid out as prettier does (imports.ts), as data literals laid
 * out by layout.ts in place of their stand-ins, or as a name inside a line that prettier prints
 * flat as long as it fits. So the file is prettier's layout when every such line fits: this module
 * checks that, line by line, and otherwise says the file needs prettier after all (a name so long
 * that prettier would break its line). test/canonical-layout.test.ts holds the result to
 * prettier's, byte for byte, on many capabilities.
 */
import { NotLaidOut } from './layout.js';
import {
  renderWithLiterals,
  type Emitted,
  type LaidOutLiteral,
  type LiteralSlots,
} from './literal.js';

/** prettier's printWidth for generated code (prettier-options.ts). */
const PRINT_WIDTH = 100;

/**
 * `text` as prettier would leave it, when the guard above holds: runs of blank lines (left by
 * a template's optional parts) made one, none at the start, one newline at the end. Undefined when
 * a line might not be prettier's: any line ending in spaces, or a line of code wider than the print
 * width or holding text whose width is not its length (beyond ASCII); or when a literal's stand-in
 * starts where prettier might move it.
 */
export function canonicalLayout(
  text: string,
  literals: readonly LaidOutLiteral[] = [],
): string | undefined {
  const normalized = `${text
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '')
    .trimEnd()}\n`;
  const standIns = literals.map((literal) => `{ ${literal.standIn}: 0 }`);
  let inComment = false;
  for (const line of normalized.split('\n')) {
    // prettier trims the lines of a doc comment (and keeps a Markdown line break): none may end in
    // spaces, comment or code.
    if (/\s$/.test(line)) return undefined;
    const code = line.trimStart();
    if (inComment || code.startsWith('/*')) {
      inComment = !line.includes('*/');
      continue;
    }
    if (code.startsWith('//')) continue;
    if (/[^\x20-\x7e]/.test(line)) return undefined;
    const standIn = standIns.find((s) => line.includes(s));
    // The literal is laid out from its opening brace, which prettier leaves where it is while
    // `... = {` fits.
    const width = standIn ? line.indexOf(standIn) + 1 : line.length;
    if (width > PRINT_WIDTH) return undefined;
  }
  return normalized;
}

/**
 * A canonical file, rendered through `render` with `laidOut` true; when a part of it only prettier
 * lays out (`NotLaidOut`: a name that needs quoting, a comment prettier keeps as written), rendered
 * again with `laidOut` false, as source for prettier.
 */
export function renderCanonical(
  render: (slots: LiteralSlots, laidOut: boolean) => string,
): Emitted {
  try {
    return { ...renderWithLiterals((slots) => render(slots, true)), canonical: true };
  } catch (error) {
    if (!(error instanceof NotLaidOut)) throw error;
    return renderWithLiterals((slots) => render(slots, false));
  }
}
