#!/usr/bin/env bash
# Peer benchmark: raphe (fast, full) against libRoadRunner on raphe's SBML export, interleaved in
# one run (benches/peer/run.py). Uses the test venv of .ci/test (created if missing).
#
#   benches/peer/bench.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet --bin raphe --example peer_timing
if ! .venv/bin/python -c "import libsbml, roadrunner, numpy" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet "numpy<3" "python-libsbml==5.21.2" "libroadrunner==2.10.0"
fi
target_dir=$(.ci/target-dir)
.venv/bin/python benches/peer/run.py "$target_dir/release" "${1:-5}" 2> >(grep -v "WARNING\|^\[" >&2)
