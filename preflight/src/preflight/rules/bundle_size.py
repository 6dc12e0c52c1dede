"""F10 / F20: the unzipped size of what the target installs.

Lambda rejects a function over 250 MB unzipped (F10). Vercel's builder ships
dependencies over its 225 MiB threshold separately and installs them into /tmp at every
cold start (F20); over the 500 MiB it allows /tmp (512 MB) the build fails with
LAMBDA_SIZE_EXCEEDED (F10). Both from packages/python/src/dependency-externalizer.ts
(`LAMBDA_SIZE_THRESHOLD_BYTES`, `LAMBDA_EPHEMERAL_STORAGE_BYTES`, `generateBundle`),
without VERCEL_SUPPORT_LARGE_FUNCTIONS, which Vercel sets only for its own tests.

The estimate counts what was resolved. A distribution whose own requirements could not
be learned (no Requires-Dist anywhere, a release the index cannot describe) or whose
files are unknown (a git or URL requirement) makes it a lower bound: it is said so, with
those distributions named, rather than claimed as the size (sentence-transformers 2.2.2
was once "~147 MB" and is GBs with torch).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

from preflight.bundle_files import OwnFiles, own_files
from preflight.context import CheckContext
from preflight.deps.declared import RUNTIME
from preflight.findings import Finding, Location, Severity, first_few
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

UNZIP_FACTOR = 3.0  # wheel size (compressed) -> installed size, measured on common wheels
MIB = 1024 * 1024
# dependency-externalizer.ts: LAMBDA_EPHEMERAL_STORAGE_BYTES, the most /tmp may take.
VERCEL_TMP_LIMIT_MIB = 500
# dependency-externalizer.ts: LAMBDA_SIZE_THRESHOLD_BYTES, what the function itself holds.
THRESHOLD = 225 * MIB
# The project's own files are named in a size finding from this much on.
OWN_FILES_SHOWN = 5 * 1_000_000


@dataclass(frozen=True)
class Estimate:
    """The unzipped size of the resolved install, and what it could not count; on Vercel
    also the project's own files, which ship beside it (bundle_files.py)."""

    size: int
    not_counted: tuple[str, ...]  # non-empty: `size` is only a lower bound
    own: OwnFiles | None = None

    @property
    def own_size(self) -> int:
        return self.own.size if self.own is not None else 0

    def what(self, unit: int, unit_name: str) -> str:
        """ "dependencies are ~N MB ...", or, when the project's own files weigh in too,
        both parts and their sum."""
        deps = self.about(f"{self.size / unit:.0f} {unit_name}")
        if self.own is None or self.own_size < OWN_FILES_SHOWN:
            return f"dependencies are {deps}"
        own = _own(self.own, unit, unit_name)
        total = (self.size + self.own_size) / unit
        return (
            f"dependencies ({deps}) and the project's own files ({own}) are ~{total:.0f} "
            f"{unit_name} together"
        )

    def about(self, size_text: str, source: str = "") -> str:
        """`~N MB unzipped (estimate)`, or with `at least` and what was not counted."""
        origin = f", from {source}" if source else ""
        if not self.not_counted:
            return f"~{size_text} unzipped (estimate{origin})"
        shown = first_few(self.not_counted)
        verb = "installs" if len(self.not_counted) == 1 else "install"
        return (
            f"at least ~{size_text} unzipped (estimate{origin}; not counted: what {shown} {verb})"
        )


def estimate(ctx: CheckContext) -> Estimate:
    resolution = ctx.resolution
    wheels = sum((r.wheel.size if r.wheel else 0) for r in resolution.packages.values())
    urls = [d.raw for d in ctx.declared if d.scope == RUNTIME and d.url]
    unknown = tuple(dict.fromkeys([*resolution.incomplete, *urls]))
    own = own_files(ctx.project.root) if ctx.target == "vercel" else None
    return Estimate(int(wheels * UNZIP_FACTOR), unknown, own)


def _own(own: OwnFiles, unit: int, unit_name: str) -> str:
    heaviest = ", ".join(f"{name} ~{size / unit:.0f} {unit_name}" for name, size in own.heaviest)
    total = f"~{own.size / unit:.0f} {unit_name}"
    return f"{total}, most in {heaviest}" if heaviest else total


def estimated_bundle_bytes(ctx: CheckContext) -> int:
    return estimate(ctx).size


def _project(dependencies: str) -> str:
    return (
        '[project]\nname = "big"\nversion = "0.1.0"\nrequires-python = ">=3.12"\n'
        f"dependencies = [{dependencies}]\n"
    )


_MAIN = "from fastapi import FastAPI\napp = FastAPI()\n"
_TORCH = _project('"fastapi==0.121.0", "torch==2.5.1"')
_DATA = _project(
    '"fastapi==0.121.0", "numpy==2.3.5", "pandas==2.3.3", "pyarrow==22.0.0", "scipy==1.16.3"'
)


