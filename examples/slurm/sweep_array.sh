#!/usr/bin/env bash
# Run a raphe sweep as a Slurm job array: one shard per array task, then merge.
#
#   sbatch --array=0-15 examples/slurm/sweep_array.sh models/sweeps/spasm_sobol.toml out/sobol
#   # when all tasks are done:
#   raphe merge out/sobol/shard-* --out out/sobol/merged
#
# Each task runs a deterministic slice (--shard K/N) with the task's CPUs; the merged runs.csv
# is byte-identical to a single-machine run. A failed task can simply be resubmitted
# (sbatch --array=K ...): shards are independent and written atomically.
#SBATCH --job-name=raphe-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
set -euo pipefail
sweep_file=${1:?sweep file}
out=${2:?output folder}
tasks=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array}
k=${SLURM_ARRAY_TASK_ID:?run under sbatch --array}
raphe sweep "$sweep_file" --threads "${SLURM_CPUS_PER_TASK:-1}" --shard "$k/$tasks" --out "$out/shard-$k"
