/**
 * The warnings of an update besides MM_CLASS_BUILDS_OLD_LAYOUT, which every
 * release handed in with other fields gives for a registered class (the
 * class the program imported still builds the old layout:
 * test/migration/releaseClassBuildsOldLayout.test.ts). Tests about other
 * warnings of such releases look at the rest.
 */
export function besidesOldLayout<W extends { readonly code: string }>(warnings: readonly W[]): W[] {
  return warnings.filter((w) => w.code !== "MM_CLASS_BUILDS_OLD_LAYOUT");
}
