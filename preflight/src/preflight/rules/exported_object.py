"""F4: the name Vercel serves is a chat bot's client or a placeholder, not an ASGI or WSGI
app.

Vercel's builder takes the first top-level `app` / `application` it finds (entrypoint.rs)
and vercel-runtime serves that object: vc_init.py hands it to resolver.py
`detect_app_type`, which accepts an `.asgi` attribute, an async callable of three
arguments or a callable of two, and otherwise raises "Could not determine the
application interface", which `_fatal` turns into a failed invocation (vercel-runtime
0.23.2). A bot library's client object is none of these: webhook bots written for
`python-telegram-bot`, Slack's Bolt, pyTelegramBotAPI, aiogram or discord.py often name
their `Application` / `App` `application` or `app`, which Vercel detects and then cannot
call (Divyanshu30P/deoria-weather-bot api/bot.py: `application =
Application.builder().token(...).build()`; FrancoRebel/SlackAI_Chatbot_1.0 api/bot.py:
`app = App(token=...)`). Checked on the installed classes: none defines `__call__` or
`asgi` (python-telegram-bot 22, slack_bolt 1.2x, pyTelegramBotAPI 4, aiogram 3,
discord.py 2, pyrogram 2). A placeholder fails the same way: `application = None` at the
top, which only a lazy getter fills in, is what Vercel serves, and the `class handler`
further down is never reached.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.findings import Finding, Location
from preflight.project import api_function_files, find_exported_name, parse_file
from preflight.rules._functions import glob_built
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

# Qualified class (or builder) name -> what to call it in the message.
_BOT_CLIENTS = {
    "telegram.ext.Application": "a python-telegram-bot Application",
    "telegram.ext.ApplicationBuilder": "a python-telegram-bot Application",
    "slack_bolt.App": "a Slack Bolt App",
    "slack_bolt.async_app.AsyncApp": "a Slack Bolt AsyncApp",
    "telebot.TeleBot": "a pyTelegramBotAPI TeleBot",
    "telebot.async_telebot.AsyncTeleBot": "a pyTelegramBotAPI AsyncTeleBot",
    "aiogram.Dispatcher": "an aiogram Dispatcher",
    "discord.Client": "a discord.py Client",
    "discord.ext.commands.Bot": "a discord.py Bot",
    "pyrogram.Client": "a Pyrogram Client",
}


class ExportedBotClient(ProjectRule):
    """The exported `app` / `application` is a bot library's client object, or a
    placeholder literal that a lazy getter was to replace."""

    id = "PF408"
    fid = "F4"
    name = "exported-bot-client"
    targets = VERCEL_ONLY
    message = "the exported app is a bot client, not an ASGI or WSGI app: every request fails"
    fix = (
        "export a web app that receives the webhook (e.g. `app = Flask(__name__)` with a "
        "POST route that feeds the update to the bot) under another name than the bot"
    )

    VALID = (
        ProjectExample(  # the bot under another name, a web app as `app`
            {
                "api/index.py": "from flask import Flask\nfrom telegram.ext import Application\n"
                "bot = Application.builder().token('t').build()\napp = Flask(__name__)\n"
            }
        ),
        ProjectExample(  # the bot first, then `app` rebound to the web app Vercel serves
            {
                "api/index.py": "from slack_bolt import App\nfrom flask import Flask\n"
                "app = App(token='t')\nbolt = app\napp = Flask(__name__)\n"
            }
        ),
        ProjectExample(  # Bolt wrapped by its adapter: `app` is then the web app
            {
                "api/index.py": "from slack_bolt import App\n"
                "from slack_bolt.adapter.flask import SlackRequestHandler\n"
                "from flask import Flask\nbolt = App(token='t')\nhandler = "
                "SlackRequestHandler(bolt)\napp = Flask(__name__)\n"
            }
        ),
    )
    INVALID = (
        ProjectExample(  # ArtemFilin1990/TelegramBot.Webhook api/webhook.py
            {
                "api/webhook.py": "from http.server import BaseHTTPRequestHandler\n"
                "application = None\n\ndef get_application():\n    global application\n"
                "    application = object()\n    return application\n\n"
                "class handler(BaseHTTPRequestHandler):\n    pass\n",
            },
            expect=(
                Expect(
                    "api/webhook.py",
                    2,
                    1,
                    (
                        "`application` is None, not an ASGI or WSGI app: Vercel serves the "
                        'top-level `application` and its runtime cannot call it ("Could not '
                        'determine the application interface"), so every request fails'
                    ),
                ),
            ),
        ),
        ProjectExample(  # Divyanshu30P/deoria-weather-bot api/bot.py
            {
                "requirements.txt": "python-telegram-bot==20.7\n",
                "api/bot.py": "import os\nfrom telegram.ext import Application\n\n"
                "application = Application.builder().token(os.environ['T']).build()\n\n"
                "def handler(request):\n    return {'statusCode': 200}\n",
            },
            expect=(
                Expect(
                    "api/bot.py",
                    4,
                    1,
                    (
                        "`application` is a python-telegram-bot Application, not an ASGI or "
                        "WSGI app: Vercel serves the top-level `application` and its runtime "
                        'cannot call it ("Could not determine the application interface"), '
                        "so every request fails"
                    ),
                ),
            ),
        ),
        ProjectExample(  # FrancoRebel/SlackAI_Chatbot_1.0 api/bot.py, a legacy build
            {
                "vercel.json": '{"builds": [{"src": "api/bot.py", "use": "@vercel/python"}]}',
                "api/bot.py": "import slack_bolt\napp = slack_bolt.App(token='t')\n",
            },
            expect=(
                Expect(
                    "api/bot.py",
                    2,
                    1,
                    (
                        "`app` is a Slack Bolt App, not an ASGI or WSGI app: Vercel serves "
                        'the top-level `app` and its runtime cannot call it ("Could not '
                        'determine the application interface"), so every request fails'
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        entry = ctx.project.entrypoint
        if entry is not None:
            files = [entry.path]
        else:  # no app entrypoint: the files Vercel builds as functions of their own
            files = glob_built(ctx.project.root) or api_function_files(ctx.project.root)
        for path in files:
            found = _bot_export(path)
            if found is not None:
                name, line, kind, placeholder = found
                yield self.at(
                    Location(path, line),
                    f"`{name}` is {kind}, not an ASGI or WSGI app: Vercel serves the "
                    f'top-level `{name}` and its runtime cannot call it ("Could not '
                    'determine the application interface"), so every request fails',
                    fix=(
                        f"rename the placeholder (e.g. `_{name}`): Vercel serves the first "
                        "top-level app, application or class handler it finds"
                    )
                    if placeholder
                    else None,
                )


def _bot_export(path: Path) -> tuple[str, int, str, bool] | None:
    """The exported name, its line, and the bot client or placeholder literal it is bound
    to (with whether it is a placeholder), if it is either."""
    tree = parse_file(path)
    exported = find_exported_name(tree) if tree is not None else None
    if tree is None or exported is None or exported[0] not in {"app", "application"}:
        return None
    name, line = exported
    later = [s for s in tree.body if s.lineno > line and name in _bound_names(s)]
    if later:
        return None  # the runtime serves the module's last binding of the name
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.lineno == line:
            value = stmt.value
            literal = _literal(value)
            kind = literal or _BOT_CLIENTS.get(_constructed(value, _imports(tree)) or "")
            if value is None or kind is None:
                return None
            return name, line, kind, literal is not None
    return None


def _literal(value: ast.expr | None) -> str | None:
    """A placeholder the name is bound to: `application = None` before a lazy
    `get_application()` fills it in (ArtemFilin1990/TelegramBot.Webhook api/webhook.py:63,
    ahead of its `class handler`)."""
    if isinstance(value, ast.Constant) and value.value is None:
        return "None"
    return None


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement (re)binds as the module runs, wherever in it (an `if`,
    a `try`...); a function's body binds nothing until it is called (`global application`
    in a lazy getter leaves the module's binding as it was)."""
    found: set[str] = set()
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.partition(".")[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(node.name)
            todo.extend(node.decorator_list)
            continue
        if not isinstance(node, ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return found


def _constructed(value: ast.expr | None, aliases: dict[str, str]) -> str | None:
    """The qualified name at the root of a call chain: `Application.builder().token(t)
    .build()` -> telegram.ext.Application after `from telegram.ext import Application`."""
    node = value
    while isinstance(node, ast.Call):
        func = node.func
        inner = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(inner, ast.Call):
            node = inner
            continue
        dotted = _dotted(func)
        if dotted is None:
            return None
        if dotted.endswith((".builder", ".build")):  # Application.builder() itself
            dotted = dotted.rsplit(".", 1)[0]
        head, dot, rest = dotted.partition(".")
        full = aliases.get(head)
        return f"{full}{dot}{rest}" if full is not None else None
    return None


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _imports(tree: ast.Module) -> dict[str, str]:
    """Top-level import bindings: local name -> what it names."""
    aliases: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = alias.asname or alias.name.partition(".")[0]
                aliases[bound] = alias.name if alias.asname else bound
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                aliases[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    return aliases
