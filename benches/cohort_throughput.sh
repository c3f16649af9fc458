#!/usr/bin/env bash
# Cohort throughput benchmark (issue 12): patients/s on 2 threads for the 6-year human model,
# untreated and under each scenario of the issue, and peak memory at two cohort sizes (flat in
# N when it does not grow with N). Target: >= 2,000 patients/s for every scenario.
#
#   benches/cohort_throughput.sh          # 10,000 patients per scenario (slow scenarios: 400)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$(.ci/target-dir)/release/raphe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ -x /usr/bin/time ]] || { echo "needs GNU time (apt install time)"; exit 1; }

# run N SCENARIO -> prints "patients/s peakMB"
run() {
    local n=$1 scenario=$2 args=()
    [[ "$scenario" != untreated ]] && args=(--scenario "$scenario")
    rm -rf "$work/out"
    local stats
    stats=$(/usr/bin/time -f "%e %M" "$bin" cohort --n "$n" "${args[@]}" --threads 2 --out "$work/out" 2>&1 >/dev/null | tail -1)
    awk -v n="$n" -v s="${stats% *}" -v kb="${stats#* }" 'BEGIN { printf "%.0f %.1f\n", n / s, kb / 1024 }'
}

printf "%-28s %9s %12s %9s %s\n" "scenario (6-year human)" "patients" "patients/s" "peak MB" "target 2000/s"
for scenario in untreated baclofen_oral_tid escitalopram_early serotonin_precursor_5htp cyproheptadine_oral; do
    n=10000
    # The SSRI and 5-HTP keep 5-HT integrated dose by dose (docs/model.md §7): a smaller cohort.
    [[ "$scenario" == escitalopram_early || "$scenario" == serotonin_precursor_5htp ]] && n=400
    read -r rate mb < <(run "$n" "$scenario")
    printf "%-28s %9s %12s %9s %s\n" "$scenario" "$n" "$rate" "$mb" "$([[ $rate -ge 2000 ]] && echo met || echo missed)"
done
read -r _ small < <(run 2000 untreated)
read -r _ large < <(run 20000 untreated)
echo "peak memory untreated: ${small} MB at 2,000 patients, ${large} MB at 20,000"
