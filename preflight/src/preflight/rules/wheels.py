"""F1: every installed distribution must load on the target platform.

Each distribution needs a wheel for manylinux x86_64 at the target CPython; otherwise
the install builds from source (no compiler on the build image) or, with a prebuilt host
wheel or a vendored folder, the function dies with `No module named
'pydantic_core._pydantic_core'`.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.deps.declared import RUNTIME
from preflight.deps.platform import (
    PLATFORM_LABEL,
    binary_mismatch,
    describe_tags,
    wheel_fits,
    wheel_tags,
)
from preflight.files import in_virtualenv, uploaded_files
from preflight.findings import Finding, Location, Severity
from preflight.rules._declared_lines import declared_as
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.rules.source_builds import known_build_failure

_FLASK_APP = "from flask import Flask\napp = Flask(__name__)\n"


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
        ProjectExample(  # kept for Windows: not installed on Vercel
            {
                "app.py": "app = 1\n",
                "requirements.txt": 'pywin32==306; sys_platform == "win32"\n',
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
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "pydantic-core 2.16.3 has no wheel for manylinux x86_64 (glibc "
                        "2.28) CPython 3.14 (its Linux x86_64 wheels are for cp38 ... "
                        "cp312 only): its sdist is Rust and the build image has no cargo, "
                        "so the build fails"
                    ),
                ),
            ),
        ),
        ProjectExample(  # a `pip freeze` from Windows: pywin32 ships Windows wheels only
            {"app.py": "app = 1\n", "requirements.txt": "six==1.16.0\npywin32==306\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "pywin32 306 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12 (it ships no Linux x86_64 wheel at all) and no source "
                        "distribution: the install finds nothing it can install, and the "
                        "build fails"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app.py": "import pydantic_core\napp = 1\n",
                "requirements.txt": "pydantic_core @ https://files.pythonhosted.org/packages/x/"
                "pydantic_core-2.50.2-cp312-cp312-macosx_11_0_arm64.whl\n",
            },
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "pydantic_core-2.50.2-cp312-cp312-macosx_11_0_arm64.whl is built "
                        "for cp312-macosx_11_0_arm64, not manylinux x86_64 (glibc 2.28) "
                        "CPython 3.12: its compiled modules will not load"
                    ),
                ),
            ),
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
            if known_build_failure(resolved, ctx.python) is not None:
                continue  # PF104 says why its build fails
            location, pulled = declared_as(ctx, resolved)
            fix, nor_sdist = None, ""
            if resolved.has_sdist:
                outcome, severity = _source_build(ctx, resolved.name, resolved.version)
            else:
                outcome, severity, fix = _nothing_to_install(resolved.binary_only_elsewhere)
                nor_sdist = " and no source distribution"
            yield self.at(
                location,
                f"{resolved.name} {resolved.version}{pulled} has no wheel for {PLATFORM_LABEL} "
                f"CPython {ctx.python} ({_what_it_ships(resolved.binary_only_elsewhere)})"
                f"{nor_sdist}: {outcome}",
                severity=severity,
                fix=fix,
            )


def _nothing_to_install(wheels: list[str]) -> tuple[str, None, str]:
    """A release with neither a fitting wheel nor an sdist: the resolver finds nothing it
    can install and the build stops ("has no wheels with a matching platform tag", uv).
    Windows-only ones come from a `pip freeze` on Windows (pywin32 in a requirements.txt)."""
    platforms = {tag.platform for f in wheels for tag in wheel_tags(f) or ()}
    windows_only = bool(platforms) and all(p.startswith("win") for p in platforms)
    fix = (
        'drop it from the manifest, or keep it for Windows only: `; sys_platform == "win32"`'
        if windows_only
        else "drop it, or pin a release with a wheel for manylinux x86_64 or an sdist"
    )
    return "the install finds nothing it can install, and the build fails", None, fix


def _source_build(ctx: CheckContext, name: str, version: str | None) -> tuple[str, Severity | None]:
    """What building the sdist on Vercel's image does. The image has gcc, g++ and make
    (vercel.com/docs/deployments/build-image: "gcc | gcc-c++ | ... | make") but no Rust
    toolchain, so a Rust sdist fails the build (binjie09/duckduckgo-api#25, "Cargo, the
    Rust package manager, is not installed") while a C one usually compiles: MarkupSafe
    2.1.1 on CPython 3.12 (putuwaw/flask-app-vercel) even falls back to pure Python."""
    rust = ctx.index.sdist_needs_rust(name, version) if version else None
    if rust:
        return "its sdist is Rust and the build image has no cargo, so the build fails", None
    if rust is None:
        return (
            "the deploy builds it from source (its sdist could not be read): the build "
            "fails if it needs Rust or a library the image lacks",
            Severity.WARNING,
        )
    return (
        "the deploy compiles it from source with the build image's gcc: slower, and it "
        "fails if it needs a library the image lacks",
        Severity.WARNING,
    )


def _what_it_ships(filenames: list[str]) -> str:
    """'manylinux x86_64 wheels only for cp38-cp311' or 'Linux x86_64 wheels: none'."""
    linux: set[str] = set()
    for filename in filenames:
        for tag in wheel_tags(filename) or ():
            if "linux" in tag.platform and tag.platform.endswith("x86_64"):
                linux.add(tag.interpreter)
    if not linux:
        return "it ships no Linux x86_64 wheel at all"

    def order(tag: str) -> tuple[int, str]:
        digits = "".join(c for c in tag if c.isdigit())
        return (int(digits[1:] or 0) if digits.startswith("3") else 0, tag)

    shown = sorted(linux, key=order)
    listed = ", ".join(shown) if len(shown) <= 4 else f"{shown[0]} ... {shown[-1]}"
    return f"its Linux x86_64 wheels are for {listed} only"


class SdistOnly(ProjectRule):
    """A distribution with no wheel at all: built on Vercel's image at deploy time."""

    id = "PF103"
    fid = "F1"
    name = "sdist-only"
    severity = Severity.NOTE
    message = "only a source distribution: it is built at deploy time"
    fix = "check it is pure Python; if it compiles C/Rust code, pin a version with wheels"
    needs_index = True

    VALID = (
        ProjectExample(  # flask and its dependencies all ship wheels
            {"app.py": _FLASK_APP, "requirements.txt": "flask==3.1.3\n"}
        ),
        ProjectExample(  # django-allauth 65.9.0: an sdist only, but pure Python
            {"app.py": "import allauth\napp = 1\n", "requirements.txt": "django-allauth==65.9.0\n"}
        ),
    )
    INVALID = (
        ProjectExample(  # ujson 1.35 (2016) was published as a C-extension sdist only
            {"app.py": "import ujson\napp = 1\n", "requirements.txt": "ujson==1.35\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "ujson 1.35 has no wheel: its sdist has C/C++/Cython/Rust "
                        "sources, compiled during the deploy (fails if the build image "
                        "lacks its compiler or libraries)"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for resolved in ctx.resolution.packages.values():
            if resolved.wheel is not None or resolved.binary_only_elsewhere:
                continue
            if not resolved.has_sdist or resolved.version is None:
                continue
            if known_build_failure(resolved, ctx.python) is not None:
                continue  # PF104 says why its build fails
            # A pure-Python sdist (django-allauth 65.0-65.9) builds anywhere: nothing to say.
            compiles = ctx.index.sdist_compiles(resolved.name, resolved.version)
            if compiles is False:
                continue
            what = (
                "its sdist has C/C++/Cython/Rust sources, compiled during the deploy"
                if compiles
                else "it is built from source during the deploy"
            )
            yield self.at(
                declared_as(ctx, resolved)[0],
                f"{resolved.name} {resolved.version} has no wheel: {what} (fails if the build "
                "image lacks its compiler or libraries)",
            )


class VendoredHostBinary(ProjectRule):
    """Compiled modules in the uploaded tree that were built for another OS / CPython."""

    id = "PF102"
    fid = "F1"
    name = "vendored-host-binary"
    severity = Severity.ERROR
    message = "compiled module built for another platform: ImportError on Vercel"
    fix = "do not commit installed packages; declare them and let the build install them"

    VALID = (
        ProjectExample({"app.py": "app = 1\n", "lib/readme.txt": "x"}),
        ProjectExample(  # zwayzo/django-vercel committed myenv/ without its pyvenv.cfg
            {
                "app.py": "app = 1\n",
                "myenv/bin/activate": "",
                "myenv/lib/python3.10/site-packages/PIL/_imaging.cpython-310-darwin.so": (
                    "\xcf\xfa\xed\xfe"
                ),
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "app.py": "import sys\nsys.path.insert(0, 'lib')\nimport pydantic_core\napp = 1\n",
                "lib/pydantic_core/__init__.py": "",
                "lib/pydantic_core/_pydantic_core.cpython-312-darwin.so": "\xcf\xfa\xed\xfe",
            },
            expect=(
                Expect(
                    "lib/pydantic_core/_pydantic_core.cpython-312-darwin.so",
                    1,
                    1,
                    (
                        "lib/pydantic_core/_pydantic_core.cpython-312-darwin.so is built "
                        "for macOS (CPython 3.12): it cannot load on manylinux x86_64 "
                        "(glibc 2.28) CPython 3.12"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for path in uploaded_files(ctx.project.root):
            if path.suffix.lower() not in {".so", ".dylib", ".pyd", ".dll"}:
                continue
            if in_virtualenv(path, ctx.project.root):
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
