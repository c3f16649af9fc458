#!/usr/bin/env bash
# Figure rendering benchmark (issue 9): time to draw the 6-year course figure of the default
# human patient as PNG (180 mm, 300 dpi) and SVG, each drawn 9 times, interleaved; prints the
# medians and the time of the simulation that produced the folder, for scale.
#
#   benches/plot_render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$(.ci/target-dir)/release/raphe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s%N; }
t0=$(now); "$bin" simulate --scenario baclofen_tizanidine_combination --out "$work/run" >/dev/null; t1=$(now)
echo "simulate (6 years, two drugs): $(( (t1 - t0) / 1000000 )) ms"
png=(); svg=()
for _ in 1 2 3 4 5 6 7 8 9; do
    a=$(now); "$bin" plot course "$work/run" --out "$work/c.png" >/dev/null; b=$(now)
    "$bin" plot course "$work/run" --out "$work/c.svg" >/dev/null; c=$(now)
    png+=($(( (b - a) / 1000000 ))); svg+=($(( (c - b) / 1000000 )))
done
median() { printf '%s\n' "$@" | sort -n | sed -n 5p; }
echo "plot course PNG 180 mm 300 dpi (median of 9, ms, whole process): $(median "${png[@]}")"
echo "plot course SVG (median of 9, ms, whole process): $(median "${svg[@]}")"
echo "sizes: $(stat -c %s "$work/c.png") bytes PNG, $(stat -c %s "$work/c.svg") bytes SVG"
