"""Dependency verdicts as Vercel's build has them: `--fix` re-encodes a manifest the
builder cannot read and never adds a name the index lacks; each level follows what the
build does; an sdist says which import names it installs."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from preflight.cli import main
from preflight.deps.archive import (
    central_directory_span,
    sdist_compiles,
    sdist_top_levels,
    tar_sdist_members,
    wheel_top_levels,
    zip_member_data,
    zip_members,
)
from preflight.findings import Severity

from .conftest import APPS, CACHE, Check, MakeProject


def _check(root: Path, *extra: str) -> int:
    return main(["check", str(root), "--offline", "--cache-dir", str(CACHE), "--no-color", *extra])


@pytest.mark.parametrize("app", ["f3_requirements_utf16", "f3_requirements_bom"])
def test_fix_rewrites_the_manifest_as_plain_utf8(
    app: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / app
    shutil.copytree(APPS / app, root)
    assert _check(root) == 1
    assert "PYTHON_REQUIREMENTS_PARSE_ERROR" in capsys.readouterr().out
    _check(root, "--fix")
    assert (root / "requirements.txt").read_bytes() == b"flask==3.1.3\n"
    capsys.readouterr()
    assert _check(root) == 0, capsys.readouterr().out


def test_fix_never_adds_a_name_it_cannot_find_on_the_index(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": "import flask\nimport acme_internal_tools\napp = flask.Flask(__name__)\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    assert _check(root, "--fix") == 1
    out = capsys.readouterr().out
    assert "'acme_internal_tools' is imported" in out
    assert "acme-internal-tools could not be looked up on PyPI" in out
    assert (root / "requirements.txt").read_text(encoding="utf-8") == "flask==3.1.3\n"


def test_fix_adds_a_name_the_index_has(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "app.py": "import flask\nfrom flask_cors import CORS\napp = flask.Flask(__name__)\n",
            "requirements.txt": "flask==3.1.3\n",
        }
    )
    _check(root, "--fix")
    capsys.readouterr()
    assert (root / "requirements.txt").read_text(encoding="utf-8") == "flask==3.1.3\nflask-cors\n"


@pytest.mark.parametrize(
    ("app", "rule", "severity"),
    [
        ("f2_vcs_requirement", "PF201", Severity.WARNING),  # its import names are unknown
        ("f16_requires_python_excludes_offered", "PF1601", Severity.ERROR),
        ("f10_bundle_over_tmp_vercel", "PF1001", Severity.ERROR),
        ("f20_dependencies_installed_at_cold_start", "PF2001", Severity.WARNING),
        ("f19_django_distutils", "PF1901", Severity.ERROR),
    ],
)
def test_levels_follow_what_the_build_does(
    app: str, rule: str, severity: Severity, check: Check
) -> None:
    found = {f.rule_id: f for f in check(APPS / app).findings}
    assert found[rule].severity is severity, found[rule].message


def test_an_sdist_says_which_names_it_installs() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in (
            "django_allauth-65.9.0/allauth/__init__.py",
            "django_allauth-65.9.0/allauth/account/views.py",
            "django_allauth-65.9.0/manage.py",
            "django_allauth-65.9.0/setup.py",
            "django_allauth-65.9.0/tests/test_login.py",
            "other-1.0/src/other_pkg/__init__.py",
        ):
            info = tarfile.TarInfo(name)
            archive.addfile(info, io.BytesIO(b""))
    members, texts = tar_sdist_members(buffer.getvalue())
    assert texts == {}
    assert sdist_top_levels(members) == ["allauth", "other_pkg"]
    assert sdist_top_levels([], "allauth\n") == ["allauth"]
    assert not sdist_compiles(members)  # pure Python: PF103 stays quiet
    assert sdist_compiles([*members, "psycopg2-2.9.7/psycopg/connection_int.c"])


def test_a_wheel_member_is_read_from_its_directory_entry() -> None:
    """How requirements are learned from indexes without per-release JSON or PEP 658
    files: the METADATA member is fetched by its offset in the central directory."""
    buffer = io.BytesIO()
    metadata = "Metadata-Version: 2.1\nName: demo\nRequires-Dist: django>=3.2\n"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("demo-1.0.dist-info/METADATA", metadata)
    data = buffer.getvalue()
    span = central_directory_span(data[-65536:], len(data))
    assert span is not None
    offset, length = span
    members = zip_members(data[offset : offset + length])
    assert wheel_top_levels([m.name for m in members]) == ["demo"]
    wanted = next(m for m in members if m.name.endswith("METADATA"))
    assert zip_member_data(data[wanted.offset :], wanted) == metadata.encode()


def test_a_package_gets_the_break_its_import_hits_first(check: Check) -> None:
    findings = check(APPS / "f19_flask1_jinja_escape").findings
    assert [f.message for f in findings] == [
        "flask 1.1.2 with jinja2 3.1.6 fails at import: cannot import name 'escape' from 'jinja2'"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "shortlink-py @ https://github.com/example-org/shortlink-py/archive/v1.2.0.zip",
        "-e git+https://github.com/example-org/shortlink-py.git#egg=shortlink-py",
        "./vendor/shortlink-py",
    ],
)
def test_a_url_or_path_requirement_may_provide_any_import(
    line: str, make_project: MakeProject, check: Check
) -> None:
    root = make_project({"app.py": "import shortlink\napp = 1\n", "requirements.txt": f"{line}\n"})
    (finding,) = check(root).findings
    assert (finding.rule_id, finding.severity) == ("PF201", Severity.WARNING), finding.message


def test_pip_is_missing_only_off_vercel(check: Check) -> None:
    """Vercel's builder seeds pip into every bundle; a plain Lambda zip has no pip."""
    assert check(APPS / "f2_pip_from_builder").findings == []
    lambda_findings = check(APPS / "f2_pip_from_builder", target="lambda").findings
    assert [(f.rule_id, f.location.line) for f in lambda_findings] == [("PF201", 14)]


_HANDLER = (
    "from http.server import BaseHTTPRequestHandler\nimport flask_cors\n\n\n"
    "class handler(BaseHTTPRequestHandler):\n    pass\n"
)


def test_with_no_entrypoint_an_undeclared_import_is_an_error_only_where_a_function_reaches_it(
    make_project: MakeProject, check: Check
) -> None:
    """With no entrypoint nothing says the function imports a file (scripts, a Backend/
    folder the build misses): a warning. api/*.py files are functions: still an error."""
    root = make_project(
        {
            "vercel.json": '{"framework": null}\n',
            "requirements.txt": "flask==3.1.3\n",
            "api/hello.py": _HANDLER,
            "Backend/seed.py": "import orjson\nimport flask_cors\n",
        }
    )
    result = check(root)
    assert result.project.entrypoint is None
    got = {
        (f.location.path.relative_to(root).as_posix(), f.severity)
        for f in result.findings
        if f.rule_id == "PF201"
    }
    assert got == {("api/hello.py", Severity.ERROR), ("Backend/seed.py", Severity.WARNING)}
    (script,) = [f for f in result.findings if f.location.path.name == "seed.py"]
    assert "no entrypoint" in script.message
