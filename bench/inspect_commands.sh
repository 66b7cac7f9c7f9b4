#!/usr/bin/env bash
# Times ./mono's inspect commands (list, graph, affected) on a synthetic repo of N projects
# (PROJECTS, default 1000). With no argument it generates the repo with generate_repo.py into a
# temporary folder (removed afterwards); given a folder as $1 it uses that repo instead. Every
# command runs through the real launcher, `./mono -C REPO ...`, from the folder above this script.
# `affected` runs with one file of a bottom-layer library modified (not committed; put back as it
# was at the end). Timing uses hyperfine (2 warm-up runs, at least RUNS=10 runs) when it is on
# PATH, else a plain loop of RUNS runs timed with `date +%s.%N` (NO_HYPERFINE=1 forces the loop).
# `python3 -c pass`, the launcher's interpreter and `./mono --version` are timed too, as the
# floor. Prints per command the mean and max wall time, checked against the 0.5 s target (mean),
# and with hyperfine the mean CPU time (user + system), which depends less on other load on the
# machine; also the load average. Fails if `list` does not find N projects.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
main=$(dirname "$here")
projects=${PROJECTS:-1000}
runs=${RUNS:-10}
target=0.5
work=$(mktemp -d)
touched=""
cleanup() {
    if [ -n "$touched" ]; then cp "$work/touched.orig" "$repo/$touched"; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ $# -ge 1 ]; then
    repo=$(cd "$1" && pwd)
else
    repo="$work/repo"
    python3 "$here/generate_repo.py" --projects "$projects" --out "$repo"
fi
cd "$main"

found=$(./mono -C "$repo" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "projects found: $found (expected $projects)"
if [ "$found" -ne "$projects" ]; then
    echo "error: ./mono list found $found projects, expected $projects" >&2
    exit 1
fi

# A bottom-layer library (kind lib, no internal dependency): change one of its Python files.
lib=$(./mono -C "$repo" list --json | python3 -c \
    'import json,sys; print(next(p["path"] for p in json.load(sys.stdin) if p["kind"] == "lib" and not p["depends_on"]))')
file=$(cd "$repo" && git ls-files -- "$lib/*.py" | grep -v /tests/ | head -n 1)
cp "$repo/$file" "$work/touched.orig"
touched=$file
echo "# benchmark edit" >>"$repo/$touched"
affected=$(./mono -C "$repo" affected | wc -l)
echo "modified $touched: affected lists $affected projects"

# The floor first: the interpreter on PATH, the launcher's own one, the launcher importing the CLI.
labels=("python3 -c pass")
commands=("python3 -c pass")
if [ -x .mono/venv/bin/python ]; then
    labels+=("venv python -c pass")
    commands+=(".mono/venv/bin/python -c pass")
fi
labels+=("mono --version")
commands+=("./mono --version")
floors=${#labels[@]}
q=$(printf %q "$repo")
for args in "list" "list --json" "graph" "graph --format json" "affected" "affected --json"; do
    labels+=("$args")
    commands+=("./mono -C $q $args")
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
results="$work/results.tsv" # label, mean, max, CPU (user + system; -1: not measured), runs
if command -v hyperfine >/dev/null && [ -z "${NO_HYPERFINE:-}" ]; then
    method="hyperfine $(hyperfine --version | cut -d' ' -f2), 2 warm-up runs, at least $runs runs"
    names=()
    for label in "${labels[@]}"; do names+=(--command-name "$label"); done
    hyperfine --style basic --warmup 2 --min-runs "$runs" --export-json "$work/hyperfine.json" \
        "${names[@]}" "${commands[@]}" >&2
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], r["mean"], r["max"], r["user"] + r["system"], len(r["times"]), sep="\t")' "$work/hyperfine.json" >"$results"
else
    method="plain loop, 1 warm-up run, $runs runs timed with date +%s.%N"
    for i in "${!commands[@]}"; do
        eval "${commands[$i]}" >/dev/null
        times=()
        for _ in $(seq "$runs"); do
            start=$(date +%s.%N)
            eval "${commands[$i]}" >/dev/null
            end=$(date +%s.%N)
            times+=("$(echo "$end - $start" | awk '{ print $1 - $3 }')")
        done
        printf '%s\n' "${times[@]}" | awk -v label="${labels[$i]}" \
            '{ sum += $1; if ($1 > max) max = $1 } END { printf "%s\t%f\t%f\t-1\t%d\n", label, sum / NR, max, NR }' >>"$results"
    done
fi

echo
echo "method: $method; repo: $found projects; target: mean < $target s"
echo "machine: $(nproc) CPUs, load average before timing: $load"
awk -F'\t' -v target="$target" -v floors="$floors" '
    BEGIN { printf "%-22s %9s %9s %9s %5s  %s\n", "command", "mean (s)", "max (s)", "CPU (s)", "runs", "target" }
    { verdict = NR <= floors ? "(floor)" : ($2 < target ? "met" : "MISSED")
      cpu = $4 < 0 ? "-" : sprintf("%.3f", $4)
      printf "%-22s %9.3f %9.3f %9s %5d  %s\n", $1, $2, $3, cpu, $5, verdict }' "$results"
