/** Waits for a condition, checking every 50 ms; fails after `timeoutMs` with what `describe` says. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, describe: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting${describe() ? `:\n${describe()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
