import { formatDuration } from '../train/progress.js';

/**
 * Progress lines for a pass over `total` examples (evaluation, prediction): one when it starts, then one every
 * `everySeconds` with the rate and ETA, and one when it ends. Returns the callback for the examples done so far.
 */
export function progressLines(label: string, total: number, log: (line: string) => void, everySeconds = 10): (done: number) => void {
  const began = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - began) / 1e9;
  let lastLine = 0;
  log(`${label}: ${total} examples`);
  return (done) => {
    const seconds = elapsed();
    if (done < total && seconds - lastLine < everySeconds) return;
    lastLine = seconds;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    log(`${label}: ${done}/${total} = ${((100 * done) / total).toFixed(1)}%, ${rate.toFixed(1)} examples/s, elapsed ${formatDuration(seconds)}, ETA ${formatDuration(eta)}`);
  };
}
