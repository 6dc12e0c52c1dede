"""A ModuleNotFoundError for a module the upload holds is the project's own import
mistake, not an undeclared dependency: the advice names the check rule (PF205, PF1402)
instead of telling the user to add a distribution that does not exist."""

from __future__ import annotations

from pathlib import Path

from preflight.emulate.diagnose import diagnose
from preflight.emulate.probes import Probe, outcome_of
from preflight.emulate.runtime import Crash, Response

_RUNTIME = (
    'could not import "backend/app.py":\nTraceback (most recent call last):\n'
    '  File "/var/task/_vendor/vercel_runtime/vc_init.py", line 622, in <module>\n'
    '  File "<frozen importlib._bootstrap>", line 488, in _call_with_frames_removed\n'
)
_BESIDE = (
    _RUNTIME + '  File "/var/task/backend/app.py", line 2, in <module>\n'
    "    from routes.auth import bp\n"
    "ModuleNotFoundError: No module named 'routes'"
)


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_module_beside_an_entrypoint_below_the_root_is_pf205(tmp_path: Path) -> None:
    project = _project(tmp_path, {"backend/app.py": "", "backend/routes/auth.py": "bp = 1\n"})
    found = diagnose(_BESIDE, project)
    assert found is not None
    assert found.fid == "F2"
    assert "'routes', the project's own module (backend/routes/)" in found.cause
    assert "import path holds the project root (/var/task), not backend/" in found.cause
    assert "distribution" not in found.fix
    assert "(backend.routes)" in found.fix
    assert "PF205" in found.fix
    assert found.location == "backend/app.py:2"


def test_a_module_under_public_is_pf1402(tmp_path: Path) -> None:
    project = _project(tmp_path, {"main.py": "", "public/usage.py": "USAGE = ''\n"})
    text = (
        _RUNTIME + '  File "/var/task/main.py", line 2, in <module>\n'
        "ModuleNotFoundError: No module named 'public'"
    )
    found = diagnose(text, project)
    assert found is not None
    assert found.fid == "F14"
    assert "'public', the project's own module (public/)" in found.cause
    assert "leaves out of the function" in found.cause
    assert "PF1402" in found.fix
    assert "distribution" not in found.fix


def test_a_name_the_upload_does_not_hold_still_asks_for_a_distribution(tmp_path: Path) -> None:
    project = _project(tmp_path, {"backend/app.py": ""})
    found = diagnose(_BESIDE, project)
    assert found is not None
    assert found.fid == "F2"
    assert found.fix.startswith("add the distribution that provides 'routes'")


def test_the_probe_outcome_reads_the_upload(tmp_path: Path) -> None:
    project = _project(tmp_path, {"backend/app.py": "", "backend/routes.py": "bp = 1\n"})
    crash = Crash("import", _BESIDE, 1)
    response = Response(500, {}, b"", 1.0, (), crash=crash)
    outcome = outcome_of(Probe("GET", "/"), "cold", response, project)
    assert outcome.diagnosis is not None
    assert "own module (backend/routes.py)" in outcome.diagnosis.cause
    assert "PF205" in outcome.diagnosis.fix
