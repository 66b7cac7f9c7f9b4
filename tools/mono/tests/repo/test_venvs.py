"""The fingerprint of a venv's installed distributions, on fake site-packages built from data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mono.repo.venvs import site_packages, venv_fingerprint
from tests.helpers import write_tree

SITE = "lib/python3.11/site-packages"


def fake_venv(root: Path) -> Path:
    """A venv holding flask (a folder), six (a module) and an editable internal library."""
    venv = root / ".venv"
    write_tree(
        venv,
        {
            "pyvenv.cfg": "home = /usr/bin\n",
            f"{SITE}/flask/__init__.py": "",
            f"{SITE}/flask-3.1.0.dist-info/RECORD": "flask/__init__.py,,\n",
            f"{SITE}/flask-3.1.0.dist-info/METADATA": "Name: flask\n",
            f"{SITE}/six.py": "",
            f"{SITE}/six-1.17.0.dist-info/RECORD": "six.py,,\n",
            f"{SITE}/_core.pth": "/repo/lib/core\n",
            f"{SITE}/core-0.1.0.dist-info/RECORD": "_core.pth,,\n",
        },
    )
    return venv


def test_the_same_venv_has_the_same_fingerprint_also_after_python_ran_in_it(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path)
    before = venv_fingerprint(venv)
    assert len(before) == 16 and before == venv_fingerprint(venv)
    # Importing six writes its bytecode at the top of site-packages; flask's inside its folder.
    write_tree(
        venv / SITE,
        {
            "__pycache__/six.cpython-311.pyc": "bytecode",
            "flask/__pycache__/__init__.cpython-311.pyc": "bytecode",
            ".DS_Store": "a file manager's",
        },
    )
    assert venv_fingerprint(venv) == before


def test_a_distribution_removed_as_pip_uninstall_does_changes_it(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path)
    before = venv_fingerprint(venv)
    shutil.rmtree(venv / SITE / "flask")
    shutil.rmtree(venv / SITE / "flask-3.1.0.dist-info")
    assert venv_fingerprint(venv) != before


def test_a_package_folder_deleted_by_hand_changes_it_though_its_dist_info_stays(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path)
    before = venv_fingerprint(venv)
    shutil.rmtree(venv / SITE / "flask")
    assert venv_fingerprint(venv) != before


def test_a_distribution_added_or_reinstalled_changes_it(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path)
    before = venv_fingerprint(venv)
    write_tree(venv / SITE, {"requests-2.32.0.dist-info/RECORD": "requests/__init__.py,,\n"})
    added = venv_fingerprint(venv)
    assert added != before
    # A reinstall of the same version writes its RECORD again: another modification time.
    record = venv / SITE / "six-1.17.0.dist-info/RECORD"
    status = record.stat()
    os.utime(record, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    assert venv_fingerprint(venv) != added


def test_a_dist_info_without_its_record_is_a_state_of_its_own(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path)
    before = venv_fingerprint(venv)
    (venv / SITE / "six-1.17.0.dist-info/RECORD").unlink()
    assert venv_fingerprint(venv) != before


def test_site_packages_is_found_on_posix_and_windows_layouts(tmp_path: Path) -> None:
    posix = fake_venv(tmp_path / "posix")
    windows = write_tree(tmp_path / "windows/.venv", {"Lib/site-packages/six-1.17.0.dist-info/RECORD": ""})
    assert site_packages(posix) == [posix / SITE]
    assert site_packages(windows) == [windows / "Lib/site-packages"]
    assert site_packages(tmp_path / "nothing") == []
    assert venv_fingerprint(tmp_path / "nothing") != venv_fingerprint(windows)
