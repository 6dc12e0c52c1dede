"""F2 and F1: every import is installed, and installs on the target platform.

F2: each third-party name the app imports (outside try/except ImportError) must come
from a distribution installed in the runtime scope: declared in [project.dependencies]
(not only in a dev group or an extra, which `uv sync --no-dev` skips), or pulled in by
one. F1: each installed distribution needs a wheel for manylinux x86_64 at the target
CPython; otherwise the install builds from source (no compiler on the build image) or,
with a prebuilt host wheel, the function dies with `No module named '..._pydantic_core'`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import ClassVar

from preflight.context import CheckContext
from preflight.deps.closure import ImportUse
from preflight.deps.declared import RUNTIME, Declared
from preflight.deps.mapping import KNOWN, candidates
from preflight.deps.platform import PLATFORM_LABEL, binary_mismatch, describe_tags, wheel_fits
from preflight.files import uploaded_files
from preflight.findings import Edit, Finding, Fix, Location, Severity
from preflight.project import read_toml
from preflight.rules.base import VERCEL_ONLY, ProjectExample, ProjectRule

_FLASK_CORS_APP = (
    "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app)\n"
)


class MissingDependency(ProjectRule):
    """An import no installed distribution provides."""

    id = "PF201"
    fid = "F2"
    name = "import-not-installed"
    severity = Severity.ERROR
    message = "imported but not installed on Vercel: ModuleNotFoundError at import"
    fix = "declare it in [project.dependencies] (or the manifest Vercel reads) and re-lock"
    needs_index = True

    VALID = (
        ProjectExample({"app.py": _FLASK_CORS_APP, "requirements.txt": "flask\nflask-cors\n"}),
        ProjectExample(
            {
                "app.py": "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
                "from flask import Flask\napp = Flask(__name__)\n",
                "requirements.txt": "flask\n",
            }
        ),
        ProjectExample(  # the import name is learned from the wheel's file list
            {
                "app.py": "import websocket\napp = 1\n",
                "requirements.txt": "websocket-client==1.8.0\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _FLASK_CORS_APP, "requirements.txt": "flask\n"},
            expect=(("app.py", 2),),
        ),
        ProjectExample(
            {
                "app.py": _FLASK_CORS_APP,
                "pyproject.toml": '[project]\nname = "a"\nversion = "0"\ndependencies = ["flask"]\n'
                '[dependency-groups]\ndev = ["flask-cors"]\n',
            },
            expect=(("app.py", 2),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.project.entrypoint is None:
            ctx.skip("imports vs declared dependencies", "no entrypoint, so no import closure")
            return
        manifest = ctx.project.manifest
        if manifest is not None and manifest.kind == "pyproject" and not manifest.has_project_table:
            ctx.skip("imports vs declared dependencies", "pyproject.toml has no [project] (PF301)")
            return
        runtime = {d.name for d in ctx.declared if d.scope == RUNTIME}
        installed = runtime | ctx.resolution.names
        if ctx.resolution.unavailable:
            # Transitive dependencies unknown: only the table and direct names count.
            ctx.skip("transitive dependencies", "index unavailable; judged on direct ones")
        reported: set[str] = set()
        learned: list[tuple[str, str]] | None = None
        for use in ctx.closure.imports:
            if use.guarded or use.top in reported:
                continue
            names = candidates(use.dotted)
            if names & installed:
                continue
            if learned is None:  # only now pay for reading the wheels' file lists
                learned = _learn_top_levels(ctx, runtime)
            names = candidates(use.dotted, learned)
            if names & installed:
                continue
            reported.add(use.top)
            yield self._finding(ctx, use, names, runtime)

    def _finding(
        self, ctx: CheckContext, use: ImportUse, names: set[str], runtime: set[str]
    ) -> Finding:
        manifest = ctx.project.manifest
        location = Location(use.module.path, use.node.lineno, use.node.col_offset + 1)
        other = [d for d in ctx.declared if d.name in names and d.scope != RUNTIME]
        dist = other[0].name if other else _distribution_for(use.top)
        if other:
            scope = other[0].scope
            where = (
                "only in the dev group"
                if scope == "dev"
                else f"only in the optional extra '{scope[6:]}'"
                if scope.startswith("extra:")
                else "only under [tool.poetry], which Vercel does not read"
                if scope == "poetry"
                else f"only in the dependency group '{scope[6:]}'"
            )
            message = (
                f"'{use.top}' is imported, but {dist} is {where}: Vercel installs only "
                "[project.dependencies] (uv sync --no-dev), so the import fails"
            )
        elif manifest is None:
            message = f"'{use.top}' is imported, but there is no manifest: nothing is installed"
        else:
            message = (
                f"'{use.top}' is imported, but no distribution providing it is declared in "
                f"{manifest.path.name}: ModuleNotFoundError on Vercel"
            )
        fix = f"add {dist} to {manifest.path.name if manifest else 'requirements.txt'}"
        if ctx.lock is not None:
            fix += ", then run `uv lock`"
        return self.at(location, message, fix, autofix=_add_dependency(ctx, dist))


def _learn_top_levels(ctx: CheckContext, runtime: set[str]) -> list[tuple[str, str]]:
    """(import name, distribution) for the installed distributions, from their wheels."""
    learned: list[tuple[str, str]] = []
    with ctx.phase("index"):
        for name, resolved in ctx.resolution.packages.items():
            if resolved.version is None or (resolved.via is None and name not in runtime):
                continue
            for top in ctx.index.top_level(name, resolved.version) or ():
                learned.append((top, name))
    return learned


def _distribution_for(top: str) -> str:
    known = KNOWN.get(top)
    return known[0] if known else top.replace("_", "-").lower()


def _add_dependency(ctx: CheckContext, dist: str) -> Fix | None:
    manifest = ctx.project.manifest
    description = f"add {dist} to the dependencies Vercel installs"
    if manifest is None:
        return Fix.append(ctx.project.root / "requirements.txt", dist, description)
    if manifest.kind == "requirements.txt":
        return Fix.append(manifest.path, dist, description)
    if manifest.kind != "pyproject" or not manifest.has_project_table:
        return None
    lines = manifest.path.read_text(encoding="utf-8").splitlines()
    in_project = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            in_project = stripped == "[project]"
            continue
        if in_project and re.match(r"dependencies\s*=\s*\[", stripped):
            if stripped.endswith("["):
                return Fix.insert_after(manifest.path, index + 1, f'    "{dist}",', description)
            if stripped.endswith("]"):
                body = line[: line.rindex("]")].rstrip()
                sep = "" if body.endswith("[") else ", "
                return Fix(
                    manifest.path,
                    (_replace_line(index, f'{body}{sep}"{dist}"]'),),
                    description,
                )
            return None
    data = read_toml(manifest.path) or {}
    if "dependencies" in (data.get("project") or {}):
        return None
    for index, line in enumerate(lines):
        if line.strip() == "[project]":
            return Fix.insert_after(
                manifest.path, index + 1, f'dependencies = ["{dist}"]', description
            )
    return None


def _replace_line(index: int, text: str) -> Edit:
    return Edit(index, index + 1, text + "\n")


class NoWheelForTarget(ProjectRule):
    """A compiled distribution without a wheel for the target platform and CPython."""

    id = "PF101"
    fid = "F1"
    name = "no-wheel-for-target"
    severity = Severity.ERROR
    message = "no wheel for the target platform: the install fails or ships a host binary"
    fix = "pin a version with manylinux x86_64 wheels for this CPython, or change the Python"
    needs_index = True

    VALID = (
        ProjectExample(
            {
                "app.py": "import pydantic_core\napp = 1\n",
                "requirements.txt": "pydantic-core==2.50.2\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "app.py": "import pydantic_core\napp = 1\n",
                "requirements.txt": "pydantic-core==2.16.3\n",
                ".python-version": "3.14\n",
            },
            expect=(("requirements.txt", 1),),
        ),
        ProjectExample(
            {
                "app.py": "import pydantic_core\napp = 1\n",
                "requirements.txt": "pydantic_core @ https://files.pythonhosted.org/packages/x/"
                "pydantic_core-2.50.2-cp312-cp312-macosx_11_0_arm64.whl\n",
            },
            expect=(("requirements.txt", 1),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for declared in ctx.declared:
            if declared.scope == RUNTIME and declared.url and declared.url.endswith(".whl"):
                filename = declared.url.rsplit("/", 1)[-1].split("#")[0]
                if not wheel_fits(filename, ctx.python):
                    yield self.at(
                        Location(declared.path, declared.line),
                        f"{filename} is built for {describe_tags(filename)}, not "
                        f"{PLATFORM_LABEL} CPython {ctx.python}: its compiled modules "
                        "will not load",
                        fix=f"require {declared.name} by version so the target's wheel is chosen",
                    )
        for resolved in ctx.resolution.packages.values():
            if resolved.wheel is not None or not resolved.binary_only_elsewhere:
                continue
            location = _declaration_location(ctx, resolved.via)
            shipped = sorted({describe_tags(f) for f in resolved.binary_only_elsewhere})
            pulled = "" if resolved.via else " (a dependency of your dependencies)"
            yield self.at(
                location,
                f"{resolved.name} {resolved.version}{pulled} has no wheel for {PLATFORM_LABEL} "
                f"CPython {ctx.python} (it ships {', '.join(shipped[:3])}"
                f"{'...' if len(shipped) > 3 else ''}): the build needs a compiler and fails",
            )


class SdistOnly(ProjectRule):
    """A distribution with no wheel at all: built on Vercel's image at deploy time."""

    id = "PF103"
    fid = "F1"
    name = "sdist-only"
    severity = Severity.NOTE
    message = "only a source distribution: it is built at deploy time"
    fix = "check it is pure Python; if it compiles C/Rust code, pin a version with wheels"
    needs_index = True

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for resolved in ctx.resolution.packages.values():
            if resolved.wheel is None and not resolved.binary_only_elsewhere and resolved.has_sdist:
                yield self.at(
                    _declaration_location(ctx, resolved.via),
                    f"{resolved.name} {resolved.version} has no wheel: it is built from source "
                    "during the deploy (fails if it needs a compiler)",
                )


