"""Copy a project the way a deploy uploads it: what the builder on Vercel gets to see.

Why a copy: `vercel build` writes pyproject.toml, uv.lock and .python-version into the
tree it builds and leaves a cached uv.lock behind when locking fails, so every build
starts from a fresh copy. Why filtering: locally `vercel build` ignores `.vercelignore`
(only the upload applies it), and a git deploy never carries a gitignored `.env` (F15),
so the copy applies both, plus the CLI's own upload defaults.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from pathlib import Path

# Never uploaded by the Vercel CLI (its default ignore list, Python-relevant part).
DEFAULT_IGNORES = (
    ".git",
    ".hg",
    ".svn",
    ".vercel",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".DS_Store",
    ".cache",
)
# `.env` files reach the function only when passed explicitly (--env-file), like
# project environment variables; examples are documentation and stay.
ENV_FILE_KEEP = (".env.example", ".env.sample", ".env.template", ".env.dist")


def _is_env_file(name: str) -> bool:
    return (name == ".env" or name.startswith(".env.")) and name not in ENV_FILE_KEEP


def read_vercelignore(root: Path) -> list[str]:
    path = root / ".vercelignore"
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(errors="replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _matches(pattern: str, rel: str, is_dir: bool) -> bool:
    """gitignore-style match of one pattern against a POSIX relative path."""
    if pattern.endswith("/"):
        if not is_dir:
            return False
        pattern = pattern.rstrip("/")
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pattern = pattern.lstrip("/")
    if anchored:
        return fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel, pattern + "/**")
    return fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], pattern)


def ignored(rel: str, is_dir: bool, patterns: list[str]) -> bool:
    """Last matching pattern wins; `!pattern` re-includes, as in .gitignore."""
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        if _matches(pattern[1:] if negate else pattern, rel, is_dir):
            verdict = not negate
    return verdict


def copy_for_upload(source: Path, dest: Path) -> list[str]:
    """Copy `source` into `dest` minus what an upload leaves out; returns what was left out.

    `.vercel/project.json` is the one `.vercel` file kept: it holds the project settings
    (framework, install command) the build must honour.
    """
    patterns = read_vercelignore(source)
    skipped: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        rel_dir = here.relative_to(source).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        keep_dirs = []
        for name in sorted(dirnames):
            rel = prefix + name
            if name in DEFAULT_IGNORES or ignored(rel, True, patterns):
                skipped.append(rel + "/")
            else:
                keep_dirs.append(name)
        dirnames[:] = keep_dirs
        target_dir = dest / rel_dir if prefix else dest
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            rel = prefix + name
            if name in DEFAULT_IGNORES or _is_env_file(name) or ignored(rel, False, patterns):
                skipped.append(rel)
                continue
            src_file = here / name
            if src_file.is_symlink() and not src_file.exists():
                continue
            shutil.copy2(src_file, target_dir / name)
    settings = source / ".vercel" / "project.json"
    if settings.is_file():
        (dest / ".vercel").mkdir(exist_ok=True)
        shutil.copy2(settings, dest / ".vercel" / "project.json")
    return skipped
