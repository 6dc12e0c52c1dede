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
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
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
    # Every rule in one regex: most paths match none, and then no rule can ignore them.
    # pathspec tries each rule in turn (20 regexes and a Python call each, 6,000 times on
    # Django: half of walking it); only a path this matches goes through its precedence.
    any_rule: re.Pattern[str] | None = None

    @classmethod
    def of(cls, root: Path, without_env_files: bool = False) -> UploadSet:
        env = ENV_FILE_RULES if without_env_files else ()
        lines = [*CLI_DEFAULT_IGNORES, *LOCAL_TOOL_CACHES, *env, *_user_rules(root)]
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        return cls(spec, _any_rule(spec))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        path = rel + "/" if is_dir else rel
        if self.any_rule is not None and self.any_rule.search(path) is None:
            return False
        return self.spec.match_file(path)


_GROUP = re.compile(r"\(\?P<\w+>")


def _any_rule(spec: pathspec.GitIgnoreSpec) -> re.Pattern[str] | None:
    """A regex that finds a match where any rule of `spec` does (each rule's regex is
    searched, as pathspec does), its named groups made plain so they may repeat; None
    when a rule is not a plain regex this can join."""
    parts: list[str] = []
    for pattern in spec.patterns:
        if pattern.include is None:  # a blank line or a comment: never matches
            continue
        regex = getattr(pattern, "regex", None)
        if not isinstance(regex, re.Pattern) or regex.flags != re.UNICODE:
            return None
        if not isinstance(regex.pattern, str) or "(?P=" in regex.pattern:
            return None
        parts.append(_GROUP.sub("(?:", regex.pattern))
    try:
        return re.compile("|".join(f"(?:{part})" for part in _shared_prefix(parts)) or "(?!)")
    except re.error:
        return None


# How pathspec writes a pattern without a slash (`node_modules`, `.env.*.local`): the name
# at any depth, as a file or a folder. Each of the default list's 30 such rules then tried
# `.+` at every length of the path; one alternation behind one prefix tries each folder
# boundary once (7x less regex time on Django's 6,000 paths: 2% of a check).
_ANY_DEPTH, _FILE_OR_FOLDER = "^(?:.+/)?", "(?:(?:/)|$)"


def _shared_prefix(parts: list[str]) -> list[str]:
    """The same union of regexes, with those of the any-depth form joined as
    `^(?:.+/)?(?:a|b|...)(?:(?:/)|$)`. A middle with a `|` of its own is left apart:
    inside the prefix it would group differently."""
    names, rest = [], []
    for part in parts:
        middle = part.removeprefix(_ANY_DEPTH).removesuffix(_FILE_OR_FOLDER)
        shaped = part.startswith(_ANY_DEPTH) and part.endswith(_FILE_OR_FOLDER)
        if shaped and "|" not in middle:
            names.append(middle)
        else:
            rest.append(part)
    joined = f"{_ANY_DEPTH}(?:{'|'.join(names)}){_FILE_OR_FOLDER}"
    return [joined, *rest] if names else rest


def _walk(root: Path, without_env_files: bool = False) -> Iterator[tuple[str, Path, bool, bool]]:
    """(relative path, path, ignored, is a file) for every entry, in os.walk's top-down
    order (symlinked folders listed, not entered), not descending into ignored folders.
    On os.scandir: its entries know from the listing whether they are files, where
    os.walk's names cost a stat each afterwards."""
    upload = UploadSet.of(root, without_env_files)
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:  # unreadable or gone: os.walk skips it too
            continue
        here = Path(folder)
        descend: list[tuple[str, str]] = []
        for entry in entries:
            if _is(entry.is_dir):
                rel = prefix + entry.name
                skip = upload.ignored(rel, True)
                yield rel + "/", here / entry.name, skip, False
                if not skip and not _is(entry.is_symlink):
                    descend.append((entry.path, rel + "/"))
        for entry in entries:
            if not _is(entry.is_dir):
                rel = prefix + entry.name
                yield rel, here / entry.name, upload.ignored(rel, False), _is(entry.is_file)
        stack.extend(reversed(descend))


def file_exists(path: Path, kind: str = "file") -> bool:
    """Whether `path` (built from a name a config file gives, such as a vercel.json build
    src) is a file (or, with kind "any", exists); False for a name the OS refuses to look
    up (over NAME_MAX, an embedded NUL), which pathlib raises on instead of answering."""
    try:
        return path.is_file() if kind == "file" else path.exists()
    except (OSError, ValueError):
        return False


def _is(test: Callable[[], bool]) -> bool:
    """A DirEntry test; False when the entry cannot be examined (as os.walk takes it)."""
    try:
        return test()
    except OSError:
        return False


def relative_posix(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()`, by slicing the string when `path` lies under
    `root` (pathlib parses both paths again: a twentieth of parsing Django's files).
    Raises ValueError when it does not, as relative_to does."""
    text, base = os.fspath(path), os.fspath(root)
    if os.sep == "/" and text.startswith(base) and text[len(base) : len(base) + 1] == "/":
        return text[len(base) + 1 :]
    return path.relative_to(root).as_posix()


def shown_path(path: Path, root: Path) -> str:
    """How reports name a path: relative to the project in POSIX form ("." for the project
    itself), or as given when it lies outside the project (a crash on a path we followed)."""
    try:
        return relative_posix(path, root)
    except ValueError:
        return str(path)


def is_uploaded(path: Path, root: Path) -> bool:
    """Whether a deploy of `root` uploads the file `path` (it exists and no ignore rule
    leaves it out): a manifest listed in .vercelignore never reaches the builder."""
    if not file_exists(path):
        return False
    try:
        rel = relative_posix(path, root)
    except ValueError:
        return True  # outside the project: not the upload's to decide
    upload = remembered(("upload set", root), lambda: UploadSet.of(root))
    return not upload.ignored(rel, False)


def uploaded_files(root: Path) -> Iterator[Path]:
    """Files a deploy of `root` uploads, in walk order (walked once per check)."""
    return iter(remembered(("uploaded_files", root), lambda: list(_uploaded(root))))


def _uploaded(root: Path) -> Iterator[Path]:
    for _rel, path, skip, is_file in _walk(root):
        if not skip and is_file:
            yield path


def in_site_packages(folders: Sequence[str]) -> bool:
    """Whether these folders (from the project root down) hold an environment's installed
    packages: `lib/pythonX.Y/site-packages`, `Lib/site-packages` on Windows. A committed
    virtualenv whose pyvenv.cfg was left out has only this to show for it (zwayzo/
    django-vercel's myenv/: macOS builds of Pillow and psycopg2 that nothing imports)."""
    for at, folder in enumerate(folders):
        if folder != "site-packages" or at == 0:
            continue
        above = folders[at - 1]
        if above == "Lib" or (at >= 2 and folders[at - 2] in _LIB and _PYTHON.match(above)):
            return True
    return False


_LIB = frozenset({"lib", "lib64"})
_PYTHON = re.compile(r"python\d+\.\d+t?$")


def in_virtualenv(path: Path, root: Path) -> bool:
    """Whether `path` lies in a virtualenv folder (one holding `pyvenv.cfg`, or installed
    packages' folders, see in_site_packages) under `root`.

    Such folders upload unless named `.venv`/`venv`, but nothing imports from them on
    Vercel, so rules about code that runs should not read them.
    """
    if root in path.parents and in_site_packages(path.parts[len(root.parts) : -1]):
        return True
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
    for rel, path, skip, _ in _walk(source, without_env_files=True):
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
