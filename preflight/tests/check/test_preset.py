"""The preset Vercel gives a project (preflight/preset.py), read from frameworks.ts."""

from __future__ import annotations

from pathlib import Path

import pytest
from preflight.preset import preset_of


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("files", "slug"),
    [
        ({"requirements.txt": "fastapi\nflask\n"}, "fastapi"),  # first in the list wins
        ({"requirements.txt": "Flask==3.0\n"}, "flask"),
        ({"requirements.txt": "python-fasthtml\n"}, "fasthtml"),
        ({"pyproject.toml": '[project]\ndependencies = ["Django"]\n'}, "django"),
        ({"requirements.txt": "gunicorn\n", "manage.py": "DJANGO_SETTINGS_MODULE\n"}, "django"),
        ({"Pipfile": "[packages]\nrequests = '*'\n"}, "python"),
        ({"app.py": "app = 1\n"}, None),
        # frameworks.ts lists the JavaScript frameworks first (digitros/nextjs-fastapi)
        (
            {"requirements.txt": "fastapi\n", "package.json": '{"dependencies": {"next": "14"}}'},
            "nextjs",
        ),
        (
            {"requirements.txt": "flask\n", "package.json": '{"devDependencies": {"vite": "5"}}'},
            "vite",
        ),
        (
            {"requirements.txt": "flask\n", "package.json": '{"dependencies": {"svelte": "4"}}'},
            "flask",
        ),
        ({"requirements.txt": "flask\n", "_config.yml": "title: x\n"}, "jekyll"),
        ({"requirements.txt": "flask\n", "Dockerfile": "FROM python\n"}, "flask"),
    ],
)
def test_a_new_project_gets_the_first_matching_preset(
    tmp_path: Path, files: dict[str, str], slug: str | None
) -> None:
    found = preset_of(_project(tmp_path, files))
    assert (found.slug, found.source) == (slug, "detected")


def test_vercel_json_wins_over_the_linked_setting_and_detection(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\n",
        ".vercel/project.json": '{"settings": {"framework": "python"}}',
    }
    root = _project(tmp_path, files)
    assert (preset_of(root).slug, preset_of(root).source) == ("python", "project.json")
    (root / "vercel.json").write_text('{"framework": null}')
    assert (preset_of(root).slug, preset_of(root).pinned) == (None, True)
