"""The PyPI client: trimmed on-disk cache, offline mode, and mirrors that answer with
relative file URLs and no per-release JSON (Requires-Dist then comes from METADATA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from preflight.deps.index import Index
from preflight.deps.index_http import IndexUnavailable, NotOnIndex
from preflight.deps.lock import read_uv_lock
from preflight.deps.sdist_metadata import requires_txt_to_dist, sdist_requires

PROJECT_PAGE: dict[str, Any] = {
    "info": {"version": "2.0", "requires_dist": ["b>=1"], "requires_python": ">=3.9"},
    "urls": [{"filename": "a-2.0-py3-none-any.whl", "size": 10, "url": "../../p/a-2.0.whl"}],
    "releases": {
        "1.0": [
            {
                "filename": "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
                "size": 5,
                "url": "../../packages/a-1.0.whl",
            }
        ],
        "2.0": [{"filename": "a-2.0-py3-none-any.whl", "size": 10, "url": "../../p/a-2.0.whl"}],
        "3.0": [],
    },
}


class FakeIndex(Index):
    def __init__(self, cache_dir: Path, offline: bool = False) -> None:
        super().__init__(cache_dir, offline)
        self.urls: list[str] = []

    def _fetch(self, url: str) -> dict[str, Any]:
        self.urls.append(url)
        if url.endswith("/a/json"):
            return PROJECT_PAGE
        raise IndexUnavailable(f"{url}: HTTP 404")

    def _fetch_text(self, url: str) -> str | None:
        self.urls.append(url)
        if url == "https://pypi.org/packages/a-1.0.whl.metadata":
            return "Metadata-Version: 2.1\nName: a\nRequires-Dist: c; extra == 'x'\n\n"
        return None


def test_project_page_is_trimmed_and_cached(tmp_path: Path) -> None:
    index = FakeIndex(tmp_path)
    page = index.project("A")
    assert (page.latest, page.versions) == ("2.0", ("1.0", "2.0"))
    latest = index.release("a", "2.0")  # stored while reading the project page
    assert latest.requires_dist == ("b>=1",)
    assert len(index.urls) == 1
    again = FakeIndex(tmp_path, offline=True)
    assert again.project("a") == page
    assert again.urls == []


def test_old_release_uses_wheel_metadata_with_relative_urls(tmp_path: Path) -> None:
    index = FakeIndex(tmp_path)
    release = index.release("a", "1.0")
    assert release.requires_dist == ("c; extra == 'x'",)
    assert [f.filename for f in release.files] == ["a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"]
    assert "https://pypi.org/packages/a-1.0.whl.metadata" in index.urls
    offline = FakeIndex(tmp_path, offline=True)
    assert offline.release("a", "1.0") == release


def test_offline_without_cache_says_why(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="offline"):
        FakeIndex(tmp_path, offline=True).project("a")


def test_a_version_is_found_whatever_its_pep440_spelling(tmp_path: Path) -> None:
    """`googletrans==4.0.0-rc1` names the release PyPI lists as 4.0.0rc1: it was reported
    as "no such release" (anudeep2710/text-summarizer)."""
    index = FakeIndex(tmp_path)
    assert index.release("a", "V1.0").files == index.release("a", "1.0").files
    assert index.release("a", "1.0.0").files == index.release("a", "1.0").files


def test_requires_txt_sections_become_markers() -> None:
    text = 'torch>=1.6\n\n[dev]\npytest\n\n[:python_version < "3.8"]\nimportlib-metadata\n'
    assert requires_txt_to_dist(text) == [
        "torch>=1.6",
        'pytest; extra == "dev"',
        'importlib-metadata; (python_version < "3.8")',
    ]
    requires = sdist_requires({"requires.txt": text})
    assert requires is not None
    assert requires[0:1] == ["torch>=1.6"]
    assert sdist_requires({"egg-info/PKG-INFO": "Name: x\n"}) == []  # setuptools: no deps
    old = "Metadata-Version: 2.1\nName: x\n"  # before 2.2 silence is not "no deps"
    assert sdist_requires({"PKG-INFO": old}) is None
    new = "Metadata-Version: 2.2\nName: x\nRequires-Dist: httpx\n"
    assert sdist_requires({"PKG-INFO": new}) == ["httpx"]


def test_a_locked_version_is_kept_in_its_normal_form(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text('version = 1\n[[package]]\nname = "Googletrans"\nversion = "4.0.0-rc1"\n')
    parsed = read_uv_lock(lock)
    assert parsed is not None
    assert parsed.packages["googletrans"].version == "4.0.0rc1"


class SplitIndex(Index):
    """PyPI whose JSON API has no page for `install` or `python`, while its simple index
    (what installers read) lists `install` only."""

    def _fetch(self, url: str) -> dict[str, Any]:
        raise NotOnIndex(f"{url}: not found on PyPI")

    def _in_simple_index(self, key: str) -> bool | None:
        return key == "install"


def test_absent_only_when_the_simple_index_agrees_and_then_remembered(tmp_path: Path) -> None:
    index = SplitIndex(tmp_path)
    with pytest.raises(NotOnIndex):
        index.project("python")
    with pytest.raises(NotOnIndex):  # remembered: an offline run knows it too
        SplitIndex(tmp_path, offline=True).project("python")
    with pytest.raises(IndexUnavailable) as raised:
        index.project("install")
    assert not isinstance(raised.value, NotOnIndex)
    assert index.exists("install") is None
    assert index.exists("python") is False


def test_module_level_imports_leave_out_guarded_and_deferred_ones() -> None:
    from preflight.deps.init_imports import module_level_imports

    source = (
        "from pkg_resources import get_distribution\n"
        "import a.b\n"
        "from . import local\n"
        "__import__('fs_ns').declare_namespace(__name__)\n"
        "try:\n    import guarded\nexcept ImportError:\n    guarded = None\n"
        "if TYPE_CHECKING:\n    import typing_only\n"
        "if True:\n    import branch\n"
        "def f():\n    import deferred\n"
    )
    assert module_level_imports(source) == {"pkg_resources", "a", "fs_ns", "branch"}
    assert module_level_imports("def (:\n") == set()
