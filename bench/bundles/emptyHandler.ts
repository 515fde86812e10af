/**
 * The baseline of the bundle benchmark: a Lambda handler that does nothing, bundled as the real
 * ones are. Requiring it in a fresh Node process measures what any function pays before its own
 * code: reading and compiling a file, and the module system.
 */
export async function handler(): Promise<Record<string, never>> {
  return {};
}
