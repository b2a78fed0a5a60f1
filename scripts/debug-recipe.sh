#!/usr/bin/env bash
# The original BAM's debug recipe, end to end on real GLUE data: lay out a bam_dir with `bam init`, train
# single-task teachers for RTE and MRPC, a multi-task RTE+MRPC model and a BAM student distilled from the teachers
# with teacher annealing (each a small randomly initialised BERT, as the original's debug mode), then print the
# dev results side by side.
#
# It writes to a fresh folder of its own (printed first), never to an exported $BAM_DIR, so that it cannot touch a
# user's models; pass BAM_DIR as the first argument to choose the folder (bam refuses model folders of other runs).
#
# usage: scripts/debug-recipe.sh [BAM_DIR] [GLUE_DIR] [VOCAB]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BAM_DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/bam-demo-XXXXXX")}
GLUE_DIR=${2:-$root/../shared/data/glue}
VOCAB=${3:-$root/../shared/data/vocab/bert-base-uncased/vocab.txt}
bam() { node "$root/bin/bam.js" "$@"; }

echo "demo: writing to $BAM_DIR"
bam init "$BAM_DIR" --glue "$GLUE_DIR" --vocab "$VOCAB"
bam run rte-model "$BAM_DIR" '{"debug": true, "task_names": ["rte"]}'
bam run mrpc-model "$BAM_DIR" '{"debug": true, "task_names": ["mrpc"]}'
bam run rte-mrpc-model "$BAM_DIR" '{"debug": true, "task_names": ["rte", "mrpc"]}'
bam run rte-mrpc-bam-model "$BAM_DIR" '{"debug": true, "task_names": ["rte", "mrpc"], "distill": true, "teachers": {"rte": "rte-model", "mrpc": "mrpc-model"}}'

echo
echo "Dev results (debug models: 3 layers of width 144 trained from scratch on 49 examples per task; models are in $BAM_DIR/models):"
bam results "$BAM_DIR" rte-model mrpc-model rte-mrpc-model rte-mrpc-bam-model
