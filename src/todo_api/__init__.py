"""todo_api: a todo backend that never dies with FUNCTION_INVOCATION_FAILED."""

__version__ = "0.1.0"
