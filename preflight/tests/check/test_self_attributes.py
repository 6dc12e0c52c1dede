"""A path a class keeps in `self`, set once in __init__ from a parameter's default, is
classified like the default itself: Rajesh5101x/Rajesh_portfolio api/index.py opens its
committed contact.db through `self.db_name` and every contact-form POST fails on Vercel."""

from __future__ import annotations

from .conftest import Check, MakeProject

STORE = """\
import sqlite3
from flask import Flask

app = Flask(__name__)


class Store:
    def __init__(self, db_name="contact.db"):
        self.db_name = db_name

    def save(self, text):
        with sqlite3.connect(self.db_name) as conn:
            conn.execute("INSERT INTO m VALUES (?)", (text,))


store = {built}
"""


def _found(check: Check, make_project: MakeProject, built: str) -> list[tuple[str, int]]:
    root = make_project({"index.py": STORE.format(built=built), "requirements.txt": "flask\n"})
    return [(f.rule_id, f.location.line) for f in check(root, only={"PF801"}).findings]


def test_the_default_of_a_parameter_no_caller_passes_is_the_path(
    check: Check, make_project: MakeProject
) -> None:
    assert _found(check, make_project, "Store()") == [("PF801", 12)]


def test_a_caller_that_passes_the_path_leaves_it_unknown(
    check: Check, make_project: MakeProject
) -> None:
    assert _found(check, make_project, "Store('/tmp/c.db')") == []
    assert _found(check, make_project, "Store(db_name=DB)") == []
    assert _found(check, make_project, "Store(*PATHS)") == []
