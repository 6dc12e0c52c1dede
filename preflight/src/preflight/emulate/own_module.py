"""Tell a missing module that is the project's own from one no dependency declares.

`ModuleNotFoundError: No module named 'routes'` reads as an undeclared dependency (F2),
and "add the distribution that provides 'routes'" is the wrong advice when routes/ is in
the upload: beside an entrypoint below the root (backend/app.py importing routes, which
the function's sys.path, holding /var/task and not backend/, cannot see: check's PF205),
or under public/, which @vercel/python leaves out of every function (check's PF1402).
The upload's own files (the copy `preflight run` built from) are the proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from preflight.emulate.frames import frames


@dataclass(frozen=True)
class OwnModule:
    """Why the project's own module cannot be imported, and what to do, for one rule."""

    fid: str
    cause: str
    fix: str


def own_module(name: str, text: str, project: Path) -> OwnModule | None:
    """`name` (dotted, as CPython printed it) as a module of `project` the function
    cannot import, judged from the traceback `text`; None when the upload has no such file."""
    parts = name.split(".")
    for depth, part in enumerate(parts):
        if part == "public" and project.joinpath(*parts[: depth + 1]).is_dir():
            where = _module_file(project, parts) or "/".join(parts[: depth + 1]) + "/"
            return OwnModule(
                "F14",
                f"the app imports {name!r}, the project's own module ({where}), which "
                "@vercel/python leaves out of the function with everything under public/",
                "move the module out of public/ (public/ is for files the CDN serves); "
                "`preflight check` reports this import as PF1402.",
            )
    folder = _importing_folder(text)
    if folder is None or _module_file(project, parts[:1]) is not None:
        return None
    beside = _module_file(project / folder, parts[:1])
    if beside is None:
        return None
    return OwnModule(
        "F2",
        f"the app imports {name!r}, the project's own module ({folder}/{beside}), not a "
        f"dependency: it is found only beside the importing file, and the function's "
        f"import path holds the project root (/var/task), not {folder}/",
        f"import it through its folder ({folder.replace('/', '.')}.{parts[0]}), or put "
        f"{folder}/ on sys.path before the import; `preflight check` reports this import "
        "as PF205.",
    )


def _module_file(base: Path, parts: list[str]) -> str | None:
    """Where under `base` the dotted `parts` live (a package folder or a .py file)."""
    path = base.joinpath(*parts)
    if path.with_suffix(".py").is_file():
        return PurePosixPath(*parts).as_posix() + ".py"
    if path.is_dir():
        return PurePosixPath(*parts).as_posix() + "/"
    return None


def _importing_folder(text: str) -> str | None:
    """The folder (below the root) of the user's file that ran the failing import: the
    traceback's last frame outside CPython's import machinery, when it is the user's."""
    found = [f for f in frames(text) if not f.path.startswith("<")]
    if not found or not found[-1].is_user:
        return None
    folder = PurePosixPath(found[-1].rel).parent.as_posix()
    return None if folder == "." else folder
