"""The one error family the emulator raises for problems of the *machine*, not the app.

`preflight run` turns an `EmulatorError` into one line on stderr and exit code 2; a
broken app is never an `EmulatorError` (it is a failed probe with a diagnosis).
"""

from __future__ import annotations


class EmulatorError(Exception):
    """Something preflight needs is missing or broke (Node, npm, bwrap, an interpreter)."""
