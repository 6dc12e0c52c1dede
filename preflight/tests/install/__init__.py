"""Tests of preflight as installed: a built wheel in fresh venvs, the README's install
lines, the GitHub Action's scripts and the pre-commit hook.

A package for the reason given in tests/run/__init__.py: so the project folder
`preflight/` is never registered as a namespace package hiding the real one.
"""

import sys

_shadow = sys.modules.get("preflight")
if _shadow is not None and getattr(_shadow, "__file__", None) is None:
    del sys.modules["preflight"]
