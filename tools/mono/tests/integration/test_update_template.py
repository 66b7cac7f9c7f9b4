"""`mono update-template` for real: projects `new` made (on a dirty tree) take the templates'
later committed changes through copier update, keeping their own; real copier, git, Poetry."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import git, write_tree
from tests.integration.conftest import copy_examples, mono

pytestmark = pytest.mark.integration

TEMPLATE_README = "tools/templates/lib/README.md.jinja"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_examples(tmp_path_factory.mktemp("update-template") / "repo", templates=True)
    # A tree as people have it: a tracked file changed, a new file not added, neither of them
    # anything to do with the templates. Kept so through every test here.
    with (root / ".gitignore").open("a") as ignore:
        ignore.write("# local notes\n")
    write_tree(root, {"notes.txt": "not for git\n"})
    return root


def unrelated_changes(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--", ".gitignore", "notes.txt")


def recorded_commit(repo: Path, project: str) -> str:
    [line] = [line for line in (repo / project / ".copier-answers.yml").read_text().splitlines() if "_commit:" in line]
    return line.split(":", 1)[1].strip().strip("'")


def commit_template_change(repo: Path, path: str, text: str) -> str:
    """Append `text` to the template file `path`, commit only that; the new HEAD's short id."""
    with (repo / path).open("a") as template:
        template.write(text)
    git(repo, "commit", "-qm", f"template: {path}", "--", path)
    return git(repo, "rev-parse", "--short", "HEAD").strip()


def test_new_on_a_dirty_tree_records_a_commit_that_exists_and_update_rolls_a_template_change_in(repo: Path) -> None:
    made = mono("-C", str(repo), "new", "lib", "geo")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "warning" not in made.stderr  # the templates themselves were committed
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert recorded_commit(repo, "lib/geo") == head
    git(repo, "cat-file", "-e", f"{head}^{{commit}}")  # it is in the history, not a throwaway copy's
    # Not committed yet: refused in one line naming its files, and nothing is written.
    before = git(repo, "status", "--porcelain")
    refused = mono("-C", str(repo), "update-template", "geo")
    assert refused.returncode == 2 and "uncommitted changes in geo (lib/geo/" in refused.stderr
    assert "Traceback" not in refused.stderr and git(repo, "status", "--porcelain") == before
    git(repo, "add", "lib/geo")
    git(repo, "commit", "-qm", "new lib geo")
    # The project's own change, committed, must survive the update.
    readme = repo / "lib/geo/README.md"
    readme.write_text(readme.read_text().replace("# geo\n", "# geo, the shapes of places\n"))
    git(repo, "commit", "-qm", "geo: a title of its own", "--", "lib/geo")
    new_head = commit_template_change(repo, TEMPLATE_README, "\nRolled out by update-template.\n")

    updated = mono("-C", str(repo), "update-template", "geo")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"geo: {head} -> {new_head}: README.md" in updated.stdout
    text = readme.read_text()
    assert text.startswith("# geo, the shapes of places\n") and text.endswith("Rolled out by update-template.\n")
    assert "<<<<<<<" not in text
    assert recorded_commit(repo, "lib/geo") == new_head
    assert unrelated_changes(repo) == " M .gitignore\n?? notes.txt\n"
    git(repo, "commit", "-qm", "geo: template update", "--", "lib/geo")
    again = mono("-C", str(repo), "update-template", "geo")
    assert again.returncode == 0 and f"geo: up to date (no template change since {new_head})" in again.stdout


def test_all_updates_every_template_made_project_or_none_while_one_is_uncommitted(repo: Path) -> None:
    made = mono("-C", str(repo), "new", "lib", "roads")
    assert made.returncode == 0, made.stdout + made.stderr
    commit_template_change(repo, "tools/templates/lib/pyproject.toml.jinja", "# rolled out to every library\n")
    before = git(repo, "status", "--porcelain")
    refused = mono("-C", str(repo), "update-template", "--all")
    assert refused.returncode == 2 and "uncommitted changes in roads (lib/roads/" in refused.stderr
    assert git(repo, "status", "--porcelain") == before  # geo, clean, was not updated either
    git(repo, "add", "lib/roads")
    git(repo, "commit", "-qm", "new lib roads")

    updated = mono("-C", str(repo), "update-template", "--all")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    for name in ("geo", "roads"):
        assert (repo / f"lib/{name}/pyproject.toml").read_text().endswith("# rolled out to every library\n")
        assert f"update-template: {name}: " in updated.stdout and "pyproject.toml" in updated.stdout
        assert recorded_commit(repo, f"lib/{name}") == head
    assert "not template-made (no .copier-answers.yml): " in updated.stdout
    assert "helloworld" in updated.stdout and "flask-app-1" in updated.stdout
    assert unrelated_changes(repo) == " M .gitignore\n?? notes.txt\n"
    git(repo, "commit", "-qm", "template update", "--", "lib")


def test_a_conflict_is_left_as_markers_and_the_rest_wait_for_it(repo: Path) -> None:
    # geo rewrites the line the template changes next.
    readme = repo / "lib/geo/README.md"
    readme.write_text(readme.read_text().replace("Rolled out by update-template.", "geo's own last line."))
    git(repo, "commit", "-qm", "geo: its own last line", "--", "lib/geo")
    template = repo / TEMPLATE_README
    template.write_text(template.read_text().replace("Rolled out by update-template.", "A second roll-out."))
    git(repo, "commit", "-qm", "template: README", "--", TEMPLATE_README)

    updated = mono("-C", str(repo), "update-template", "geo", "roads")
    assert updated.returncode == 1, updated.stdout + updated.stderr
    assert "geo: conflicts in README.md: resolve the <<<<<<< markers" in updated.stdout
    assert "not updated yet: roads" in updated.stdout
    assert "<<<<<<<" in readme.read_text() and "A second roll-out." in readme.read_text()
    assert "A second roll-out." not in (repo / "lib/roads/README.md").read_text()
    readme.write_text(readme.read_text().split("<<<<<<<")[0] + "geo's own last line.\n")
    git(repo, "add", "lib/geo")
    git(repo, "commit", "-qm", "geo: conflict resolved")
    rest = mono("-C", str(repo), "update-template", "geo", "roads")
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert "geo: up to date" in rest.stdout and "roads: " in rest.stdout
    assert (repo / "lib/roads/README.md").read_text().endswith("A second roll-out.\n")


def test_new_from_uncommitted_template_changes_records_head_says_so_and_updates_cleanly_later(repo: Path) -> None:
    with (repo / TEMPLATE_README).open("a") as template:
        template.write("A draft of the template's.\n")
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    made = mono("-C", str(repo), "new", "lib", "drafty")
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"drafty was made from templates with uncommitted changes ({TEMPLATE_README})" in made.stderr
    assert f"records HEAD ({head})" in made.stderr
    assert recorded_commit(repo, "lib/drafty") == head
    assert (repo / "lib/drafty/README.md").read_text().endswith("A draft of the template's.\n")
    git(repo, "add", "lib/drafty")
    git(repo, "commit", "-qm", "new lib drafty")
    new_head = commit_template_change(repo, TEMPLATE_README, "")  # the draft, committed as it is

    updated = mono("-C", str(repo), "update-template", "drafty")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"drafty: {head} -> {new_head}: only its answers file" in updated.stdout
    assert (repo / "lib/drafty/README.md").read_text().count("A draft of the template's.") == 1
