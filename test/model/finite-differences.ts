import assert from 'node:assert/strict';
import type { Parameter, ParameterArena } from '../../src/model/arena.js';
import type { Rng } from '../../src/util/rng.js';

/**
 * Checks analytic gradients against central finite differences (step 1e-2) of `loss`, at three entries per tensor
 * chosen among those with a non-zero gradient; tolerance 2e-2 relative + 2e-4 absolute. `expectNone(p)` names the
 * tensors whose gradient must be all zero (they are skipped). The arena's values are perturbed through host copies
 * (read, change one entry, write back) and restored exactly. Returns the number of entries checked.
 */
export function checkFiniteDifferences(
  arena: ParameterArena, analytic: Float32Array, loss: () => number, rng: Rng, expectNone: (p: Parameter) => boolean,
): number {
  const h = 1e-2;
  let checked = 0;
  for (const p of arena.parameters) {
    const candidates = Array.from({ length: p.size }, (_, i) => i).filter((i) => analytic[p.offset + i] !== 0);
    if (expectNone(p)) {
      assert.equal(candidates.length, 0, `${p.name} has gradients`);
      continue;
    }
    assert.ok(candidates.length > 0, `${p.name}: all gradients are zero`);
    for (let n = 0; n < Math.min(3, candidates.length); n++) {
      const i = candidates[rng.int(candidates.length)];
      const value = arena.read(p);
      const saved = value[i];
      value[i] = saved + h;
      arena.write(p, value);
      const plus = loss();
      value[i] = saved - h;
      arena.write(p, value);
      const minus = loss();
      value[i] = saved;
      arena.write(p, value);
      const numeric = (plus - minus) / (2 * h);
      const a = analytic[p.offset + i];
      const tolerance = 2e-2 * Math.max(Math.abs(numeric), Math.abs(a)) + 2e-4;
      assert.ok(Math.abs(numeric - a) <= tolerance, `${p.name}[${i}]: analytic ${a}, finite difference ${numeric}`);
      checked++;
    }
  }
  return checked;
}
