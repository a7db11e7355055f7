#!/usr/bin/env bash
# Prints the path of a Python venv that has exactly what requirement files pin.
#
#   scripts/venv.sh NAME REQUIREMENTS...
#
# The venv lives at $BLENDER_MCP_CACHE/venvs/NAME-KEY, where KEY hashes the
# interpreter's version and the files' contents, the way CI caches key on a
# lockfile: change a pin and the tests run in a new venv, never in one
# patched by hand. An existing venv is used only when it passes
# scripts/venv_check.py (every pin installed at its version, every import
# working, the installed packages exactly those recorded when it was built);
# otherwise it is removed and built again.
#
# The interpreter is the `# python: X.Y` of the files (pythonX.Y on PATH or
# under pyenv), else python3; $PYTHON overrides. Wheels are kept in
# $BLENDER_MCP_WHEELS (default ~/.cache/blender-mcp-rs-wheels), so a venv
# rebuilt from nothing downloads nothing twice.
set -euo pipefail

[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
NAME=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHECK=$ROOT/scripts/venv_check.py
CACHE=${BLENDER_MCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
WHEELS=${BLENDER_MCP_WHEELS:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs-wheels}
log() { echo "[venv] $*" >&2; }

# pythonX.Y from PATH, else pyenv's newest X.Y (pyenv's shims answer for
# versions that are not active, so each candidate is asked its version).
find_python() {
  local want=$1 candidate
  for candidate in "python$want" $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want".*/bin/python"$want" 2>/dev/null | sort -rV); do
    if "$candidate" -c "import sys; sys.exit('%d.%d' % sys.version_info[:2] != '$want')" 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  return 1
}

want=$(sed -n 's/^# python: *//p' "$@" | head -n 1)
PY=${PYTHON:-}
if [ -z "$PY" ] && [ -n "$want" ]; then
  PY=$(find_python "$want") || {
    log "$NAME needs Python $want and none was found (not on PATH, not under pyenv). Install python$want or set PYTHON=/path/to/python$want."
    exit 1
  }
fi
PY=${PY:-python3}
"$PY" "$CHECK" --syntax "$@"

key=$({ "$PY" -VV; cat "$@"; } | sha256sum | cut -c1-12)
VENV=$CACHE/venvs/$NAME-$key
if [ -f "$VENV/.complete" ] && "$VENV/bin/python" "$CHECK" "$@" --frozen "$VENV/.complete" 2>/dev/null; then
  echo "$VENV"
  exit 0
fi
if [ -e "$VENV" ]; then
  log "$VENV is incomplete or no longer what $* pin; building it again"
  "$VENV/bin/python" "$CHECK" "$@" --frozen "$VENV/.complete" || true
  rm -rf "$VENV"
fi
log "building $VENV from $* (Python $("$PY" -c 'import platform; print(platform.python_version())'))"
mkdir -p "$CACHE/venvs" "$WHEELS"
"$PY" -m venv "$VENV"
reqs=()
for file in "$@"; do reqs+=(-r "$file"); done
"$VENV/bin/python" -m pip download -q --dest "$WHEELS" --find-links "$WHEELS" "${reqs[@]}" >&2
"$VENV/bin/python" -m pip install -q --no-index --find-links "$WHEELS" "${reqs[@]}" >&2
"$VENV/bin/python" "$CHECK" "$@" --record "$VENV/.complete"
echo "$VENV"
