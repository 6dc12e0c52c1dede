"""deps.installed reads the environment's top-level names without importlib.metadata's
per-distribution e-mail parsing: it must give the map importlib gives."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from preflight.deps.installed import top_level_names


def _canonical(mapping: dict[str, list[str]]) -> dict[str, set[str]]:
    return {top: {canonicalize_name(d) for d in dists} for top, dists in mapping.items()}


def test_same_map_as_importlib_for_this_environment() -> None:
    # the environment the tests run in: a few hundred real distributions, some with
    # top_level.txt, most with RECORD only
    expected = _canonical(dict(importlib.metadata.packages_distributions()))
    assert _canonical(top_level_names()) == expected
    assert expected["packaging"] == {"packaging"}  # the map is not trivially empty


def test_top_level_txt_then_record(tmp_path: Path) -> None:
    declared = tmp_path / "Flask_Cors-6.0.1.dist-info"
    declared.mkdir()
    (declared / "top_level.txt").write_text("flask_cors\n")
    (declared / "RECORD").write_text("ignored/__init__.py,,\n")
    inferred = tmp_path / "python_dateutil-2.9.0.dist-info"
    inferred.mkdir()
    (inferred / "RECORD").write_text(
        "dateutil/__init__.py,sha256=x,10\n"
        '"odd,name.py",,\n'
        "six.py,,\n"
        "_cffi.cpython-312-x86_64-linux-gnu.so,,\n"
        "python_dateutil-2.9.0.dist-info/RECORD,,\n"
        "../../bin/tool,,\n"
        "README.txt,,\n"
    )
    (tmp_path / "not-metadata.dist-info").write_text("a file, not a folder")
    found = top_level_names([str(tmp_path), str(tmp_path / "missing")])
    assert found == {
        "flask_cors": ["Flask_Cors"],
        "dateutil": ["python_dateutil"],
        "odd,name": ["python_dateutil"],
        "six": ["python_dateutil"],
        "_cffi": ["python_dateutil"],
    }


def test_upload_prefilter_agrees_with_pathspec(tmp_path: Path) -> None:
    # files.UploadSet skips pathspec for paths no rule matches: the answers must not change
    from preflight.files import UploadSet

    rules = ["*.pyc", "!keep.pyc", "build/", "/top", "**/deep/**", "docs/*.md"]
    rules += ["!docs/README.md", "a?c", "[ab]x", "\\#x", "foo/**/bar", "data/", "!data/keep/"]
    rules += ["x|y"]  # a literal `|` among the any-depth names the prefilter joins
    (tmp_path / ".vercelignore").write_text("\n".join(rules))
    paths = ["a.pyc", "keep.pyc", "x/keep.pyc", "build/", "build/x", "src/build/", "top"]
    paths += ["x/top", "x/deep/y", "docs/a.md", "docs/README.md", "docs/x/a.md", ".env"]
    paths += [".env.local", "abc", "axc", "bx", "#x", "foo/a/b/bar", "data/", "data/keep/"]
    paths += ["data/y", ".git/", ".vercel/", "x/.cache/", ".a.swp", ".mypy_cache/", "app.py"]
    paths += ["x|y", "q/x|y/", "x", "q/node_modules/z", "q/venv/", "q/.env.a.local", "venvs/"]
    for without_env_files in (False, True):
        upload = UploadSet.of(tmp_path, without_env_files)
        assert upload.any_rule is not None
        answers = [upload.ignored(p.rstrip("/"), p.endswith("/")) for p in paths]
        assert answers == [upload.spec.match_file(p) for p in paths]
        assert any(answers)
        assert not all(answers)
