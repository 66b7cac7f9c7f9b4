#!/usr/bin/env bash
# Make a local Python base image from Debian packages, for machines that cannot pull images:
# debootstrap (minbase) a Debian root file system with python3 and python3-venv, then
# `docker import` it. Usage: tools/build/base-image.sh [IMAGE] [SUITE]
#   IMAGE defaults to mono-base/python:3.11-bookworm, SUITE to bookworm (whose python3 is 3.11).
# Needs root, debootstrap and a reachable Debian mirror (MIRROR overrides the default one).
# Does nothing when IMAGE exists already (FORCE=1 makes it again). Then build with
#   ./mono build APP --base-image IMAGE        or   MONO_BASE_IMAGE=IMAGE ./mono build APP
set -euo pipefail

image=${1:-mono-base/python:3.11-bookworm}
suite=${2:-bookworm}
docker=${DOCKER:-docker}

if [ "${FORCE:-0}" != 1 ] && "$docker" image inspect "$image" >/dev/null 2>&1; then
    echo "base image $image exists (FORCE=1 makes it again)"
    exit 0
fi
if ! command -v debootstrap >/dev/null; then
    echo "base-image.sh: debootstrap is not installed (hint: apt-get install -y debootstrap)" >&2
    exit 2
fi
rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
echo "debootstrap $suite into $rootfs (about a minute)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$suite" "$rootfs" ${MIRROR:+"$MIRROR"} >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2
    exit 1
}
rm -f "$rootfs.log"
# What an image needs and a root file system for a machine does not: apt lists, docs, caches.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
tar -C "$rootfs" -c . | "$docker" import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    - "$image" >/dev/null
echo "made $image ($("$docker" image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}'))"
