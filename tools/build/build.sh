#!/bin/sh
# The original entry point, kept: `tools/build/build.sh APP [OPTIONS]` builds APP's image, from
# any folder. It is `./mono build APP [OPTIONS]` (see docs/docker.md): the image is built from a
# context assembled outside the repository, and no file of the repository is changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -eq 0 ]; then
    echo "usage: tools/build/build.sh APP [--base-image IMAGE] [--tag TAG] [--push]" >&2
    exit 2
fi

# The base image first, as `./mono build` chooses it (--base-image, MONO_BASE_IMAGE, the setting,
# the default): on a fresh clone ./mono spends its first minute setting up .mono/venv, and a
# missing base image should not be news that waits for that.
base=""
previous=""
for argument in "$@"; do
    case $argument in
        --base-image=*) base=${argument#--base-image=} ;;
        *) [ "$previous" = --base-image ] && base=$argument ;;
    esac
    previous=$argument
done
if [ -z "$base" ]; then
    base=${MONO_BASE_IMAGE:-}
fi
if [ -z "$base" ]; then
    # The setting, read with Python's own TOML parser when there is one (3.11+); else the default.
    base=$(python3 -c 'import sys, tomllib
with open(sys.argv[1], "rb") as file:
    print(tomllib.load(file).get("tool", {}).get("mono", {}).get("docker", {}).get("base-image", ""))' \
        "$root/pyproject.toml" 2>/dev/null || true)
fi
base=${base:-python:3.11-slim-bookworm}
client=${MONO_DOCKER:-docker}
# Without a client or an engine, ./mono says so in its own words; only the image is checked here.
if command -v "$client" >/dev/null 2>&1 && "$client" info >/dev/null 2>&1 &&
    ! "$client" image inspect "$base" >/dev/null 2>&1; then
    echo "build.sh: pulling the base image $base" >&2
    if ! "$client" pull "$base" >/dev/null 2>&1; then
        echo "mono: error: base image $base is not on this machine and cannot be pulled (hint: make one from Debian packages with tools/build/base-image.sh, then use --base-image or MONO_BASE_IMAGE)" >&2
        exit 2
    fi
fi
# Through sh: the launcher is a POSIX sh script, and runs so even where a copy lost its x bit.
exec sh "$root/mono" build "$@"
