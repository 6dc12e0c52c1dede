"""F10 / F20: the unzipped size of what the target installs.

Lambda rejects a function over 250 MB unzipped (F10). Vercel's builder ships
dependencies over its 225 MiB threshold separately and installs them into /tmp at every
cold start (F20); over the 500 MiB it allows /tmp (512 MB) the build fails with
LAMBDA_SIZE_EXCEEDED (F10). Both from packages/python/src/dependency-externalizer.ts
(`LAMBDA_SIZE_THRESHOLD_BYTES`, `LAMBDA_EPHEMERAL_STORAGE_BYTES`, `generateBundle`),
without VERCEL_SUPPORT_LARGE_FUNCTIONS, which Vercel sets only for its own tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import VERCEL_ONLY, ProjectRule

UNZIP_FACTOR = 3.0  # wheel size (compressed) -> installed size, measured on common wheels
MIB = 1024 * 1024
# dependency-externalizer.ts: LAMBDA_EPHEMERAL_STORAGE_BYTES, the most /tmp may take.
VERCEL_TMP_LIMIT_MIB = 500


def estimated_bundle_bytes(ctx: CheckContext) -> int:
    wheels = sum((r.wheel.size if r.wheel else 0) for r in ctx.resolution.packages.values())
    return int(wheels * UNZIP_FACTOR)


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

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        limit = self.option_float("limit-mb")
        size = estimated_bundle_bytes(ctx)
        if ctx.target == "lambda" and size > limit * 1e6:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are ~{size / 1e6:.0f} MB unzipped (estimate), over Lambda's "
                f"{limit:g} MB limit: the deploy is rejected",
            )
        elif ctx.target == "vercel" and size > VERCEL_TMP_LIMIT_MIB * MIB:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are ~{size / MIB:.0f} MiB unzipped (estimate): too big for the "
                f"function and over the {VERCEL_TMP_LIMIT_MIB} MiB Vercel allows in /tmp for "
                "installing them at cold start, so the build fails (LAMBDA_SIZE_EXCEEDED)",
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

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        # packages/python/src/dependency-externalizer.ts: LAMBDA_SIZE_THRESHOLD_BYTES
        threshold = self.option_float("threshold-mib") * MIB
        size = estimated_bundle_bytes(ctx)
        if ctx.target == "vercel" and threshold < size <= VERCEL_TMP_LIMIT_MIB * MIB:
            yield self.at(
                _manifest_location(ctx),
                f"dependencies are ~{size / 1e6:.0f} MB unzipped (estimate), over Vercel's "
                f"{self.option_float('threshold-mib'):g} MiB threshold: the runtime installs "
                "them into /tmp over the network at every cold start (slow cold starts; the "
                "build still succeeds)",
            )


def _manifest_location(ctx: CheckContext) -> Location:
    manifest = ctx.project.manifest
    return Location(manifest.path if manifest else ctx.project.root / "pyproject.toml", 1)
