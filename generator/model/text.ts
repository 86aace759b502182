/** Descriptions in specs are often HTML; generated comments, READMEs and tool descriptions want plain text. */

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  '#39': "'",
};

export function htmlToText(html: string | undefined): string {
  if (!html) return '';
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p>/gi, '\n\n')
    .replace(/<li>/gi, '\n- ')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gi, (_m, href: string, text: string) =>
      href && !href.startsWith('#') ? `${text} (${href})` : text,
    )
    .replace(/<code>(.*?)<\/code>/gi, '`$1`')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#?\w+);/g, (m, name: string) => ENTITIES[name] ?? numericEntity(name) ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** `#39` or `#x27` → the character; undefined for anything else (left as written). */
function numericEntity(name: string): string | undefined {
  const match = /^#(x[0-9a-f]+|\d+)$/i.exec(name);
  if (!match) return undefined;
  const code =
    match[1][0].toLowerCase() === 'x' ? parseInt(match[1].slice(1), 16) : Number(match[1]);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** Text made safe to place inside a `/** ... *\/` comment. */
export function commentSafe(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}
