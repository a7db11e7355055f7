#!/usr/bin/env bash
# The main job: sets up what is missing (bpy venv, release build), then runs
# the MCP server on a real headless Blender and a short scripted demo that
# drives it over MCP — builds a scene, inspects it, saves out/demo.png.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
echo "[demo] building (release)…" >&2
cargo build --release -q -p blender-bridge --bin blender-mcp-rs --example mcp_demo
exec target/release/examples/mcp_demo --server target/release/blender-mcp-rs --out "${1:-out}"
