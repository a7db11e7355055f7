#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (the bridge's frame decoder and
# message parser) on the stable toolchain, sanitizer off: the targets check
# their properties with assertions and the code under test has no `unsafe`.
#
#   scripts/fuzz.sh              # 10 minutes per target (the local run)
#   scripts/fuzz.sh --seconds 30 # what CI runs (scripts/test.sh)
#
# The instrumented build and the corpus live in the cache, outside the
# checkout: CI rebuilds only what changed, and each run starts from the
# corpus every earlier run grew (plus the committed fuzz/seeds/). Exits
# non-zero on a crash, a timeout or a leak; the input is kept in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=600
while (($#)); do
  case $1 in
    --seconds) SECONDS_PER_TARGET=${2:?--seconds needs a number}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

command -v cargo-fuzz >/dev/null || {
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked (scripts/setup.sh --tests does it)" >&2
  exit 1
}
CACHE=${BLENDER_MCP_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
export CARGO_TARGET_DIR=$CACHE/fuzz-target
cd fuzz
cargo fuzz build -O -s none
for target in frame_decoder message_parser; do
  corpus=$CACHE/fuzz-corpus/$target
  mkdir -p "$corpus"
  echo "--- $target: ${SECONDS_PER_TARGET} s from $(find "$corpus" -type f | wc -l) corpus entries + seeds" >&2
  log=$(mktemp)
  if ! cargo fuzz run -O -s none "$target" "$corpus" "seeds/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: $target failed; the input is in fuzz/artifacts/$target/ (log: $log)" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$log" >&2 || true
  rm -f "$log"
done
