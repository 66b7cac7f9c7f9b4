#!/usr/bin/env bash
# Times ./mono's inspect commands (list, graph, affected) on generated repositories of SIZES
# projects (default "1000 10000"), each two ways:
#   first run   the parse cache emptied before every run: every pyproject.toml is parsed;
#   second run  the parse cache as the run before left it: only what changed is read.
# Every command runs through the real launcher, `./mono -C REPO ...`, from the folder above this
# script, with XDG_CACHE_HOME pointing at a folder of this script's own (the parse cache lives in
# the user's cache folder, ~/.cache/mono/repos/NAME-HASH/cache/pyprojects.json). `affected` runs
# with one .py file of a bottom-layer library modified (not committed), as in inspect_commands.sh.
# The repositories are generated with generate_repo.py into a temporary folder (removed at the
# end; KEEP=1 keeps it), then left alone for 3 s: a file changed within the last 2 s is never
# cached (the "racy" rule of mono.repo.statcache). Each way is timed RUNS times (default 5) after
# one untimed run; the table gives the mean and the best wall time and the mean CPU time (user +
# system of the child). Fails if `list` does not find N projects, or if the second run of `affected`
# does not list what the first one did.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
main=$(dirname "$here")
sizes=${SIZES:-1000 10000}
runs=${RUNS:-5}
work=$(mktemp -d)
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi; }
trap cleanup EXIT
export XDG_CACHE_HOME="$work/cache"
cd "$main"

results="$work/results.tsv"
for n in $sizes; do
    repo="$work/repo-$n"
    python3 "$here/generate_repo.py" --projects "$n" --out "$repo" >&2
    lib=$(cd "$repo" && git ls-files -- 'lib/lib-0000/*.py' | grep -v /tests/ | head -n 1)
    echo "# benchmark edit" >>"$repo/$lib"
    sleep 3
    python3 - "$repo" "$n" "$runs" "$XDG_CACHE_HOME" "$results" <<'EOF'
import json, os, shutil, subprocess, sys, time
from pathlib import Path

repo, count, runs, cache, results = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]


def run(*args: str) -> tuple[float, float, str]:
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run(["./mono", "-C", repo, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, done.stdout


def forget() -> None:
    for folder in cache.glob("mono/repos/*/cache"):
        shutil.rmtree(folder)


found = len(json.loads(run("list", "--json")[2]))
if found != count:
    sys.exit(f"error: ./mono list found {found} projects, expected {count}")
outputs = {}
with open(results, "a") as table:
    for command in (["list"], ["graph"], ["affected"]):
        for way in ("first", "second"):
            forget()
            run(*command)  # untimed: warms the OS's file cache (and, for the second way, the parse cache)
            times = []
            for _ in range(runs):
                if way == "first":
                    forget()
                times.append(run(*command))
            outputs[way] = times[-1][2]
            walls = [wall for wall, _, _ in times]
            cpu = sum(c for _, c, _ in times) / runs
            print(count, " ".join(command), way, sum(walls) / runs, min(walls), cpu, runs, sep="\t", file=table)
        if outputs["first"] != outputs["second"]:
            sys.exit(f"error: {' '.join(command)} printed something else with the parse cache")
entries = [json.loads(p.read_bytes())["entries"] for p in cache.glob("mono/repos/*/cache/pyprojects.json")]
print(f"{count} projects: list found {found}; parse cache holds {sum(map(len, entries))} pyprojects", file=sys.stderr)
EOF
done

echo
echo "machine: $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $runs runs per way"
awk -F'\t' '
    BEGIN { printf "%8s  %-9s %-7s %9s %9s %9s\n", "projects", "command", "run", "mean (s)", "best (s)", "CPU (s)" }
    { printf "%8d  %-9s %-7s %9.3f %9.3f %9.3f\n", $1, $2, $3, $4, $5, $6 }' "$results"
