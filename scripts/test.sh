#!/usr/bin/env bash
# Runs every test of the project against the real parts: a real headless
# Blender (pip's bpy), a real Docker engine, the official MCP Python SDK.
# Installs what is missing first (idempotent; caches live outside the
# checkout). Exits non-zero if anything fails; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n=== %s === (at %d s)\n' "$*" "$SECONDS"; }

step "setup"
# Caches that outlive this run (build outputs, the fuzz corpus, downloaded
# wheels) are named before HOME moves below.
export BLENDER_MCP_BUILD_CACHE=${BLENDER_MCP_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
export BLENDER_MCP_WHEELS=${BLENDER_MCP_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs-wheels}
export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
# BLENDER_MCP_PYTHON (the test venv: bpy 4.5 + test tools), BLENDER_MCP_PYTHON_NEWEST
# (bpy 5.3), BLENDER_MCP_ORIGINAL_SERVER, RUFF.
eval "$(scripts/setup.sh --tests --env)"
PY=$BLENDER_MCP_PYTHON
export BLENDER_MCP_GUI_TESTS=1     # the addon's GUI and `blender -b` paths, on Debian's Blender
"$PY" -c 'import bpy, pytest, hypothesis, mcp' >/dev/null   # every import the suites need
"$BLENDER_MCP_PYTHON_NEWEST" -c 'import bpy' >/dev/null

# No test sees the real home directory: a token file or cache left there by
# an earlier run (or by the user's own Blender) must not decide a result.
TEST_HOME=$(mktemp -d -t blender-mcp-test-home.XXXXXX)
export HOME=$TEST_HOME XDG_CONFIG_HOME=$TEST_HOME/.config XDG_CACHE_HOME=$TEST_HOME/.cache \
  XDG_DATA_HOME=$TEST_HOME/.local/share XDG_STATE_HOME=$TEST_HOME/.local/state
export BLENDER_MCP_ISOLATED_HOME=$TEST_HOME
scripts/docker-engine.sh start
trap 'scripts/docker-engine.sh stop || true; rm -rf "$TEST_HOME"' EXIT

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --lib -q   # the public API; bins document their CLI through clap
"$RUFF" check .            # Python: the addon, the tools' snippets, tests, scripts (ruff.toml)
"$RUFF" format --check .

step "build"
cargo build --workspace --all-targets -q
# The container image (env-manager's end-to-end test) ships the release binary.
cargo build --release -q -p blender-bridge --bin blender-mcp-rs
TARGET=${CARGO_TARGET_DIR:-target}
if [ "$TARGET" != target ]; then
  mkdir -p target/release && cp "$TARGET/release/blender-mcp-rs" target/release/
fi

step "a two-node Slurm on this machine (envmgr farm up), for the render-farm tests"
FARM_STATE=$(mktemp -d -t blender-mcp-farm.XXXXXX)
"$TARGET/debug/envmgr" farm up --state-dir "$FARM_STATE"
trap '"$TARGET/debug/envmgr" farm down --state-dir "$FARM_STATE" || true; scripts/docker-engine.sh stop || true; rm -rf "$TEST_HOME"' EXIT
export SLURM_CONF=$FARM_STATE/slurm.conf

step "rust tests (unit, protocol vectors, client, launcher, faults, render farm on Slurm, env-manager on Docker)"
# BLENDER_MCP_BLENDER: the Blender the launcher tests start (the temporary HOME has no venv link).
BLENDER_MCP_BLENDER=$PY ENVMGR_REQUIRE_DOCKER=1 cargo test --workspace -q -- --test-threads=2

step "the container image end to end (envmgr build + daemon + the bridge inside)"
ENVMGR_REQUIRE_DOCKER=1 ENVMGR_E2E=1 cargo test -q -p env-manager --test e2e -- --include-ignored

step "fuzz smoke (cargo-fuzz, 30 s per target; the instrumented build and the corpus are cached)"
scripts/fuzz.sh --seconds 30

step "python tests (addon, mcp-core transports, end to end over MCP, faults and load)"
# One run per suite: each has its own conftest and pytest settings.
for suite in tests/setup addon/tests mcp-core/tests/python tests/e2e tests/faults; do
  echo "--- $suite"
  "$PY" -m pytest -q -p no:cacheprovider "$suite"
done

step "typed tools on the newest Blender (bpy 5.3)"
# The runner stays the test venv; the servers under test launch bpy 5.3.
# The farm and GUI-host tests are left to the run above: they do not depend
# on the Blender the server launches (GUI tests use Debian's Blender 3.4).
BLENDER_MCP_PYTHON=$BLENDER_MCP_PYTHON_NEWEST BLENDER_MCP_BLENDER=$BLENDER_MCP_PYTHON_NEWEST \
  "$PY" -m pytest -q -p no:cacheprovider -k "not gui" \
  tests/e2e/test_tools_*.py tests/e2e/test_whole_scene.py tests/e2e/test_stdio_tools.py \
  tests/e2e/test_tool_groups.py tests/e2e/test_subscriptions.py tests/e2e/test_tasks.py \
  tests/e2e/test_confirm.py tests/e2e/test_skills.py \
  --ignore tests/e2e/test_tools_hosts.py --ignore tests/e2e/test_tools_gui_anim_mesh_views.py

step "demo and benchmark smoke runs"
BLENDER_MCP_BLENDER=$PY "$TARGET/debug/examples/mcp_demo" --server "$TARGET/debug/blender-mcp-rs" --out "$(mktemp -d)"
scripts/bench.sh --quick
