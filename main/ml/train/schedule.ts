// Learning rate: linear warm-up, then cosine decay to `minRatio` of the peak.

export interface ScheduleOptions {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  minRatio?: number;
}

export function learningRate(step: number, { peak, warmupSteps, totalSteps, minRatio = 0.1 }: ScheduleOptions): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return peak * (minRatio + (1 - minRatio) * cosine);
}
