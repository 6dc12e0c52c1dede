"""PyPI's JSON API with an on-disk cache, so repeated checks and `--offline` work.

Entries are trimmed to what the checks use (versions, file names, sizes, yanked flags,
requires-python, requires-dist), which keeps the cache small enough to commit as a test
fixture. Project pages expire after a day (new releases); a release never changes.
"""

from __future__ import annotations

import email.parser
import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from preflight.deps.archive import (
    ZipMember,
    central_directory_span,
    sdist_compiles,
    sdist_needs_rust,
    sdist_top_levels,
    tar_sdist_members,
    wheel_top_levels,
    zip_member_data,
    zip_members,
)
from preflight.deps.index_cache import load, release_entry, store, trim_project
from preflight.deps.index_http import (
    IndexUnavailable,
    NotOnIndex,
    found_at,
    get_json,
    get_range,
    get_text,
)
from preflight.deps.init_imports import module_level_imports
from preflight.deps.sdist_metadata import sdist_requires
from preflight.deps.versions import normal_version, same_version

INDEX_URL = "https://pypi.org/pypi"
SIMPLE_URL = "https://pypi.org/simple"
PROJECT_TTL_SECONDS = 24 * 3600
# An sdist is read whole (tar.gz has no index); bigger ones stay unknown.
MAX_SDIST_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class FileInfo:
    filename: str
    size: int
    yanked: bool = False
    requires_python: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    files: tuple[FileInfo, ...]
    requires_dist: tuple[str, ...]
    requires_python: str | None
    metadata_known: bool = True  # False: the index had no Requires-Dist for this release


@dataclass(frozen=True)
class ProjectPage:
    name: str
    latest: str
    versions: tuple[str, ...]