class BundleTooLarge(ProjectRule):
    """Estimated unzipped size of the installed dependencies against the hard limit:
    Lambda's 250 MB, or on Vercel the 500 MiB its runtime install may put in /tmp."""

    id = "PF1001"
    fid = "F10"
    name = "bundle-too-large"
    severity = Severity.ERROR
    message = "the dependencies are over the size the target can run at all"
    fix = "drop heavy dependencies (or slimmer variants), and exclude files from the bundle"
    defaults: ClassVar[Mapping[str, object]] = {"limit-mb": 250}
    needs_index = True

    VALID = (
        ProjectExample(  # a small app, within every limit
            {"main.py": _MAIN, "requirements.txt": "fastapi==0.121.0\n"},
            options={"target": "lambda"},
        ),
    )
    INVALID = (
        ProjectExample(  # torch alone is far over Lambda's 250 MB
            {"main.py": _MAIN, "pyproject.toml": _TORCH},
            expect=(
                Expect(
                    "pyproject.toml",
                    1,
                    1,
                    (
                        "dependencies are at least ~2729 MB unzipped (estimate; not "
                        "counted: what torch installs), over Lambda's 250 MB limit: the "
                        "deploy is rejected"
                    ),
                ),
            ),
            options={"target": "lambda"},
        ),
        ProjectExample(  # ... and over the 500 MiB Vercel can install into /tmp
            {"main.py": _MAIN, "pyproject.toml": _TORCH},
            expect=(
                Expect(
                    "pyproject.toml",
                    1,
                    1,
                    (
                        "dependencies are at least ~2602 MiB unzipped (estimate; not "
                        "counted: what torch installs): too big for the function and over "
                        "the 500 MiB Vercel allows in /tmp for installing them at cold "
                        "start, so the build fails (LAMBDA_SIZE_EXCEEDED)"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        limit = self.option_float("limit-mb")
        found = estimate(ctx)
        size = found.size
        if ctx.target == "lambda" and size > limit * 1e6:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are {found.about(f'{size / 1e6:.0f} MB')}, over Lambda's "
                f"{limit:g} MB limit: the deploy is rejected",
            )
        elif ctx.target == "vercel" and found.own is not None and found.own_size > THRESHOLD:
            heaviest = found.own.heaviest[0][0].rstrip("/") if found.own.heaviest else "."
            yield self.at(
                Location(ctx.project.root / heaviest, 1),
                f"the project's own files are {_own(found.own, MIB, 'MiB')}: over the "
                f"{THRESHOLD // MIB} MiB a function holds, and only dependencies can be "
                "installed at cold start instead, so the build fails (LAMBDA_SIZE_EXCEEDED)",
                fix="leave what the function never reads out (.vercelignore, excludeFiles): "
                "a committed virtualenv, data, model weights",
            )
        elif ctx.target == "vercel" and size + found.own_size > VERCEL_TMP_LIMIT_MIB * MIB:
            yield self.at(
                _manifest_location(ctx),
                f"{found.what(MIB, 'MiB')}: too big for the function and over the "
                f"{VERCEL_TMP_LIMIT_MIB} MiB Vercel allows in /tmp for installing them at "
                "cold start, so the build fails (LAMBDA_SIZE_EXCEEDED)",
            )


class InstalledAtColdStart(ProjectRule):
    """Over Vercel's threshold, dependencies are installed at every cold start."""

    id = "PF2001"
    fid = "F20"
    name = "dependencies-installed-at-cold-start"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "dependencies over 225 MiB are installed into /tmp at every cold start"
    # Over VERCEL_TMP_LIMIT_MIB the build fails instead: PF1001 says so.
    fix = "trim dependencies below 225 MiB unzipped"
    defaults: ClassVar[Mapping[str, object]] = {"threshold-mib": 225}
    needs_index = True

    VALID = (
        ProjectExample(  # fastapi and numpy stay under the threshold
            {"main.py": _MAIN, "pyproject.toml": _project('"fastapi==0.121.0", "numpy==2.3.5"')}
        ),
    )
    INVALID = (
        ProjectExample(  # the data-science stack of f20_dependencies_installed_at_cold_start
            {"main.py": _MAIN, "pyproject.toml": _DATA},
            expect=(
                Expect(
                    "pyproject.toml",
                    1,
                    1,
                    (
                        "dependencies are at least ~350 MB unzipped (estimate; not "
                        "counted: what pyarrow installs), over Vercel's 225 MiB "
                        "threshold: the runtime installs them into /tmp over the network "
                        "at every cold start (slow cold starts; the build still succeeds)"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        # packages/python/src/dependency-externalizer.ts: LAMBDA_SIZE_THRESHOLD_BYTES
        threshold = self.option_float("threshold-mib") * MIB
        found = estimate(ctx)
        size = found.size + found.own_size
        if found.own_size > threshold:
            return  # PF1001: the build fails
        if ctx.target == "vercel" and threshold < size <= VERCEL_TMP_LIMIT_MIB * MIB:
            yield self.at(
                _manifest_location(ctx),
                f"{found.what(1_000_000, 'MB')}, over Vercel's "
                f"{self.option_float('threshold-mib'):g} MiB threshold: the runtime installs "
                "them into /tmp over the network at every cold start (slow cold starts; the "
                "build still succeeds)",
            )


def _manifest_location(ctx: CheckContext) -> Location:
    manifest = ctx.project.manifest
    return Location(manifest.path if manifest else ctx.project.root / "pyproject.toml", 1)
