"""A template-made project's .copier-answers.yml: which template commit and source it records.

`./mono new` renders tools/templates/KIND with copier, which writes the answers file; copier
writes `_commit` and `_src_path` as plain top-level `key: value` lines, so they are read and
rewritten as lines here (no YAML library: the rest of the file is copier's, kept byte for byte).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mono.errors import MonoError

ANSWERS_FILE = ".copier-answers.yml"
# copier.yml renders `_subdirectory: tools/templates/{{ kind }}`: a project's template is that
# folder and copier.yml itself.
TEMPLATES = "tools/templates"
_LARGEST = 1_000_000  # bytes; copier writes a few hundred
# What git takes as a revision (a commit id, or `git describe` output such as v1.2-3-gabc1234),
# never an option.
_REVISION = re.compile(r"[0-9A-Za-z_][0-9A-Za-z_./+-]{0,199}")


@dataclass(frozen=True)
class TemplateAnswers:
    """What a project's answers file says about the template it was made from."""

    path: str  # the answers file, repo-relative
    commit: str | None  # `_commit`: the template's commit at the last copy or update
    src_path: str | None  # `_src_path`: the template, relative to the project (as `new` writes it)
    kind: str | None  # the `kind` answer: which tools/templates folder


def template_paths(kind: str) -> tuple[str, ...]:
    """The repository-relative files a project of `kind` is rendered from."""
    return ("copier.yml", f"{TEMPLATES}/{kind}")


def _value(text: str, key: str) -> str | None:
    found = re.search(rf"(?m)^{re.escape(key)}:[ \t]*(.*?)[ \t]*$", text)
    if found is None:
        return None
    value = found.group(1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]  # copier quotes a commit id of digits only ('4930915')
    return value or None


def read_answers(root: Path, folder: str) -> TemplateAnswers | None:
    """The answers file of the project in repo-relative `folder`; None when it has none (it was
    not made from a template). An unreadable file or a `_commit` git could take for an option
    is one line (MonoError)."""
    shown = f"{folder}/{ANSWERS_FILE}"
    path = root / folder / ANSWERS_FILE
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > _LARGEST:
            raise MonoError(f"{shown} is larger than {_LARGEST:,} bytes", "copier writes a few lines; restore it")
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MonoError(f"{shown} cannot be read: {error}", "restore it from git") from error
    commit = _value(text, "_commit")
    if commit is not None and not _REVISION.fullmatch(commit):
        raise MonoError(f"{shown}: _commit {commit[:40]!r} is not a git commit", "set it to a commit id")
    return TemplateAnswers(shown, commit, _value(text, "_src_path"), _value(text, "kind"))


def with_answer(text: str, key: str, value: str | None) -> str:
    """`text` of an answers file with top-level `key` set to `value` (None: the line removed)."""
    pattern = rf"(?m)^{re.escape(key)}:.*\n?"
    if value is None:
        return re.sub(pattern, "", text)
    # A commit id of digits only would be read back as a YAML number: quoted, as copier does.
    line = f"{key}: '{value}'\n" if value.isdigit() else f"{key}: {value}\n"
    if re.search(pattern, text):
        return re.sub(pattern, lambda _: line, text, count=1)
    return text + ("" if text.endswith("\n") or not text else "\n") + line
