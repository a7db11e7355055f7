#!/usr/bin/env bash
# Start (or stop) a Docker engine for the env-manager integration tests.
#
#   scripts/docker-engine.sh start    # install if missing, start dockerd if no daemon answers, wait
#   scripts/docker-engine.sh stop     # stop the dockerd this script started (and nothing else)
#   scripts/docker-engine.sh status   # say whether a daemon answers and who started it
#
# Why a script: CI machines (and this one) have Debian's docker.io installed or installable but
# no init system running dockerd. The tests need a real engine, so CI starts one by hand and stops
# it afterwards. A daemon that was already answering is left alone by `stop`.
#
# Settings (environment):
#   DOCKER_ENGINE_STATE   folder for the pidfile and log   (default /tmp/envmgr-dockerd)
#   DOCKER_ENGINE_WAIT    seconds to wait for the daemon   (default 60)
#   DOCKER_ENGINE_EXTRA_PATH  folder prepended to dockerd's PATH (the GPU tests use this to put a
#                         fake nvidia-container-runtime-hook in front of dockerd; see
#                         env-manager/tests/gpu.rs)
set -euo pipefail

STATE_DIR="${DOCKER_ENGINE_STATE:-/tmp/envmgr-dockerd}"
# Written by dockerd itself (the real daemon's pid); its presence means "started by this script".
PIDFILE="$STATE_DIR/dockerd.pid"
LOGFILE="$STATE_DIR/dockerd.log"
WAIT_SECS="${DOCKER_ENGINE_WAIT:-60}"

log() { echo "docker-engine: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

daemon_answers() {
    docker info >/dev/null 2>&1
}

install_if_missing() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    [ -x /bin/busybox ] && file_is_static /bin/busybox || missing+=(busybox-static)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]} with apt"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

# The test images copy /bin/busybox into a FROM-scratch image, so it must be the static build.
file_is_static() {
    ! ldd "$1" >/dev/null 2>&1
}

start() {
    install_if_missing
    if daemon_answers; then
        log "a Docker daemon already answers; leaving it alone"
        return 0
    fi
    mkdir -p "$STATE_DIR"
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        log "dockerd (pid $(cat "$PIDFILE")) is starting already; waiting for it"
    else
        rm -f "$PIDFILE"
        log "starting dockerd (log: $LOGFILE)"
        local path="$PATH"
        [ -n "${DOCKER_ENGINE_EXTRA_PATH:-}" ] && path="$DOCKER_ENGINE_EXTRA_PATH:$PATH"
        # setsid --fork: dockerd outlives this shell and gets none of the CI job's signals.
        as_root env PATH="$path" setsid --fork dockerd --pidfile "$PIDFILE" \
            >"$LOGFILE" 2>&1 </dev/null
    fi
    local waited=0
    until daemon_answers; do
        if [ "$waited" -ge 5 ] && ! { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }; then
            log "dockerd exited while starting; last lines of $LOGFILE:"
            tail -n 20 "$LOGFILE" >&2 || true
            rm -f "$PIDFILE"
            return 1
        fi
        if [ "$waited" -ge "$WAIT_SECS" ]; then
            log "dockerd did not answer within ${WAIT_SECS}s; see $LOGFILE"
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "Docker daemon ready after ${waited}s ($(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null))"
}

stop() {
    if [ ! -f "$PIDFILE" ]; then
        log "no dockerd started by this script; nothing to stop"
        return 0
    fi
    local pid
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping dockerd (pid $pid)"
        as_root kill -TERM "$pid"
        local waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
            sleep 1
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "dockerd did not stop within 30s; sending KILL"
            as_root kill -KILL "$pid" || true
        fi
    fi
    rm -f "$PIDFILE"
}

status() {
    if daemon_answers; then
        echo "a Docker daemon answers"
    else
        echo "no Docker daemon answers"
    fi
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        echo "started by this script: pid $(cat "$PIDFILE"), log $LOGFILE"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
