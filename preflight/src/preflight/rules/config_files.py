"""F4: configuration files Vercel refuses: more than one, or a now.json.

Vercel's CLI compiles the configuration before `vercel build` and `vercel deploy` do
anything else (packages/cli/src/util/compile-vercel-config.ts `compileVercelConfig`, at
17d9ebaf8e). It throws ConflictingConfigFiles (code CONFLICTING_CONFIG_FILES) when two of
vercel.ts / .mts / .js / .mjs / .cjs exist ("Multiple vercel config files found. Please use
only one configuration file.", `findVercelConfigFile`) or when more than one of vercel.json,
vercel.toml and such a script does ("Multiple config files found: vercel.json, vercel.ts.
Please use only one configuration method."). It is a refusal, not a preference: no file
wins and nothing is built. Projects get there by trying vercel.ts beside the vercel.json an
old tutorial left, or by converting vercel.json to vercel.toml and keeping both.

Before that check, the same function throws DeprecatedNowJson (code DEPRECATED_NOW_JSON,
"The `now.json` file is deprecated and no longer supported. Please rename it to
`vercel.json`.", packages/cli/src/util/errors-ts.ts) whenever a now.json exists, beside a
vercel.json or alone: the ZEIT Now era's name, still in projects from before 2020. The
CLI `preflight run` uses (vercel 64.0.2) does the same (dist/chunks: `compileVercelConfig`,
`if(hasNowJson)throw new DeprecatedNowJson(nowJsonPath)`).
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


class NowJson(ProjectRule):
    """A now.json at the project root: Vercel's CLI stops on it before anything else."""

    id = "PF411"
    fid = "F4"
    name = "now-json"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "now.json is no longer read: Vercel refuses the project"
    fix = (
        "rename now.json to vercel.json (or merge it into the vercel.json you have) and "
        "check its settings against https://vercel.com/docs/projects/project-configuration"
    )

    VALID = (
        ProjectExample(
            {"api/index.py": "app = 1\n", "vercel.json": '{"cleanUrls": true}'},
        ),
        ProjectExample(  # a now.json below the root is not the project's configuration
            {"api/index.py": "app = 1\n", "docs/old/now.json": '{"version": 2}'},
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "api/index.py": "app = 1\n",
                "now.json": '{"builds": [{"src": "api/index.py", "use": "@now/python"}]}',
            },
            expect=(
                Expect(
                    "now.json",
                    1,
                    1,
                    (
                        "now.json is a Vercel configuration file of the ZEIT Now era: Vercel's "
                        "CLI refuses the project before building anything (DEPRECATED_NOW_JSON, "
                        "'The `now.json` file is deprecated and no longer supported') and "
                        "nothing deploys"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        now_json = ctx.project.root / "now.json"
        if now_json.is_file():
            yield self.at(
                Location(now_json),
                "now.json is a Vercel configuration file of the ZEIT Now era: Vercel's CLI "
                "refuses the project before building anything (DEPRECATED_NOW_JSON, 'The "
                "`now.json` file is deprecated and no longer supported') and nothing deploys",
            )
