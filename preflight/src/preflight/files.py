"""What a deploy uploads: the one answer `check` (rules that look at files) and `run` (the copy
it builds) share, so the two never disagree about whether a file reaches Vercel.

The Vercel CLI builds the upload set with the `ignore` package (gitignore semantics) from a
fixed default list plus `.vercelignore` (or the older `.nowignore`), with `./` prefixes
stripped: vercel 64.0.2, packages/client/src/utils/index.ts `getVercelIgnore` and
`clearRelative`. `pathspec`'s gitignore flavour implements the same syntax (anchoring, `dir/`,
`**`, `!negation`, last match wins), so no hand-written approximation is needed.

One addition for check and run alike: the caches of local tools (mypy, ruff, pytest, tox,
nox). Every Python .gitignore template lists them, so a git deploy never carries them, and
@vercel/python 25 drops the first two from the bundle anyway (`predefinedExcludes` in
packages/python/src/index.ts): counting them would describe this machine, not the project.

`run`'s copy leaves out one thing more: `.env` files (not their `.example`-style templates).
The CLI uploads them (so check's PF1801 and PF1101 see them), but a git deploy never carries a
gitignored `.env`, and project environment variables are how values reach the function (F15):
building with a local `.env` would hide that crash.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from preflight.one_pass import remembered

# getVercelIgnore's default list (packages/client/src/utils/index.ts, vercel 64.0.2).
CLI_DEFAULT_IGNORES = (
    ".hg",
    ".git",
    ".gitmodules",
    ".svn",
    ".cache",
    ".next",
    ".now",
    ".vercel",
    ".npmignore",
    ".dockerignore",
    ".gitignore",
    ".*.swp",
    ".DS_Store",
    ".wafpicke-*",
    ".lock-wscript",
    ".env.local",
    ".env.*.local",
    ".venv",
    ".yarn/cache",
    ".pnp*",
    "npm-debug.log",
    "config.gypi",
    "node_modules",
    "__pycache__",
    "venv",
    "CVS",
)
# See the module docstring.
LOCAL_TOOL_CACHES = (".mypy_cache", ".ruff_cache", ".pytest_cache", ".tox", ".nox")
# See the module docstring: run's copy leaves `.env` files out, their templates in.
ENV_FILE_RULES = (
    ".env",
    ".env.*",
    "!.env.example",
    "!.env.sample",
    "!.env.template",
    "!.env.dist",
)
# The one `.vercel` file a build needs: the project settings (framework, commands).
PROJECT_SETTINGS = ".vercel/project.json"


def _user_rules(root: Path) -> list[str]:
    """`.vercelignore` (else `.nowignore`), `./` prefixes removed as `clearRelative` does."""
    for name in (".vercelignore", ".nowignore"):
        try:
            text = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        return [line[2:] if line.startswith("./") else line for line in text.splitlines()]
    return []


@dataclass(frozen=True)
class UploadSet:
    """The ignore rules of one project; `ignored` answers for a project-relative POSIX path."""

    spec: pathspec.GitIgnoreSpec

    @classmethod
    def of(cls, root: Path, without_env_files: bool = False) -> UploadSet:
        env = ENV_FILE_RULES if without_env_files else ()
        lines = [*CLI_DEFAULT_IGNORES, *LOCAL_TOOL_CACHES, *env, *_user_rules(root)]
        return cls(pathspec.GitIgnoreSpec.from_lines(lines))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _walk(root: Path, without_env_files: bool = False) -> Iterator[tuple[str, Path, bool]]:
    """(relative path, path, ignored) for every entry, not descending into ignored folders."""
    upload = UploadSet.of(root, without_env_files)
    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top):
        here = Path(dirpath)
        # os.walk joins below `top`: the rest is the relative path (Path.relative_to per
        # folder was half of walking Django's 2,400 folders)
        rel_dir = dirpath[len(top) :].lstrip(os.sep).replace(os.sep, "/")
        prefix = rel_dir + "/" if rel_dir else ""
        kept = []
        for name in sorted(dirnames):
            skip = upload.ignored(prefix + name, True)
            yield prefix + name + "/", here / name, skip
            if not skip:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            yield prefix + name, here / name, upload.ignored(prefix + name, False)


def uploaded_files(root: Path) -> Iterator[Path]:
    """Files a deploy of `root` uploads, in walk order (walked once per check)."""
    return iter(remembered(("uploaded_files", root), lambda: list(_uploaded(root))))


def _uploaded(root: Path) -> Iterator[Path]:
    for rel, path, skip in _walk(root):
        if not skip and not rel.endswith("/") and path.is_file():
            yield path


def in_virtualenv(path: Path, root: Path) -> bool:
    """Whether `path` lies in a virtualenv folder (one holding `pyvenv.cfg`) under `root`.

    Such folders upload unless named `.venv`/`venv`, but nothing imports from them on
    Vercel, so rules about code that runs should not read them.
    """
    for parent in path.parents:
        if parent == root or root not in parent.parents:
            return False
        if (parent / "pyvenv.cfg").is_file():
            return True
    return False


def copy_for_upload(source: Path, dest: Path) -> list[str]:
    """Copy `source` into `dest` as a deploy uploads it; returns what was left out.

    `.vercel/project.json` is copied too: it holds the project settings (framework,
    install command) the build must honour.
    """
    skipped: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    for rel, path, skip in _walk(source, without_env_files=True):
        if skip:
            skipped.append(rel)
        elif rel.endswith("/"):
            (dest / rel).mkdir(parents=True, exist_ok=True)
        elif path.exists():  # a dangling symlink has nothing to upload
            shutil.copy2(path, dest / rel)
    settings = source / PROJECT_SETTINGS
    if settings.is_file():
        (dest / ".vercel").mkdir(exist_ok=True)
        shutil.copy2(settings, dest / PROJECT_SETTINGS)
    return skipped


# What makes a folder a Python project for Vercel's Python builder: its source or a manifest.
_PYTHON_MANIFESTS = frozenset({"pyproject.toml", "Pipfile", "Pipfile.lock", "setup.py"})


def holds_python(root: Path) -> bool:
    """Whether a deploy of `root` uploads any Python source or Python manifest; a folder
    without either (a Next.js frontend, an empty dir) is no project for preflight."""
    # walked lazily: the first Python file or manifest answers (the CLI asks before the
    # check's one_pass scope opens, so the full upload list would be walked twice)
    for path in _uploaded(root):
        name = path.name
        if name.endswith(".py") or name in _PYTHON_MANIFESTS:
            return True
        if name.startswith("requirements") and name.endswith((".txt", ".in")):
            return True
    return False
