"""What Vercel's builder ships for todo_api leaves out what the function never runs.

`excludeFiles` cannot reach installed packages (deploy/trim_vercel_bundle.py says why),
so vercel.json's build command removes them from the builder's venv. This builds the
repository with the real builder (@vercel/python, as `preflight run` does) and looks at
the function's files; tests/test_vercel_deploy.py proves the trimmed function still
serves the journey and /docs with its assets, tests/mcp/test_mcp_on_vercel.py /mcp.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TRIM = REPO / "deploy" / "trim_vercel_bundle.py"


@pytest.fixture(scope="module")
def vendor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built function's `_vendor` folder (its installed packages)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    from preflight.emulate.session import Builder, build_function

    work = tmp_path_factory.mktemp("vercel-build")
    built, _ = build_function(REPO, work, Builder.VERCEL, "3.12", {}, lambda _line: None)
    assert built.builder.startswith("vercel ")
    return built.task_dir / "_vendor"


@pytest.mark.slow
@pytest.mark.parametrize("package", ["uvicorn", "click", "jinja2", "markupsafe", "pip"])
def test_packages_the_function_never_imports_are_left_out(vendor: Path, package: str) -> None:
    assert (vendor / "mcp").is_dir()  # the folder is the right one: the MCP SDK ships
    assert not (vendor / package).exists()
    assert not list(vendor.glob(f"{package}-*.dist-info"))


@pytest.mark.slow
def test_swagger_ui_ships_only_the_files_docs_serves(vendor: Path) -> None:
    package = vendor / "swagger_ui_bundle"
    shipped = [p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc"]
    assert sorted(p.name for p in shipped) == [
        "__init__.py",
        "swagger-ui-bundle.js",
        "swagger-ui.css",
    ]
    assert list(vendor.glob("swagger_ui_bundle_v2-*.dist-info/licenses/*"))  # licence stays


def test_the_trim_refuses_any_venv_but_the_builders(tmp_path: Path) -> None:
    venv = tmp_path / "project" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(TRIM)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"trim_vercel_bundle: {venv} is not Vercel's build venv; nothing removed"
    )
