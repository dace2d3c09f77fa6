// Loads many eval inputs at once but fails like a loop would: with the first input (in
// order) that failed, so a missing image is reported the same way on every run.
export async function loadAllInOrder<T, R>(items: readonly T[], load: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(load));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
