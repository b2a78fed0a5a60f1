import {
  DEBUG_OVERRIDES,
  describeType,
  HPARAM_KEYS,
  HPARAM_SCHEMA,
  type HparamKey,
  type Hparams,
  SINGLE_TASK_OVERRIDES,
} from './hparams.js';
import { DERIVED_FIELDS, NOT_HPARAMS } from './resolve-config.js';

/** docs/hparams.md: the schema table rendered as Markdown (a test keeps the file equal to this). */
export function renderHparamsDoc(): string {
  const originalKeys = HPARAM_KEYS.filter((key) => HPARAM_SCHEMA[key].origin === 'original');
  const newKeys = HPARAM_KEYS.filter((key) => HPARAM_SCHEMA[key].origin === 'bam');
  return [
    '# bam hyperparameters',
    '',
    '<!-- Generated from src/config/hparams.ts by src/config/hparams-doc.ts; do not edit by hand. -->',
    '',
    'Pass them as one JSON object, `bam run <model_name> <bam_dir> \'{"debug": true, "task_names": ["rte"]}\'`, or in a',
    'file with `--hparams FILE.json`. When both are given, the file is read first and the keys of the JSON argument replace',
    'its keys (whole values: a `teachers` object is not merged). Keys keep the original\'s names, so its recipes work unchanged.',
    'An unknown key, a value of the wrong type or an impossible value stops the run with a message naming the key and the',
    'allowed values.',
    '',
    '## Order of resolution (as the original\'s configure.py)',
    '',
    '1. The defaults below.',
    '2. The user\'s hparams.',
    `3. With exactly one task in \`task_names\`: ${renderOverrides(SINGLE_TASK_OVERRIDES)}.`,
    `4. With \`debug\`: ${renderOverrides(DEBUG_OVERRIDES)}.`,
    '5. The user\'s hparams again, so a value the user gave always wins over steps 3 and 4.',
    '6. The derived fields (last table).',
    '',
    '## Hyperparameters of the original (same names and defaults)',
    '',
    '| hparam | default | allowed values | meaning | in bam |',
    '|---|---|---|---|---|',
    ...originalKeys.map((key) => {
      const spec = HPARAM_SCHEMA[key];
      return row([`\`${key}\``, renderDefault(key), describeType(spec.type), spec.meaning, spec.differs ?? 'as the original']);
    }),
    '',
    '## New in bam',
    '',
    '| hparam | default | allowed values | meaning | notes |',
    '|---|---|---|---|---|',
    ...newKeys.map((key) => {
      const spec = HPARAM_SCHEMA[key];
      return row([`\`${key}\``, renderDefault(key), describeType(spec.type), spec.meaning, spec.differs ?? 'new in bam']);
    }),
    '',
    '## Derived (not settable)',
    '',
    'Computed after resolution; giving one of these as an hparam stops the run and says what to set instead.',
    '',
    '| field | value | to change it |',
    '|---|---|---|',
    ...Object.entries(DERIVED_FIELDS).map(([key, field]) => row([`\`${key}\``, field.value, field.instead])),
    '',
    '## Not hyperparameters',
    '',
    '| name | why |',
    '|---|---|',
    ...Object.entries(NOT_HPARAMS).map(([key, why]) => row([`\`${key}\``, why])),
    '',
  ].join('\n');
}

function renderDefault(key: HparamKey): string {
  const spec = HPARAM_SCHEMA[key];
  const base = spec.defaultText ?? code(spec.default);
  const overrides = [
    [SINGLE_TASK_OVERRIDES, 'single-task'],
    [DEBUG_OVERRIDES, 'debug'],
  ] as const;
  const notes = overrides.flatMap(([values, when]) => (key in values ? [`${when}: ${code(values[key])}`] : []));
  return notes.length === 0 ? base : `${base} (${notes.join('; ')})`;
}

function renderOverrides(overrides: Readonly<Partial<Hparams>>): string {
  return Object.entries(overrides)
    .map(([key, value]) => `\`${key}\` = ${code(value)}`)
    .join(', ');
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

/** One Markdown table row. */
function row(cells: string[]): string {
  return `| ${cells.map(markdownCell).join(' | ')} |`;
}

/**
 * Outside `code` spans, backslashes and `<` are escaped so that Markdown shows them (`<bam_dir>` would be taken
 * for an HTML tag); `|` is escaped everywhere, since it would end the cell.
 */
function markdownCell(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replaceAll('\\', '\\\\').replaceAll('<', '&lt;')))
    .join('`')
    .replaceAll('|', '\\|');
}
