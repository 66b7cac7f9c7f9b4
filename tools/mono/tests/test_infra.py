"""infra/tf stays formatted, and infra/tf/gcp stays in step with itself. (Whether every app of the
repository has an entry in its apps map is `./mono check`'s to say: mono.repo.infra.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap

import pytest

from tests.helpers import REPO_ROOT

TF_ROOT = REPO_ROOT / "infra" / "tf"
GCP = TF_ROOT / "gcp"
EXAMPLE = GCP / "terraform.tfvars.example"

_KEY = re.compile(r'^[ \t]*"?([A-Za-z0-9_-]+)"?[ \t]*=(?!=)', re.MULTILINE)
_VARIABLE = re.compile(r'^variable\s+"([^"]+)"\s*\{', re.MULTILINE)
_USE = re.compile(r"\bvar\.([A-Za-z_][A-Za-z0-9_-]*)")


def terraform(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run terraform; without it the test fails under CI=true and is skipped elsewhere."""
    executable = shutil.which("terraform")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("terraform is not on PATH: CI must check infra/tf with `terraform fmt -check`")
        pytest.skip("terraform is not on PATH")
    return subprocess.run(
        [executable, *args],
        cwd=TF_ROOT,
        input=stdin,
        env={**os.environ, "CHECKPOINT_DISABLE": "1"},  # no version check over the network
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def masked(text: str) -> str:
    """`text` with comments blanked and braces inside strings blanked; offsets and newlines kept."""
    out: list[str] = []
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                out.append(text[index : index + 2])
                index += 2
                continue
            in_string = char != '"'
            out.append(" " if char in "{}" else char)
        elif char == '"':
            in_string = True
            out.append(char)
        elif char == "#" or text.startswith("//", index):
            end = text.find("\n", index)
            end = len(text) if end == -1 else end
            out.append(" " * (end - index))
            index = end
            continue
        else:
            out.append(char)
        index += 1
    return "".join(out)


def top_level(text: str) -> str:
    """Masked `text` with whatever sits inside braces blanked (newlines kept)."""
    depth = 0
    out: list[str] = []
    for char in text:
        if char == "}":
            depth -= 1
        out.append(char if depth == 0 or char == "\n" else " ")
        if char == "{":
            depth += 1
    return "".join(out)


def block(text: str, header: str) -> str:
    """The inside of the first top-level `HEADER {...}` of masked `text` (header: a regex)."""
    found = re.search(rf"^[ \t]*{header}[ \t]*\{{", top_level(text), re.MULTILINE)
    assert found, f"no `{header} {{` at the top level"
    depth = 0
    for index in range(found.end() - 1, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[found.end() : index]
    raise AssertionError(f"unbalanced braces after `{header}`")


def keys(text: str) -> set[str]:
    """The names assigned at the top level of masked `text` (`name =` or `"name" =`)."""
    return set(_KEY.findall(top_level(text)))


def tf_sources() -> dict[str, str]:
    """Each .tf file of infra/tf/gcp, masked, by file name."""
    return {path.name: masked(path.read_text(encoding="utf-8")) for path in sorted(GCP.glob("*.tf"))}


def declared_variables() -> dict[str, str]:
    """Variable name -> the inside of its block, from variables.tf."""
    text = masked((GCP / "variables.tf").read_text(encoding="utf-8"))
    return {name: block(text, rf'variable\s+"{re.escape(name)}"') for name in _VARIABLE.findall(text)}


def test_terraform_files_are_formatted() -> None:
    result = terraform("fmt", "-check", "-recursive", "-diff", str(TF_ROOT))
    assert result.returncode == 0, f"run `terraform fmt -recursive infra/tf`:\n{result.stdout}{result.stderr}"


def test_the_tfvars_example_is_formatted() -> None:
    # `fmt -recursive` skips *.tfvars.example; formatting it through stdin checks it is valid HCL too.
    text = EXAMPLE.read_text(encoding="utf-8")
    result = terraform("fmt", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert result.stdout == text, f"format {EXAMPLE.relative_to(REPO_ROOT)} as `terraform fmt -` does"


def test_the_gcp_folder_has_its_files() -> None:
    expected = {"versions.tf", "variables.tf", "main.tf", "outputs.tf", "terraform.tfvars.example", "README.md"}
    assert expected <= {path.name for path in GCP.iterdir()}


def test_terraform_and_the_google_provider_are_pinned() -> None:
    versions = tf_sources()["versions.tf"]
    terraform_block = block(versions, "terraform")
    assert re.search(r'required_version\s*=\s*">=\s*1\.5"', terraform_block)
    google = block(block(terraform_block, "required_providers"), r"google\s*=")
    assert re.search(r'source\s*=\s*"hashicorp/google"', google)
    assert re.search(r'version\s*=\s*"~>\s*\d+\.\d+"', google)


def test_every_variable_used_is_declared_and_every_declared_one_is_used() -> None:
    used = {name for text in tf_sources().values() for name in _USE.findall(text)}
    declared = set(declared_variables())
    assert used - declared == set(), "used as var.X but not declared in variables.tf"
    assert declared - used == set(), "declared in variables.tf but never used"


def test_the_tfvars_example_sets_declared_variables_and_every_required_one() -> None:
    variables = declared_variables()
    required = {name for name, body in variables.items() if "default" not in keys(body)}
    assert {"project", "image_tag"} <= required
    example = keys(masked(EXAMPLE.read_text(encoding="utf-8")))
    assert example - set(variables) == set(), "terraform.tfvars.example sets variables that do not exist"
    assert required - example == set(), "terraform.tfvars.example leaves out variables without a default"


def test_the_parser_sees_through_comments_strings_and_nesting() -> None:
    text = masked(
        textwrap.dedent(
            """
        variable "apps" {
          description = "braces { in strings } and a \\" quote"
          type        = map(object({ port = optional(number, 5000) }))
          # default = { "commented-out" = {} }
          default = {
            "first-app" = { env = { NESTED = "x" } }
            second_app  = {}
          }
        }
        """
        )
    )
    assert keys(block(block(text, r'variable\s+"apps"'), r"default\s*=")) == {"first-app", "second_app"}
    assert keys(text) == set()
