"""The apps map of infra/tf/gcp/variables.tf: read, and an entry added as `terraform fmt` writes it."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from mono.commands import check
from mono.engine import health
from mono.repo.infra import APPS_FILE, add_app, read_apps_map
from tests.helpers import pep621, write_tree

VARIABLES = """
variable "region" {
  type    = string
  default = "us-central1"
}

variable "apps" {
  description = "braces { in strings } are no entries"
  type = map(object({
    port = optional(number, 5000)
  }))
  default = {
    "a" = {}
    "web-shop" = { port = 8080 }
  }
}
"""


def terraform_formatted(text: str) -> str:
    """`text` as `terraform fmt -` writes it; without terraform, a failure under CI=true."""
    executable = shutil.which("terraform")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("terraform is not on PATH: the apps map edit is checked against terraform fmt")
        pytest.skip("terraform is not on PATH")
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run([executable, "fmt", "-"], input=text, capture_output=True, text=True, env=env, check=True)
    return result.stdout


def infra(root: Path, variables: str) -> Path:
    write_tree(root, {APPS_FILE: variables})
    return root / APPS_FILE


@pytest.mark.parametrize(
    "variables",
    [
        VARIABLES,
        VARIABLES.replace('    "a" = {}\n    "web-shop" = { port = 8080 }\n', ""),  # an empty map
        VARIABLES.replace('  default = {\n    "a" = {}\n    "web-shop" = { port = 8080 }\n  }', "  default = {}"),
        VARIABLES.replace('"a" = {}', '"a" = {\n      port = 1\n    }'),  # a multi-line entry
    ],
    ids=["aligned", "empty-map", "one-line-empty", "multi-line-entry"],
)
def test_an_added_app_is_formatted_as_terraform_fmt_writes_it(tmp_path: Path, variables: str) -> None:
    path = infra(tmp_path, terraform_formatted(textwrap.dedent(variables).lstrip()))
    assert add_app(tmp_path, "a-much-longer-app-name")
    text = path.read_text()
    assert text == terraform_formatted(text)
    apps = read_apps_map(tmp_path)
    assert apps is not None and "a-much-longer-app-name" in apps.names()
    assert "region" not in apps.names() and "port" not in apps.names()


def test_the_map_names_its_entries_only_and_an_app_is_added_once(tmp_path: Path) -> None:
    infra(tmp_path, textwrap.dedent(VARIABLES).lstrip())
    apps = read_apps_map(tmp_path)
    assert apps is not None and apps.names() == {"a", "web-shop"}
    before = (tmp_path / APPS_FILE).read_text()
    assert not add_app(tmp_path, "web-shop")
    assert (tmp_path / APPS_FILE).read_text() == before


def test_no_file_or_no_apps_variable_is_left_alone(tmp_path: Path) -> None:
    assert read_apps_map(tmp_path) is None and not add_app(tmp_path, "web")
    path = infra(tmp_path, 'variable "region" {\n  default = "x"\n}\n')
    assert not add_app(tmp_path, "web") and path.read_text() == 'variable "region" {\n  default = "x"\n}\n'


def test_check_warns_of_an_undeployed_app_and_of_an_entry_without_an_app(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.mono]\n",
            "app/shop/web/pyproject.toml": pep621("web"),
            "app/shop/web/app.py": "",
            "app/shop/a/pyproject.toml": pep621("a"),
            "app/shop/a/app.py": "",
        },
    )
    infra(tmp_path, textwrap.dedent(VARIABLES).lstrip())
    found = list(check.CHECKS["deployments"](health.load_repository(tmp_path)))
    assert [(f.project, f.severity, f.message) for f in found] == [
        ("web", "warning", f'has no entry in the apps map of {APPS_FILE}, so it is not deployed (add "web" = {{}})'),
        (
            "web-shop",
            "warning",
            f"is deployed by the apps map of {APPS_FILE}, but no app has that name (remove its entry)",
        ),
    ]
