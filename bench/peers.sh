#!/usr/bin/env bash
# ./mono against its peers: lock and install one synthetic monorepo of N real projects (PROJECTS,
# default 20; 100 is the other size of issue 15) five ways, side by side in one run:
#   mono         `./mono lock --all`, `./mono install --all` (uv installs Poetry's locks);
#   mono-poetry  the same with `[tool.mono] installer = "poetry"` in the root (Poetry installs);
#   uv-ws        a uv workspace: one uv.lock at the root, `uv lock`, `uv sync --all-packages`;
#   uv-each      uv per project: `uv lock` + `uv sync` in each project, one after another,
#                internal libraries as editable path sources;
#   poetry-each  the Poetry loop: `poetry lock` + `poetry install` in each project, in turn.
# Each route gets its own copy of one repository made by generate_repo.py --real-deps (the uv
# routes' copies get uv's tables from generate_repo.py --to-uv). Cold = no locks, no venvs;
# warm = the same commands again with nothing changed. Afterwards it checks that every route
# locked every project and installed what each needs, and that flask, pandas, requests and
# pytest have one version across every lock and venv of every route; then prints one table.
#
# Same conditions: the uv routes use the uv the tool pins (.mono/venv/bin/uv), the Poetry route
# the pinned Poetry (.mono/venv/bin/poetry), all through the index pip uses (derived as ./mono
# derives it, never written down), in-project venvs, one Python (the tool's). Download caches
# are warm: a warm-up first locks and installs one project of each kind with Poetry and with uv
# (so that the first route timed does not pay for downloads the others then reuse). COLD_CACHES=1
# gives every route an empty pair of caches (Poetry's, uv's) of its own instead, and no warm-up.
# ROUTES="mono uv-ws" runs only some routes (at N=100 the loops take many minutes).
set -euo pipefail

projects=${PROJECTS:-20}
routes=${ROUTES:-mono mono-poetry uv-ws uv-each poetry-each}
cold_caches=${COLD_CACHES:-0}
. "$(dirname "$0")/common.sh"
# One Python for every route's venvs: the tool's own (it is what ./mono gives these projects).
base_python=$("$python" -c 'import sys; print(sys._base_executable)')
export POETRY_PYPI_MIRROR_URL=$index POETRY_VIRTUALENVS_IN_PROJECT=true POETRY_NO_INTERACTION=1
export POETRY_VIRTUALENVS_PATH="$work/poetry-virtualenvs" PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
# uv as ./mono runs it (mono.external.uv): pip's index, no user config, no downloaded Pythons.
export UV_INDEX_URL=${UV_INDEX_URL:-$index} UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never UV_PYTHON=$base_python
export PATH="$(dirname "$base_python"):$PATH" # Poetry's venvs take the first python3 on PATH

now() { echo "$EPOCHREALTIME"; }
add() { python3 -c "import sys; print(f'{sum(map(float, sys.argv[1:])):.2f}')" "$@"; }
wanted() { [[ " $routes " == *" $1 "* ]]; }

# The tool's own cache (what depends on what, index-names.json, under XDG_CACHE_HOME) starts
# empty in every run: the warm-up fills it as it fills Poetry's and uv's, which stay where they
# are (named here, as XDG_CACHE_HOME would move them too).
POETRY_CACHE_DIR=$("$poetry" config cache-dir) UV_CACHE_DIR=$("$uv" cache dir)
export POETRY_CACHE_DIR UV_CACHE_DIR XDG_CACHE_HOME="$work/xdg-cache"
caches_for() { # caches_for ROUTE: with COLD_CACHES=1, point Poetry, uv and ./mono at empty caches of ROUTE's
    if [ "$cold_caches" = 1 ]; then
        export POETRY_CACHE_DIR="$work/caches/$1/poetry" UV_CACHE_DIR="$work/caches/$1/uv"
        export XDG_CACHE_HOME="$work/caches/$1/xdg"
        mkdir -p "$POETRY_CACHE_DIR" "$UV_CACHE_DIR" "$XDG_CACHE_HOME"
    fi
}

