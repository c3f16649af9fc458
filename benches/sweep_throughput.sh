#!/usr/bin/env bash
# Sweep throughput benchmark (issue 4): the 5-year human preset under oral baclofen q8h,
# Latin hypercube over disease and regimen parameters (models/sweeps/baclofen_lhs_benchmark.toml),
# fast path, no trajectories written. Prints runs/s on 1 and 2 threads, peak memory, and the
# fast/full ratio measured on a subsample in the same run (the full path is the reference).
#
#   benches/sweep_throughput.sh            # 10,000 runs on 1 and 2 threads, 40 runs full
#   benches/sweep_throughput.sh --million  # also 1,000,000 runs on 2 threads (about 12 min)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$(.ci/target-dir)/release/raphe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sweep=models/sweeps/baclofen_lhs_benchmark.toml
timer=(/usr/bin/time -f "%e %M")
[[ -x /usr/bin/time ]] || { echo "needs GNU time (apt install time)"; exit 1; }

# run N THREADS FIDELITY -> prints "runs/s peakMB"
run() {
    local n=$1 threads=$2 fidelity=$3 file="$work/sweep_$1_$3.toml"
    sed -e "s/^samples = .*/samples = $n/" -e "s/^name = .*/name = \"bench\"\nfidelity = \"$fidelity\"/" "$sweep" >"$file"
    rm -rf "$work/out"
    local stats
    stats=$("${timer[@]}" "$bin" sweep "$file" --threads "$threads" --out "$work/out" 2>&1 >/dev/null | tail -1)
    local seconds=${stats% *} kb=${stats#* }
    awk -v n="$n" -v s="$seconds" -v kb="$kb" 'BEGIN { printf "%.0f %.1f\n", n / s, kb / 1024 }'
}

printf "%-44s %12s %12s\n" "case (5-year human, baclofen q8h, LHS)" "runs/s" "peak MB"
read -r full1 fullmb < <(run 40 1 full)
printf "%-44s %12s %12s\n" "40 runs, full path, 1 thread" "$full1" "$fullmb"
read -r fast1 mb1 < <(run 10000 1 fast)
printf "%-44s %12s %12s\n" "10,000 runs, fast path, 1 thread" "$fast1" "$mb1"
read -r fast2 mb2 < <(run 10000 2 fast)
printf "%-44s %12s %12s\n" "10,000 runs, fast path, 2 threads" "$fast2" "$mb2"
awk -v a="$fast1" -v b="$fast2" -v f="$full1" 'BEGIN {
    printf "2 threads / 1 thread: %.2fx; fast / full (1 thread): %.0fx; target 2000 runs/s on 2 threads: %s\n",
        b / a, a / f, (b >= 2000 ? "met" : "missed") }'
if [[ "${1:-}" == "--million" ]]; then
    read -r fastm mbm < <(run 1000000 2 fast)
    printf "%-44s %12s %12s\n" "1,000,000 runs, fast path, 2 threads" "$fastm" "$mbm"
fi
