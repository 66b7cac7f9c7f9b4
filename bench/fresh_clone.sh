#!/usr/bin/env bash
# How long a fresh clone takes from `./mono run flask-app-1` to serving (the first answer to
# GET /), with empty download caches: the launcher sets up .mono/venv (Poetry, plugins, uv, the
# tool), the tool installs flask-app-1 into its venv, then the app serves. Each run clones this
# repository (`git clone`, so the committed files) into a temporary folder and points pip's, uv's
# and Poetry's caches (PIP_CACHE_DIR, UV_CACHE_DIR, POETRY_CACHE_DIR) at empty folders there.
#   LAUNCHER=worktree (default): the clone gets the working tree's ./mono (uncommitted changes);
#   LAUNCHER=HEAD: the clone keeps the committed one; LAUNCHER=FILE: that file.
#   RUNS=N (default 1): how many fresh clones to time.
# Prints, per run, the seconds until the venv was set up (its stamp written) and until it served.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
main=$(dirname "$here")
launcher=${LAUNCHER:-worktree}
runs=${RUNS:-1}
work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ]; then kill -- "-$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

now() { echo "$EPOCHREALTIME"; }
seconds() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the start, $(uname -sr)," \
    "$(python3 -V), launcher: $launcher, HEAD $(git -C "$main" rev-parse --short HEAD)"
for run in $(seq "$runs"); do
    clone="$work/clone-$run" caches="$work/caches-$run"
    git clone -q "$main" "$clone"
    case $launcher in
        worktree) cp "$main/mono" "$clone/mono" ;;
        HEAD) ;;
        *) cp "$launcher" "$clone/mono" ;;
    esac
    mkdir -p "$caches/pip" "$caches/uv" "$caches/poetry"
    port=$(free_port)
    start=$(now)
    # setsid: the server and everything ./mono started form one group, stopped together.
    PIP_CACHE_DIR="$caches/pip" UV_CACHE_DIR="$caches/uv" POETRY_CACHE_DIR="$caches/poetry" PORT=$port \
        setsid "$clone/mono" run flask-app-1 >"$work/run-$run.log" 2>&1 </dev/null &
    server=$!
    until curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$port/"; do
        if ! kill -0 "$server" 2>/dev/null; then
            echo "error: ./mono run flask-app-1 ended before serving; its output:" >&2
            cat "$work/run-$run.log" >&2
            exit 1
        fi
        if [ "$(seconds "$start" "$(now)" | cut -d. -f1)" -ge 600 ]; then
            echo "error: not serving after 600 s; its output:" >&2
            tail -n 30 "$work/run-$run.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    served=$(now)
    kill -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
    set_up=$(python3 -c "import os, sys; print(os.stat(sys.argv[1]).st_mtime)" "$clone/.mono/venv/.mono-pins")
    route=uv
    grep -q '^mono: installing requirements.txt and tools/mono with uv' "$clone/.mono/bootstrap.log" || route=pip
    grep -q '^mono: uv could not set up the venv' "$clone/.mono/bootstrap.log" && route="pip, after uv failed"
    echo "run $run: .mono/venv set up (with $route) after $(seconds "$start" "$set_up") s; serving after $(seconds "$start" "$served") s"
    rm -rf "$clone" "$caches"
done
