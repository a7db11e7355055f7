#!/usr/bin/env bash
# Make a local Debian bookworm base image with debootstrap + `docker import`.
#
#   env-manager/tests/support/make-debian-base.sh [IMAGE]   (default envmgr-test/debian:bookworm)
#
# Why: no image registry is reachable from CI, but apt is. The end-to-end test builds the
# project's real Dockerfile FROM this image (BASE_IMAGE build argument). Bookworm's python3 is
# 3.11, the only version pip's bpy 4.5 wheels support. Does nothing when the image exists.
set -euo pipefail
IMAGE="${1:-envmgr-test/debian:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "make-debian-base: $IMAGE exists" >&2
    exit 0
fi
ROOT="$(mktemp -d /tmp/envmgr-debootstrap.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT
echo "make-debian-base: debootstrap bookworm into $ROOT" >&2
debootstrap --variant=minbase --include=ca-certificates bookworm "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 \
    || { tail -n 30 "$ROOT.log" >&2; exit 1; }
rm -f "$ROOT.log"
# Same apt sources as the official debian image, so `apt-get update` in a build sees updates.
cat >"$ROOT/etc/apt/sources.list" <<SOURCES
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
tar -C "$ROOT" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap bookworm minbase for envmgr tests" - "$IMAGE" >/dev/null
echo "make-debian-base: built $IMAGE" >&2
