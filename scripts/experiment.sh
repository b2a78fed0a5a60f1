#!/usr/bin/env bash
# The committed BAM experiment (experiments/glue-small.json), from scratch on this machine: lay out a bam_dir, then
# `bam experiment` (pretraining on the GLUE train text, then single-task, multi-task and BAM runs over 3 seeds),
# which skips what experiments/glue-small/ (and pretrained/ for the encoder) records as finished and resumes an
# interrupted step; finally the report.
# Rerun the same command after an interruption (Ctrl-C, a new sitting, a fresh machine with this checkout).
#
# usage: scripts/experiment.sh [BAM_DIR] [GLUE_DIR] [VOCAB]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BAM_DIR=${1:-$root/../bam-experiment}
GLUE_DIR=${2:-$root/../shared/data/glue}
VOCAB=${3:-$root/../shared/data/vocab/bert-base-uncased/vocab.txt}
RECIPE=$root/experiments/glue-small.json
RECORD=$root/experiments/glue-small
bam() { node "$root/bin/bam.js" "$@"; }

[ -d "$BAM_DIR/glue_data" ] || bam init "$BAM_DIR" --glue "$GLUE_DIR" --vocab "$VOCAB"
bam experiment "$BAM_DIR" "$RECIPE" --record "$RECORD" --encoders "$root/pretrained"
bam report "$RECORD" "$RECIPE" --pretrain "$root/pretrained/bam-small-mlm" --out "$RECORD/report"
