import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

/** capgen's own version, from package.json. */
export const GENERATOR_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * The Workers compatibility date the generated wrangler files carry: the date of the workerd release
 * this capgen version is tested with (miniflare's, see test/deploy/workers.test.ts), fixed per capgen
 * version so that output never depends on the day it is generated. Bump it with miniflare.
 */
export const WORKERS_COMPATIBILITY_DATE = '2026-04-26';
