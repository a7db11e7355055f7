#!/usr/bin/env bash
# Container entrypoint: Xvfb on :99, headless Blender serving the bridge, the tools in tmux.
#
#   (no arguments)   run the services until stopped (envmgr daemon)
#   COMMAND...       start the services, run COMMAND in the foreground (envmgr start bash),
#                    then stop the services and exit with COMMAND's status
#
# Signals: Docker's --init (tini) is PID 1 and forwards SIGTERM/SIGINT here; the trap stops
# Blender, Xvfb and tmux and exits 0, so `envmgr stop` is clean rather than a SIGKILL after the
# grace period. If Blender dies on its own, this script exits with its status, the container
# dies, and `envmgr watch` restarts it.
set -uo pipefail

LOG_DIR="${ENVMGR_LOG_DIR:-/workspace/logs}"
if ! mkdir -p "$LOG_DIR" 2>/dev/null || ! [ -w "$LOG_DIR" ]; then
    echo "entrypoint: $LOG_DIR is not writable by $(id -un) (UID $(id -u)); logging to /tmp/logs" >&2
    LOG_DIR=/tmp/logs
    mkdir -p "$LOG_DIR"
fi
log() { echo "entrypoint: $*" | tee -a "$LOG_DIR/entrypoint.log" >&2; }

BRIDGE_PORT="${BLENDER_MCP_PORT:-9876}"
# Inside the container the bridge must bind all interfaces for Docker's port forwarding to reach
# it; the host side is published on 127.0.0.1 only (envmgr's default). The token is always on:
# BLENDER_MCP_TOKEN from .env, or the addon generates one in ~/.config/blender-mcp-rs/token.
BRIDGE_HOST="${BLENDER_MCP_BIND_HOST:-0.0.0.0}"
[ -n "${BLENDER_MCP_TOKEN:-}" ] || unset BLENDER_MCP_TOKEN

pids=()

stop_services() {
    log "stopping services"
    tmux kill-server 2>/dev/null || true
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}

on_signal() {
    log "got $1"
    stop_services
    exit 0
}
trap 'on_signal SIGTERM' TERM
trap 'on_signal SIGINT' INT

# 1. Virtual display (Blender's GPU module and add-ons that open windows expect one).
Xvfb :99 -screen 0 1920x1080x24 -nolisten tcp >"$LOG_DIR/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=:99

# 2. Headless Blender with the bridge addon.
bridge_args=(--host "$BRIDGE_HOST" --port "$BRIDGE_PORT")
case "${BLENDER_SOURCE:-tarball}" in
    pip)
        PYTHONPATH=/opt/blender-mcp/addon /opt/blender-venv/bin/python -m blender_mcp_addon "${bridge_args[@]}" \
            > >(tee -a "$LOG_DIR/blender.log") 2>&1 &
        ;;
    *)
        blender -b --factory-startup --python /opt/blender-mcp/addon/keep_alive.py -- "${bridge_args[@]}" \
            > >(tee -a "$LOG_DIR/blender.log") 2>&1 &
        ;;
esac
BLENDER_PID=$!
pids+=("$BLENDER_PID")
log "Blender ($BLENDER_SOURCE) starting, pid $BLENDER_PID, bridge on $BRIDGE_HOST:$BRIDGE_PORT"

# 3. Tools in tmux (session `dev`): the Blender log, and a shell for claude-flow / ruv-swarm
#    when installed. Their MCP servers are stdio servers, started by the MCP client that uses
#    them (e.g. `claude mcp add claude-flow -- claude-flow mcp start`), so nothing listens here.
tmux new-session -d -s dev -n blender-log "tail -F $LOG_DIR/blender.log" 2>>"$LOG_DIR/tmux.log" \
    && log "tmux session 'dev' started (attach: envmgr exec tmux attach -t dev)"
if command -v claude-flow >/dev/null 2>&1; then
    tmux new-window -t dev -n agents -c /workspace/work \
        "npm ls -g --depth=0; exec bash" \
        2>>"$LOG_DIR/tmux.log" || true
fi

if [ "$#" -gt 0 ]; then
    "$@"
    status=$?
    stop_services
    exit "$status"
fi

wait "$BLENDER_PID"
status=$?
log "Blender exited with status $status"
stop_services
exit "$status"
