# Sourced by the benchmarks (bash, set -euo pipefail): where the repository is, a scratch folder
# removed at exit, and the tool's own Python, Poetry and uv (the pinned ones, in .mono/venv) with
# the package index derived as ./mono derives it (never written down).
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
main=$(dirname "$here")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$main"
./mono --version >/dev/null # sets up .mono/venv if needed, outside the timings
python="$main/.mono/venv/bin/python"
poetry="$main/.mono/venv/bin/poetry"
uv="$main/.mono/venv/bin/uv"
index=${POETRY_PYPI_MIRROR_URL:-$("$python" -c 'from mono.external.index import index_url; print(index_url())')}
