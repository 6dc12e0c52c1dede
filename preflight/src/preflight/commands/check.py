"""`preflight check` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("check", help="not implemented yet")
    parser.set_defaults(handler=_not_yet)


def _not_yet(args: argparse.Namespace) -> int:
    print("preflight check: not implemented yet")
    return 2
