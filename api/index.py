"""Vercel entrypoint. Vercel detects a top-level `app` (an ASGI app) in api/index.py.

Importing it cannot crash the function: settings are read without raising, and the
database is opened on the first request that needs it (see todo_api.main).
"""

from todo_api.main import app

__all__ = ["app"]
