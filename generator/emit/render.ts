/** Handlebars templates from templates/, compiled once; they hold the shape of each emitted file. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const TEMPLATES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../templates',
);

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export function render(name: string, view: object): string {
  let template = compiled.get(name);
  if (!template) {
    template = Handlebars.compile(fs.readFileSync(path.join(TEMPLATES_DIR, name), 'utf8'), {
      noEscape: true,
      strict: true,
    });
    compiled.set(name, template);
  }
  return template(view);
}
