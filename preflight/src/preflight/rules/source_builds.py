"""F1: distributions whose build from source is known to fail on Vercel's build image.

Without a wheel for the target, the install builds the sdist on Vercel's image. PF101 and
PF103 say that may fail; for these it does, every time, for a reason known in advance: a
library the image lacks, or a build setup that cannot run on the target CPython. The
image's packages (vercel.com/docs/deployments/build-image/build-image) are gcc, gcc-c++,
make, openssl-devel, zlib-devel, libjpeg-devel, libpng-devel, libffi-devel, bzip2-devel
and a few more: no PostgreSQL, MySQL/MariaDB or OpenLDAP development files, and the
function's runtime has none of their shared libraries either.

The errors quoted are the ones these builds stop with, reproduced with
`uv pip install --no-binary :all:` on CPython 3.12.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.deps.platform import PLATFORM_LABEL
from preflight.deps.resolve import Resolved
from preflight.findings import Finding, Severity
from preflight.rules._declared_lines import declared_as
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.vercel_config import own_install_step


class KnownSourceBuildFailure(ProjectRule):
    """A distribution built from source on Vercel's image, where that build fails."""

    id = "PF104"
    fid = "F1"
    name = "source-build-fails"
    severity = Severity.ERROR
    message = "built from source, and that build fails on Vercel's image"
    fix = "require the variant that ships Linux wheels"
    needs_index = True

    VALID = (
        ProjectExample(  # numpy 1.26.4 has wheels for CPython 3.12: nothing is built
            {"app.py": "import numpy\napp = 1\n", "requirements.txt": "numpy==1.26.4\n"}
        ),
        ProjectExample(  # the -binary variant ships manylinux wheels with libpq inside
            {
                "app.py": "import psycopg2\napp = 1\n",
                "requirements.txt": "psycopg2-binary==2.9.10\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # modelled on ymahrous/ml-fastapi-vercel's requirements.txt
            {"app.py": "import psycopg2\napp = 1\n", "requirements.txt": "psycopg2==2.9.5\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "psycopg2 2.9.5 has no wheel for manylinux x86_64 (glibc 2.28) "
                        "CPython 3.12, and building it needs PostgreSQL's pg_config, which "
                        "Vercel's build image does not have: the build fails (\"Error: "
                        'pg_config executable not found.")'
                    ),
                ),
            ),
        ),
        ProjectExample(  # rajvijay1102/Health-AI: `mysql` is an empty package needing it
            {"app.py": "app = 1\n", "requirements.txt": "six==1.16.0\nmysql==0.0.3\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "mysqlclient 2.3.2 (a dependency of mysql) has no wheel for manylinux "
                        "x86_64 (glibc 2.28) CPython 3.12, and building it needs the MySQL "
                        "or MariaDB client's development files, which Vercel's build image "
                        'does not have: the build fails ("mysql_config not found", or '
                        '"Can not find valid pkg-config name" since 2.2)'
                    ),
                ),
            ),
        ),
        ProjectExample(  # akshit-shetty/EduOps360 pinned numpy 1.24.4; CPython 3.12 has no wheel
            {"app.py": "import numpy\napp = 1\n", "requirements.txt": "numpy==1.24.4\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "numpy 1.24.4 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12, and its build needs distutils, which CPython 3.12 removed: "
                        'the build fails ("ModuleNotFoundError: No module named '
                        "'distutils'\")"
                    ),
                ),
            ),
        ),
        ProjectExample(  # j-bernardi/lungdon-underground pins pandas 2.0.3
            {"app.py": "import pandas\napp = 1\n", "requirements.txt": "pandas==2.0.3\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "pandas 2.0.3 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12, and its setup.py imports pkg_resources, which the setuptools "
                        "its build takes no longer has: the build fails "
                        "(\"ModuleNotFoundError: No module named 'pkg_resources'\")"
                    ),
                ),
            ),
        ),
        ProjectExample(  # huogerac/flask-vercel pulls PyYAML 5.4.1 in through connexion
            {"app.py": "import yaml\napp = 1\n", "requirements.txt": "PyYAML==5.4.1\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "pyyaml 5.4.1 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12, and its build takes the newest Cython, which its code does not "
                        "compile with: the build fails (\"AttributeError: 'build_ext' object "
                        "has no attribute 'cython_sources'\", yaml/pyyaml#724)"
                    ),
                ),
            ),
        ),
        ProjectExample(  # a bot pinned to aiohttp 3.8, which has no CPython 3.12 wheels
            {"app.py": "import aiohttp\napp = 1\n", "requirements.txt": "aiohttp==3.8.6\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "aiohttp 3.8.6 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12, and its C extensions read CPython internals that 3.12 changed: "
                        "the build fails (\"'PyLongObject' has no member named 'ob_digit'\")"
                    ),
                ),
            ),
        ),
        ProjectExample(  # `pip install sklearn` where scikit-learn was meant
            {"app.py": "import sklearn\napp = 1\n", "requirements.txt": "sklearn\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "sklearn 0.0.post12 has no wheel for manylinux x86_64 (glibc 2.28) "
                        "CPython 3.12, and its sdist refuses to build: the name is a deprecated "
                        "alias of scikit-learn: the build fails (\"The 'sklearn' PyPI package "
                        "is deprecated, use 'scikit-learn'\")"
                    ),
                ),
            ),
        ),
        ProjectExample(  # jaw9c/next-django-vercel-template pins it from a 3.8 freeze
            {
                "app.py": "app = 1\n",
                "requirements.txt": "asgiref==3.8.1\nbackports.zoneinfo==0.2.1\n",
            },
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "backports-zoneinfo 0.2.1 has no wheel for manylinux x86_64 (glibc "
                        "2.28) CPython 3.12, and its C extension uses CPython internals that "
                        "3.12 removed: the build fails (\"'_PyLong_One' undeclared\")"
                    ),
                ),
            ),
        ),
        ProjectExample(  # ymahrous/ml-fastapi-vercel pins greenlet 2.0.2
            {"app.py": "app = 1\n", "requirements.txt": "greenlet==2.0.2\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "greenlet 2.0.2 has no wheel for manylinux x86_64 (glibc 2.28) CPython "
                        "3.12, and its C++ reads CPython internals that 3.12 changed: the "
                        "build fails (\"'_PyCFrame' has no member named 'use_tracing'\")"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        # An installCommand of the project's own may install the library first (dnf).
        own_install = own_install_step(ctx.project.root) is not None
        for resolved in ctx.resolution.packages.values():
            known = known_build_failure(resolved, ctx.python)
            if known is None:
                continue
            location, pulled = declared_as(ctx, resolved)
            outcome = (
                "the build fails unless the project's own installCommand prepares for it"
                if own_install
                else "the build fails"
            )
            yield self.at(
                location,
                f"{resolved.name} {resolved.version}{pulled} has no wheel for {PLATFORM_LABEL} "
                f"CPython {ctx.python}, and {known.why}: {outcome} ({known.error})",
                severity=Severity.WARNING if own_install else None,
                fix=known.remedy(ctx.python),
            )


@dataclass(frozen=True)
class KnownFailure:
    """Why building a distribution fails, the error it stops with, what to use instead."""

    why: str
    error: str
    instead: str
    releases: SpecifierSet | None = None  # the releases it applies to (None: every one)
    pythons: SpecifierSet | None = None  # the target CPythons it applies to

    def remedy(self, python: str) -> str:
        """The fix: what to require instead, or `instead` itself when it says to remove."""
        instead = self.instead.format(python=python)
        return instead if instead.startswith("remove") else f"require {instead}"


_PG_CONFIG = "building it needs PostgreSQL's pg_config, which Vercel's build image does not have"
_KNOWN = {
    "psycopg2": KnownFailure(
        _PG_CONFIG,
        '"Error: pg_config executable not found."',
        "psycopg2-binary (the same psycopg2 module, with libpq inside its wheels)",
    ),
    # Its sdist is psycopg2's source: a release without wheels for the target CPython
    # (2.9.6 has none for 3.12) builds the same way (nineteenwj/django-vercel-postgres).
    "psycopg2-binary": KnownFailure(
        _PG_CONFIG,
        '"Error: pg_config executable not found."',
        "a psycopg2-binary release with wheels for CPython {python}",
    ),
    "mysqlclient": KnownFailure(
        "building it needs the MySQL or MariaDB client's development files, which Vercel's "
        "build image does not have",
        '"mysql_config not found", or "Can not find valid pkg-config name" since 2.2',
        "PyMySQL (pure Python; pymysql.install_as_MySQLdb() where Django imports MySQLdb)",
    ),
    # scipy's build (meson since 1.9) needs a Fortran compiler and BLAS/LAPACK found by
    # pkg-config, and the build image has gcc only (2100090151/nirvaanaa: 1.10.1 on 3.12).
    "scipy": KnownFailure(
        "building it needs a Fortran compiler and BLAS/LAPACK (OpenBLAS), which Vercel's "
        "build image does not have",
        "meson: Dependency OpenBLAS not found (or no Fortran compiler)",
        "a scipy release with wheels for CPython {python}",
    ),
    # Windows-only (IOCP); a `pip freeze` from Windows lists it without Twisted's marker
    # (001kenji/SSE-Backend; 1.0.4 fails on Linux, reproduced with uv on CPython 3.12).
    "twisted-iocpsupport": KnownFailure(
        "its C extension is Windows' I/O completion ports, and Linux has no <io.h>",
        '"fatal error: io.h: No such file or directory"',
        "remove the line: Twisted asks for it only on Windows, by a marker",
    ),
    "python-ldap": KnownFailure(
        "building it needs OpenLDAP's development files, which Vercel's build image does not have",
        '"lber.h: No such file or directory"',
        "ldap3 (pure Python)",
    ),
    # Their pyproject.toml asks for Cython unpinned, so the isolated build gets Cython 3,
    # which their code does not compile with (yaml/pyyaml#724; 6.0.1 pins Cython < 3).
    "pyyaml": KnownFailure(
        "its build takes the newest Cython, which its code does not compile with",
        "\"AttributeError: 'build_ext' object has no attribute 'cython_sources'\", yaml/pyyaml#724",
        "PyYAML>=6.0.1",
        releases=SpecifierSet(">=5.4,<6.0.1"),
    ),
    # Their setup.py builds with numpy.distutils, which imports distutils, removed in
    # CPython 3.12 (PEP 632); 1.26 is the first numpy for 3.12, built with meson.
    "numpy": KnownFailure(
        "its build needs distutils, which CPython 3.12 removed",
        "\"ModuleNotFoundError: No module named 'distutils'\"",
        "numpy>=1.26 (the first release for CPython 3.12)",
        releases=SpecifierSet("<1.26"),
        pythons=SpecifierSet(">=3.12"),
    ),
    # The C their sdists ship was generated by a Cython that reads CPython's int internals
    # (ob_digit), which 3.12 changed; 3.9.0 is the first release with 3.12 wheels.
    "aiohttp": KnownFailure(
        "its C extensions read CPython internals that 3.12 changed",
        "\"'PyLongObject' has no member named 'ob_digit'\"",
        "aiohttp>=3.9 (the first release for CPython 3.12)",
        releases=SpecifierSet("<3.9"),
        pythons=SpecifierSet(">=3.12"),
    ),
    # A name kept on PyPI to stop `pip install sklearn`: its sdist raises on purpose
    # (scikit-learn/sklearn-pypi-package, since 2023-12).
    "sklearn": KnownFailure(
        "its sdist refuses to build: the name is a deprecated alias of scikit-learn",
        "\"The 'sklearn' PyPI package is deprecated, use 'scikit-learn'\"",
        "scikit-learn (the distribution that installs the sklearn module)",
    ),
    # A backport of 3.9's zoneinfo (a `pip freeze` on 3.8 pins it): its C uses _PyLong_One,
    # which 3.12 removed, and 0.2.1, the last release, has no wheels past 3.8.
    "backports-zoneinfo": KnownFailure(
        "its C extension uses CPython internals that 3.12 removed",
        "\"'_PyLong_One' undeclared\"",
        "it only below CPython 3.9, where zoneinfo is not in the standard library "
        '(`backports.zoneinfo; python_version < "3.9"`)',
        pythons=SpecifierSet(">=3.12"),
    ),
    # Their setup.py imports pkg_resources, which the newest setuptools an isolated build
    # takes no longer ships (2.0.3 under uv 0.13, CPython 3.12, 2026-12-07); 2.1 builds
    # with meson, 2.1.1 is the first release with CPython 3.12 wheels.
    "pandas": KnownFailure(
        "its setup.py imports pkg_resources, which the setuptools its build takes no longer has",
        "\"ModuleNotFoundError: No module named 'pkg_resources'\"",
        "pandas>=2.1.1 (the first release with CPython 3.12 wheels)",
        releases=SpecifierSet("<2.1"),
        pythons=SpecifierSet(">=3.12"),
    ),
    # Their C++ reads interpreter state 3.12 reorganised; 3.0.0 is the first for 3.12.
    "greenlet": KnownFailure(
        "its C++ reads CPython internals that 3.12 changed",
        "\"'_PyCFrame' has no member named 'use_tracing'\"",
        "greenlet>=3.0 (the first release for CPython 3.12)",
        releases=SpecifierSet("<3.0"),
        pythons=SpecifierSet(">=3.12"),
    ),
    # Before 23.9.0, the first release for 3.12, their Cython sources do not compile with
    # the Cython 3 the isolated build takes (22.10.2: libev/corecext.pyx).
    "gevent": KnownFailure(
        "its Cython sources do not compile with the Cython its build takes",
        '"Cython.Compiler.Errors.CompileError: src/gevent/libev/corecext.pyx"',
        "gevent>=23.9 (the first release for CPython 3.12)",
        releases=SpecifierSet("<23.9"),
        pythons=SpecifierSet(">=3.12"),
    ),
}


def known_build_failure(resolved: Resolved, python: str) -> KnownFailure | None:
    """How building `resolved` fails on Vercel, when the install has to build it."""
    if resolved.wheel is not None or not resolved.has_sdist or resolved.version is None:
        return None
    known = _KNOWN.get(resolved.name)
    if known is None:
        return None
    try:
        release, target = Version(resolved.version), Version(python)
    except InvalidVersion:
        return None
    if known.releases is not None and release not in known.releases:
        return None
    if known.pythons is not None and target not in known.pythons:
        return None
    return known
