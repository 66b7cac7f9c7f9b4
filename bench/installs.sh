#!/usr/bin/env bash
# Installs of a generated monorepo (generate_repo.py --projects N --real-deps, N = PROJECTS,
# default 20), side by side in one run, and the disk their venvs take:
#   before    `./mono install --all` of the tool at BEFORE (a git revision, default HEAD: the
#             committed tool, which starts `poetry export` once per project), cold then warm;
#   after     the same with the tool of this working tree (locks read in-process), cold then warm,
#             once per uv link mode in LINK_MODES (default "hardlink copy"; uv's default here is
#             hardlink, from its cache into the venvs);
#   uv-ws     the same projects as one uv workspace: `uv sync --all-packages` (the lock made
#             first, untimed), cold then warm.
# Cold = the projects are locked, no venv exists; warm = again with nothing changed. Download
# caches are warm: a first, untimed install of a scratch copy fills uv's cache. Every route's
# venvs are checked to hold the same versions of flask, pandas and requests.
set -euo pipefail

projects=${PROJECTS:-20}
before=${BEFORE:-HEAD}
link_modes=${LINK_MODES:-hardlink copy}
. "$(dirname "$0")/common.sh"
# uv as ./mono runs it (mono.external.uv): pip's index, no user config, no downloaded Pythons.
export UV_INDEX_URL=${UV_INDEX_URL:-$index} UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never UV_PYTHON=${UV_PYTHON:-python3.11}

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
timed() { # timed VAR DIR COMMAND...: run in DIR, fail loudly, store the wall time in VAR
    local var=$1 dir=$2 start
    shift 2
    start=$(now)
    if ! (cd "$dir" && "$@") >"$work/last.out" 2>&1; then
        cat "$work/last.out" >&2
        exit 1
    fi
    printf -v "$var" '%s' "$(since "$start")"
}
versions() { # versions REPO: "flask pandas requests" versions in the venvs of REPO, one line per venv
    find "$1" -path '*/.venv/bin/python' | sort | while read -r venv_python; do
        "$venv_python" -c 'import importlib.metadata as m
def v(n):
    try: return m.version(n)
    except m.PackageNotFoundError: return "-"
print(v("flask"), v("pandas"), v("requests"))'
    done | sort -u | tr '\n' ';'
}
venv_disk() { # venv_disk REPO: MiB the venvs of REPO take together (a file hardlinked many times counts once)
    find "$1" -name .venv -prune -print0 | du -scm --files0-from=- | tail -1 | cut -f1
}

# The tool before: the committed tree of BEFORE, with a .mono/venv of its own (untimed).
mkdir -p "$work/before-tool"
git -C "$main" archive "$before" | tar -x -C "$work/before-tool"
"$work/before-tool/mono" --version >/dev/null

python3 "$here/generate_repo.py" --projects "$projects" --out "$work/base" --real-deps >/dev/null
./mono -C "$work/base" lock --all >/dev/null
cp -a "$work/base" "$work/warmup" && ./mono -C "$work/warmup" install --all >/dev/null && rm -rf "$work/warmup"

install_pass() { # install_pass NAME TOOL: cold then warm `install --all` of a fresh copy with the launcher TOOL
    local repo="$work/$1" cold warm
    cp -a "$work/base" "$repo"
    timed cold "$main" "$2" -C "$repo" install --all
    timed warm "$main" "$2" -C "$repo" install --all
    [ "$(awk '$2 == "up" && $3 == "to" && $4 == "date"' "$work/last.out" | wc -l)" -eq "$projects" ] ||
        { echo "error: $1: the warm install did work:" >&2; cat "$work/last.out" >&2; exit 1; }
    printf '| %-44s | %7s s | %7s s | %6s MiB |\n' "$3" "$cold" "$warm" "$(venv_disk "$repo")"
    printf -v "cold_$1" '%s' "$cold"
    printf -v "warm_$1" '%s' "$warm"
    printf -v "versions_$1" '%s' "$(versions "$repo")"
}

echo
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$uv" --version | cut -d' ' -f1-2)," \
    "$projects projects, download caches warm, before = $before ($(git -C "$main" rev-parse --short "$before"))"
echo
printf '| %-44s | %9s | %9s | %10s |\n' "route" "cold" "warm" "venvs' disk"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "----------:" "----------:" "-----------:"
install_pass before "$work/before-tool/mono" "./mono install --all, before ($before)"
for mode in $link_modes; do
    UV_LINK_MODE=$mode install_pass "after_$mode" ./mono "./mono install --all, after (UV_LINK_MODE=$mode)"
done

cp -a "$work/base" "$work/uv-ws" && python3 "$here/generate_repo.py" --to-uv workspace "$work/uv-ws" >/dev/null
timed lock "$work/uv-ws" "$uv" lock -q
timed cold_uv "$work/uv-ws" "$uv" sync -q --all-packages
timed warm_uv "$work/uv-ws" "$uv" sync -q --all-packages
printf '| %-44s | %7s s | %7s s | %6s MiB |\n' "uv workspace: uv sync --all-packages" "$cold_uv" "$warm_uv" "$(venv_disk "$work/uv-ws")"
versions_uv=$(versions "$work/uv-ws")

first=${link_modes%% *}
cold_after=$(eval echo "\$cold_after_$first") warm_after=$(eval echo "\$warm_after_$first")
echo
echo "after against before: cold $(python3 -c "print(round($cold_before / $cold_after, 1))")x faster;" \
    "against the uv workspace: cold $(python3 -c "print(round($cold_after / $cold_uv, 2))")x (target at most 1x)," \
    "warm $(python3 -c "print(round($warm_after / $warm_uv, 1))")x (target at most 3x)"
# Every route installed one and the same version of each of flask, pandas and requests.
python3 - "$versions_before" "$(eval echo "\$versions_after_$first")" "$versions_uv" <<'CHECK'
import sys

routes = dict(zip(("before", "after", "uv workspace"), sys.argv[1:]))
seen = {}
for route, text in routes.items():
    columns = zip(*(line.split() for line in text.split(";") if line.strip()))
    seen[route] = {name: sorted(set(c) - {"-"}) for name, c in zip(("flask", "pandas", "requests"), columns)}
    print(f"{route}: " + ", ".join(f"{name} {' '.join(v) or 'none'}" for name, v in seen[route].items()))
first = next(iter(seen.values()))
if any(len(v) != 1 for v in first.values()) or any(other != first for other in seen.values()):
    sys.exit("error: the routes did not install one and the same version of each")
CHECK
