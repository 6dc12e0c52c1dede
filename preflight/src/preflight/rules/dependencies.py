"""F2: every import is installed on the target.

Each third-party name the app imports (outside a guard: try/except ImportError,
`if TYPE_CHECKING`, `if os.path.exists(...)`) must come from a distribution installed in
the runtime scope: declared in [project.dependencies] (not only in a dev group or an
extra, which `uv sync --no-dev` skips), or pulled in by one. What a distribution
provides is learned from its wheel's or sdist's file list; when that cannot be learned
(a git or URL requirement, an unreadable release) an unexplained import is a warning,
never an error. pip is in every Vercel bundle (deps/platform.py BUILDER_INSTALLED).
`--fix` adds only a name the index has. With no entrypoint, every Python file's imports
count, but nothing says the function imports a given file (a script, a folder the build
misses), so there it is a warning unless an api/*.py function reaches it (Mehwish-data/
AI_Mutli_Assistant_ChatBot: Backend/ beside a vercel.json naming a missing app.py).
Distribution files are checked in wheels.py (F1).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from preflight.context import CheckContext
from preflight.deps.caller_guards import guarded_by_callers
from preflight.deps.closure import ImportUse, search_roots
from preflight.deps.declared import RUNTIME, Declared
from preflight.deps.mapping import KNOWN, candidates, named_like
from preflight.deps.platform import marker_environment
from preflight.findings import Finding, Severity, first_few
from preflight.function_files import reached_without_entrypoint, softened, unsure_outside_functions
from preflight.on_vercel import branch_never_runs
from preflight.project import Manifest
from preflight.rules import _dependency_examples as examples
from preflight.rules._dependency_fix import dependency_fix
from preflight.rules.base import ProjectRule
from preflight.vercel_config import own_install_step


class MissingDependency(ProjectRule):
    """An import no installed distribution provides."""

    id = "PF201"
    fid = "F2"
    name = "import-not-installed"
    severity = Severity.ERROR
    message = "imported but not installed on Vercel: ModuleNotFoundError at import"
    fix = "declare it in [project.dependencies] (or the manifest Vercel reads) and re-lock"
    needs_index = True

    VALID = examples.VALID
    INVALID = examples.INVALID

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is not None and manifest.installs_nothing:
            ctx.skip("imports vs declared dependencies", "pyproject.toml has no [project] (PF301)")
            return
        if ctx.project.entrypoint is None:
            ctx.skip("import closure", "no entrypoint: the imports of every Python file count")
        runtime = [d for d in ctx.declared if d.scope == RUNTIME]
        installed = ctx.installed
        if ctx.resolution.unavailable:
            # Transitive dependencies partly unknown: see _Provided.unknown.
            ctx.skip(
                "transitive dependencies",
                "some unknown: an import only they could provide is a warning, not an error",
            )
        reported: set[str] = set()
        provided: _Provided | None = None
        own_install = own_install_step(ctx.project.root)
        submodules = _missing_submodules(ctx.project.root)
        reached = reached_without_entrypoint(ctx)
        # a name is reported once: where a function surely imports it, if anywhere
        uses = sorted(
            ctx.closure.imports, key=lambda u: reached is not None and u.module.path not in reached
        )
        for use in uses:
            if use.guarded or use.top in reported:
                continue
            names = candidates(use.dotted)
            if names & installed:
                continue
            if provided is None:  # only now pay for reading the distributions' file lists
                provided = _learn_import_names(ctx, runtime)
            names = candidates(use.dotted, provided.learned)
            if names & installed or _never_fails(ctx, use):
                continue
            reported.add(use.top)
            finding = self._finding(ctx, use, names, provided.unknown)
            if own_install is not None:
                # it runs in the function's venv and may install it (juriel/vercel-fastapi-
                # admin's installCommand pip-installs backend/requirements.txt)
                finding = softened(finding, f"unless vercel.json's {own_install} installs it")
            if submodules:
                finding = softened(
                    finding,
                    f"unless the git submodule {first_few(submodules)}, not checked out here "
                    "(Vercel clones public submodules), provides it",
                )
            yield unsure_outside_functions(ctx, finding)

    def _finding(
        self, ctx: CheckContext, use: ImportUse, names: set[str], unknown: list[str]
    ) -> Finding:
        manifest = ctx.project.manifest
        location = use.location
        twin = _case_twin(ctx, use)
        if twin is not None:
            return self.at(
                location,
                f"'{use.top}' {_imported(use)}, but the file is {twin}: Linux file names are "
                "case-sensitive, so this works on macOS/Windows and fails on Vercel",
                fix=f"import it with the file's exact case ({Path(twin).stem})",
            )
        other = [d for d in ctx.declared if d.name in names and d.scope != RUNTIME]
        target = manifest.shown(ctx.project.root) if manifest else "requirements.txt"
        if other:
            dist, table = other[0].name, _runtime_table(manifest)
            return self.at(
                location,
                f"'{use.top}' {_imported(use)}, but {dist} is "
                f"{_scope_words(other[0].scope, table)}: "
                f"Vercel installs only {table} (uv sync --no-dev), so the import fails",
                f"move {dist} to {table} in {target}"
                + (", then run `uv lock`" if ctx.lock is not None else ""),
                autofix=dependency_fix(ctx.project, dist),
            )
        if unknown:
            # What these install could not be learned: one of them may provide the name.
            shown = first_few(unknown)
            return self.at(
                location,
                f"'{use.top}' {_imported(use)} and no declared distribution is known to provide "
                f"it; what {shown} install{'s' if len(unknown) == 1 else ''} could not be "
                "fully learned: fine if one of them provides it, else ModuleNotFoundError",
                fix=f"if none of them provides '{use.top}', declare the one that does in {target}",
                severity=Severity.WARNING,
            )
        if manifest is None:
            dist = _distribution_for(use.top)
            message = (
                f"'{use.top}' {_imported(use)}, but there is no manifest: nothing is installed"
            )
        else:
            dist = _distribution_for(use.top)
            message = (
                f"'{use.top}' {_imported(use)}, but no distribution providing it is declared in "
                f"{target}: ModuleNotFoundError on Vercel"
            )
        exists = ctx.index.exists(dist)
        if not exists:
            why = "is not on PyPI" if exists is False else "could not be looked up on PyPI"
            fix = f"declare the distribution that provides '{use.top}' in {target} ({dist} {why})"
            return self.at(location, message, fix)
        fix = f"add {dist} to {target}"
        if ctx.lock is not None:
            fix += ", then run `uv lock`"
        return self.at(location, message, fix, autofix=dependency_fix(ctx.project, dist))


def _imported(use: ImportUse) -> str:
    """How the module is asked for: an import, or a Django setting that names it."""
    if isinstance(use.node, ast.Constant):
        return "is named in Django's settings, which import it as the app starts"
    return "is imported"


def _never_fails(ctx: CheckContext, use: ImportUse) -> bool:
    """An import of something not installed that still cannot fail on Vercel: every call
    of its function catches ImportError, or it sits in a branch Vercel never takes (`if
    os.getenv("VERCEL") is None: from dotenv import load_dotenv`, Mindtecture's starter)."""
    return guarded_by_callers(ctx.closure, use) or branch_never_runs(
        use.module, use.node, dashboard_may_set=True
    )


def _runtime_table(manifest: Manifest | None) -> str:
    """Where the manifest in use keeps what Vercel installs (Pipfile's [packages] become
    the project's dependencies when the builder converts it, [dev-packages] do not)."""
    if manifest is not None and manifest.kind == "Pipfile":
        return "[packages]"
    if manifest is not None and manifest.kind == "Pipfile.lock":
        return '"default"'
    return "[project.dependencies]"


def _scope_words(scope: str, table: str) -> str:
    if scope == "dev":
        return "only in [dev-packages]" if table == "[packages]" else "only in the dev group"
    if scope.startswith("extra:"):
        return f"only in the optional extra '{scope[6:]}'"
    if scope == "poetry":
        return "only under [tool.poetry], which Vercel does not read"
    return f"only in the dependency group '{scope[6:]}'"


def _case_twin(ctx: CheckContext, use: ImportUse) -> str | None:
    """A local module or package whose name differs from the import only in case."""
    entry = ctx.project.entrypoint
    wanted = use.top.lower()
    for root in search_roots(ctx.project.root, entry.path if entry else None):
        try:
            children = list(root.iterdir())
        except OSError:
            continue
        for child in children:
            stem = child.stem if child.suffix == ".py" else child.name
            is_module = child.suffix == ".py" or (child / "__init__.py").exists()
            if stem.lower() == wanted and stem != use.top and is_module:
                return child.relative_to(ctx.project.root).as_posix()
    return None


def _missing_submodules(root: Path) -> list[str]:
    """The .gitmodules paths with no file here: an archive or a shallow checkout leaves a
    submodule empty, and its modules are unknown (Paccho-Kun/youtube-channel-researcher-mcp
    puts its submodule's scripts/ on sys.path and imports channel_researcher from it)."""
    try:
        text = (root / ".gitmodules").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    paths = re.findall(r"^\s*path\s*=\s*(.+?)\s*$", text, re.MULTILINE)
    paths = [p for p in paths if ".." not in p.split("/")]
    return [p for p in paths if not any(f.is_file() for f in (root / p).rglob("*"))]


@dataclass(frozen=True)
class _Provided:
    learned: list[tuple[str, str]]  # (import name, distribution)
    # Distributions that may provide more than is known, shown by name: a runtime
    # declaration whose import names could not be learned (a VCS or URL requirement, a
    # release whose files could not be read) and that no import explains, or a
    # distribution whose own dependencies are unknown.
    unknown: list[str]


def _learn_import_names(ctx: CheckContext, runtime: list[Declared]) -> _Provided:
    """What the installed distributions provide, from their wheels' or sdists' files."""
    learned: list[tuple[str, str]] = []
    unlearned: list[Declared] = []
    direct = {d.name: d for d in runtime}
    with ctx.phase("index"):
        for name, resolved in ctx.resolution.packages.items():
            if resolved.version is None or (resolved.via is None and name not in direct):
                continue
            tops = ctx.index.top_level(name, resolved.version)
            if tops is None and name in direct:
                unlearned.append(direct[name])
            learned += [(top, name) for top in tops or ()]
        learned_transitive, unread = _learn_transitive(ctx, learned)
    learned += learned_transitive
    env = marker_environment(ctx.python)
    unlearned += [d for d in runtime if d.name not in ctx.resolution.packages and d.applies(env)]
    # A distribution an import already names (flask for `import flask`) is accounted for.
    explained = {n for use in ctx.closure.imports for n in candidates(use.dotted, learned)}
    unknown = [d.raw if d.url else d.name for d in unlearned if d.name not in explained]
    return _Provided(learned, list(dict.fromkeys([*unknown, *unread, *ctx.resolution.incomplete])))


def _learn_transitive(
    ctx: CheckContext, learned: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Import names of the pulled-in distributions that an import nothing else explains
    may come from, judged by name: `modelcluster` from django-modelcluster, which wagtail
    installs (persteenolsen/wagtail-pso). Only those are read, so a missing import does not
    cost a file list per dependency; one that cannot be read is returned as unknown."""
    installed = ctx.installed
    tops = {
        use.top.lower()
        for use in ctx.closure.imports
        if not use.guarded and not candidates(use.dotted, learned) & installed
    }
    found: list[tuple[str, str]] = []
    unread: list[str] = []
    for name, resolved in ctx.resolution.packages.items():
        if resolved.via is not None or resolved.version is None:
            continue
        if not named_like(name, tops):
            continue
        names = ctx.index.top_level(name, resolved.version)
        if names is None:
            unread.append(name)
        found += [(top, name) for top in names or ()]
    return found, unread


def _distribution_for(top: str) -> str:
    known = KNOWN.get(top)
    return known[0] if known else top.replace("_", "-").lower()
