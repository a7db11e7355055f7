#!/usr/bin/env bash
# The benchmark suite: one command, a release build, a headless bpy Blender,
# one table of figures against their targets (docs/BENCHMARKS.md).
#
#   scripts/bench.sh           # full run, a few minutes
#   scripts/bench.sh --quick   # CI smoke: a few iterations, nothing asserted
#   scripts/bench.sh --gui     # the GUI path: Debian's Blender under xvfb-run, server attached (scripts/bench_gui.py)
#
# --quick uses the debug build CI has already made (a release build costs
# minutes on 2 cores and the smoke run exists only so the suite cannot rot);
# BENCH_PROFILE=release|debug overrides the choice.
#
# Uses the test venv of scripts/setup.sh --tests (made if missing); BLENDER_MCP_PYTHON overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=()
PROFILE=${BENCH_PROFILE:-release}
GUI=
if [[ "${1:-}" == "--gui" ]]; then
  GUI=1
  shift
fi
if [[ "${1:-}" == "--quick" ]]; then
  QUICK=(--quick)
  PROFILE=${BENCH_PROFILE:-debug}
fi
# The test venv (bpy + the MCP SDK), from the same keyed cache the tests use.
PY=${BLENDER_MCP_PYTHON:-$(scripts/setup.sh --tests | tail -n 1)}
[[ -x "$PY" ]] || { echo "no Python with bpy at $PY: run scripts/setup.sh --tests" >&2; exit 1; }
export BLENDER_MCP_PYTHON=$PY BLENDER_MCP_BLENDER=$PY
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(mktemp -d)
export BENCH_LOGS=$OUT

if [[ $PROFILE == release ]]; then
  cargo build --release -q -p blender-bridge --bin blender-mcp-rs --example bridge_bench --example stdio_bench
else
  cargo build -q -p blender-bridge --bin blender-mcp-rs --example bridge_bench --example stdio_bench
fi

if [[ -n $GUI ]]; then
  echo "profile: $PROFILE; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)" >&2
  "$PY" scripts/bench_gui.py --server "$TARGET/$PROFILE/blender-mcp-rs" --json-out "$OUT/gui.json" "${QUICK[@]}"
  echo "raw figures and logs: $OUT" >&2
  exit 0
fi

echo "profile: $PROFILE; machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $(date -u +%FT%TZ)" >&2
"$TARGET/$PROFILE/examples/bridge_bench" "${QUICK[@]}" --json "$OUT/bridge.json" >"$OUT/bridge.txt" 2>"$OUT/bridge.log"
"$TARGET/$PROFILE/examples/stdio_bench" --server "$TARGET/$PROFILE/blender-mcp-rs" "${QUICK[@]}" \
  --json "$OUT/stdio.json" --log "$OUT/stdio_bench_server.log" >"$OUT/stdio.txt" 2>"$OUT/stdio.log"
"$PY" scripts/bench_mcp.py --server "$TARGET/$PROFILE/blender-mcp-rs" --bridge-json "$OUT/bridge.json" \
  --stdio-json "$OUT/stdio.json" --json-out "$OUT/all.json" "${QUICK[@]}"
echo "raw figures and logs: $OUT" >&2
