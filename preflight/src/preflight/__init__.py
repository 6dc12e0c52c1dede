"""preflight: find why a Python web app would crash on Vercel / Lambda, before deploying."""

__version__ = "0.1.0"