# timed VAR DIR CMD...: run CMD in DIR, fail loudly with its output, add its wall time to VAR.
timed() {
    local var=$1 dir=$2 start end
    shift 2
    start=$(now)
    if ! (cd "$dir" && "$@") >"$work/last.out" 2>&1; then
        echo "error: in $dir: $* failed:" >&2
        tail -n 30 "$work/last.out" >&2
        exit 1
    fi
    end=$(now)
    printf -v "$var" '%s' "$(add "${!var:-0}" "$end" "-$start")"
}

python3 "$here/generate_repo.py" --projects "$projects" --out "$work/base" --real-deps
for route in $routes; do cp -a "$work/base" "$work/$route"; done
folders=$(./mono -C "$work/base" list --json | python3 -c 'import json,sys; print("\n".join(p["path"] for p in json.load(sys.stdin)))')
if wanted mono-poetry; then
    printf '[tool.mono]\ninstaller = "poetry"\n' >"$work/mono-poetry/pyproject.toml"
    git -C "$work/mono-poetry" -c user.name=bench -c user.email=bench@example.invalid commit -qam "Poetry installs"
fi
if wanted uv-ws; then python3 "$here/generate_repo.py" --to-uv workspace "$work/uv-ws" >/dev/null; fi
if wanted uv-each; then python3 "$here/generate_repo.py" --to-uv projects "$work/uv-each" >/dev/null; fi

if [ "$cold_caches" != 1 ]; then
    # Warm-up: one project of each kind (the bottom library, the first app, the first EDA
    # project) locked and installed by Poetry and by uv in scratch copies, filling both caches,
    # and locked by ./mono, filling its cache of what depends on what (index-names.json).
    cp -a "$work/base" "$work/warm-mono"
    # shellcheck disable=SC2046 # one argument per project
    timed warmup "$main" ./mono -C "$work/warm-mono" lock lib-0000 \
        $(echo "$folders" | grep -m1 '^app/' | xargs basename) $(echo "$folders" | grep -m1 '^eda/' | xargs basename)
    cp -a "$work/base" "$work/warm-poetry"
    cp -a "$work/base" "$work/warm-uv" && python3 "$here/generate_repo.py" --to-uv projects "$work/warm-uv" >/dev/null
    for folder in lib/lib-0000 $(echo "$folders" | grep -m1 '^app/') $(echo "$folders" | grep -m1 '^eda/'); do
        timed warmup "$work/warm-poetry/$folder" sh -c '"$0" lock -q && "$0" install -q' "$poetry"
        timed warmup "$work/warm-uv/$folder" sh -c '"$0" lock -q && "$0" sync -q' "$uv"
    done
    rm -rf "$work/warm-poetry" "$work/warm-uv" "$work/warm-mono"
fi

echo
echo "machine: $(nproc) cores, $(python3 -c 'import os; print(round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30))') GiB," \
    "load $(cut -d' ' -f1-3 /proc/loadavg) at the start, $(uname -sr), $("$base_python" -V)," \
    "$("$poetry" --version | tr -d '()'), $("$uv" --version | cut -d' ' -f1-2), caches: $([ "$cold_caches" = 1 ] && echo cold || echo warm)"

# A repeated no-op ("again"): the warm commands twice more once every file they look at is older
# than the racy window of ./mono's replay (2 s, mono.replay.RACY_NS); the first of the two is not
# timed (it records), the second is. The uv workspace gets the same passes.
settle() { sleep 2.1; }

