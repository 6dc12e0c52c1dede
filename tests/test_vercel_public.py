"""Why public/ is a tracked copy of src/todo_api/web and not made by vercel.json's build.

One source for the web UI would be src/todo_api/web alone, with the build command
copying it into public/ at build time. Vercel's builder does not serve such files, read
in vercel/vercel at commit 17d9ebaf and measured here with the CLI `preflight run` uses
(vercel 64.0.2, @vercel/python 25.0.0):
- for the "python" preset, fs-detectors' detect-builders.ts (lines 537-555) adds a
  `@vercel/static` build for `public/**/*` beside `@vercel/python`;
- `vercel build` lists the project's files once, before any builder runs
  (cli/src/commands/build/index.ts lines 872-879 and 1103-1113, `filesMap`), then runs
  the builders in sortBuilders' order (line 1214): util/build/sort-builders.ts ranks
  `@vercel/python` 1 and `@vercel/static` 2, so the static build comes last;
- the build command runs inside `@vercel/python` (python/src/index.ts lines 1046-1070),
  after that list was made, and the static builder (cli/src/util/build/static-builder.ts)
  copies only what the list holds; @vercel/python's own static output is Django's or
  FastAPI's collected files only (index.ts lines 1107-1115, 2103-2105), never public/.
So a file the build command writes into public/ reaches no CDN, and the copy stays,
guarded by tests/core/test_ui_files.py. This test fails when Vercel starts serving
such files: then public/ can leave git.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MADE_BY_BUILD = "made-by-the-build-command.txt"

pytestmark = pytest.mark.slow


def test_the_cdn_serves_public_as_uploaded_not_what_the_build_command_adds(
    tmp_path: Path,
) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    from preflight.emulate.session import Builder, build_function
    from preflight.files import copy_for_upload

    project = tmp_path / "project"
    copy_for_upload(REPO, project)
    config = json.loads((project / "vercel.json").read_text())
    config["buildCommand"] += f" && echo built > public/{MADE_BY_BUILD}"
    (project / "vercel.json").write_text(json.dumps(config))

    work = tmp_path / "work"
    built, _ = build_function(project, work, Builder.VERCEL, "3.12", {}, lambda _line: None)
    assert built.builder.startswith("vercel ")
    assert (work / "src" / "public" / MADE_BY_BUILD).is_file()  # the command did run

    static = work / "src" / ".vercel" / "output" / "static"
    served = sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())
    assert served == sorted(p.name for p in (REPO / "public").iterdir())
    assert "index.html" in served
