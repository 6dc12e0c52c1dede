"""The distributions a project declares, and in which scope, read from its manifests.

Scope matters because Vercel installs only the runtime scope: `uv sync --no-dev`
(packages/python/src/uv.ts) and no extras, so a package that is only in a dev group or
an extra is missing in production (F2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from preflight.project import Manifest, read_manifest_text, read_toml

RUNTIME = "runtime"


@dataclass(frozen=True)
class Declared:
    """One requirement line, where it is, and the scope it is installed in."""

    name: str  # canonical distribution name
    raw: str
    scope: str  # "runtime" | "dev" | "group:NAME" | "extra:NAME"
    path: Path
    line: int
    requirement: Requirement | None = None
    url: str | None = None  # a direct reference (wheel file or VCS URL)

    def applies(self, env: dict[str, str]) -> bool:
        """Whether its environment marker holds there (`; sys_platform == 'win32'` does
        not on Linux); True without a marker or with one that does not evaluate."""
        marker = self.requirement.marker if self.requirement else None
        try:
            return marker is None or marker.evaluate(env)
        except InvalidMarker:
            return True


def read_declared(manifest: Manifest | None) -> list[Declared]:
    """Everything declared by the winning manifest, every scope."""
    if manifest is None:
        return []
    path = manifest.path
    if manifest.kind == "pyproject":
        return list(_from_pyproject(path))
    if manifest.kind == "Pipfile":
        return list(_from_pipfile(path))
    if manifest.kind == "Pipfile.lock":
        return list(_from_pipfile_lock(path))
    return list(read_requirements_file(path))


def declared_in(path: Path) -> list[Declared]:
    """Declared requirements of any manifest file by its name (for shadowed manifests)."""
    if path.name == "pyproject.toml":
        return list(_from_pyproject(path))
    if path.name == "Pipfile":
        return list(_from_pipfile(path))
    if path.name == "Pipfile.lock":
        return list(_from_pipfile_lock(path))
    return list(read_requirements_file(path))


def _line_finder(path: Path) -> Mapping[str, int]:
    text = read_manifest_text(path)
    if text is None:
        return {}
    lines = text.splitlines()
    found: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        for match in re.finditer(r"['\"]([^'\"]+)['\"]", line):
            found.setdefault(match.group(1), number)
        key = line.split("=", 1)[0].strip().strip("\"'")
        if key:
            found.setdefault(key, number)
    return found


def _parse(raw: str, scope: str, path: Path, line: int) -> Declared | None:
    try:
        req = Requirement(raw)
    except InvalidRequirement:
        return None
    return Declared(canonicalize_name(req.name), raw, scope, path, line, req, req.url)


def _from_list(values: Any, scope: str, path: Path, lines: Mapping[str, int]) -> Iterator[Declared]:
    if not isinstance(values, list):
        return
    for raw in values:
        if isinstance(raw, str):
            found = _parse(raw, scope, path, lines.get(raw, 1))
            if found is not None:
                yield found


def _from_pyproject(path: Path) -> Iterator[Declared]:
    data = read_toml(path) or {}
    lines = _line_finder(path)
    project = data.get("project")
    if isinstance(project, dict):
        yield from _from_list(project.get("dependencies"), RUNTIME, path, lines)
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for extra, values in extras.items():
                yield from _from_list(values, f"extra:{extra}", path, lines)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group, values in groups.items():
            scope = "dev" if group == "dev" else f"group:{group}"
            yield from _from_list(values, scope, path, lines)
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if isinstance(uv, dict):
        yield from _from_list(uv.get("dev-dependencies"), "dev", path, lines)
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    if isinstance(poetry, dict):
        # Not installed by Vercel without a [project] table (F3), but still "declared"
        # for the purpose of telling the user where the package is.
        for key, scope in (("dependencies", "poetry"), ("dev-dependencies", "dev")):
            table = poetry.get(key)
            if isinstance(table, dict):
                for name in table:
                    if name.lower() != "python":
                        yield Declared(
                            canonicalize_name(name), name, scope, path, lines.get(name, 1)
                        )


def _from_pipfile(path: Path) -> Iterator[Declared]:
    data = read_toml(path) or {}
    lines = _line_finder(path)
    for key, scope in (("packages", RUNTIME), ("dev-packages", "dev")):
        table = data.get(key)
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = spec if isinstance(spec, str) else (spec or {}).get("version", "*")
            raw = name if version in {"*", ""} else f"{name}{version}"
            found = _parse(raw, scope, path, lines.get(name, 1))
            if found is not None:
                yield found


def _from_pipfile_lock(path: Path) -> Iterator[Declared]:
    try:
        data = json.loads(read_manifest_text(path) or "")
    except ValueError:
        return
    lines = _line_finder(path)
    for key, scope in (("default", RUNTIME), ("develop", "dev")):
        table = data.get(key) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            continue
        for name, spec in table.items():
            version = spec.get("version", "") if isinstance(spec, dict) else ""
            found = _parse(f"{name}{version}", scope, path, lines.get(name, 1))
            if found is not None:
                yield found


_WHEEL_NAME = re.compile(r"^(?P<name>[^-/]+)-[^-]+(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$")


def read_requirements_file(path: Path, seen: set[Path] | None = None) -> Iterator[Declared]:
    """pip's requirements format: one requirement per line, `-r` includes, URLs."""
    seen = seen if seen is not None else set()
    if path in seen:
        return
    seen.add(path)
    text = read_manifest_text(path)
    if text is None:
        return
    for number, line, kind in _requirement_lines(text):
        if kind == "include":
            yield from read_requirements_file(path.parent / line, seen)
        elif kind == "wheel":
            wheel = _WHEEL_NAME.match(_wheel_file(line))
            name = canonicalize_name(wheel.group("name")) if wheel else canonicalize_name(line)
            yield Declared(name, line, RUNTIME, path, number, None, line)
        elif kind == "reference":
            # a VCS checkout, an archive URL or a local folder: installed, but what it
            # provides is not on the index (pip names it from #egg= or its metadata)
            yield Declared(_reference_name(line), line, RUNTIME, path, number, None, line)
        elif kind == "requirement":
            found = _parse(line, RUNTIME, path, number)
            if found is not None:
                yield found


