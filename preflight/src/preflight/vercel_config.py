"""The project's Vercel configuration, from whichever file Vercel reads it.

Vercel's CLI takes the configuration from vercel.json, or compiles vercel.toml, or runs
vercel.ts / .mts / .js / .mjs / .cjs and writes the result to .vercel/vercel.json
(packages/cli/src/util/compile-vercel-config.ts, VERCEL_CONFIG_EXTENSIONS, at 17d9ebaf8e).
A rule that read vercel.json alone was blind to the others: nakafaai/nakafa.com's apps/cas
rewrote every path to /api/index in vercel.ts under the fastapi preset and every route
answered 404 (its PR #232), while check found nothing.

A script is not run here: only a config that is a plain object literal (strings, numbers,
booleans, null, arrays, objects) is read; anything computed makes it unknown (None).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

SCRIPT_CONFIGS = tuple(f"vercel.{ext}" for ext in ("ts", "mts", "js", "mjs", "cjs"))


def vercel_config_file(root: Path) -> Path | None:
    """The file Vercel takes the configuration from: vercel.json, else vercel.toml, else
    the first vercel.{ts,mts,js,mjs,cjs} (two of them make Vercel refuse the project)."""
    for name in ("vercel.json", "vercel.toml", *SCRIPT_CONFIGS):
        if (root / name).is_file():
            return root / name
    return None


def read_vercel_config(root: Path) -> dict[str, object] | None:
    """The configuration's top-level object, or None when absent, unreadable or computed."""
    path = vercel_config_file(root)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    data: object
    try:
        if path.name == "vercel.json":
            data = json.loads(text)
        elif path.name == "vercel.toml":
            data = tomllib.loads(text)
        else:
            data = _exported_literal(text)
    except ValueError:  # json.JSONDecodeError and tomllib.TOMLDecodeError are ValueErrors
        return None
    return data if isinstance(data, dict) else None


# `export const config: VercelConfig = {` or `export default {` (also `module.exports =`)
_EXPORT = re.compile(
    r"(?:export\s+const\s+\w+\s*(?::\s*[\w.<>]+\s*)?=|export\s+default|module\.exports\s*=)\s*"
    r"(?:defineConfig\s*\()?\s*\{"
)


def _exported_literal(text: str) -> object:
    source = _without_comments(text)
    match = _EXPORT.search(source)
    if match is None:
        return None
    value, _ = _Literal(source, match.end() - 1).value()
    return value


def _without_comments(text: str) -> str:
    """Line and block comments out, strings kept (a URL's // is inside quotes)."""
    pattern = r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')|//[^\n]*|/\*.*?\*/"
    return re.sub(pattern, lambda m: m.group(1) or "", text, flags=re.DOTALL)


class _Literal:
    """A JavaScript object literal of constants, read from `start` (a `{`)."""

    _NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
    _NAME = re.compile(r"[A-Za-z_$][\w$]*")

    def __init__(self, text: str, start: int) -> None:
        self.text, self.at = text, start

    def value(self) -> tuple[object, int]:
        self._skip()
        char = self.text[self.at : self.at + 1]
        if char == "{":
            return self._object(), self.at
        if char == "[":
            return self._array(), self.at
        if char in {'"', "'"}:
            return self._string(), self.at
        number = self._NUMBER.match(self.text, self.at)
        if number:
            self.at = number.end()
            return json.loads(number.group()), self.at
        name = self._NAME.match(self.text, self.at)
        constants: dict[str, object] = {"true": True, "false": False, "null": None}
        if name and name.group() in constants:
            self.at = name.end()
            return constants[name.group()], self.at
        raise ValueError(f"not a constant at {self.at}")  # a call, a variable, a spread

    def _object(self) -> dict[str, object]:
        self.at += 1
        found: dict[str, object] = {}
        while self._skip() != "}":
            key = self._string() if self._skip() in {'"', "'"} else self._name()
            if self._skip() != ":":
                raise ValueError("shorthand or computed property")
            self.at += 1
            found[key], _ = self.value()
            if self._skip() == ",":
                self.at += 1
        self.at += 1
        return found

    def _array(self) -> list[object]:
        self.at += 1
        found: list[object] = []
        while self._skip() != "]":
            item, _ = self.value()
            found.append(item)
            if self._skip() == ",":
                self.at += 1
        self.at += 1
        return found

    def _string(self) -> str:
        quote = self.text[self.at]
        end = self.at + 1
        while end < len(self.text) and self.text[end] != quote:
            end += 2 if self.text[end] == "\\" else 1
        if end >= len(self.text):
            raise ValueError("unterminated string")
        raw = self.text[self.at + 1 : end]
        self.at = end + 1
        return str(json.loads('"' + raw.replace('\\"', '"').replace('"', '\\"') + '"'))

    def _name(self) -> str:
        name = self._NAME.match(self.text, self.at)
        if name is None:
            raise ValueError("computed property")
        self.at = name.end()
        return name.group()

    def _skip(self) -> str:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1
        if self.at >= len(self.text):
            raise ValueError("unexpected end")
        return self.text[self.at]


def own_install_step(root: Path) -> str | None:
    """The project's own installCommand or buildCommand, which run in the function's venv
    (@vercel/python `createVenvEnv`) and may install what no manifest declares."""
    config = read_vercel_config(root) or {}
    for key in ("installCommand", "buildCommand"):
        value = config.get(key)
        if isinstance(value, str) and value.strip():
            return key
    return None


# Words that make a `builds[].use` a Python builder: Vercel's own and the community ones
# of the Now 2 era (`vercel-python-wsgi`, `@liudonghua123/now-flask`).
PYTHON_BUILDER_WORDS = ("python", "flask", "django", "fastapi", "wsgi", "asgi")


def builders_without_python(root: Path) -> tuple[str, ...] | None:
    """The `builds[].use` of a vercel.json whose legacy builds include no Python builder
    (`@vercel/next` alone); None without builds or with one that builds Python. `builds`
    turn zero-config detection off (cli build/index.ts: `builds.length > 0` skips
    `detectBuilders`), so then no Python function is deployed at all (Avishkar74/
    nextjs-fastapi-your-chat, whose FastAPI api/ runs on Railway)."""
    builds = (read_vercel_config(root) or {}).get("builds")
    if not isinstance(builds, list) or not builds:
        return None
    uses = tuple(str(b.get("use", "")) for b in builds if isinstance(b, dict))
    if any(word in use for use in uses for word in PYTHON_BUILDER_WORDS):
        return None
    return uses
