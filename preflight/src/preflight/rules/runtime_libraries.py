"""F1: an import that needs a shared library the function's runtime does not have:
libpq for psycopg 3 (PsycopgWithoutLibpq), libGL for opencv's GUI build (OpencvWithoutLibgl),
libzbar for pyzbar (PyzbarWithoutLibzbar).

Vercel's Python runtime (AWS Lambda's, Amazon Linux 2023) carries no PostgreSQL client
library. psycopg 3 is pure Python until it finds one: its psycopg-binary or psycopg-c
package, or the system's libpq. With neither package installed, `import psycopg` raises
at import, on Lambda as in a slim container: "ImportError: no pq wrapper available ...
couldn't import psycopg 'python' implementation: libpq library not found"
(psycopg/psycopg#394, a Lambda `Runtime.ImportModuleError`; mem0ai/mem0#7297 on
python:3.12-slim). `psycopg[binary]` installs psycopg-binary, whose wheels carry libpq.
SQLAlchemy imports psycopg for a `postgresql+psycopg://` URL as the engine is created,
so such a URL fails the same way without any `import psycopg` in the app.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from preflight.context import CheckContext
from preflight.deps.closure import ImportUse
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule

# psycopg's own implementations that carry or link a libpq; either one is enough.
_LIBPQ_PROVIDERS = ("psycopg-binary", "psycopg-c")
_APP = "import psycopg\napp = 1\n"
# SQLAlchemy's psycopg 3 dialects: postgresql+psycopg:// and +psycopg_async, not psycopg2.
_PSYCOPG_URL = re.compile(r"^postgres(?:ql)?\+psycopg(?:_async)?://")


class PsycopgWithoutLibpq(ProjectRule):
    """`import psycopg` where no libpq comes with it: ImportError at import on Vercel."""

    id = "PF105"
    fid = "F1"
    name = "psycopg-without-libpq"
    severity = Severity.ERROR
    message = "psycopg without psycopg-binary: Vercel's runtime has no libpq, the import fails"
    fix = 'require "psycopg[binary]" (its wheels carry libpq)'
    needs_index = True

    VALID = (
        ProjectExample({"app.py": _APP, "requirements.txt": "psycopg[binary]==3.2.9\n"}),
        ProjectExample(  # the import is guarded: the app copes without it
            {
                "app.py": "try:\n    import psycopg\nexcept ImportError:\n    psycopg = None\n"
                "app = 1\n",
                "requirements.txt": "psycopg==3.2.9\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _APP, "requirements.txt": "psycopg==3.2.9\n"},
            expect=(
                Expect(
                    "app.py",
                    1,
                    1,
                    (
                        "psycopg 3.2.9 needs a libpq, and neither psycopg-binary nor "
                        "psycopg-c is installed: Vercel's runtime has none, so this import "
                        'raises ImportError ("no pq wrapper available")'
                    ),
                ),
            ),
        ),
        ProjectExample(  # the dialect imports psycopg when the engine is created
            {
                "app.py": "import os\nfrom sqlalchemy import create_engine\n"
                "URL = os.environ['DATABASE_URL'].replace('postgresql://', "
                "'postgresql+psycopg://')\nengine = create_engine(URL)\napp = 1\n",
                "requirements.txt": "psycopg==3.2.9\nsqlalchemy==2.0.41\n",
            },
            expect=(
                Expect(
                    "app.py",
                    3,
                    59,
                    (
                        "a postgresql+psycopg:// URL makes SQLAlchemy import psycopg 3.2.9, "
                        "which needs a libpq, and neither psycopg-binary nor psycopg-c is "
                        "installed: Vercel's runtime has none, so creating the engine raises "
                        'ImportError ("no pq wrapper available")'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        psycopg = packages.get("psycopg")
        if psycopg is None or any(name in packages for name in _LIBPQ_PROVIDERS):
            return
        for use in ctx.closure.imports:
            if use.guarded or use.top != "psycopg":
                continue
            # Reached at import through unguarded imports: every request fails; else one.
            surely = use.module.path in ctx.closure.required
            yield self.at(
                use.location,
                f"psycopg {psycopg.version} needs a libpq, and neither psycopg-binary nor "
                "psycopg-c is installed: Vercel's runtime has none, so this import raises "
                'ImportError ("no pq wrapper available")',
                severity=None if surely else Severity.WARNING,
            )
        for module in ctx.closure.modules:
            for node in module.of(ast.Constant):
                if not isinstance(node.value, str) or not _PSYCOPG_URL.match(node.value):
                    continue
                at_import = module.enclosing_function(node) is None
                surely = at_import and module.path in ctx.closure.required
                yield self.at(
                    Location(module.path, node.lineno, node.col_offset + 1),
                    f"a {node.value.split('://')[0]}:// URL makes SQLAlchemy import psycopg "
                    f"{psycopg.version}, which needs a libpq, and neither psycopg-binary nor "
                    "psycopg-c is installed: Vercel's runtime has none, so creating the "
                    'engine raises ImportError ("no pq wrapper available")',
                    severity=None if surely else Severity.WARNING,
                )


# opencv's wheels built against the desktop GUI stack, and their server builds.
_GUI_OPENCV = ("opencv-python", "opencv-contrib-python")
_HEADLESS_OPENCV = ("opencv-python-headless", "opencv-contrib-python-headless")


class OpencvWithoutLibgl(ProjectRule):
    """`import cv2` from opencv's GUI build: it links libGL, which the runtime lacks.

    opencv-python's and opencv-contrib-python's manylinux wheels link libGL.so.1 (the
    Qt/GTK highgui), which AWS Lambda's Amazon Linux 2023 image does not carry, so
    `import cv2` raises "ImportError: libGL.so.1: cannot open shared object file" in the
    function (opencv/opencv-python#1019, on Lambda: the package "relies on system level
    libs"). The -headless builds carry no GUI and need no libGL; opencv's README names
    them for servers. krishhraj/Try-to-cheat-if-you-dare imports cv2 from api/index.py's
    closure with opencv-python>=4.8.0. With a headless build installed too, both write
    the same cv2/ folder and which one wins is the install's order: a warning.
    """

    id = "PF106"
    fid = "F1"
    name = "opencv-needs-libgl"
    message = "opencv's GUI build links libGL, which Vercel's runtime lacks: the import fails"
    fix = "require opencv-python-headless instead of opencv-python"
    needs_index = True

    _APP = "import cv2\napp = 1\n"
    VALID = (
        ProjectExample({"app.py": _APP, "requirements.txt": "opencv-python-headless==4.10.0.84\n"}),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _APP, "requirements.txt": "opencv-python==4.10.0.84\n"},
            expect=(
                Expect(
                    "app.py",
                    1,
                    1,
                    (
                        "cv2 comes from opencv-python 4.10.0.84, whose wheel links libGL.so.1: "
                        "Vercel's runtime (AWS Lambda, Amazon Linux 2023) has no libGL, so "
                        'this import raises ImportError ("libGL.so.1: cannot open shared '
                        'object file")'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        gui = next((packages[name] for name in _GUI_OPENCV if name in packages), None)
        if gui is None:
            return
        headless = next((name for name in _HEADLESS_OPENCV if name in packages), None)
        use = _first_import(ctx, lambda u: u.top == "cv2")
        if use is None:
            return
        surely = headless is None and use.module.path in ctx.closure.required
        also = f" (and {headless}, which may win: both install cv2/)" if headless else ""
        yield self.at(
            use.location,
            f"cv2 comes from {gui.name} {gui.version}{also}, whose wheel links "
            "libGL.so.1: Vercel's runtime (AWS Lambda, Amazon Linux 2023) has no libGL, "
            'so this import raises ImportError ("libGL.so.1: cannot open shared object '
            'file")',
            fix=f"require {gui.name}-headless instead of {gui.name}",
            severity=None if surely else Severity.WARNING,
        )


class PyzbarWithoutLibzbar(ProjectRule):
    """`from pyzbar.pyzbar import decode` with no zbar library on the runtime.

    pyzbar's Linux wheel is pure Python and loads the system's libzbar as it is imported:
    pyzbar/wrapper.py binds `zbar_version = zbar_function(...)` at module level, which
    calls zbar_library.load(), which raises "ImportError: Unable to find zbar shared
    library" when ctypes finds none (pyzbar 0.1.9, read 2026-12-08). Only its Windows
    wheels carry the DLLs; Lambda's Amazon Linux 2023 has no libzbar.
    4mritGiri/DocumentManagementSystem imports it in ScheduledMonitoring/views.py:5.
    """

    id = "PF107"
    fid = "F1"
    name = "pyzbar-needs-libzbar"
    message = "pyzbar loads the system's libzbar as it is imported, and Vercel's runtime has none"
    fix = "decode barcodes with a library whose wheels carry their native code (zxing-cpp)"
    needs_index = True

    _APP = "from pyzbar.pyzbar import decode\napp = 1\n"
    VALID = (
        ProjectExample(  # the package alone imports nothing native
            {"app.py": "import pyzbar\napp = 1\n", "requirements.txt": "pyzbar==0.1.9\n"}
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _APP, "requirements.txt": "pyzbar==0.1.9\n"},
            expect=(
                Expect(
                    "app.py",
                    1,
                    1,
                    (
                        "pyzbar 0.1.9 loads libzbar as pyzbar.pyzbar is imported, and "
                        "Vercel's runtime (AWS Lambda, Amazon Linux 2023) has none: "
                        'ImportError ("Unable to find zbar shared library")'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        pyzbar = ctx.resolution.packages.get("pyzbar")
        if pyzbar is None:
            return
        use = _first_import(ctx, lambda u: u.top == "pyzbar" and _loads_wrapper(u.node))
        if use is None:
            return
        yield self.at(
            use.location,
            f"pyzbar {pyzbar.version} loads libzbar as pyzbar.pyzbar is imported, and "
            "Vercel's runtime (AWS Lambda, Amazon Linux 2023) has none: ImportError "
            '("Unable to find zbar shared library")',
            severity=None if use.module.path in ctx.closure.required else Severity.WARNING,
        )


def _first_import(ctx: CheckContext, accept: Callable[[ImportUse], bool]) -> ImportUse | None:
    """The first unguarded import `accept` takes: one cause, one finding."""
    return next((u for u in ctx.closure.imports if not u.guarded and accept(u)), None)


def _loads_wrapper(node: ast.AST) -> bool:
    """`import pyzbar.pyzbar`, `from pyzbar.pyzbar import decode`, `from pyzbar import
    pyzbar`: the imports that run pyzbar/wrapper.py (the package's __init__ does not)."""
    modules = ("pyzbar.pyzbar", "pyzbar.wrapper")
    if isinstance(node, ast.Import):
        return any(alias.name.startswith(modules) for alias in node.names)
    if isinstance(node, ast.ImportFrom) and node.module:
        if node.module.startswith(modules):
            return True
        return node.module == "pyzbar" and any(
            alias.name in {"pyzbar", "wrapper"} for alias in node.names
        )
    return False
