/**
 * Naftiko versions whose official schema an import can target. alpha3's schema is alpha2's with a
 * new version constant, so the same document serves both. (No imports: the CLI loads this at start.)
 */
export const NAFTIKO_VERSIONS = ['1.0.0-alpha2', '1.0.0-alpha3'] as const;
