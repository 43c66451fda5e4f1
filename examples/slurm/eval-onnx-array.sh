#!/usr/bin/env bash
# Sharded ONNX evaluation as a Slurm job array, then the exact merge.
#
#   depthblocks export --format onnx --model runs/densedepth169/model     # -> runs/densedepth169/model/model.onnx
#   jid=$(sbatch --parsable examples/slurm/eval-onnx-array.sh runs/densedepth169/model/model.onnx run.json results/)
#   sbatch --dependency=afterok:$jid --wrap "npx depthblocks eval merge results/ --out results/merged.json"
#
# Each array task evaluates every N-th sample (depthblocks eval --shard auto reads SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT; arrays like --array=1-8 or 0-30:10 work too) on ONNX Runtime with the task's CPUs, and
# writes results/shard-<i>-of-<N>.json; `eval merge results/` gives exactly the single-run metrics.
#SBATCH --job-name=depthblocks-eval-onnx
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=6G
#SBATCH --time=02:00:00
#SBATCH --output=logs/eval-onnx-%A_%a.out
set -euo pipefail

MODEL=${1:?usage: eval-onnx-array.sh MODEL.onnx RUN_CONFIG.json RESULTS_DIR}
CONFIG=${2:?usage: eval-onnx-array.sh MODEL.onnx RUN_CONFIG.json RESULTS_DIR}
RESULTS=${3:?usage: eval-onnx-array.sh MODEL.onnx RUN_CONFIG.json RESULTS_DIR}
mkdir -p "$RESULTS" logs

npx depthblocks eval --model "$MODEL" --config "$CONFIG" --runtime onnx \
  --shard auto --out-dir "$RESULTS" --threads "${SLURM_CPUS_PER_TASK:-2}"
