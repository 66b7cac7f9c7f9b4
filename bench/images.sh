#!/usr/bin/env bash
# Image size and build times of flask-app-1: `./mono build` against the original approach,
# side by side on the same base image (BASE, default $MONO_BASE_IMAGE or
# mono-base/python:3.11-bookworm).
#
# Both build from a copy of the example app and library in a temporary git repository, so the
# repository itself is never touched. For each approach: a cold build (no layer cache: the
# approach's images and the builder cache are removed first), a warm build (nothing changed),
# and a rebuild after a one-line change to app.py. Then the image size, and its size above the
# base image.
#
# The original approach, as the first build.sh did it: the whole lib/ folder goes into the
# context next to the app, Poetry is installed in the image (from wheels), and `poetry install
# --only main` runs in the image. Containers cannot reach the package index here, so the
# build reaches a throwaway simple index on 127.0.0.1 (--network host) that serves the
# third-party wheels and Poetry's, downloaded on the host first (not timed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
main=$(dirname "$here")
base=${BASE:-${MONO_BASE_IMAGE:-mono-base/python:3.11-bookworm}}
work=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cd "$main"
./mono --version >/dev/null
python="$main/.mono/venv/bin/python"
docker image inspect "$base" >/dev/null || { echo "error: no base image $base (tools/build/base-image.sh)" >&2; exit 2; }

# A repository holding copies of the example library and app.
repo="$work/repo"
mkdir -p "$repo/app/demo"
cp -r lib "$repo/lib" 2>/dev/null || true
rm -rf "$repo/lib"/*/.venv "$repo/lib"/*/.pytest_cache
cp -r app/demo/flask-app-1 "$repo/app/demo/"
rm -rf "$repo/app/demo/flask-app-1/.venv" "$repo/app/demo/flask-app-1/.pytest_cache"
cp pyproject.toml "$repo/"
printf '.venv/\n.mono/\n__pycache__/\n' >"$repo/.gitignore"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm copy

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
size() { docker image inspect --format '{{.Size}}' "$1"; }
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.0f}')" "$1"; }
change_app() { echo "# changed $(now)" >>"$repo/app/demo/flask-app-1/app.py"; }
forget() { # remove an approach's images and every build cache, for a cold build
    docker image rm -f $(docker image ls -q "$1" | sort -u) >/dev/null 2>&1 || true
    docker image prune -f >/dev/null
    docker builder prune -af >/dev/null 2>&1 || true
    rm -rf "$repo/.mono/cache"
}

# --- ours
ours() { ./mono -C "$repo" build flask-app-1 --base-image "$base" >"$work/ours.log" 2>&1 || { cat "$work/ours.log" >&2; exit 1; }; }
forget flask-app-1
start=$(now); ours; ours_cold=$(since "$start")
start=$(now); ours; ours_warm=$(since "$start")
change_app
start=$(now); ours; ours_app=$(since "$start")
ours_size=$(size flask-app-1:0.1.0)

# --- the original approach
wheels="$work/index/files"
mkdir -p "$wheels"
(cd "$repo/app/demo/flask-app-1" && "$main/.mono/venv/bin/poetry" export -q --format requirements.txt --output "$work/req.txt")
grep -v 'file://' "$work/req.txt" >"$work/third-party.txt"
platform="--only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 --platform manylinux_2_36_x86_64"
platform="$platform --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64"
# shellcheck disable=SC2086
"$python" -m pip download -q --no-deps -r "$work/third-party.txt" -d "$wheels" $platform 2>"$work/pip.log"
# shellcheck disable=SC2086
"$python" -m pip download -q poetry==2.5.1 poetry-plugin-pypi-mirror==0.6.5 -d "$wheels" $platform 2>>"$work/pip.log"
"$python" - "$work/index" <<'EOF'
import hashlib, pathlib, re, sys
root = pathlib.Path(sys.argv[1])
for wheel in sorted((root / "files").iterdir()):
    name = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    page = root / "simple" / name / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    with page.open("a") as out:
        out.write(f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a><br>\n')
EOF
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$python" -m http.server --bind 127.0.0.1 "$port" --directory "$work/index" >/dev/null 2>&1 &
server=$!
sleep 1

context="$work/original"
cat >"$work/original.Dockerfile" <<EOF
ARG BASE_IMAGE
FROM \${BASE_IMAGE}
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 POETRY_VIRTUALENVS_IN_PROJECT=true POETRY_NO_INTERACTION=1 \\
    POETRY_PYPI_MIRROR_URL=http://127.0.0.1:$port/simple/
RUN python3 -m venv /opt/poetry \\
    && /opt/poetry/bin/pip install -q --index-url http://127.0.0.1:$port/simple/ poetry==2.5.1 poetry-plugin-pypi-mirror==0.6.5
COPY . /src
WORKDIR /src/app/demo/flask-app-1
RUN /opt/poetry/bin/poetry install --only main
ENV PORT=5000
CMD exec .venv/bin/gunicorn --bind "0.0.0.0:\${PORT}" app:app
EOF
original() {
    rm -rf "$context"
    mkdir -p "$context/app/demo"
    cp -r "$repo/lib" "$context/lib" # the whole lib/ folder
    cp -r "$repo/app/demo/flask-app-1" "$context/app/demo/"
    docker build --network host --build-arg "BASE_IMAGE=$base" -f "$work/original.Dockerfile" \
        -t bench-original:latest "$context" >"$work/original.log" 2>&1 || { tail -30 "$work/original.log" >&2; exit 1; }
}
forget bench-original
start=$(now); original; original_cold=$(since "$start")
start=$(now); original; original_warm=$(since "$start")
change_app
start=$(now); original; original_app=$(since "$start")
original_size=$(size bench-original:latest)
base_size=$(size "$base")

echo
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), docker $(docker info --format '{{.ServerVersion}}')," \
    "builder: $(grep -q 'legacy builder' "$repo/.mono/logs/build/flask-app-1.log" && echo classic || echo BuildKit), base image $base ($(mb "$base_size") MB)"
echo
echo "| | ./mono build | original approach |"
echo "| --- | ---: | ---: |"
echo "| cold build (no layer cache) | $ours_cold s | $original_cold s |"
echo "| warm build (nothing changed) | $ours_warm s | $original_warm s |"
echo "| rebuild after an app.py change | $ours_app s | $original_app s |"
echo "| image size | $(mb "$ours_size") MB | $(mb "$original_size") MB |"
echo "| above the base image | $(mb $((ours_size - base_size))) MB | $(mb $((original_size - base_size))) MB |"
