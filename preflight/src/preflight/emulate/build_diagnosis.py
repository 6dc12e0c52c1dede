"""Why a build failed: this machine, the project's own build command, or a failure mode
the builder reports (a row of diagnose.py's table marked `build`).

Classified in that order, so a build script's output is never read as the function's
crash, and a host this machine cannot reach is never reported as the app's failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preflight.emulate.diagnose import PATTERNS, Diagnosis, first_match

# A failed build can say more than one thing; these rows say why it failed here first.
# Tools this machine lacks or hosts it cannot reach are not the app's failure on Vercel, nor
# is this machine's system Python refusing a build script's `pip install` (PEP 668
# externally-managed-environment: Debian's python3 does, Vercel's build image does not).
_MACHINE = re.compile(
    r"externally-managed-environment|Could not resolve host|Failed to connect to|"
    r"Network is unreachable|No route to host|dns error|error resolving DNS|"
    r"failed to lookup address information|Name or service not known|"
    r"unable to access '[^']+'|Temporary failure in name resolution|"
    r"(node|npm|git|python3\.\d+|uv): (command )?not found|ENOTFOUND|EAI_AGAIN|"
    r"preflight's fallback bundler cannot"  # bundle.CANNOT: the fallback's limit, not the app's
)
# build-utils run-user-scripts.ts: `Command "<build command>" exited with <code>`
# (BUILD_UTILS_SPAWN_<code>): the project's own build step failed, whatever it printed.
_COMMAND = re.compile(r'Command "([^"]+)" exited with (\w+)')


@dataclass(frozen=True)
class BuildVerdict:
    """Why a build failed: on this machine only, in the project's build command, or a
    failure mode the builder itself reports (`diagnosis`)."""

    machine: str | None = None  # the line that shows this machine is the cause
    command: str | None = None  # the project's build command that exited non-zero
    diagnosis: Diagnosis | None = None


def diagnose_build(message: str, log: str) -> BuildVerdict:
    """Classify a failed build without inventing a cause: a runtime pattern (an import
    error in the log of a build script) is no diagnosis of the app's function."""
    text = message + "\n" + log
    if machine := _MACHINE.search(text):
        line = next(
            (ln.strip() for ln in text.splitlines() if machine.group(0) in ln), machine.group(0)
        )
        return BuildVerdict(machine=line)
    if command := _COMMAND.search(text):
        return BuildVerdict(command=f"{command.group(1)} (exit {command.group(2)})")
    return BuildVerdict(diagnosis=first_match(text, tuple(p for p in PATTERNS if p.build)))
