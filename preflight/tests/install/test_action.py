"""The GitHub Action (action.yml at the repository root) run the way a runner runs it:
each step's `if:` evaluated, its `env:` expressions filled in, its `run:` script executed
by `bash -eo pipefail` with $GITHUB_OUTPUT, outputs carried to later steps. The two
`uses:` steps are GitHub's own: setup-python is stood in for by a fresh venv first on
PATH, and upload-sarif's input must name the SARIF file the check step wrote.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "preflight" / "tests" / "fixtures" / "run"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARE = re.compile(r"^(\S+)\s*(==|!=)\s*(\S+)$")


@dataclass
class Runner:
    """What a runner keeps between a composite action's steps."""

    inputs: dict[str, str]
    workspace: Path
    path: str  # PATH, with the venv that stands in for setup-python first
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    failed: int | None = None  # exit code of the step that failed the job
    log: str = ""

    def value(self, name: str) -> str:
        """An expression operand: a context path or a quoted literal."""
        if name.startswith("'") and name.endswith("'"):
            return name[1:-1]
        parts = name.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[:1] == ["github"] and parts[1] == "action_path":
            return str(REPO)
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"action.yml uses an expression this test cannot evaluate: {name}")

    def condition(self, expr: str | None) -> bool:
        """`if:` as GitHub evaluates it for the forms action.yml uses (else: fail)."""
        if expr is None:
            return self.failed is None
        always = False
        result = True
        for term in (t.strip() for t in expr.split("&&")):
            if term == "always()":
                always = True
            elif match := _COMPARE.match(term):
                left, op, right = match.groups()
                result &= (self.value(left) == self.value(right)) is (op == "==")
            else:
                result &= self.value(term) not in ("", "false", "0")
        return result and (always or self.failed is None)

    def fill(self, text: str) -> str:
        return _EXPR.sub(lambda m: self.value(m.group(1)), text)


def _run_step(runner: Runner, step: dict[str, Any], tmp: Path) -> None:
    output_file = tmp / f"output-{len(runner.ran)}"
    output_file.write_text("")
    env = {
        **os.environ,
        "PATH": runner.path,
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_WORKSPACE": str(runner.workspace),
        "GITHUB_ACTION_PATH": str(REPO),
        **{k: runner.fill(str(v)) for k, v in (step.get("env") or {}).items()},
    }
    assert step["shell"] == "bash"
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=runner.workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    runner.log += f"== {step.get('name')}\n{proc.stdout}{proc.stderr}"
    if "id" in step:
        lines = output_file.read_text().splitlines()
        runner.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
    if proc.returncode != 0:
        runner.failed = proc.returncode


def run_action(runner: Runner, tmp: Path) -> Runner:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    runner.inputs = {**defaults, **runner.inputs}
    for step in action["runs"]["steps"]:
        if not runner.condition(step.get("if")):
            continue
        runner.ran.append(step.get("name") or step["uses"])
        uses = step.get("uses", "")
        if uses.startswith("actions/setup-python@"):
            continue  # the venv first on PATH
        if uses.startswith("github/codeql-action/upload-sarif@"):
            runner.uploaded.append(runner.fill(step["with"]["sarif_file"]))
            continue
        assert not uses, f"unexpected action {uses}"
        _run_step(runner, step, tmp)
    return runner


@pytest.fixture(scope="module")
def venv_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh venv standing in for setup-python (its python first on PATH)."""
    venv = tmp_path_factory.mktemp("action") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "/usr/bin:/bin")])


def _workspace(tmp_path: Path, fixture: str) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copytree(FIXTURES / fixture, workspace / "app")  # the checkout's subfolder
    return workspace


def test_findings_are_uploaded_then_fail_the_job(tmp_path: Path, venv_path: str) -> None:
    runner = Runner({"path": "app"}, _workspace(tmp_path, "undeclared_import"), venv_path)
    run_action(runner, tmp_path)
    assert runner.failed == 1, runner.log
    assert runner.outputs["check"]["exit-code"] == "1", runner.log
    assert runner.ran == [
        "actions/setup-python@v5",
        "Install preflight",
        "preflight check",
        "Upload SARIF to code scanning",
        "Fail on findings",
    ]
    sarif = json.loads((runner.workspace / runner.uploaded[0]).read_text())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["PF201"], results
    # from the checkout's root, as code scanning resolves it: app/app.py, not app.py
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "app/app.py", "uriBaseId": "%SRCROOT%"}
    base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == runner.workspace.resolve().as_uri() + "/"
    assert "preflight check found error-level findings (exit 1)" in runner.log


def test_clean_app_passes_check_and_run_with_probes(tmp_path: Path, venv_path: str) -> None:
    inputs = {"path": "app", "run": "true", "probes": "GET /health 200\nGET / 200\n"}
    runner = Runner(inputs, _workspace(tmp_path, "good"), venv_path)
    run_action(runner, tmp_path)
    assert runner.failed is None, runner.log
    assert runner.outputs["check"] == {"sarif-file": "preflight.sarif", "exit-code": "0"}
    assert runner.ran[-2:] == ["Upload SARIF to code scanning", "preflight run"]
    assert (
        json.loads((runner.workspace / "preflight.sarif").read_text())["runs"][0]["results"] == []
    )
    assert "GET /health 200" in runner.log
    assert "GET / 200" in runner.log
    assert "All probes met their expectations: 6 of 6 passed" in runner.log, runner.log


def _readme_yaml_blocks() -> list[Any]:
    text = (REPO / "preflight" / "README.md").read_text()
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]


def test_readme_snippets_use_what_the_action_and_hook_define() -> None:
    """The copy-paste snippets stay true: every `with:` key is an input of action.yml,
    every input is documented, and the pre-commit snippet names the hook's id."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    workflow, pre_commit = (b for b in _readme_yaml_blocks() if "jobs" in b or "repos" in b)
    (step,) = (s for s in workflow["jobs"]["preflight"]["steps"] if "with" in s)
    assert set(step["with"]) <= set(action["inputs"])
    readme = (REPO / "preflight" / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in action["inputs"]), action["inputs"]
    (hook,) = pre_commit["repos"][0]["hooks"]
    assert hook["id"] in {h["id"] for h in hooks}
