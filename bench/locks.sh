#!/usr/bin/env bash
# Locks of a generated repository (generate_repo.py --projects N --real-deps, PROJECTS=20),
# before and after the in-process Poetry worker, side by side in one run, with uv workspace's
# `uv lock` as the yardstick (issue 15: cold `./mono lock --all` at most 3x that). Prints one
# table of wall times (the best of ROUNDS rounds, default 2, routes alternating so that neither
# always finds the HTTP cache fresher):
#   before  the tool at git REF (BEFORE=HEAD): `poetry lock` started once per project, in turn;
#   after   the working tree's tool: one Poetry process (mono.external.poetry_worker) for all;
#   uv-ws   the same projects as one uv workspace: `uv lock` at its root.
# For ./mono, cold = no locks yet; --force = every project relocked with its lock in place;
# warm = nothing changed; clone = locks in place but no records (a fresh clone or a pull): the
# tool inspects each lock in-process, no Poetry. It checks that both ./mono routes wrote the same
# poetry.lock bytes in every project, and that warm and clone runs said "up to date" for all.
# Download caches are the machine's (warm); the machine may be shared, so numbers are noisy.
# PROFILE=1 also profiles the worker on a cold lock with pyinstrument (in a scratch venv).
set -euo pipefail

projects=${PROJECTS:-20}
rounds=${ROUNDS:-2}
before_ref=${BEFORE:-HEAD}
. "$(dirname "$0")/common.sh"
UV_INDEX_URL=${UV_INDEX_URL:-$index}
export UV_INDEX_URL UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1
mkdir -p "$work/before-tool"
git archive "$before_ref" tools/mono/src | tar -x -C "$work/before-tool"
before_mono() { PYTHONPATH="$work/before-tool/tools/mono/src" "$python" -m mono "$@"; }
after_mono() { ./mono "$@"; }

python3 "$here/generate_repo.py" --projects "$projects" --out "$work/base" --real-deps >/dev/null

now() { date +%s.%N; }
timed() { # timed VAR CMD...: run, fail loudly, keep the smaller of VAR and this wall time
    local var=$1 start took
    shift
    start=$(now)
    if ! "$@" >"$work/last.out" 2>&1; then
        echo "error: $* failed:" >&2
        tail -n 30 "$work/last.out" >&2
        exit 1
    fi
    took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(now)")
    printf -v "$var" '%s' "$(python3 -c "import sys; print(min(float(a) for a in sys.argv[1:] if a))" "$took" "${!var:-}")"
}
all_up_to_date() {
    [ "$(grep -c ': up to date' "$work/last.out")" -ge "$projects" ] ||
        { echo "error: not every lock was up to date:" >&2; cat "$work/last.out" >&2; exit 1; }
}

mono_route() { # mono_route NAME: cold, --force, warm and clone locks of a fresh copy
    local name=$1 repo="$work/$1-$round"
    cp -a "$work/base" "$repo"
    timed "${name}_cold" "${name}_mono" -C "$repo" lock --all
    timed "${name}_force" "${name}_mono" -C "$repo" lock --all --force
    timed "${name}_warm" "${name}_mono" -C "$repo" lock --all
    all_up_to_date
    rm -rf "$repo/.mono/state/locked"
    timed "${name}_clone" "${name}_mono" -C "$repo" lock --all
    all_up_to_date
}

uv_route() {
    local repo="$work/uv-ws-$round"
    cp -a "$work/base" "$repo"
    python3 "$here/generate_repo.py" --to-uv workspace "$repo" >/dev/null
    timed uv_cold sh -c 'cd "$1" && "$2" lock -q' sh "$repo" "$uv"
    timed uv_warm sh -c 'cd "$1" && "$2" lock -q' sh "$repo" "$uv"
}

for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then mono_route before; mono_route after; else mono_route after; mono_route before; fi
    uv_route
done

# The same resolution both ways: every lock byte for byte alike.
folders=$(./mono -C "$work/base" list --json | python3 -c 'import json,sys; print("\n".join(p["path"] for p in json.load(sys.stdin)))')
for folder in $folders; do
    cmp -s "$work/before-1/$folder/poetry.lock" "$work/after-1/$folder/poetry.lock" ||
        { echo "error: $folder: the two routes wrote different locks" >&2; exit 1; }
done

echo
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$python" -V)," \
    "$("$main/.mono/venv/bin/poetry" --version | tr -d '()'), $("$uv" --version | cut -d' ' -f1-2)," \
    "$projects projects, best of $rounds rounds, download caches warm"
echo
printf '| %-44s | %8s | %8s | %8s | %8s |\n' route cold --force warm clone
printf '|%s|%s:|%s:|%s:|%s:|\n' "$(printf -- '-%.0s' {1..46})" ---------- ---------- ---------- ----------
printf '| %-44s | %6s s | %6s s | %6s s | %6s s |\n' "before: ./mono lock --all ($before_ref)" \
    "$before_cold" "$before_force" "$before_warm" "$before_clone"
printf '| %-44s | %6s s | %6s s | %6s s | %6s s |\n' "after: ./mono lock --all (one Poetry worker)" \
    "$after_cold" "$after_force" "$after_warm" "$after_clone"
printf '| %-44s | %6s s | %8s | %6s s | %8s |\n' "uv workspace: uv lock" "$uv_cold" "" "$uv_warm" ""
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$1" "$2"; }
echo
echo "cold ./mono lock --all: $(ratio "$after_cold" "$uv_cold") uv workspace's uv lock (target at most 3x;" \
    "before: $(ratio "$before_cold" "$uv_cold")); after/before: cold $(ratio "$after_cold" "$before_cold")," \
    "clone $(ratio "$after_clone" "$before_clone")"

if [ "${PROFILE:-0}" = 1 ]; then
    # pyinstrument lives in a scratch venv of its own; the tool's venv is left as it is.
    "$python" -m venv "$work/profiler" && "$work/profiler/bin/pip" -q install pyinstrument
    site=$("$work/profiler/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    cp -a "$work/base" "$work/profiled"
    export POETRY_PYPI_MIRROR_URL=$UV_INDEX_URL POETRY_VIRTUALENVS_CREATE=false POETRY_NO_INTERACTION=1
    # shellcheck disable=SC2046 # one argument per project folder
    PYTHONPATH=$site "$python" -m pyinstrument -o "$work/profile.txt" -m mono.external.poetry_worker \
        $(for folder in $folders; do echo "$work/profiled/$folder"; done) >/dev/null
    echo
    echo "profile of the worker's cold lock of all $projects projects:"
    sed -n '1,80p' "$work/profile.txt"
fi
