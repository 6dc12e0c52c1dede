"""Reproduce Vercel's production path locally: build, sandbox, runtime, probes.

Each module has one job; `preflight.commands.run` wires them together. Import the module
you need (`preflight.emulate.runtime`, ...): there is no re-export here.
"""