def requirement_options(path: Path, seen: set[Path] | None = None) -> Iterator[tuple[Path, str]]:
    """(file, line) of each option line (`--extra-index-url ...`), `-r` includes followed."""
    seen = seen if seen is not None else set()
    if path in seen:
        return
    seen.add(path)
    for _, line, kind in _requirement_lines(read_manifest_text(path) or ""):
        if kind == "include":
            yield from requirement_options(path.parent / line, seen)
        elif kind == "option":
            yield path, line


def unparsable_requirements(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each line of a requirements file that is neither an option nor a
    requirement: uv's requirements-txt parser, which Vercel's builder runs
    (python-analysis requirements-txt-parser.ts), stops at it with
    PYTHON_REQUIREMENTS_PARSE_ERROR. packaging's PEP 508 grammar rejects what uv 0.10
    does (a stray `@"`, `Flask=2.0`, `flask~=2`, `flask<=latest`, `pip install flask`),
    and a trailing comma, which packaging allows, fails there too (tests/check/test_oracle.py)."""
    text = read_manifest_text(path)
    if text is None:
        return []
    bad: list[tuple[int, str]] = []
    for number, line, kind in _requirement_lines(text):
        if kind == "requirement":
            try:
                Requirement(line)
            except InvalidRequirement:
                bad.append((number, line))
                continue
            if line.split(";", 1)[0].rstrip().endswith(","):
                bad.append((number, line))  # `numpy>=1.2,`: packaging takes it, Vercel not
    return bad


def _requirement_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """Each logical line with what it is: "include" (the file a `-r` names), "option",
    "wheel", "reference" or "requirement" (hashes stripped)."""
    for number, line in _logical_lines(text):
        if line.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            yield number, re.sub(r"^(-r|--requirement)[ =]?", "", line).strip(), "include"
            continue
        if line.startswith(("-e", "--editable")):
            line = re.sub(r"^(-e|--editable)[ =]?", "", line).strip()
        elif line.startswith("-"):
            yield number, line, "option"  # --index-url, -c constraints, --hash-only lines...
            continue
        line = re.split(r"\s+--hash", line)[0].strip()
        if _WHEEL_NAME.match(_wheel_file(line)) and "@" not in line:
            yield number, line, "wheel"
        elif _is_reference(line):
            yield number, line, "reference"
        else:
            yield number, line, "requirement"


def _wheel_file(line: str) -> str:
    return line.rsplit("/", 1)[-1].split("#")[0]


def _is_reference(line: str) -> bool:
    """A requirement line that is a bare URL or path, not `name` or `name @ url`:
    `git+https://...`, `https://.../x.zip`, `./libs/x`, `file:...`."""
    head = line.split(";", 1)[0].strip()
    if re.match(r"^[A-Za-z0-9][\w.\-\[\], ]*@\s*\S", head):
        return False  # PEP 508 `name @ url`: packaging parses it, with its name
    return bool(re.match(r"^(\w+\+)?(https?|ssh|file|git)(:|\+)|^\.{0,2}/|^\.$", head))


def _reference_name(line: str) -> str:
    egg = re.search(r"[#&]egg=([\w.\-]+)", line)
    if egg:
        return canonicalize_name(egg.group(1))
    tail = re.split(r"[#?@]", line.split("://", 1)[-1])[0].rstrip("/").rsplit("/", 1)[-1]
    tail = re.sub(r"(\.git|\.zip|\.tar\.gz|\.tgz)$", "", tail)
    return canonicalize_name(tail or "unknown")


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = (pending + line).strip()
        pending = ""
        if full:
            yield start, full
