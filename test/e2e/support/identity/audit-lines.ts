/** The audit lines (`"log":"audit"`) a gateway wrote to its stdout, parsed. */
export function auditLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"log":"audit"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits until `check` holds (audit lines are written asynchronously). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 8000,
): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