mono_route() { # mono_route ROUTE: ./mono lock/install --all, cold, warm, again
    local repo="$work/$1" lock install
    caches_for "$1"
    for pass in cold warm again; do
        lock=0 install=0
        if [ "$pass" = again ]; then
            settle
            timed lock "$main" ./mono -C "$repo" lock --all
            timed install "$main" ./mono -C "$repo" install --all
            lock=0 install=0
        fi
        timed lock "$main" ./mono -C "$repo" lock --all
        timed install "$main" ./mono -C "$repo" install --all
        printf -v "${1//-/_}_${pass}_lock" '%s' "$lock"
        printf -v "${1//-/_}_${pass}_install" '%s' "$install"
    done
    # The warm install did no work.
    [ "$(awk '$2 == "up" && $3 == "to" && $4 == "date"' "$work/last.out" | wc -l)" -eq "$projects" ] ||
        { echo "error: $1: the warm install did work:" >&2; cat "$work/last.out" >&2; exit 1; }
}

uv_ws_route() {
    local lock install
    caches_for uv-ws
    for pass in cold warm again; do
        lock=0 install=0
        if [ "$pass" = again ]; then
            settle
            timed lock "$work/uv-ws" "$uv" lock -q
            timed install "$work/uv-ws" "$uv" sync -q --all-packages
            lock=0 install=0
        fi
        timed lock "$work/uv-ws" "$uv" lock -q
        timed install "$work/uv-ws" "$uv" sync -q --all-packages
        printf -v "uv_ws_${pass}_lock" '%s' "$lock"
        printf -v "uv_ws_${pass}_install" '%s' "$install"
    done
}

loop_route() { # loop_route ROUTE: in each project, in turn, lock then install (uv's or Poetry's)
    local route=$1 name=${1//-/_} lock install
    caches_for "$route"
    for pass in cold warm; do
        lock=0 install=0
        for folder in $folders; do
            if [ "$route" = uv-each ]; then
                timed lock "$work/$route/$folder" "$uv" lock -q
                timed install "$work/$route/$folder" "$uv" sync -q
            else
                timed lock "$work/$route/$folder" "$poetry" lock -q
                timed install "$work/$route/$folder" "$poetry" install -q
            fi
        done
        printf -v "${name}_${pass}_lock" '%s' "$lock"
        printf -v "${name}_${pass}_install" '%s' "$install"
    done
}

for route in $routes; do
    case $route in
        mono | mono-poetry) mono_route "$route" ;;
        uv-ws) uv_ws_route ;;
        uv-each | poetry-each) loop_route "$route" ;;
        *) echo "error: unknown route $route (ROUTES takes: mono mono-poetry uv-ws uv-each poetry-each)" >&2; exit 2 ;;
    esac
done

# Every route locked and installed what it should, with the same versions.
python3 - "$work" "$projects" $routes <<'EOF'
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

work, projects, routes = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
checked = ("flask", "pandas", "requests", "pytest")
seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
problems: list[str] = []
base = work / "base"
folders = sorted(p.parent.relative_to(base).as_posix() for p in base.glob("*/**/pyproject.toml"))
assert len(folders) == projects, folders


def needs(folder: str) -> set[str]:
    """What a project's venv must hold: pytest, requests (every project reaches a bottom
    library), flask for apps, pandas for EDA projects, and the project's own libraries."""
    project = tomllib.loads((base / folder / "pyproject.toml").read_text())["project"]
    kind = {"app": {"flask"}, "eda": {"pandas"}}.get(folder.split("/")[0], set())
    libs = {dep for dep in project["dependencies"] if dep.startswith("lib-")}
    own = {project["name"]} if folder.startswith("lib/") else set()
    return {"pytest", "requests", *kind, *libs, *own}


def installed(venv: Path) -> dict[str, str]:
    """name -> version of what a venv holds, from its .dist-info folders (no process started)."""
    found = {}
    for info in venv.glob("lib/python3*/site-packages/*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").partition("-")
        found[name.lower().replace("_", "-")] = version
    return found


def locked(lock: Path) -> dict[str, str]:
    return {p["name"]: p["version"] for p in tomllib.loads(lock.read_text()).get("package", [])}