def default_cache_dir() -> Path:
    """$PREFLIGHT_CACHE_DIR, else the user cache dir (XDG) /preflight."""
    configured = os.environ.get("PREFLIGHT_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "preflight"


class Index:
    """A read-through cache in front of https://pypi.org/pypi/<name>[/<version>]/json."""

    def __init__(self, cache_dir: Path, offline: bool = False) -> None:
        self.cache_dir = cache_dir
        self.offline = offline
        self.requests = 0  # network requests made (for the benchmark and tests)
        self._raw: dict[str, dict[str, Any]] = {}  # untrimmed project pages of this run

    def project(self, name: str) -> ProjectPage:
        key = canonicalize_name(name)
        rel = f"project/{key}.json"
        try:
            data = self._get(rel, f"{INDEX_URL}/{key}/json", PROJECT_TTL_SECONDS)
        except NotOnIndex as exc:
            # The JSON API has no page for some names its simple index serves (`install`
            # 1.3.5, isabelgonz91/LLM-fastapi-vercel): only both together mean "absent".
            if self._in_simple_index(key) is not False:
                raise IndexUnavailable(f"{exc}, but its simple index may list it") from exc
            # remembered like a page, so an offline run (and the test cache) knows it too
            self._store(rel, {"missing": True})
            raise
        if data.get("missing"):
            raise NotOnIndex(f"{INDEX_URL}/{key}/json: not found on PyPI")
        if "latest" not in data:  # a raw API answer: keep it for this run, store it trimmed
            self._raw[key] = data
            data = trim_project(data)
            self._store(rel, data)
            latest = self._raw[key].get("info") or {}
            if data["latest"]:
                self._store(
                    f"release/{key}/{normal_version(data['latest'])}.json",
                    release_entry(
                        self._raw[key].get("urls") or [],
                        list(latest.get("requires_dist") or []),
                        latest.get("requires_python"),
                    ),
                )
        return ProjectPage(key, str(data["latest"]), tuple(data["versions"]))

    def exists(self, name: str) -> bool | None:
        """Whether the index has a project of this name; None when it cannot say (offline
        and not cached). `--fix` adds only names it has: a guessed one broke a build."""
        try:
            self.project(name)
        except NotOnIndex:
            return False
        except IndexUnavailable:
            return None
        return True

    def release(self, name: str, version: str) -> Release:
        key, version = canonicalize_name(name), normal_version(version)
        rel = f"release/{key}/{version}.json"
        data = load(self.cache_dir / rel)
        if data is None or (data["requires_dist"] is None and not self.offline):
            # a release never changes, but what the index told us about it may improve
            data = self._fetch_release(key, version)
            self._store(rel, data)
        return Release(
            key,
            version,
            tuple(FileInfo(**f) for f in data["files"]),
            tuple(data["requires_dist"] or ()),
            data.get("requires_python"),
            data["requires_dist"] is not None,
        )

    def top_level(self, name: str, version: str) -> tuple[str, ...] | None:
        """Import names a release installs; None when unknown.

        From a wheel's zip directory (two HTTP range requests, never the whole wheel),
        else from the sdist's file list (deps/archive.py), so a distribution that ships
        only an sdist (django-allauth 65.0-65.9) still says what it provides."""
        key, version = canonicalize_name(name), normal_version(version)
        rel = f"toplevel/{key}/{version}.json"
        cached = load(self.cache_dir / rel)
        if cached is not None:
            return tuple(cached["names"])
        if self.offline:
            return None
        try:
            release = self.release(key, version)
        except IndexUnavailable:
            return None
        entry = self._wheel_names(key, release) or self._sdist_entry(key, release)
        if entry is None:
            return None
        self._store(rel, entry)
        return tuple(entry["names"])

    def sdist_compiles(self, name: str, version: str) -> bool | None:
        """Whether building this release's sdist compiles C/C++/Cython/Rust; None when
        unknown (its file list was not read, or it was learned from a wheel)."""
        if self.top_level(name, version) is None:
            return None
        key, version = canonicalize_name(name), normal_version(version)
        cached = load(self.cache_dir / f"toplevel/{key}/{version}.json")
        value = cached.get("compiles") if cached else None
        return value if isinstance(value, bool) else None

    def _wheel_names(self, key: str, release: Release) -> dict[str, Any] | None:
        wheel = next((f for f in release.files if f.filename.endswith(".whl") and f.url), None)
        if wheel is None or wheel.url is None:
            return None
        members = self._zip_members(self._file_url(key, wheel.url), wheel.size)
        return {"names": wheel_top_levels([m.name for m in members])} if members else None

    def _sdist_entry(self, key: str, release: Release) -> dict[str, Any] | None:
        """{"names": import names, "compiles": bool, "requires": Requires-Dist or None}
        from the release's sdist (requires only from a .tar.gz: a zip is not read whole)."""
        sdist = next(
            (f for f in release.files if f.url and f.filename.endswith((".tar.gz", ".zip"))),
            None,
        )
        if sdist is None or sdist.url is None:
            return None
        url = self._file_url(key, sdist.url)
        texts: dict[str, str] = {}
        if sdist.filename.endswith(".zip"):
            entries = self._zip_members(url, sdist.size)
            members = [m.name for m in entries or ()]
        elif 0 < sdist.size <= MAX_SDIST_BYTES:
            data = self._fetch_range(url, 0, sdist.size - 1)
            members, texts = tar_sdist_members(data) if data else ([], {})
        else:
            members = []
        if not members:
            return None
        return {
            "names": sdist_top_levels(members, texts.get("top_level.txt")),
            "compiles": sdist_compiles(members),
            "rust": sdist_needs_rust(members),
            "requires": sdist_requires(texts) if texts else None,
        }

    def sdist_needs_rust(self, name: str, version: str) -> bool | None:
        """Whether building this release's sdist needs a Rust toolchain; None when its
        file list cannot be read (offline with an older cache entry, no sdist)."""
        value = self._sdist_fact(name, version, "rust")
        return value if isinstance(value, bool) else None

    def sdist_requires(self, name: str, version: str) -> tuple[str, ...] | None:
        """Requires-Dist learned from the sdist of a release the index gives none for
        (deps/sdist_metadata.py); None when the sdist does not say or cannot be read."""
        requires = self._sdist_fact(name, version, "requires")
        return tuple(requires) if isinstance(requires, list) else None

    def _sdist_fact(self, name: str, version: str, field: str) -> object:
        """One field of the release's cached sdist entry, reading the sdist when the
        cache entry predates that field (and we are online)."""
        key, version = canonicalize_name(name), normal_version(version)
        rel = f"toplevel/{key}/{version}.json"
        cached = load(self.cache_dir / rel)
        if (cached is None or field not in cached) and not self.offline:
            try:
                entry = self._sdist_entry(key, self.release(key, version))
            except IndexUnavailable:
                entry = None
            if entry is not None:
                # import names from a wheel, when there is one, stay the ones that count
                cached = {**entry, **(cached or {}), field: entry[field]}
                self._store(rel, cached)
        return cached.get(field) if cached else None

    @staticmethod
    def _file_url(key: str, url: str) -> str:
        # mirrors may answer with URLs relative to the project page
        return urllib.parse.urljoin(f"{INDEX_URL}/{key}/json", url)

    def _zip_members(self, url: str, size: int) -> list[ZipMember] | None:
        tail = self._fetch_range(url, max(0, size - 65536), size - 1)
        if tail is None:
            return None
        span = central_directory_span(tail, size)
        if span is None:
            return None
        offset, length = span
        start_in_tail = offset - (size - len(tail))
        if start_in_tail >= 0:
            return zip_members(tail[start_in_tail : start_in_tail + length])
        fetched = self._fetch_range(url, offset, offset + length - 1)
        return zip_members(fetched) if fetched is not None else None

    def init_imports(self, name: str, version: str, top: str) -> tuple[str, ...] | None:
        """The modules a release's package `top` imports as it loads (its __init__.py's
        unguarded module-level imports, deps/init_imports.py), read from its wheel by
        range requests; None when unknown (no wheel, offline and not cached)."""
        key, version = canonicalize_name(name), normal_version(version)
        rel = f"inits/{key}/{version}.json"
        cached = load(self.cache_dir / rel) or {}
        if top in cached or self.offline:
            found = cached.get(top)
            return tuple(found) if isinstance(found, list) else None
        try:
            release = self.release(key, version)
        except IndexUnavailable:
            return None
        wheel = next((f for f in release.files if f.filename.endswith(".whl") and f.url), None)
        if wheel is None or wheel.url is None:
            return None
        names = (f"{top}/__init__.py", f"{top}.py")
        source = self._wheel_member(self._file_url(key, wheel.url), wheel.size, names.__contains__)
        imports = None if source is None else sorted(module_level_imports(source))
        self._store(rel, {**cached, top: imports})
        return tuple(imports) if imports is not None else None

    def _wheel_metadata(self, url: str, size: int) -> str | None:
        """A wheel's METADATA read from the wheel itself by range requests (for indexes
        that serve neither per-release JSON nor PEP 658 `.metadata` files)."""
        return (
            self._wheel_member(
                url, size, lambda n: n.endswith(".dist-info/METADATA") and n.count("/") == 1
            )
            or None
        )

    def _wheel_member(self, url: str, size: int, wanted_name: Callable[[str], bool]) -> str | None:
        """The text of the first wheel member whose name `wanted_name` accepts: "" when it
        has none, None when the wheel cannot be read."""
        members = self._zip_members(url, size)
        if members is None:
            return None
        wanted = next((m for m in members if wanted_name(m.name)), None)
        if wanted is None:
            return ""
        # the local header repeats the name and may carry its own extra field: allow for both
        end = wanted.offset + 30 + 2 * len(wanted.name.encode()) + 1024 + wanted.compressed
        chunk = self._fetch_range(url, wanted.offset, min(end, size) - 1)
        data = zip_member_data(chunk, wanted) if chunk is not None else None
        return data.decode("utf-8", "replace") if data is not None else None

    def _fetch_release(self, key: str, version: str) -> dict[str, Any]:
        if self.offline:
            raise IndexUnavailable(
                f"offline and {key} {version} is not cached under {self.cache_dir}"
            )
        try:
            raw = self._fetch(f"{INDEX_URL}/{key}/{version}/json")
            info = raw.get("info") or {}
            return release_entry(
                raw.get("urls") or [],
                list(info.get("requires_dist") or []),
                info.get("requires_python"),
            )
        except IndexUnavailable:
            pass  # some mirrors serve only the project page: use it plus the wheel METADATA
        if key not in self._raw:
            self._raw[key] = self._fetch(f"{INDEX_URL}/{key}/json")
        releases = self._raw[key].get("releases") or {}
        # the page spells a version as uploaded: "4.0.0-rc1" is 4.0.0rc1, "2.0.0" is 2.0
        files = next((f for v, f in releases.items() if same_version(v, version)), None)
        if not files:
            raise IndexUnavailable(f"{key} {version}: no such release on PyPI")
        requires_dist: list[str] | None = None
        requires_python = None
        wheels = [f for f in files if str(f.get("filename", "")).endswith(".whl")]
        for wheel in wheels[:3]:
            # mirrors may answer with URLs relative to the project page
            url = urllib.parse.urljoin(f"{INDEX_URL}/{key}/json", str(wheel.get("url") or ""))
            metadata = self._fetch_text(url + ".metadata") or self._wheel_metadata(
                url, int(wheel.get("size") or 0)
            )
            if metadata is not None:
                message = email.parser.Parser().parsestr(metadata, headersonly=True)
                requires_dist = message.get_all("Requires-Dist") or []
                requires_python = message.get("Requires-Python")
                break
        return release_entry(files, requires_dist, requires_python)

    # --- cache ------------------------------------------------------------------------

    def _get(self, rel: str, url: str, ttl: float | None) -> dict[str, Any]:
        path = self.cache_dir / rel
        cached = load(path)
        fresh = cached is not None and (
            ttl is None or time.time() - path.stat().st_mtime < ttl or self.offline
        )
        if cached is not None and fresh:
            return cached
        if self.offline:
            raise IndexUnavailable(f"offline and {url} is not cached under {self.cache_dir}")
        try:
            data = self._fetch(url)
        except IndexUnavailable:
            if cached is not None:
                return cached  # stale beats nothing
            raise
        self._store(rel, data)
        return data

    # --- requests (counted for the benchmark and tests; deps/index_http.py sends them) ---

    def _fetch(self, url: str) -> dict[str, Any]:
        self.requests += 1
        return get_json(url)

    def _fetch_text(self, url: str) -> str | None:
        self.requests += 1
        return get_text(url)

    def _fetch_range(self, url: str, first: int, last: int) -> bytes | None:
        self.requests += 1
        return get_range(url, first, last)

    def _in_simple_index(self, key: str) -> bool | None:
        """Whether https://pypi.org/simple/<name>/ (what installers read) lists the project;
        None when it cannot say."""
        self.requests += 1
        return found_at(f"{SIMPLE_URL}/{key}/")

    def _store(self, rel: str, data: dict[str, Any]) -> None:
        store(self.cache_dir / rel, data)
