/**
 * Handlebars templates from templates/, compiled once; they hold the shape of each emitted file.
 * A template pastes its slots as they are, so a view holds only escaped values: `TsCode` for the
 * TypeScript templates, `MarkdownText` for the README, `DockerfileText` for the Dockerfile (see
 * escape.ts). The compiler refuses a view
 * with a raw string in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../package-root.js';
import type { DockerfileText, MarkdownText, TsCode } from './escape.js';

export const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');

/** A template's view: escaped text of one kind, numbers and flags, nested in objects and lists. */
export type View<Text> = {
  readonly [slot: string]: Text | number | boolean | undefined | View<Text> | readonly View<Text>[];
};

const TS_TEMPLATES = [
  'client.ts.hbs',
  'control.ts.hbs',
  'mcp-handler.ts.hbs',
  'mcp.ts.hbs',
  'orchestrations.ts.hbs',
  'rest-handler.ts.hbs',
  'rest.ts.hbs',
  'schemas.ts.hbs',
  'skills.ts.hbs',
  'worker.ts.hbs',
] as const;
const MARKDOWN_TEMPLATES = ['readme.md.hbs', 'skill.md.hbs'] as const;
const DOCKERFILE_TEMPLATES = ['container/Dockerfile.hbs'] as const;

const compiled = new Map<string, HandlebarsTemplateDelegate>();

function renderTemplate(name: string, view: object): string {
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

export function renderTs(name: (typeof TS_TEMPLATES)[number], view: View<TsCode>): string {
  return renderTemplate(name, view);
}

export function renderMarkdown(
  name: (typeof MARKDOWN_TEMPLATES)[number],
  view: View<MarkdownText>,
): string {
  return renderTemplate(name, view);
}

export function renderDockerfile(
  name: (typeof DOCKERFILE_TEMPLATES)[number],
  view: View<DockerfileText>,
): string {
  return renderTemplate(name, view);
}
