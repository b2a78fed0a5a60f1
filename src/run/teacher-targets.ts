import { showValue } from '../config/hparams.js';
import type { RunConfig } from '../config/resolve-config.js';
import type { FeaturizedDataset } from '../data/featurize.js';
import type { Task } from '../data/tasks.js';
import { BamError } from '../errors.js';
import type { TeacherTargets } from '../train/batches.js';
import { readPredictionFile, type PredictionFile } from './prediction-files.js';

/**
 * The largest teacher logit (or normalised score) accepted: a real model's are within tens; far beyond, dividing by
 * the temperature and float32 arithmetic overflow to Infinity and the student trains to NaN.
 */
const MAX_TEACHER_VALUE = 1e6;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function describeSettings(doubleUnordered: boolean, maxLines: number | null): string {
  return `double_unordered=${doubleUnordered}, ${maxLines === null ? 'whole files' : `debug (${maxLines} lines per file)`}`;
}

/**
 * Checks that a teacher's train predictions cover exactly the student's train examples of the task (same task, split,
 * labels, eids), and says what differs when they do not, instead of the original's KeyError deep in featurize.
 */
function checkTeacherFile(path: string, file: PredictionFile, task: Task, teacher: string, studentEids: Set<number>, config: RunConfig): void {
  const maxLines = config.debug ? config.debug_max_lines : null;
  // A new name, so that the retraining cannot replace the teacher the user already has.
  const retrain = `train a teacher with the student's data settings (${describeSettings(config.double_unordered, maxLines)}) under a new name, ` +
    `bam run ${teacher}-2 <bam_dir> '{"task_names": ["${task.name}"]${config.debug ? ', "debug": true' : ''}}', and set "teachers": {"${task.name}": "${teacher}-2"}`;
  if (file.task !== task.name || file.split !== 'train') {
    throw new BamError(`teacher file ${path} holds ${showValue(file.task)} ${showValue(file.split)} predictions, not "${task.name}" "train"; check "teachers"`);
  }
  if (file.kind !== task.kind || !sameList(file.label_list, task.labelList)) {
    throw new BamError(`teacher file ${path} has labels ${showValue(file.label_list)}, the student's ${task.name} has [${task.labelList.join(', ')}]; ${retrain}`);
  }
  const teacherEids = Object.keys(file.predictions).map(Number);
  const missing = [...studentEids].filter((eid) => !(String(eid) in file.predictions));
  const extra = teacherEids.filter((eid) => !studentEids.has(eid));
  if (missing.length > 0 || extra.length > 0) {
    const detail = missing.length > 0 ? `it lacks eid ${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}` : `it has ${extra.length} eids the student does not (e.g. ${extra[0]})`;
    throw new BamError(
      `teacher file ${path} covers ${teacherEids.length} ${task.name} train examples (${describeSettings(file.double_unordered, file.max_lines)}) ` +
      `but the student has ${studentEids.size} (${describeSettings(config.double_unordered, maxLines)}): ${detail}; ${retrain}`,
    );
  }
  for (const [eid, value] of Object.entries(file.predictions)) {
    if (!task.isPredictionEntry(value)) throw new BamError(`teacher file ${path}: the prediction for eid ${eid} is not ${task.predictionEntryShape}; ${retrain}`);
    const values = typeof value === 'number' ? [value] : value;
    if (values.some((v) => Math.abs(v) > MAX_TEACHER_VALUE)) {
      throw new BamError(`teacher file ${path}: the prediction for eid ${eid} has a value beyond ±${MAX_TEACHER_VALUE} (float32 training would overflow); ${retrain}`);
    }
  }
}

/**
 * The teachers' train predictions for every example of the student's train set (row i = example i), read from
 * `<bam_dir>/models/<teacher>/outputs/<task>_train_predictions_1.json` and checked against the student's examples.
 */
export function loadTeacherTargets(config: RunConfig, tasks: Task[], data: FeaturizedDataset, maxOutputs: number): TeacherTargets {
  const targets: TeacherTargets = { logits: new Float32Array(data.n * maxOutputs), predictions: new Float32Array(data.n) };
  tasks.forEach((task, taskId) => {
    const teacher = config.teachers[task.name];
    if (teacher === undefined) throw new BamError(`"distill" is true but "teachers" names no teacher for ${task.name}; add "${task.name}": "<teacher model name>"`);
    const path = config.distill_inputs(task.name);
    const file = readPredictionFile(path, 'teacher file',
      `train the teacher first: bam run ${teacher} <bam_dir> '{"task_names": ["${task.name}"]}' writes it (with "write_distill_outputs": true, the default)`);
    const studentEids = new Set<number>();
    for (let i = 0; i < data.n; i++) if (data.taskIds[i] === taskId) studentEids.add(data.eids[i]);
    checkTeacherFile(path, file, task, teacher, studentEids, config);
    for (let i = 0; i < data.n; i++) {
      if (data.taskIds[i] === taskId) task.setTeacherTarget(file.predictions[String(data.eids[i])], targets, i, maxOutputs);
    }
  });
  return targets;
}
