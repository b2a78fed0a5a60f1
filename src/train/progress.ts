/** Formats seconds as h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Progress lines in the spirit of the original's ETAHook:
 * `step 40/234 = 17.1%, 3.2 steps/s, 102.4 examples/s, elapsed 0:00:12, ETA 0:01:00 - loss: 0.6931, lambda: 0.171`
 * (lambda only when distilling).
 */
export class ProgressReporter {
  private readonly startTime = process.hrtime.bigint();

  constructor(
    private readonly totalSteps: number,
    private readonly batchSize: number,
    private readonly startStep: number,
    private readonly log: (line: string) => void,
  ) {}

  /** lambda: the teacher-annealing weight of the step, or null when not distilling. */
  report(step: number, loss: number, lambda: number | null): void {
    const elapsed = Number(process.hrtime.bigint() - this.startTime) / 1e9;
    const done = step - this.startStep;
    const stepsPerSecond = elapsed > 0 ? done / elapsed : 0;
    const eta = stepsPerSecond > 0 ? (this.totalSteps - step) / stepsPerSecond : Number.NaN;
    const pct = (100 * step) / this.totalSteps;
    this.log(
      `step ${step}/${this.totalSteps} = ${pct.toFixed(1)}%, ${stepsPerSecond.toFixed(2)} steps/s, ` +
      `${(stepsPerSecond * this.batchSize).toFixed(1)} examples/s, elapsed ${formatDuration(elapsed)}, ETA ${formatDuration(eta)} ` +
      `- loss: ${loss.toFixed(4)}${lambda === null ? '' : `, lambda: ${lambda.toFixed(3)}`}`,
    );
  }
}
