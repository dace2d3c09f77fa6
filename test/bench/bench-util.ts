// Small helpers shared by the benchmarks in test/bench (rounding, a bounded async pool,
// machine info, order statistics).
import { cpus, loadavg } from 'node:os';

export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Runs `work` over `items` with at most `inFlight` calls pending at once. */
export async function pool<T>(items: T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(inFlight, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}

/** CPU seconds this process has used so far, every thread (libuv's pool, sharp's and onnxruntime's threads too). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** What the figures were measured on; fill `loadAvgAtEnd` with `loadavg().map(r1)` when done. */
export function machineInfo() {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAvgAtStart: loadavg().map(r1),
    loadAvgAtEnd: [] as number[],
  };
}

/** The median (mean of the middle two for an even count); NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
