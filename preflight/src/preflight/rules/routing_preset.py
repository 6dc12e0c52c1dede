"""F4: an app under api/ whose routes depend on a framework preset nobody pinned.

Split from routing.py (PF403, rewrites and routes that hide the app's routes), whose
helpers it asks: when PF403 reports a vercel.json rule, this warning has nothing to add.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Fix, Location, Severity
from preflight.preset import PYTHON_PRESETS, Preset, detect, preset_of, read_json_object
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.routing import rewrites_to, routes_to
from preflight.vercel_config import read_vercel_config, vercel_config_file


class RoutingDependsOnPreset(ProjectRule):
    """An app under api/ whose routes work only under a Python preset nobody pinned.

    A project created today gets a Python preset (preflight.preset.detect), whose
    catch-all sends every path to the app. Projects created before the Python presets
    existed hold "Other" in the dashboard, where api/index.py is a function of its own:
    `/api/index` reaches the app, every other route answers Vercel's 404. The deploy then
    depends on a dashboard setting the repository cannot see; `"framework"` in vercel.json
    settles it (vercel.json wins over the stored setting).
    """

    id = "PF404"
    fid = "F4"
    name = "routing-depends-on-preset"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "the app's routes reach it only if the dashboard's framework preset is a Python one"
    fix = 'pin the preset in vercel.json ("framework": "fastapi", "flask", "django" or "python")'

    _APP = "app = object()\n"
    VALID = (
        ProjectExample({"api/index.py": _APP, "requirements.txt": "starlette\n",
                        "vercel.json": '{"framework": "python"}'}),
        ProjectExample({"app.py": _APP, "requirements.txt": "starlette\n"}),
        ProjectExample({"api/index.py": _APP}),  # no manifest: a new project is "Other" too
        ProjectExample({"api/index.py": _APP, "requirements.txt": "flask\n",  # legacy builds
                        "vercel.json": '{"builds": [{"src": "api/index.py", '
                                       '"use": "@vercel/python"}]}'}),
    )  # fmt: skip
    INVALID = (
        ProjectExample(
            {"api/index.py": "from flask import Flask\napp = Flask(__name__)\n",
             "requirements.txt": "flask\n", "vercel.json": '{"regions": ["fra1"]}\n'},
            expect=(Expect("api/index.py", 2, 1,
                           "the 'flask' preset a new project gets routes every path to this "
                           'app, but under "Other", which projects created before the Python '
                           "presets hold, only /api/index reaches it and every other route "
                           "answers 404"),),
            fixed={"vercel.json": '{\n  "regions": [\n    "fra1"\n  ],\n'
                                  '  "framework": "flask"\n}\n'},
        ),
        ProjectExample(  # vercel.toml is the configuration: a vercel.json beside it is PF410
            {"api/index.py": "from flask import Flask\napp = Flask(__name__)\n",
             "requirements.txt": "flask\n", "vercel.toml": 'regions = ["fra1"]\n'},
            expect=(Expect("api/index.py", 2, 1,
                           "the 'flask' preset a new project gets routes every path to this "
                           'app, but under "Other", which projects created before the Python '
                           "presets hold, only /api/index reaches it and every other route "
                           "answers 404"),),
            fixed={"vercel.toml": 'framework = "flask"\nregions = ["fra1"]\n'},
        ),
        ProjectExample(  # linked to a project that holds "Other": broken today, not a risk
            {"api/index.py": "from flask import Flask\napp = Flask(__name__)\n",
             "requirements.txt": "flask\n",
             ".vercel/project.json": '{"settings": {"framework": null}}'},
            expect=(Expect("api/index.py", 2, 1,
                           "the linked project's preset is 'Other': only /api/index reaches "
                           "this app and every other route answers 404"),),
            fixed={"vercel.json": '{\n  "framework": "flask"\n}\n'},
        ),
    )  # fmt: skip

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        root, entry = ctx.project.root, ctx.project.entrypoint
        if entry is None or entry.name.lower() == "handler":
            return
        if not entry.path.relative_to(root).as_posix().startswith("api/"):
            return
        preset = preset_of(root)
        slug = detect(root)
        if preset.pinned or slug not in PYTHON_PRESETS or rewrites_to(root, entry):
            return  # pinned; "Other" for every project; or PF403's business
        if routes_to(root, entry):
            return  # PF403's business too
        if "builds" in (read_vercel_config(root) or {}):
            return  # legacy builds: no preset applies, vercel.json's routes decide
        fix = f'pin the preset in {_config_name(root)}: "framework": "{slug}"'
        if preset.source == "project.json" and not preset.routes_everything_to_app:
            yield self.at(
                Location(entry.path, entry.line),
                f"the linked project's preset is {preset.slug or 'Other'!r}: only /api/index "
                "reaches this app and every other route answers 404",
                fix=fix,
                severity=Severity.ERROR,
                autofix=_pin(root, str(slug)),
            )
            return
        yield self.at(
            Location(entry.path, entry.line),
            f'{_where(preset)} routes every path to this app, but under "Other", which '
            "projects created before the Python presets hold, only /api/index reaches it "
            "and every other route answers 404",
            fix=fix,
            autofix=_pin(root, str(slug)),
        )


def _config_name(root: Path) -> str:
    config = vercel_config_file(root)
    return config.name if config is not None else "vercel.json"


def _where(preset: Preset) -> str:
    label = preset.slug or "Other"
    if preset.source == "project.json":
        return f"the linked project's {label!r} preset"
    return f"the {label!r} preset a new project gets"


def _pin(root: Path, slug: str) -> Fix | None:
    """`"framework"` added to the file Vercel reads its configuration from, its other keys
    kept: vercel.json (made when there is none), or a top-level key at the head of
    vercel.toml. None for a vercel.json that is not a JSON object (rewriting it would lose
    what it says) and for vercel.ts/.js: a program is not ours to rewrite, and a
    vercel.json beside either makes Vercel refuse the project (PF410)."""
    config = vercel_config_file(root)
    if config is not None and config.name == "vercel.toml":
        line = f"framework = {json.dumps(slug)}"
        return Fix.insert_after(config, 0, line, f"pin {line} in vercel.toml")
    if config is not None and config.name != "vercel.json":
        return None
    path = root / "vercel.json"
    data = read_json_object(path)
    if data is None and path.exists():
        return None
    text = json.dumps({**(data or {}), "framework": slug}, indent=2) + "\n"
    return Fix.replace_file(path, text, f'pin "framework": "{slug}" in vercel.json')
