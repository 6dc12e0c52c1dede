"""Tests of `preflight run`.

A package on purpose: under pytest's importlib mode a test directory without
`__init__.py` is imported as `preflight.tests.run...`, which registers the project
folder `preflight/` as a namespace package named `preflight` and hides the real one.
As a package these modules are named `run.*` instead. If another test directory got
there first, drop its namespace stand-in so `import preflight` finds the installed one.
"""

import sys

_shadow = sys.modules.get("preflight")
if _shadow is not None and getattr(_shadow, "__file__", None) is None:
    del sys.modules["preflight"]
