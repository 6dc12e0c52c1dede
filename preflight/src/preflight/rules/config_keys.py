"""F4: vercel.json keys that make Vercel refuse the deploy, or that depend on something a
new account no longer has.

`routes` is the old routing format. It does not combine with the newer keys: "If
`rewrites`, `redirects`, `headers`, `cleanUrls` or `trailingSlash` are used, then `routes`
cannot be present" (vercel.link/mix-routing-props; vercel/vercel packages/config/src/
router.ts, at 17d9ebaf8e: "Vercel doesn't allow mixing routes with redirects, rewrites,
headers, cleanUrls, or trailingSlash"). The deploy fails before anything is built
(Jer00hn/vercel-fastapi keeps both `rewrites` and `routes`).

An `env` or `build.env` value that starts with "@" names a legacy Secret. Vercel retired
Secrets in 2024. A team that never had the secret gets the deploy refused with "Environment
Variable X references Secret x, which does not exist" (vercel/next.js#17670); one whose
secrets were converted may still resolve it. The outcome depends on the account, so this is
a warning (ArtemFilin1990/TelegramBot.Webhook has seven such values).
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules._functions import line_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.rules.builders import vercel_json

_NEWER_ROUTING = ("rewrites", "redirects", "headers", "cleanUrls", "trailingSlash")
_APP = "from fastapi import FastAPI\napp = FastAPI()\n"


class MixedRoutingKeys(ProjectRule):
    """`routes` beside rewrites, redirects, headers, cleanUrls or trailingSlash."""

    id = "PF412"
    fid = "F4"
    name = "routes-mixed-with-rewrites"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "`routes` cannot be combined with the newer routing keys: the deploy is refused"
    fix = "express the routes as rewrites (or headers, redirects) and remove `routes`"

    VALID = (
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{"rewrites": [{"source": "/(.*)", "destination": "/api/index"}]}',
            }
        ),
        ProjectExample(
            {
                "api/index.py": _APP,
                "vercel.json": '{"routes": [{"src": "/(.*)", "dest": "/api/index"}]}',
            }
        ),
    )
    INVALID = (
        ProjectExample(  # Jer00hn/vercel-fastapi
            {
                "api/index.py": _APP,
                "vercel.json": '{\n  "rewrites": [{"source": "/", "destination": "/index.html"}],'
                '\n  "routes": [{"src": "/api/(.*)", "dest": "/api/index.py"}]\n}\n',
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    1,
                    (
                        "vercel.json has `routes` and `rewrites`: Vercel refuses the deploy "
                        '("If `rewrites`, `redirects`, `headers`, `cleanUrls` or '
                        '`trailingSlash` are used, then `routes` cannot be present")'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        found = vercel_json(ctx.project.root)
        if found is None:
            return
        config, text, data = found
        newer = [key for key in _NEWER_ROUTING if key in data]
        if "routes" not in data or not newer:
            return
        yield self.at(
            Location(config, line_of(text, '"routes"')),
            f"vercel.json has `routes` and {', '.join(f'`{k}`' for k in newer)}: Vercel "
            'refuses the deploy ("If `rewrites`, `redirects`, `headers`, `cleanUrls` or '
            '`trailingSlash` are used, then `routes` cannot be present")',
        )


class SecretReference(ProjectRule):
    """An `env` / `build.env` value of vercel.json that names a legacy Secret ("@name")."""

    id = "PF413"
    fid = "F4"
    name = "env-references-secret"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "this variable names a legacy Secret, which Vercel retired"
    fix = "set the variable in the project's Environment Variables and drop it from vercel.json"

    VALID = (
        ProjectExample({"api/index.py": _APP, "vercel.json": '{"env": {"MODE": "production"}}'}),
    )
    INVALID = (
        ProjectExample(  # ArtemFilin1990/TelegramBot.Webhook vercel.json
            {
                "api/index.py": _APP,
                "vercel.json": '{\n  "env": {\n    "TELEGRAM_BOT_TOKEN": "@telegram_bot_token"\n'
                "  }\n}\n",
            },
            expect=(
                Expect(
                    "vercel.json",
                    3,
                    1,
                    (
                        'TELEGRAM_BOT_TOKEN is "@telegram_bot_token", a legacy Secret: Vercel '
                        "retired Secrets, so unless this account still resolves it the deploy "
                        'is refused ("references Secret telegram_bot_token, which does not '
                        'exist")'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        found = vercel_json(ctx.project.root)
        if found is None:
            return
        config, text, data = found
        build = data.get("build")
        tables = [data.get("env"), build.get("env") if isinstance(build, dict) else None]
        for table in tables:
            for name, value in table.items() if isinstance(table, dict) else ():
                if not (isinstance(value, str) and value.startswith("@") and len(value) > 1):
                    continue
                yield self.at(
                    Location(config, line_of(text, f'"{name}"')),
                    f'{name} is "{value}", a legacy Secret: Vercel retired Secrets, so unless '
                    'this account still resolves it the deploy is refused ("references Secret '
                    f'{value[1:]}, which does not exist")',
                )
