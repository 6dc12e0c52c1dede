"""The `preflight` command line: parses arguments and hands off to one subcommand module.

Exit codes (all subcommands): 0 clean, 1 findings / failed probes, 2 usage or environment
error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from preflight import __version__

# Subcommand modules under preflight.commands; each defines
# `register(subparsers) -> None`, which adds its parser and sets `handler` (args -> int).
SUBCOMMANDS = ("check", "run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="preflight",
        description="Prove a Python web app will not crash on Vercel / AWS Lambda.",
    )
    parser.add_argument("--version", action="version", version=f"preflight {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"preflight.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
