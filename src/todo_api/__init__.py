"""todo_api: a todo backend that never dies with FUNCTION_INVOCATION_FAILED."""

from todo_api.deferred_imports import defer

__version__ = "0.1.0"

# Before anything imports msgspec: its __init__ imports msgspec.inspect (~40 classes) for
# msgspec.json.schema only, which /openapi.json alone calls; 5 M instructions (~1 %) of
# the app's import, and of a cold start's first write.
defer("msgspec.inspect")
