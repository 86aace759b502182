/**
 * capgen's own folder (where package.json and templates/ are), found from this module's place: the
 * code runs from generator/ (the TypeScript sources) or from dist/ (the build), one level down
 * either way, but asking the file system keeps that an observation rather than an assumption.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'templates')))
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`capgen's package folder (with templates/) is not above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
