#!/usr/bin/env bash
# Runs every test of the project against the real parts: a real headless
# Blender (pip's bpy), a real Docker engine, the official MCP Python SDK.
# Installs what is missing first (idempotent; caches live outside the
# checkout). Exits non-zero if anything fails; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n=== %s ===\n' "$*"; }

step "setup"
PY=$(scripts/setup.sh --tests | tail -n 1)
export BLENDER_MCP_PYTHON=$PY
export BLENDER_MCP_GUI_TESTS=1   # the addon's GUI and `blender -b` paths, on Debian's Blender
CACHE=${BLENDER_MCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
export BLENDER_MCP_ORIGINAL_SERVER=$CACHE/original-mcp/bin/blender-mcp   # the original server drives our addon
scripts/docker-engine.sh start
trap 'scripts/docker-engine.sh stop || true' EXIT

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --lib -q   # the public API; bins document their CLI through clap

step "build"
cargo build --workspace --all-targets -q
# The container image (env-manager's end-to-end test) ships the release binary.
cargo build --release -q -p blender-bridge --bin blender-mcp-rs
TARGET=${CARGO_TARGET_DIR:-target}
if [ "$TARGET" != target ]; then
  mkdir -p target/release && cp "$TARGET/release/blender-mcp-rs" target/release/
fi

step "rust tests (unit, protocol vectors, client, launcher, faults, env-manager on Docker)"
ENVMGR_REQUIRE_DOCKER=1 cargo test --workspace -q -- --test-threads=2

step "the container image end to end (envmgr build + daemon + the bridge inside)"
ENVMGR_REQUIRE_DOCKER=1 ENVMGR_E2E=1 cargo test -q -p env-manager --test e2e -- --include-ignored

step "fuzz smoke (cargo-fuzz, 30 s per target; the instrumented build and the corpus are cached)"
scripts/fuzz.sh --seconds 30

step "python tests (addon, mcp-core transports, end to end over MCP, faults and load)"
# One run per suite: each has its own conftest and pytest settings.
for suite in addon/tests mcp-core/tests/python tests/e2e tests/faults; do
  echo "--- $suite"
  "$PY" -m pytest -q -p no:cacheprovider "$suite"
done

step "demo and benchmark smoke runs"
"$TARGET/debug/examples/mcp_demo" --server "$TARGET/debug/blender-mcp-rs" --out "$(mktemp -d)"
scripts/bench.sh --quick