def _declaration_location(ctx: CheckContext, via: Declared | None) -> Location:
    if via is not None:
        return Location(via.path, via.line)
    manifest = ctx.project.manifest
    return Location(manifest.path if manifest else ctx.project.root / "pyproject.toml", 1)


class VendoredHostBinary(ProjectRule):
    """Compiled modules in the uploaded tree that were built for another OS / CPython."""

    id = "PF102"
    fid = "F1"
    name = "vendored-host-binary"
    severity = Severity.ERROR
    message = "compiled module built for another platform: ImportError on Vercel"
    fix = "do not commit installed packages; declare them and let the build install them"

    VALID = (ProjectExample({"app.py": "app = 1\n", "lib/readme.txt": "x"}),)
    INVALID = (
        ProjectExample(
            {
                "app.py": "import sys\nsys.path.insert(0, 'lib')\nimport pydantic_core\napp = 1\n",
                "lib/pydantic_core/__init__.py": "",
                "lib/pydantic_core/_pydantic_core.cpython-312-darwin.so": "\xcf\xfa\xed\xfe",
            },
            expect=(("lib/pydantic_core/_pydantic_core.cpython-312-darwin.so", 1),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for path in uploaded_files(ctx.project.root):
            if path.suffix.lower() not in {".so", ".dylib", ".pyd", ".dll"}:
                continue
            try:
                with path.open("rb") as f:
                    head = f.read(20)
            except OSError:
                continue
            why = binary_mismatch(path.name, ctx.python, head)
            if why is not None:
                rel = path.relative_to(ctx.project.root).as_posix()
                yield self.at(
                    Location(path, 1),
                    f"{rel} is {why}: it cannot load on {PLATFORM_LABEL} CPython {ctx.python}",
                )


UNZIP_FACTOR = 3.0  # wheel size (compressed) -> installed size, measured on common wheels


def estimated_bundle_bytes(ctx: CheckContext) -> int:
    wheels = sum((r.wheel.size if r.wheel else 0) for r in ctx.resolution.packages.values())
    return int(wheels * UNZIP_FACTOR)


class BundleTooLarge(ProjectRule):
    """Estimated unzipped size of the installed dependencies against Lambda's limit."""

    id = "PF1001"
    fid = "F10"
    name = "bundle-too-large"
    severity = Severity.ERROR
    message = "the function bundle is over the 250 MB unzipped limit"
    fix = "drop heavy dependencies (or slimmer variants), and exclude files from the bundle"
    defaults: ClassVar[Mapping[str, object]] = {"limit-mb": 250}
    needs_index = True

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        limit = self.option_float("limit-mb")
        size = estimated_bundle_bytes(ctx)
        if ctx.target == "lambda" and size > limit * 1e6:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are ~{size / 1e6:.0f} MB unzipped (estimate), over Lambda's "
                f"{limit:g} MB limit: the deploy is rejected",
            )


class InstalledAtColdStart(ProjectRule):
    """Over Vercel's threshold, dependencies are installed at every cold start."""

    id = "PF2001"
    fid = "F20"
    name = "dependencies-installed-at-cold-start"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "dependencies over 225 MiB are installed into /tmp at every cold start"
    fix = "trim dependencies below 225 MiB unzipped"
    defaults: ClassVar[Mapping[str, object]] = {"threshold-mib": 225}
    needs_index = True

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        # packages/python/src/dependency-externalizer.ts: LAMBDA_SIZE_THRESHOLD_BYTES
        threshold = self.option_float("threshold-mib") * 1024 * 1024
        size = estimated_bundle_bytes(ctx)
        if ctx.target == "vercel" and size > threshold:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are ~{size / 1e6:.0f} MB unzipped (estimate), over Vercel's "
                f"{self.option_float('threshold-mib'):g} MiB threshold: the runtime installs "
                "them into /tmp over the network at every cold start",
            )


def _manifest_location(ctx: CheckContext) -> Location:
    manifest = ctx.project.manifest
    return Location(manifest.path if manifest else ctx.project.root / "pyproject.toml", 1)
