#!/usr/bin/env bash
# Installs what blender-mcp-rs needs, idempotently, on a Debian/Ubuntu machine:
#   - the system libraries pip's bpy needs to render headless (Mesa EGL, X libs);
#   - a venv with Blender 4.5 LTS as a module (requirements/blender-4.5.txt),
#     linked as $CACHE/venv, where the server looks for a Blender to launch;
#   - with --tests, instead: the test venv (bpy 4.5 and requirements/test.txt:
#     pytest, hypothesis, the official MCP SDK, ruff), a venv with the newest
#     Blender (requirements/blender-5.3.txt, Python 3.13), the original
#     Blender MCP server's venv, Debian's blender + xvfb for the addon's GUI
#     path, Debian's Slurm and munge for the render-farm tests, and cargo-fuzz.
# Every venv comes from scripts/venv.sh: keyed on its pinned files, checked
# before use, rebuilt (never patched) when it does not match them.
# $CACHE is $BLENDER_MCP_CACHE, else ~/.cache/blender-mcp-rs.
#
#   scripts/setup.sh            # prints the Blender venv's python on its last line
#   scripts/setup.sh --tests    # prints the test venv's python on its last line
#   scripts/setup.sh --tests --env   # prints `export NAME=VALUE` lines for scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${BLENDER_MCP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/blender-mcp-rs}
export BLENDER_MCP_CACHE=$CACHE
WITH_TESTS=0
PRINT_ENV=0
for arg in "$@"; do
  case $arg in
    --tests) WITH_TESTS=1 ;;
    --env) PRINT_ENV=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "[setup] $*" >&2; }

# apt-get install PACKAGES... for those not installed yet.
apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "missing system packages: ${missing[*]} — install them with apt-get (needs root)"; exit 1; }
    sudo=sudo
  fi
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The libraries bpy loads at import and render time.
apt_install libegl1 libegl-mesa0 libgl1 libxi6 libxxf86vm1 libxfixes3 libxrender1 libxkbcommon0 libsm6 libgomp1

if [ "$WITH_TESTS" = 0 ]; then
  BLENDER=$(scripts/venv.sh blender-4.5 requirements/blender-4.5.txt)
  # The fixed path the server's launcher and the README name. An older
  # setup.sh made a real venv there: it is replaced by the link.
  [ -L "$CACHE/venv" ] || rm -rf "$CACHE/venv"
  ln -sfn "$BLENDER" "$CACHE/venv"
  echo "$BLENDER/bin/python"
  exit 0
fi

TEST_VENV=$(scripts/venv.sh test-4.5 requirements/blender-4.5.txt requirements/test.txt)
BLENDER_5=$(scripts/venv.sh blender-5.3 requirements/blender-5.3.txt)
ORIGINAL=$(scripts/venv.sh original-server requirements/original-server.txt)
# The addon's GUI path (a bpy.app.timers callback) and `blender -b` are
# tested on Debian's Blender binary under Xvfb: 169 MiB, about 25 s, once.
apt_install blender xvfb xauth
# A real Slurm for the render-farm tests (envmgr farm up starts it).
apt_install munge slurmctld slurmd slurm-client
# ffmpeg: the render farm makes an MP4 of a finished job where it is installed.
apt_install ffmpeg
# cargo-fuzz for scripts/fuzz.sh: into ~/.cargo/bin, about 2 minutes, once.
CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install -q --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" >&2
fi

if [ "$PRINT_ENV" = 1 ]; then
  printf 'export %s=%q\n' \
    BLENDER_MCP_PYTHON "$TEST_VENV/bin/python" \
    BLENDER_MCP_PYTHON_NEWEST "$BLENDER_5/bin/python" \
    BLENDER_MCP_ORIGINAL_SERVER "$ORIGINAL/bin/blender-mcp" \
    RUFF "$TEST_VENV/bin/ruff"
else
  echo "$TEST_VENV/bin/python"
fi
