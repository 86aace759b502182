import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** capgen's own version, from package.json. */
export const GENERATOR_VERSION: string = (require('../package.json') as { version: string })
  .version;
