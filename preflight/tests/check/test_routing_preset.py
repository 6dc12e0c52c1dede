"""PF403/PF404 follow the preset Vercel applies (preflight.preset): a risk when the dashboard
decides, an error when the linked project's stored preset is known to be "Other"."""

from __future__ import annotations

from pathlib import Path

from preflight.findings import Severity

from .conftest import check_project

FLASK = "from flask import Flask\napp = Flask(__name__)\n"


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _routing(root: Path) -> list[tuple[str, Severity]]:
    found = check_project(root).findings
    return [(f.rule_id, f.severity) for f in found if f.rule_id in {"PF403", "PF404"}]


def test_unpinned_preset_is_a_warning_and_a_stored_other_an_error(tmp_path: Path) -> None:
    root = _project(tmp_path, {"api/index.py": FLASK, "requirements.txt": "flask\n"})
    assert _routing(root) == [("PF404", Severity.WARNING)]
    _project(root, {".vercel/project.json": '{"settings": {"framework": null}}'})
    assert _routing(root) == [("PF404", Severity.ERROR)]
    _project(root, {"vercel.json": '{"framework": "flask"}'})
    assert _routing(root) == []


def test_pf403_only_where_the_app_sees_the_rewritten_path(tmp_path: Path) -> None:
    rewrite = '"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]'
    root = _project(
        tmp_path,
        {"api/index.py": FLASK, "requirements.txt": "flask\n", "vercel.json": "{" + rewrite + "}"},
    )
    assert _routing(root) == [("PF403", Severity.ERROR)]
    _project(root, {"vercel.json": '{"framework": null, ' + rewrite + "}"})
    assert _routing(root) == []
