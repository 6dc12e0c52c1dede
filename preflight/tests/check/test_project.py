"""The project model's rules that the Vercel oracle test does not cover: entrypoint
search order and configured entrypoints, closure boundaries."""

from __future__ import annotations

import pytest
from preflight.project import load_project

from .conftest import Check, MakeProject


def test_candidate_order_is_directory_major(make_project: MakeProject) -> None:
    root = make_project({"src/app.py": "app = 1\n", "main.py": "app = 2\n", "api/index.py": ""})
    entry = load_project(root).entrypoint
    assert entry is not None
    assert entry.path == root / "main.py"  # '' before src/, whatever the file name order


def test_tool_vercel_entrypoint_wins_and_unresolvable_is_reported(
    make_project: MakeProject,
) -> None:
    root = make_project(
        {
            "app.py": "app = 1\n",
            "service/web.py": "import x\nserver = 1\n",
            "pyproject.toml": '[tool.vercel]\nentrypoint = "service.web:server"\n',
        }
    )
    entry = load_project(root).entrypoint
    assert entry is not None
    assert (entry.path.name, entry.name, entry.line, entry.source) == (
        "web.py",
        "server",
        2,
        "tool.vercel.entrypoint",
    )
    broken = make_project({"pyproject.toml": '[tool.vercel]\nentrypoint = "nope:app"\n'})
    project = load_project(broken)
    assert project.entrypoint is None
    assert project.unresolved_entrypoint == "[tool.vercel] entrypoint = 'nope:app'"


def test_vercel_json_services_name_the_entrypoint(make_project: MakeProject) -> None:
    root = make_project(
        {
            "gateway/app.py": "app = 1\n",
            "gateway/requirements.txt": "flask\n",
            "vercel.json": '{"experimentalServices": {"g": {"entrypoint": "gateway/app.py"}}}',
        }
    )
    project = load_project(root)
    assert project.entrypoint is not None
    assert project.entrypoint.source == "vercel.json"
    assert project.manifest is not None
    assert project.manifest.path == root / "gateway" / "requirements.txt"


def test_main_guard_imports_are_not_in_the_closure(make_project: MakeProject, check: Check) -> None:
    root = make_project(
        {
            "main.py": "app = 1\nif __name__ == '__main__':\n    import uvicorn\n"
            "    uvicorn.run(app)\n",
            "requirements.txt": "starlette\n",
        }
    )
    assert [f.rule_id for f in check(root, only={"PF201"}).findings] == []


def test_namespace_distributions_provide_dotted_imports(
    make_project: MakeProject, check: Check
) -> None:
    root = make_project(
        {
            "main.py": "from vercel.queue import send\napp = 1\n",
            "requirements.txt": "vercel-queue\n",
        }
    )
    assert check(root, only={"PF201"}).findings == []


def test_python_version_ignored_falls_back_to_default(make_project: MakeProject) -> None:
    root = make_project({"app.py": "app = 1\n", ".python-version": "3.9\n"})
    python = load_project(root).python
    assert (python.version, python.source, python.requested, python.ignored) == (
        "3.12",
        ".python-version",
        "3.9",
        True,
    )
    spec = make_project(
        {"app.py": "app = 1\n", "pyproject.toml": '[project]\nrequires-python = ">=3.13"\n'}
    )
    assert load_project(spec).python.version == "3.14"  # newest offered that fits


@pytest.mark.parametrize(
    ("requires", "chosen"),
    [
        (">=3.12.4", "3.12"),  # 3.12.0 fails it, Vercel's 3.12 does not: the patch is dropped
        (">=3.11.9,<4.0", "3.12"),
        (">3.12.0", "3.14"),
        ("<3.13.2", "3.12"),
        ("~=3.13", "3.13"),  # the builder pins the minor, where PEP 440 allows 3.14
        ("==3.13.1", "3.13"),
        ("!=3.12.2,>=3.12", "3.12"),
    ],
)
def test_requires_python_is_matched_at_the_minor_as_vercel_does(
    make_project: MakeProject, requires: str, chosen: str
) -> None:
    """packages/python-analysis/src/manifest/python-selector.ts: majorMinorOnly and
    legacyTildeEquals, as packages/python/src/version.ts calls selectPythonVersion."""
    root = make_project(
        {"app.py": "app = 1\n", "pyproject.toml": f'[project]\nrequires-python = "{requires}"\n'}
    )
    python = load_project(root).python
    assert (python.version, python.ignored) == (chosen, False)


