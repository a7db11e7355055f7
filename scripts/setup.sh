#!/usr/bin/env bash
# Installs what blender-mcp-rs needs, idempotently, on a Debian/Ubuntu machine:
#   - the system libraries pip's bpy needs to render headless (Mesa EGL, X libs);
#   - a Python 3.11 venv with Blender 4.5 LTS as a module (pip's bpy==4.5.15),
#     cached outside the checkout so every clone and CI run reuses it;
#   - with --tests: pytest, hypothesis and the official MCP Python SDK (the
#     independent client the end-to-end tests drive the server with), and
#     Debian's blender + xvfb for the addon's GUI-path tests, and cargo-fuzz
#     for the fuzz smoke run.
# Prints the venv's python path on its last line.
set -euo pipefail

BPY_VERSION=4.5.15
CACHE=${BLENDER_MCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
VENV=$CACHE/venv
WITH_TESTS=0
for arg in "$@"; do
  case $arg in
    --tests) WITH_TESTS=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "[setup] $*" >&2; }

# System libraries bpy loads at import/render time.
need_pkgs=()
for p in libegl1 libegl-mesa0 libgl1 libxi6 libxxf86vm1 libxfixes3 libxrender1 libxkbcommon0 libsm6 libgomp1; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    log "missing system packages: ${need_pkgs[*]} — install them with apt-get (needs root)"; exit 1
  fi
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  log "installing ${need_pkgs[*]}"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# bpy 4.5 wheels exist for CPython 3.11 only.
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then PY=$c; break; fi
  done
fi
if [ -z "$PY" ]; then
  log "bpy $BPY_VERSION needs Python 3.11 and none was found (python3 is $(python3 --version 2>&1)). Install python3.11 or set PYTHON=/path/to/python3.11."
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV"
  mkdir -p "$CACHE"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
have() { "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2' if '$2' else 0)" 2>/dev/null; }
if ! have bpy "$BPY_VERSION"; then
  log "installing bpy==$BPY_VERSION (about 950 MB, once)"
  "$VENV/bin/python" -m pip install -q "bpy==$BPY_VERSION"
fi
if [ "$WITH_TESTS" = 1 ] && ! { have pytest "" && have hypothesis "" && have mcp ""; }; then
  log "installing the test tools (pytest, hypothesis, mcp)"
  "$VENV/bin/python" -m pip install -q pytest hypothesis "mcp>=2.3,<3"
fi
# The original Blender MCP server (PyPI), to test that it drives this addon
# unchanged over its own protocol. Its own venv: it pins its own mcp version.
ORIGINAL=$CACHE/original-mcp
if [ "$WITH_TESTS" = 1 ] && [ ! -x "$ORIGINAL/bin/blender-mcp" ]; then
  log "installing the original blender-mcp server (compatibility tests)"
  "$PY" -m venv "$ORIGINAL"
  "$ORIGINAL/bin/python" -m pip install -q "blender-mcp==2.0.0"
fi
# The addon's GUI path (a bpy.app.timers callback) and `blender -b` are tested
# on Debian's Blender binary under Xvfb: 169 MiB, about 25 s, once.
if [ "$WITH_TESTS" = 1 ] && ! { command -v blender && command -v xvfb-run && command -v xauth; } >/dev/null; then
  log "installing Debian's blender, xvfb and xauth for the GUI-path tests"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends blender xvfb xauth >/dev/null
fi
# cargo-fuzz for scripts/fuzz.sh (CI runs each target briefly). Installed
# into ~/.cargo/bin, outside the checkout: about 2 minutes to build, once.
CARGO_FUZZ_VERSION=0.13.2
if [ "$WITH_TESTS" = 1 ] && [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install -q --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" >&2
fi
echo "$VENV/bin/python"
