"""Cross-check the project model against Vercel's own analyser, npm
`@vercel/python-analysis` 0.14.0 (what `@vercel/python` 25 asks which manifest wins and
which name a file exports). Installed with npm into a cache dir outside the repository;
skipped, with the reason, only where node/npm or the npm registry is unavailable.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from preflight.project import find_exported_name, load_project, manifest_encoding, parse_file

from .conftest import APPS, MakeProject

ORACLE_VERSION = "0.14.0"
ORACLE_DIR = Path(
    os.environ.get("PREFLIGHT_ORACLE_DIR", Path.home() / ".cache" / "preflight-oracle")
)

SCRIPT = r"""
const pa = require('@vercel/python-analysis');
const fs = require('fs');
(async () => {
  const jobs = JSON.parse(fs.readFileSync(0, 'utf-8'));
  const out = [];
  for (const job of jobs) {
    const names = {};
    for (const file of job.files) {
      names[file] = await pa.findAppOrHandler(fs.readFileSync(file, 'utf-8'));
    }
    let manifest = null, python = null;
    try {
      const pkg = await pa.discoverPythonPackage({entrypointDir: job.entryDir, rootDir: job.root});
      manifest = pkg.manifest ? pkg.manifest.path : null;
      const constraints = pkg.requiresPython || [];
      python = constraints.length ? constraints[0].source : null;
    } catch (e) { manifest = 'error: ' + e.code + ': ' + e.message; }
    out.push({root: job.root, names, manifest, python});
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _oracle() -> Path:
    package = ORACLE_DIR / "node_modules" / "@vercel" / "python-analysis" / "package.json"
    if package.exists() and json.loads(package.read_text())["version"] == ORACLE_VERSION:
        return ORACLE_DIR
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node/npm not installed: cannot run Vercel's analyser")
    ORACLE_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "--prefix",
            str(ORACLE_DIR),
            f"@vercel/python-analysis@{ORACLE_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.skip(f"npm could not install the oracle: {done.stderr.strip()[-200:]}")
    return ORACLE_DIR


def _ask(jobs: list[dict[str, object]]) -> list[dict[str, object]]:
    oracle = _oracle()
    done = subprocess.run(
        ["node", "-e", SCRIPT],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        cwd=oracle,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(oracle / "node_modules")},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer: list[dict[str, object]] = json.loads(done.stdout)
    return answer


def _job(root: Path) -> dict[str, object]:
    project = load_project(root)
    entry_dir = project.package_from or project.root  # where @vercel/python starts it
    files = sorted(str(p) for p in project.root.rglob("*.py") if "node_modules" not in p.parts)
    return {"root": str(project.root), "entryDir": str(entry_dir), "files": files}


EDGE_CASES = {
    "assign.py": "app = 1\n",
    "annotated.py": "app: object = object()\n",
    "application.py": "application = object()\n",
    "def_app.py": "def app(environ, start_response):\n    pass\n",
    "async_def.py": "async def app(scope, receive, send):\n    pass\n",
    "import_as.py": "from x import y as app\n",
    "plain_import.py": "import app\n",
    "tuple.py": "app, other = 1, 2\n",
    "handler_assign.py": "handler = app_factory()\n",
    "handler_class.py": "class handler:\n    pass\n",
    "Handler_class.py": "class Handler:\n    pass\n",
    "in_function.py": "def make():\n    app = 1\n    return app\n",
    "in_if.py": "import os\nif os.environ.get('X'):\n    app = 1\n",
    "in_try.py": "try:\n    from a import app\nexcept ImportError:\n    app = None\n",
    "chained.py": "app = application = object()\n",
    "syntax_error.py": "app = (\n",
    "no_names.py": "x = 1\n",
}


def test_exported_names_match_vercel(make_project: MakeProject) -> None:
    edge = make_project(EDGE_CASES)
    jobs = [_job(edge)] + [_job(app) for app in sorted(APPS.iterdir()) if app.is_dir()]
    answers = _ask(jobs)
    compared = 0
    for answer in answers:
        names = answer["names"]
        assert isinstance(names, dict)
        for file, theirs in names.items():
            tree = parse_file(Path(file))
            ours = find_exported_name(tree) if tree is not None else None
            assert (ours[0] if ours else None) == theirs, file
            compared += 1
    assert compared > 50


def test_manifest_and_python_source_match_vercel(make_project: MakeProject) -> None:
    extra = [
        make_project(
            {
                "app.py": "app = 1\n",
                "Pipfile": "[packages]\nflask = '*'\n",
                "requirements.txt": "flask\n",
            }
        ),
        make_project(
            {
                "app.py": "app = 1\n",
                "requirements.in": "flask\n",
                "requirements-frozen.txt": "flask==3\n",
            }
        ),
        make_project(
            {
                "api/index.py": "app = 1\n",
                "api/requirements.txt": "flask\n",
                "pyproject.toml": '[project]\nname = "a"\nversion = "0"\n'
                'requires-python = ">=3.13"\n',
            }
        ),
        make_project(
            {"app.py": "app = 1\n", "requirements/prod.txt": "flask\n", ".python-version": "3.13\n"}
        ),
    ]
    roots = [app for app in sorted(APPS.iterdir()) if app.is_dir()] + extra
    answers = _ask([_job(root) for root in roots])
    for root, answer in zip(roots, answers, strict=True):
        project = load_project(root)
        if str(answer["manifest"]).startswith("error: PYTHON_REQUIREMENTS_PARSE_ERROR"):
            # the builder cannot read the file: PF303 says so (UTF-16, a byte-order mark)
            assert project.manifest is not None, root.name
            assert manifest_encoding(project.manifest.path) is not None, root.name
            continue
        ours = (
            project.manifest.path.relative_to(project.root).as_posix() if project.manifest else None
        )
        assert ours == answer["manifest"], root.name
        theirs_python = answer["python"]
        if project.python.source == "default":
            assert theirs_python is None, root.name
        else:
            assert project.python.path is not None
            assert project.python.path.relative_to(project.root).as_posix() == theirs_python


REQUIREMENT_LINES = (
    "flask==3.1.3",
    "numpy>=1.2,",
    "flask (>=2.0)",
    "flask==v2.0",
    "requests>2 ; python_version >= '3.8'",
    "flask==3.1.3 --hash=sha256:abc",
    "-e .",
    "--extra-index-url https://example.com/simple",
    '@"',
    "Flask=2.0",
    "flask~=2",
    "flask<=latest",
    "pip install flask",
    "flask django",
    "Flask==2.0.1;",
    "<<<<<<< HEAD",
)


def test_unparsable_requirement_lines_match_vercel(make_project: MakeProject) -> None:
    """PF304 calls a line unparsable exactly when Vercel's analyser fails the manifest."""
    from preflight.deps.declared import unparsable_requirements

    roots = [
        make_project({"app.py": "app = 1\n", "requirements.txt": f"{line}\n"})
        for line in REQUIREMENT_LINES
    ]
    answers = _ask([_job(root) for root in roots])
    for line, root, answer in zip(REQUIREMENT_LINES, roots, answers, strict=True):
        theirs = str(answer["manifest"]).startswith("error: PYTHON_REQUIREMENTS_PARSE_ERROR")
        ours = bool(unparsable_requirements(root / "requirements.txt"))
        assert ours == theirs, (line, answer["manifest"])
