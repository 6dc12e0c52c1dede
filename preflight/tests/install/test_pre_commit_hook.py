"""The pre-commit hook as a user meets it: `pre-commit try-repo` on this repository
(its .pre-commit-hooks.yaml at the root, ./preflight as the installed package), run in
another project's git repository. pre-commit itself creates the hook's virtualenv and
pip-installs it, so this needs PyPI (or a local index) the way a user's first run does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "preflight" / "tests" / "fixtures" / "run"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_hook_reports_a_finding_and_fails_the_commit(tmp_path: Path) -> None:
    """An undeclared import (F2) fails the hook with preflight's own finding line."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "undeclared_import", project)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "app")
    pre_commit = Path(sys.executable).with_name("pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    proc = subprocess.run(
        [str(pre_commit), "try-repo", str(REPO), "preflight", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert re.search(r"^preflight check\.+Failed$", output, re.MULTILINE), output
    assert "app.py:3:1: error PF201 [F2] 'yaml' is imported" in output, output
    assert "Found 1 error in 1 file." in output, output
