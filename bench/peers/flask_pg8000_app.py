"""The seeds' Flask migration, as its users wrote it: Flask + flask-cors, PyJWT tokens
signed with BETTER_AUTH_SECRET, bcrypt passwords, pg8000 with one connection per
request, the table created at import. Same contract as the routes bench/served.py loads
(POST and GET /api/tasks with a bearer token). Benchmark peer only, never shipped.
"""

import datetime as dt
import os
import uuid
from urllib.parse import urlsplit

import bcrypt
import jwt
import pg8000.native
from flask import Flask, g, jsonify, request
from flask_cors import CORS

URL = urlsplit(os.environ["DATABASE_URL"])
SECRET = os.environ["BETTER_AUTH_SECRET"]


def connect() -> pg8000.native.Connection:
    return pg8000.native.Connection(
        user=URL.username or "postgres",
        password=URL.password,
        host=URL.hostname or "localhost",
        port=URL.port or 5432,
        database=URL.path.lstrip("/"),
        ssl_context=False,  # loopback, as todo_api connects to it (pg8000's default probes TLS)
    )


_setup = connect()
_setup.run(
    "CREATE TABLE IF NOT EXISTS flask_tasks (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
    "title TEXT NOT NULL, description TEXT, completed BOOLEAN NOT NULL DEFAULT FALSE, "
    "created_at TIMESTAMPTZ NOT NULL)"
)
_setup.run("CREATE INDEX IF NOT EXISTS flask_tasks_user ON flask_tasks (user_id, created_at)")
_setup.run(
    "CREATE TABLE IF NOT EXISTS flask_users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL)"
)
_setup.close()

app = Flask(__name__)
CORS(app, origins=["http://localhost:3000"], supports_credentials=True)


def db() -> pg8000.native.Connection:
    if "db" not in g:
        g.db = connect()
    return g.db


@app.teardown_appcontext
def close_db(_error: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def current_user() -> str | None:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="todo_api")
    except jwt.InvalidTokenError:
        return None
    return str(claims["sub"])


def as_json(row: list) -> dict:
    keys = ("id", "title", "description", "completed", "created_at")
    task = dict(zip(keys, row, strict=True))
    task["created_at"] = task["created_at"].isoformat()
    return task


@app.post("/api/auth/signup")
def signup():
    data = request.get_json(silent=True) or {}
    if not data.get("email") or len(data.get("password", "")) < 8:
        return jsonify(error="email and a password of 8+ characters are required"), 400
    hashed = bcrypt.hashpw(data["password"].encode(), bcrypt.gensalt()).decode()
    db().run("INSERT INTO flask_users VALUES (:e, :h) ON CONFLICT DO NOTHING",
             e=data["email"], h=hashed)  # fmt: skip
    return jsonify(email=data["email"]), 201


@app.post("/api/tasks")
def create_task():
    user_id = current_user()
    if user_id is None:
        return jsonify(error="Invalid token"), 401
    data = request.get_json(silent=True) or {}
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        return jsonify(error="title is required (1-200 characters)"), 422
    rows = db().run(
        "INSERT INTO flask_tasks (id, user_id, title, description, created_at) "
        "VALUES (:id, :u, :t, :d, :c) RETURNING id, title, description, completed, created_at",
        id=str(uuid.uuid4()), u=user_id, t=title, d=data.get("description"),
        c=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    return jsonify(as_json(rows[0])), 201


@app.get("/api/tasks")
def list_tasks():
    user_id = current_user()
    if user_id is None:
        return jsonify(error="Invalid token"), 401
    limit = min(max(request.args.get("limit", 50, type=int), 1), 100)
    rows = db().run(
        "SELECT id, title, description, completed, created_at FROM flask_tasks "
        "WHERE user_id = :u ORDER BY created_at DESC LIMIT :n",
        u=user_id, n=limit,
    )  # fmt: skip
    return jsonify([as_json(row) for row in rows])