def check(route: str, what: str, path: Path, found: dict[str, str], must: set[str]) -> None:
    """Record the versions a route's lock or venv holds, and what it lacks of `must`."""
    if missing := sorted(must - found.keys()):
        problems.append(f"{route}: {path.relative_to(work)} lacks {', '.join(missing)}")
    for name in checked:
        if name in found:
            seen[name][found[name]].append(f"{route} {what}")


def check_venv(route: str, venv: Path, must: set[str]) -> None:
    if not (venv / "bin/python").exists():
        problems.append(f"{route}: no venv at {venv.relative_to(work)}")
    else:
        check(route, "venv", venv, installed(venv), must)


def check_lock(route: str, lock: Path, must: set[str]) -> None:
    if not lock.is_file():
        problems.append(f"{route}: no {lock.relative_to(work)}")
    else:
        check(route, "lock", lock, locked(lock), must)


for route in routes:
    if route == "uv-ws":
        everything = set().union(*(needs(folder) for folder in folders))
        check_lock(route, work / route / "uv.lock", everything)
        check_venv(route, work / route / ".venv", everything)  # apps and EDA projects are virtual
        continue
    lock_name = "uv.lock" if route == "uv-each" else "poetry.lock"
    for folder in folders:
        must = needs(folder)
        own = tomllib.loads((base / folder / "pyproject.toml").read_text())["project"]["name"]
        check_lock(route, work / route / folder / lock_name, must - {own})  # poetry.lock omits the project
        check_venv(route, work / route / folder / ".venv", must)
for name in checked:
    versions = seen[name]
    if len(versions) != 1:
        found = "; ".join(f"{v} in {len(w)} ({w[0]}, ...)" for v, w in versions.items())
        problems.append(f"{name}: {len(versions)} versions: {found}")
if problems:
    print("error: the routes did not all lock and install the same:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print("checked: every route locked and installed every project; one version each of "
      + ", ".join(f"{name} {next(iter(seen[name]))}" for name in checked)
      + f" across {sum(len(w) for w in seen['requests'].values())} locks and venvs")
EOF

label() {
    case $1 in
        mono) echo '`./mono lock/install --all`' ;;
        mono-poetry) echo '`./mono lock/install --all`, `installer = "poetry"`' ;;
        uv-ws) echo 'uv workspace (one uv.lock, `uv lock`, `uv sync --all-packages`)' ;;
        uv-each) echo 'uv per project (`uv lock` + `uv sync` in each, in turn)' ;;
        poetry-each) echo 'Poetry loop (`poetry lock` + `poetry install` in each)' ;;
    esac
}
value() { local var="${1//-/_}_$2"; if [ -n "${!var:-}" ]; then printf '%.2f' "${!var}"; else printf -- '-'; fi; }

echo
echo "$projects projects: $(./mono -C "$work/base" list --json | python3 -c 'import json,sys,collections; print(", ".join(f"{n} {k}" for k, n in sorted(collections.Counter(p["kind"] for p in json.load(sys.stdin)).items())))'); seconds of wall time"
echo
echo "| route | lock | install | warm lock | warm install | again lock | again install |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for route in $routes; do
    echo "| $(label "$route") | $(value "$route" cold_lock) | $(value "$route" cold_install) | $(value "$route" warm_lock)" \
        "| $(value "$route" warm_install) | $(value "$route" again_lock) | $(value "$route" again_install) |"
done
if wanted mono && wanted uv-ws; then
    ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" "$1" "$2"; }
    echo
    echo "./mono against the uv workspace: cold lock $(ratio "$mono_cold_lock" "$uv_ws_cold_lock") (target at most 3x)," \
        "cold install $(ratio "$mono_cold_install" "$uv_ws_cold_install") (target at most 1x)," \
        "warm install $(ratio "$mono_warm_install" "$uv_ws_warm_install") (target at most 3x)," \
        "no-op again: lock $(ratio "$mono_again_lock" "$uv_ws_again_lock"), install $(ratio "$mono_again_install" "$uv_ws_again_install")"
fi
