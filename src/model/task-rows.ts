/**
 * A batch's examples grouped by task, from its host task ids (batch data, like the inputs): `order` lists the
 * example indices of task 0, then task 1, ...; task t's run starts at starts[t] and holds counts[t] examples. Task
 * ids outside [0, starts.length) (padding examples) are left out. Returns how many examples were grouped.
 */
export function groupByTask(taskIds: Int32Array, batch: number, order: Int32Array, starts: Int32Array, counts: Int32Array): number {
  const T = starts.length;
  counts.fill(0);
  for (let i = 0; i < batch; i++) {
    const t = taskIds[i];
    if (t >= 0 && t < T) counts[t]++;
  }
  let grouped = 0;
  for (let t = 0; t < T; t++) {
    starts[t] = grouped;
    grouped += counts[t];
  }
  const next = Int32Array.from(starts);
  for (let i = 0; i < batch; i++) {
    const t = taskIds[i];
    if (t >= 0 && t < T) order[next[t]++] = i;
  }
  return grouped;
}
