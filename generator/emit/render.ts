/** Handlebars templates from templates/, compiled once; they hold the shape of each emitted file. */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../package-root.js';

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

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
