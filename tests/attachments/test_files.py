"""File names and content types as the attachment routes clean and check them."""

from __future__ import annotations

from pathlib import Path

import pytest

from todo_api.attachments.config import AttachmentConfig
from todo_api.attachments.files import (
    matches_signature,
    normalise_content_type,
    sanitise_filename,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\notes.txt", "notes.txt"),
        ("evil\x00name\x1f.txt", "evilname.txt"),
        ("\u202etxt.exe", "txt.exe"),  # right-to-left override would show "exe.txt"
        ("a\x9bb\x85c\x7f.txt", "abc.txt"),  # C1: a terminal's CSI, NEL; DEL
        ("a\u061cb\u2068.txt", "ab.txt"),  # Arabic letter mark, first-strong isolate
        ("  many   spaces\n.md ", "many spaces.md"),
        (".bashrc", "bashrc"),
        ("..", "file"),
        ("", "file"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFC
        ("a" * 300 + ".jpeg", "a" * 195 + ".jpeg"),
    ],
)
def test_sanitise_filename(raw: str, clean: str) -> None:
    assert sanitise_filename(raw) == clean


def test_content_types() -> None:
    assert normalise_content_type("Image/PNG; charset=binary") == "image/png"
    assert normalise_content_type("not a type") is None
    assert normalise_content_type("") is None
    config = AttachmentConfig.from_env(
        {"ATTACHMENT_CONTENT_TYPES": "image/*, text/html"}, data_dir=Path(".")
    )
    assert config.allows("image/webp")
    assert not config.allows("application/pdf")
    assert not config.allows("text/html")  # never, even when listed
    assert not config.allows("image/svg+xml")


def test_signatures() -> None:
    assert matches_signature("image/png", b"\x89PNG\r\n\x1a\n....")
    assert not matches_signature("image/png", b"<html>")
    assert matches_signature("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert not matches_signature("image/webp", b"RIFF\x00\x00\x00\x00WAVEfmt ")
    assert matches_signature("text/plain", b"anything")


def test_bad_limits_become_a_problem_not_a_crash() -> None:
    config = AttachmentConfig.from_env({"ATTACHMENT_QUOTA_BYTES": "lots"}, data_dir=Path("."))
    assert config.problem is not None
    assert "ATTACHMENT_QUOTA_BYTES" in config.problem