def test_modules_named_in_strings_are_in_the_closure(
    make_project: MakeProject, check: Check
) -> None:
    root = make_project(
        {
            "api/index.py": "from shop.main import app\n",
            "shop/__init__.py": "",
            "shop/main.py": "import importlib\nROUTES = {'/x': 'shop.routes'}\n"
            "LOG = 'shop.log'\napp = object()\n",
            "shop/routes.py": "import os\nKEY = os.environ['KEY']\n",
            "shop/log.txt": "",
            "requirements.txt": "",
        }
    )
    result = check(root, only={"PF1101"})
    assert [(f.location.path.name, f.location.line) for f in result.findings] == [("routes.py", 2)]


def test_manifest_kind_names_the_file(make_project: MakeProject) -> None:
    root = make_project({"app.py": "app = 1\n", "requirements/prod.txt": "flask\n"})
    manifest = load_project(root).manifest
    assert manifest is not None
    assert (manifest.kind, manifest.path) == (
        "requirements/prod.txt",
        root / "requirements/prod.txt",
    )


def test_a_python_preset_build_looks_for_the_manifest_at_the_root(
    make_project: MakeProject, check: Check
) -> None:
    """Ub207/phase-4-todo's backend: src/main.py is the app, src/requirements.txt names
    fastapi, the root requirements.txt only comments. A Python preset builds '<detect>',
    so @vercel/python discovers the package from the root and installs nothing; `preflight
    run` showed `No module named 'fastapi'` at src/main.py:1."""
    files = {
        "src/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "src/requirements.txt": "fastapi==0.115.0\n",
        "requirements.txt": "# the standard library only\n",
    }
    root = make_project(files)
    project = load_project(root)
    assert project.manifest is not None
    assert project.manifest.path == root / "requirements.txt"
    assert project.manifest.reason == (
        "requirements.txt is at the root, where a Python preset's build looks (not beside "
        "the entrypoint)"
    )
    found = [(f.rule_id, f.location.line) for f in check(root).findings if f.rule_id == "PF201"]
    assert found == [("PF201", 1)]

    # a legacy `builds` src is the builder's entrypoint: it looks beside it
    legacy = make_project(
        {**files, "vercel.json": '{"builds": [{"src": "src/main.py", "use": "@vercel/python"}]}'}
    )
    manifest = load_project(legacy).manifest
    assert manifest is not None
    assert manifest.path == legacy / "src" / "requirements.txt"


def test_an_app_bound_inside_a_block_says_so(check: Check, make_project: MakeProject) -> None:
    # Hillan007/Moodly-2.0 and RoggerMS/Crunevo2 api/index.py: `try: from x import app`
    root = make_project(
        {
            "moodly_app.py": "from flask import Flask\napp = Flask(__name__)\n",
            "api/index.py": "try:\n    from moodly_app import app\nexcept Exception:\n    raise\n",
            "vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}]}\n',
        }
    )
    (finding,) = check(root, only={"PF401"}).findings
    assert finding.message == (
        "vercel.json entrypoint 'api/index.py' binds `app` only inside a `try` block: "
        "Vercel reads top-level statements only, so the build fails"
    )
    assert "move the import out of the block" in finding.fix


