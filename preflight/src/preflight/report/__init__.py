"""Report formats: one module per format, each with `render(result) -> str`."""

from __future__ import annotations

import enum
from typing import assert_never

from preflight.engine import Result


class Format(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def render(result: Result, fmt: Format, color: bool = False) -> str:
    match fmt:
        case Format.TEXT:
            from preflight.report import text

            return text.render(result, color=color)
        case Format.JSON:
            from preflight.report import json_format

            return json_format.render(result)
        case Format.SARIF:
            from preflight.report import sarif

            return sarif.render(result)
        case _:
            assert_never(fmt)
