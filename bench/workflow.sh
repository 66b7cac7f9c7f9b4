#!/usr/bin/env bash
# Lock, install and test a synthetic monorepo of N real projects (PROJECTS, default 20) two ways,
# side by side in one run, and print the wall times:
#   1. the original way: in each project, one after another, `poetry lock && poetry install`,
#      then `poetry run pytest`;
#   2. ./mono: `./mono lock --all`, `./mono install --all`, `./mono test --all`, cold (no locks,
#      no venvs), then the same three again with nothing changed (warm);
#   3. after touching one library (a comment added to its package, not committed):
#      `./mono test --affected` and `./mono test --all` (cache on), against
#      `./mono test --all --no-cache` (everything), and the projects each one ran.
# The repository comes from generate_repo.py --real-deps (libraries in layers using requests,
# apps using flask, EDA projects using pandas); both routes get their own identical copy. Both
# use the same Poetry (.mono/venv), the same index (derived as ./mono derives it) and in-project
# venvs. Download caches (Poetry's, uv's) are whatever the machine has; COLD_CACHES=1 gives both
# routes empty ones in a temporary folder instead. Fails if any step fails.
set -euo pipefail

projects=${PROJECTS:-20}
. "$(dirname "$0")/common.sh"
POETRY_PYPI_MIRROR_URL=$index
export POETRY_PYPI_MIRROR_URL POETRY_VIRTUALENVS_IN_PROJECT=true POETRY_NO_INTERACTION=1
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
if [ "${COLD_CACHES:-0}" = 1 ]; then
    export POETRY_CACHE_DIR="$work/poetry-cache" UV_CACHE_DIR="$work/uv-cache"
fi

python3 "$here/generate_repo.py" --projects "$projects" --out "$work/original" --real-deps
python3 "$here/generate_repo.py" --projects "$projects" --out "$work/mono" --real-deps >/dev/null
# The original way keeps Poetry's venvs in the project, like ./mono; never in a shared folder.
export POETRY_VIRTUALENVS_PATH="$work/poetry-virtualenvs"

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }
row() { printf '| %-52s | %8s s |\n' "$1" "$2"; }

echo
echo "machine: $(nproc) cores, $(python3 -c 'import os; print(round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30))') GiB," \
    "load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -sr), caches: $([ "${COLD_CACHES:-0}" = 1 ] && echo cold || echo warm)"

# 1. The original loop.
folders=$(./mono -C "$work/original" list --json | python3 -c 'import json,sys; print("\n".join(p["path"] for p in json.load(sys.stdin)))')
lock_total=0 install_total=0 test_total=0
for folder in $folders; do
    cd "$work/original/$folder"
    start=$(now); "$poetry" lock -q; lock_total=$(python3 -c "print($lock_total + $(since "$start"))")
    start=$(now); "$poetry" install -q; install_total=$(python3 -c "print($install_total + $(since "$start"))")
    start=$(now); "$poetry" run pytest -q >/dev/null; test_total=$(python3 -c "print($test_total + $(since "$start"))")
done
cd "$main"
original_total=$(python3 -c "print(round($lock_total + $install_total + $test_total, 1))")

# 2. ./mono, cold then warm.
timed() { # timed VAR ./mono ARGS...: run, fail loudly, store the wall time in VAR
    local var=$1 start
    shift
    start=$(now)
    if ! "$@" >"$work/last.out" 2>&1; then
        cat "$work/last.out" >&2
        exit 1
    fi
    printf -v "$var" '%s' "$(since "$start")"
}
repo="$work/mono"
timed cold_lock ./mono -C "$repo" lock --all
timed cold_install ./mono -C "$repo" install --all
timed cold_test ./mono -C "$repo" test --all
timed warm_lock ./mono -C "$repo" lock --all
timed warm_install ./mono -C "$repo" install --all
[ "$(awk '$2 == "up" && $3 == "to" && $4 == "date"' "$work/last.out" | wc -l)" -eq "$projects" ]
timed warm_test ./mono -C "$repo" test --all
[ "$(awk '$2 == "cached"' "$work/last.out" | wc -l)" -eq "$projects" ]
mono_cold=$(python3 -c "print(round($cold_lock + $cold_install + $cold_test, 1))")

# 3. One library touched. The new locks are committed first, as a team would.
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm "locks"
library=$(./mono -C "$repo" list --json | python3 -c '
import json, sys
projects = json.load(sys.stdin)
libs = [p["name"] for p in projects if p["kind"] == "lib"]
users = {lib: sum(lib in p["depends_on"] for p in projects) for lib in libs}
print(sorted(libs, key=lambda lib: (abs(users[lib] - len(projects) / 3), lib))[0])')
package="$repo/lib/$library/${library//-/_}/__init__.py"
echo "# touched by the benchmark" >>"$package"
expected=$(./mono -C "$repo" affected | sort | tr '\n' ' ')
# The projects a test run ran: rows of its summary table (project, result, seconds).
ran() { awk '$2 == "passed" || $2 == "failed" {print $1}' "$work/last.out" | sort | tr '\n' ' '; }
timed affected_test ./mono -C "$repo" test --affected
affected_ran=$(ran)
echo "# touched again" >>"$package"
timed all_cached_test ./mono -C "$repo" test --all
all_ran=$(ran)
timed everything_test ./mono -C "$repo" test --all --no-cache
if [ "$affected_ran" != "$expected" ] || [ "$all_ran" != "$expected" ]; then
    echo "error: after touching $library, expected to test: $expected; --affected ran: $affected_ran; --all ran: $all_ran" >&2
    exit 1
fi

echo
echo "$projects projects: $(./mono -C "$repo" list --json | python3 -c 'import json,sys,collections; print(", ".join(f"{n} {k}" for k, n in sorted(collections.Counter(p["kind"] for p in json.load(sys.stdin)).items())))')"
echo
printf '| %-52s | %10s |\n' "step" "wall time"
printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..12})"
row "original: poetry lock, each project in turn" "$(python3 -c "print(round($lock_total, 1))")"
row "original: poetry install, each project in turn" "$(python3 -c "print(round($install_total, 1))")"
row "original: poetry run pytest, each project in turn" "$(python3 -c "print(round($test_total, 1))")"
row "**original: total**" "$original_total"
row "./mono lock --all (cold)" "$cold_lock"
row "./mono install --all (cold)" "$cold_install"
row "./mono test --all (cold)" "$cold_test"
row "**./mono: total, cold**" "$mono_cold"
row "./mono lock --all (warm)" "$warm_lock"
row "./mono install --all (warm)" "$warm_install"
row "./mono test --all (warm)" "$warm_test"
row "one library changed: ./mono test --affected" "$affected_test"
row "one library changed: ./mono test --all (cache)" "$all_cached_test"
row "one library changed: ./mono test --all --no-cache" "$everything_test"
echo
echo "cold install: $(python3 -c "print(round($install_total / $cold_install, 1))")x faster than the original loop's installs" \
    "(target 2x); whole cold run: $(python3 -c "print(round($original_total / $mono_cold, 1))")x"
echo "touched $library: retested $(echo "$expected" | wc -w) of $projects projects: $expected"