def test_a_build_whose_src_is_gone_leaves_the_next_build_the_function(
    make_project: MakeProject, check: Check
) -> None:
    # Khairul888/telegram-assistant: api/index.py was deleted, api/bot.py still builds
    # (cli build/index.ts `expandBuild` drops a src that matches no file)
    bot = "import requests\nfrom http.server import BaseHTTPRequestHandler\n"
    bot += "class handler(BaseHTTPRequestHandler):\n    pass\n"
    root = make_project(
        {
            "api/bot.py": bot,
            "requirements.txt": "flask\n",
            "vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"},'
            ' {"src": "api/bot.py", "use": "@vercel/python"}]}',
        }
    )
    project = load_project(root)
    assert project.entrypoint is not None
    assert project.entrypoint.path == root / "api/bot.py"
    assert project.unresolved_entrypoint is None
    found = {(f.rule_id, f.severity.value) for f in check(root).findings}
    assert ("PF401", "error") not in found  # the bot deploys: not "every route 404s"
    assert ("PF201", "error") in found  # and its imports are checked: requests is missing
    gone = make_project(
        {"vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}]}'}
    )
    assert "no such file" in (load_project(gone).unresolved_entrypoint or "")


def test_every_function_the_deploy_builds_is_checked(
    make_project: MakeProject, check: Check
) -> None:
    # 123abang/stock-price-predictor: under "Other" api/app.py and api/bot.py are each a
    # function; 0xnurrabby/vercel-api-manager: two legacy builds, api/webhook.py and
    # api/tick.py. Only the file Vercel's entrypoint search would pick was checked.
    app = "from flask import Flask\napp = Flask(__name__)\n"
    report = "import pandas\nfrom http.server import BaseHTTPRequestHandler\n"
    report += "class handler(BaseHTTPRequestHandler):\n    pass\n"
    other = {"api/index.py": app, "api/report.py": report, "requirements.txt": "flask\n"}
    pinned = make_project({**other, "vercel.json": '{"framework": null}'})
    built = '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}, '
    built += '{"src": "api/report.py", "use": "@vercel/python"}]}'
    for root in (pinned, make_project({**other, "vercel.json": built})):
        found = [(f.rule_id, f.location.path.name, f.location.line) for f in check(root).findings]
        assert ("PF201", "report.py", 1) in found, found
    # under a Python preset api/report.py is no function: only the app's closure counts
    python = make_project(other)
    assert all(f.location.path.name != "report.py" for f in check(python).findings)


def test_a_config_naming_a_file_the_os_refuses_to_look_up_is_a_finding(
    make_project: MakeProject, check: Check
) -> None:
    # pathlib raises (ENAMETOOLONG, embedded NUL) where it answers False for a missing
    # file: a vercel.json src or [tool.vercel] entrypoint of that kind was "internal error"
    long = "a" * 5000
    for config in (
        {"vercel.json": '{"builds": [{"src": "' + long + '.py", "use": "@vercel/python"}]}'},
        {"vercel.json": '{"builds": [{"src": "api/\\u0000.py", "use": "@vercel/python"}]}'},
        {
            "pyproject.toml": '[project]\nname = "x"\nversion = "0"\n[tool.vercel]\n'
            f'entrypoint = "{long}:app"\n'
        },
    ):
        result = check(make_project({**config, "requirements.txt": "flask\n"}))
        assert [f.rule_id for f in result.findings if f.severity.value == "error"] == ["PF401"]
    rewrite = '{"rewrites": [{"source": "/(.*)", "destination": "/api/' + long + '"}]}'
    app = {"main.py": "app = 1\n", "requirements.txt": "flask\n", "vercel.json": rewrite}
    assert check(make_project(app)).exit_code in {0, 1}  # a verdict, not an internal error


def test_a_local_import_is_the_project_roots_before_the_entrypoints_folders(
    check: Check, make_project: MakeProject
) -> None:
    """AbhijithSyoft/Echoblog_backend: api/db.py's `from config import` loads the root
    config.py on Vercel (sys.path holds /var/task, not api/), so api/config.py's
    pydantic_settings import never runs; what only api/ has is still followed."""
    root = make_project(
        {
            "api/index.py": "from fastapi import FastAPI\nimport db\nimport helpers\n"
            "app = FastAPI()\n",
            "api/db.py": "from config import URL\n",
            "api/config.py": "from pydantic_settings import BaseSettings\n",
            "api/helpers.py": "import jwt\n",
            "config.py": "URL = 'x'\n",
            "requirements.txt": "fastapi\n",
            "vercel.json": '{"builds": [{"src": "api/index.py", "use": "@vercel/python"}]}',
        }
    )
    result = check(root, only={"PF201"})
    reported = {f.message.split("'")[1] for f in result.findings}
    assert "pydantic_settings" not in reported
    assert "jwt" in reported


def test_an_import_a_missing_git_submodule_may_provide_is_a_warning(
    check: Check, make_project: MakeProject
) -> None:
    """Paccho-Kun/youtube-channel-researcher-mcp imports channel_researcher from its
    submodule's scripts/, which an archive leaves empty: Vercel clones public submodules."""
    root = make_project(
        {
            "api/index.py": "import sys\nsys.path.insert(0, 'researcher/scripts')\n"
            "import channel_researcher\nfrom fastapi import FastAPI\napp = FastAPI()\n",
            "requirements.txt": "fastapi\n",
            ".gitmodules": '[submodule "researcher"]\n\tpath = researcher\n\turl = https://x/y\n',
        }
    )
    (root / "researcher").mkdir()
    found = check(root, only={"PF201"}).findings
    assert [(f.message.split("'")[1], f.severity.value) for f in found] == [
        ("channel_researcher", "warning")
    ]
    assert "git submodule researcher" in found[0].message
