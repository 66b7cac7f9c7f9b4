#!/bin/sh
# The original entry point, kept: `tools/build/build.sh APP [OPTIONS]` builds APP's image, from
# any folder. It is `./mono build APP [OPTIONS]` (see docs/docker.md): the image is built from a
# context assembled outside the repository, and no file of the repository is changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
    echo "usage: tools/build/build.sh APP [--base-image IMAGE] [--tag TAG] [--push]" >&2
    exit 2
fi
exec "$here/../../mono" build "$@"
