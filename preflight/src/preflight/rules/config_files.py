"""F4: more than one Vercel configuration file in the project, which Vercel refuses.

Vercel's CLI compiles the configuration before `vercel build` and `vercel deploy` do
anything else (packages/cli/src/util/compile-vercel-config.ts `compileVercelConfig`, at
17d9ebaf8e). It throws ConflictingConfigFiles (code CONFLICTING_CONFIG_FILES) when two of
vercel.ts / .mts / .js / .mjs / .cjs exist ("Multiple vercel config files found. Please use
only one configuration file.", `findVercelConfigFile`) or when more than one of vercel.json,
vercel.toml and such a script does ("Multiple config files found: vercel.json, vercel.ts.
Please use only one configuration method."). It is a refusal, not a preference: no file
wins and nothing is built. Projects get there by trying vercel.ts beside the vercel.json an
old tutorial left, or by converting vercel.json to vercel.toml and keeping both.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.vercel_config import SCRIPT_CONFIGS

# compileVercelConfig's order: vercel.json, vercel.toml, then VERCEL_CONFIG_EXTENSIONS.
CONFIG_FILES = ("vercel.json", "vercel.toml", *SCRIPT_CONFIGS)


class ConflictingConfigFiles(ProjectRule):
    """Two or more of vercel.json, vercel.toml and vercel.{ts,mts,js,mjs,cjs}: reported at
    the second, in the order Vercel's CLI lists them."""

    id = "PF410"
    fid = "F4"
    name = "conflicting-config-files"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "more than one Vercel configuration file: Vercel refuses the project"
    fix = "keep one configuration file: move its settings into the one you keep, delete the rest"

    VALID = (
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"functions": {"api/index.py": {"maxDuration": 30}}}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.ts": "export const config = {rewrites: []};\n",
                ".vercel/vercel.json": '{"rewrites": []}',  # the CLI's compiled output
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api"}]}',
                "vercel.ts": "export const config = {rewrites: []};\n",
            },
            expect=(
                Expect(
                    "vercel.ts",
                    1,
                    1,
                    (
                        "vercel.ts is a second Vercel configuration file beside vercel.json: "
                        "Vercel refuses the project before building anything "
                        "(CONFLICTING_CONFIG_FILES, 'Multiple config files found') and "
                        "nothing deploys"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "vercel.js": "module.exports = {};\n",
                "vercel.mjs": "export default {};\n",
            },
            expect=(
                Expect(
                    "vercel.mjs",
                    1,
                    1,
                    (
                        "vercel.mjs is a second Vercel configuration file beside vercel.js: "
                        "Vercel refuses the project before building anything "
                        "(CONFLICTING_CONFIG_FILES, 'Multiple vercel config files found') and "
                        "nothing deploys"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        root = ctx.project.root
        present = [name for name in CONFIG_FILES if (root / name).is_file()]
        if len(present) < 2:
            return
        scripts = [name for name in present if name in SCRIPT_CONFIGS]
        # Two scripts fail findVercelConfigFile first, with its own message.
        first, second = scripts[:2] if len(scripts) > 1 else present[:2]
        vercel_says = (
            "Multiple vercel config files found"
            if len(scripts) > 1
            else "Multiple config files found"
        )
        yield self.at(
            Location(root / second),
            f"{second} is a second Vercel configuration file beside {first}: Vercel refuses "
            f"the project before building anything (CONFLICTING_CONFIG_FILES, "
            f"{vercel_says!r}) and nothing deploys",
        )
