"""What an sdist depends on, when the index has no Requires-Dist for the release.

PyPI's JSON gives `requires_dist: null` for releases uploaded only as an sdist with old
metadata (sentence-transformers 2.2.2, googletrans 4.0.0rc1). Their sdists still say it:
setuptools writes `*.egg-info/requires.txt` (install_requires, then `[extra]` and
`[:marker]` sections), and metadata 2.2+ PKG-INFO lists Requires-Dist unless it is
Dynamic. Without this, `sentence-transformers==2.2.2` was estimated at ~147 MB although it
pulls in torch (GBs). When none of these says it, the requirements stay unknown (None).
"""

from __future__ import annotations

import email.parser

from packaging.version import InvalidVersion, Version

REQUIRES_TXT = "requires.txt"
PKG_INFO = "PKG-INFO"
EGG_INFO_PKG_INFO = "egg-info/PKG-INFO"


def sdist_requires(texts: dict[str, str]) -> list[str] | None:
    """Requires-Dist strings from the texts tar_sdist_members collected; None if unknown.

    An egg-info folder without requires.txt means setuptools had no install_requires."""
    if REQUIRES_TXT in texts:
        return requires_txt_to_dist(texts[REQUIRES_TXT])
    if EGG_INFO_PKG_INFO in texts:
        return []
    pkg_info = texts.get(PKG_INFO)
    if pkg_info is None:
        return None
    message = email.parser.Parser().parsestr(pkg_info, headersonly=True)
    try:
        version = Version(message.get("Metadata-Version") or "0")
    except InvalidVersion:
        return None
    requires = list(message.get_all("Requires-Dist") or [])
    dynamic = {d.strip().lower() for d in message.get_all("Dynamic") or []}
    if "requires-dist" in dynamic or (not requires and version < Version("2.2")):
        return None  # before 2.2 a missing Requires-Dist may just mean "see setup.py"
    return requires


def requires_txt_to_dist(text: str) -> list[str]:
    """setuptools' requires.txt as Requires-Dist strings (`[extra:marker]` sections)."""
    out: list[str] = []
    marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, condition = line[1:-1].partition(":")
            parts = [f"({condition})"] if condition else []
            parts += [f'extra == "{extra}"'] if extra else []
            marker = " and ".join(parts)
            continue
        out.append(f"{line}; {marker}" if marker else line)
    return out
