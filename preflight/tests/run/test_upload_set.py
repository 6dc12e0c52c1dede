"""check and run share one answer to "what does a deploy upload": gitignore semantics as the
Vercel CLI applies them (packages/client/src/utils/index.ts getVercelIgnore, vercel 64.0.2)."""

from __future__ import annotations

from pathlib import Path

from preflight.files import copy_for_upload, uploaded_files

TREE = (
    "app.py",
    "docs/a.md",
    "docs/deep/b.md",
    "README.md",
    "notes.md",
    "data/raw/x.csv",
    "src/logs/today.txt",
    "sub/.env",
    ".env.production",
    ".env.example",
    ".nowignore-free.txt",
    "web/.next/cache.bin",
    "pkg/__pycache__/m.pyc",
    "env/pyvenv.cfg",
    ".mypy_cache/3.12/cache.db",
)
# `docs/*.md` does not cross a slash in gitignore (fnmatch's `*` did); `logs/` matches the folder
# at any depth; `!README.md` re-includes after `*.md`; `./data` loses its `./` as the CLI does.
VERCELIGNORE = "docs/*.md\nlogs/\n*.md\n!README.md\n./data\n"


def _tree(root: Path) -> None:
    for rel in TREE:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    (root / ".vercelignore").write_text(VERCELIGNORE)


def test_gitignore_semantics_and_cli_defaults(tmp_path: Path) -> None:
    _tree(tmp_path)
    got = sorted(p.relative_to(tmp_path).as_posix() for p in uploaded_files(tmp_path))
    assert got == [
        ".env.example",
        ".env.production",  # the CLI uploads .env files: PF1801 reports them
        ".nowignore-free.txt",
        ".vercelignore",
        "README.md",
        "app.py",
        "env/pyvenv.cfg",
        "sub/.env",
    ]


def test_check_and_run_see_the_same_upload(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _tree(src)
    dest = tmp_path / "dest"
    copy_for_upload(src, dest)
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    checked = sorted(p.relative_to(src).as_posix() for p in uploaded_files(src))
    # run builds without local .env files: a git deploy has none, values come from the
    # project's environment variables (F15), so building with them would hide that crash
    assert copied == [p for p in checked if p not in (".env.production", "sub/.env")]
