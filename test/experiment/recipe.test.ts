import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { BamError } from '../../src/errors.js';
import { expandRecipe, parseRecipe, readRecipe } from '../../src/experiment/recipe.js';

const RECIPE = {
  name: 'glue-small',
  glue_dir: '../shared/data/glue',
  pretrain: { model_name: 'bam-small', hparams: { num_train_steps: 5000 } },
  tasks: ['rte', 'mrpc', 'sts'],
  seeds: [1, 2],
  hparams: { max_seq_length: 64, learning_rate: 1e-4 },
  task_hparams: { sts: { learning_rate: 3e-5 } },
  methods: ['single_random', 'bam_fixed', 'bam', 'multi', 'single'],
  bam_fixed_distill_weight: 0.3,
};

function rejects(recipe: Record<string, unknown>, message: RegExp): void {
  assert.throws(() => parseRecipe(recipe, 'exp.json'), (e: unknown) => {
    assert.ok(e instanceof BamError, String(e));
    assert.match(e.message, /^exp\.json: /);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

describe('experiment recipe', () => {
  const runs = expandRecipe(parseRecipe(RECIPE, 'exp.json'));
  const byName = new Map(runs.map((r) => [r.model_name, r]));

  test('expands to one run per (seed, method, task of single-task methods), seed by seed, teachers before students', () => {
    const seed1 = [
      'glue-small-single-rte-s1', 'glue-small-single-mrpc-s1', 'glue-small-single-sts-s1',
      'glue-small-multi-s1', 'glue-small-bam-s1', 'glue-small-bam_fixed-s1',
      'glue-small-single_random-rte-s1', 'glue-small-single_random-mrpc-s1', 'glue-small-single_random-sts-s1',
    ];
    assert.deepEqual(runs.map((r) => r.model_name), [...seed1, ...seed1.map((n) => n.replace(/-s1$/, '-s2'))]);
    const position = new Map(runs.map((r, i) => [r.model_name, i]));
    for (const run of runs) for (const dep of run.dependencies) assert.ok((position.get(dep) ?? Infinity) < (position.get(run.model_name) ?? -1));
  });

  test('single-task runs: one task, the seed, one trial, the pretrained encoder, task overrides on top of the common hparams', () => {
    assert.deepEqual(byName.get('glue-small-single-sts-s2'), {
      model_name: 'glue-small-single-sts-s2',
      method: 'single',
      seed: 2,
      task: 'sts',
      hparams: { max_seq_length: 64, learning_rate: 3e-5, num_trials: 1, pretrained_model_name: 'bam-small', task_names: ['sts'], seed: 2 },
      dependencies: [],
    });
    assert.deepEqual(byName.get('glue-small-single_random-rte-s1')?.hparams, {
      max_seq_length: 64, learning_rate: 1e-4, num_trials: 1, pretrained_model_name: 'bam-small', task_names: ['rte'], seed: 1, pretrained: false,
    });
  });

  test('multi-task and BAM runs: all tasks; bam distils the single runs of its seed with annealing, bam_fixed with the fixed weight', () => {
    const common = { max_seq_length: 64, learning_rate: 1e-4, num_trials: 1, pretrained_model_name: 'bam-small', task_names: ['rte', 'mrpc', 'sts'], seed: 2 };
    assert.deepEqual(byName.get('glue-small-multi-s2')?.hparams, common);
    assert.deepEqual(byName.get('glue-small-multi-s2')?.dependencies, []);
    const teachers = { rte: 'glue-small-single-rte-s2', mrpc: 'glue-small-single-mrpc-s2', sts: 'glue-small-single-sts-s2' };
    assert.deepEqual(byName.get('glue-small-bam-s2')?.hparams, { ...common, distill: true, teachers, teacher_annealing: true });
    assert.deepEqual(byName.get('glue-small-bam-s2')?.dependencies, Object.values(teachers));
    assert.deepEqual(byName.get('glue-small-bam_fixed-s2')?.hparams, { ...common, distill: true, teachers, teacher_annealing: false, distill_weight: 0.3 });
  });

  test('every expanded run is a valid bam run whose resolved config is what the method means', () => {
    for (const run of runs) {
      const config = resolveConfig(run.model_name, '/bam', run.hparams);
      assert.equal(config.num_trials, 1);
      assert.equal(config.seed, run.seed);
      assert.equal(config.pretrained, run.method !== 'single_random');
      assert.equal(config.distill, run.method === 'bam' || run.method === 'bam_fixed');
    }
    const fixed = resolveConfig('f', '/bam', byName.get('glue-small-bam_fixed-s1')?.hparams ?? {});
    assert.equal(fixed.teacher_annealing, false);
    assert.equal(fixed.distill_weight, 0.3);
  });

  test('defaults: no pretrain block leaves the pretrained model to the hparams; bam_fixed distill_weight 0.5', () => {
    const recipe = parseRecipe({ name: 'e', tasks: ['rte'], seeds: [0], methods: ['single', 'bam_fixed'], hparams: { pretrained_model_name: 'bert-base' } }, 'x');
    assert.equal(recipe.pretrain, undefined);
    const [single, student] = expandRecipe(recipe);
    assert.deepEqual(single.hparams, { pretrained_model_name: 'bert-base', num_trials: 1, task_names: ['rte'], seed: 0 });
    assert.equal(student.hparams.distill_weight, 0.5);
  });

  test('readRecipe reads a file and names it in its errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bam-recipe-'));
    try {
      const path = join(dir, 'exp.json');
      writeFileSync(path, JSON.stringify(RECIPE));
      assert.deepEqual(readRecipe(path).seeds, [1, 2]);
      writeFileSync(path, '{"name": ');
      assert.throws(() => readRecipe(path), (e: unknown) => e instanceof BamError && e.message.startsWith(`${path}: not valid JSON`));
      assert.throws(() => readRecipe(join(dir, 'none.json')), /none\.json: experiment recipe not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rejects unknown keys with a suggestion, at the top, in pretrain and in hparams', () => {
    rejects({ ...RECIPE, seed: [1] }, /unknown recipe key "seed" \(did you mean "seeds"\?\); allowed: name, glue_dir, pretrain/);
    rejects({ ...RECIPE, pretrain: { modelname: 'x' } }, /unknown "pretrain" key "modelname" \(did you mean "model_name"\?\)/);
    rejects({ ...RECIPE, hparams: { lerning_rate: 1 } }, /"hparams": unknown hparam "lerning_rate" \(did you mean "learning_rate"\?\)/);
    rejects({ ...RECIPE, task_hparams: { sts: { max_seq_lenght: 1 } } }, /"task_hparams"\."sts": unknown hparam "max_seq_lenght" \(did you mean "max_seq_length"\?\)/);
  });

  test('rejects bad values: tasks, methods, seeds, hparam types, names', () => {
    rejects({ ...RECIPE, tasks: ['rte', 'mrcp'] }, /"tasks" has unknown "mrcp" \(did you mean "mrpc"\?\); allowed: cola, mnli/);
    rejects({ ...RECIPE, tasks: [] }, /"tasks" must be a non-empty list/);
    rejects({ ...RECIPE, methods: ['single', 'single'] }, /"methods" lists "single" twice/);
    rejects({ ...RECIPE, methods: ['bam_fixd'] }, /"methods" has unknown "bam_fixd" \(did you mean "bam_fixed"\?\)/);
    rejects({ ...RECIPE, seeds: [1, 1.5] }, /"seeds" must hold integers >= 0, got 1\.5/);
    rejects({ ...RECIPE, seeds: [3, 3] }, /"seeds" lists 3 twice/);
    rejects({ ...RECIPE, hparams: { max_seq_length: 'long' } }, /"hparams": hparam "max_seq_length" must be an integer from 3 to 8192, got "long"/);
    rejects({ ...RECIPE, name: 'a/b' }, /"name" must be a folder name/);
    rejects({ ...RECIPE, bam_fixed_distill_weight: 2 }, /"bam_fixed_distill_weight" must be a number in \[0, 1\], got 2/);
    rejects({ ...RECIPE, task_hparams: { cola: {} } }, /"task_hparams" has task "cola", which is not in "tasks" \(rte, mrpc, sts\)/);
    const { seeds: _, ...noSeeds } = RECIPE;
    rejects(noSeeds, /"seeds" is missing; a recipe needs name, tasks, seeds, methods/);
    rejects([] as unknown as Record<string, unknown>, /the recipe must be a JSON object, got \[\]/);
  });

  test('rejects hparams the recipe sets itself, and recipes that cannot work', () => {
    rejects({ ...RECIPE, hparams: { seed: 3 } }, /"hparams" sets "seed", which the recipe sets for each run: set "seeds"/);
    rejects({ ...RECIPE, hparams: { teachers: {} } }, /"hparams" sets "teachers"/);
    rejects({ ...RECIPE, task_hparams: { rte: { pretrained: false } } }, /"task_hparams"\."rte" sets "pretrained".*single_random/);
    rejects({ ...RECIPE, hparams: { pretrained_model_name: 'other' } }, /"hparams" sets "pretrained_model_name" but "pretrain" makes the encoder/);
    rejects({ ...RECIPE, methods: ['multi', 'bam'] }, /method "bam" distills the "single" runs; add "single" to "methods"/);
    rejects({ ...RECIPE, hparams: { write_distill_outputs: false } }, /"write_distill_outputs": false leaves the bam students without teacher predictions/);
    rejects({ ...RECIPE, task_hparams: { rte: { n_writes_distill: 0 } } }, /"n_writes_distill": 0 leaves the bam students without teacher predictions/);
    assert.equal(parseRecipe({ ...RECIPE, methods: ['single'], hparams: { write_distill_outputs: false } }, 'x').methods.length, 1);
  });
});
