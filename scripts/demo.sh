#!/usr/bin/env bash
# The main job: a small, real BAM run on GLUE data, fine-tuned from the encoder that `bam pretrain` made with the
# committed recipe (pretrained/bam-small-mlm: 4 layers of width 128, masked-LM
# pretrained on the GLUE train text). Single-task teachers for SST-2 and STS-B, a multi-task SST-2+STS-B model and a
# BAM student distilled from the teachers with teacher annealing, each on the first 2000 train rows of each task for
# 2 epochs; then their dev results beside the majority-class baseline.
#
# It writes to a fresh folder of its own (printed first), never to an exported $BAM_DIR, so that it cannot touch a
# user's models; pass BAM_DIR as the first argument to choose the folder (bam refuses model folders of other runs).
#
# usage: scripts/demo.sh [BAM_DIR] [GLUE_DIR] [VOCAB]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BAM_DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/bam-demo-XXXXXX")}
GLUE_DIR=${2:-$root/../shared/data/glue}
VOCAB=${3:-$root/../shared/data/vocab/bert-base-uncased/vocab.txt}
ENCODER=$root/pretrained/bam-small-mlm
bam() { node "$root/bin/bam.js" "$@"; }

common='"pretrained_model_dir": "'$ENCODER'", "train_max_examples": {"sst": 2000, "sts": 2000}, "num_train_epochs": 2, "learning_rate": 2e-4, "train_batch_size": 32, "double_unordered": false, "dataset_multiples": false, "write_test_outputs": false, "iterations_per_loop": 50'
echo "demo: writing to $BAM_DIR; encoder $ENCODER"
bam init "$BAM_DIR" --glue "$GLUE_DIR" --vocab "$VOCAB"
bam run sst-model "$BAM_DIR" "{$common, \"task_names\": [\"sst\"]}"
bam run sts-model "$BAM_DIR" "{$common, \"task_names\": [\"sts\"]}"
bam run sst-sts-model "$BAM_DIR" "{$common, \"task_names\": [\"sst\", \"sts\"]}"
bam run sst-sts-bam-model "$BAM_DIR" "{$common, \"task_names\": [\"sst\", \"sts\"], \"distill\": true, \"teachers\": {\"sst\": \"sst-model\", \"sts\": \"sts-model\"}}"

echo
echo "Dev results (2000 train rows per task, 2 epochs, from the committed pretrained encoder; models are in $BAM_DIR/models):"
bam results "$BAM_DIR" sst-model sts-model sst-sts-model sst-sts-bam-model --baseline
