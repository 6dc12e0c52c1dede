"""The seeds' stack, as our users wrote it: FastAPI + SQLModel + psycopg 3, PyJWT with
BETTER_AUTH_SECRET, tables created at startup. Only what the benchmarks touch: the
authenticated, validated POST that writes a row (cold start) and the authenticated list
of a user's latest tasks (served load, bench/served.py). Benchmark baseline only.
"""

import os
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
# What FastAPI's tutorial tells SQLite users to pass: requests run on a thread pool.
engine = create_engine(
    URL, connect_args={"check_same_thread": False} if URL.startswith("sqlite") else {}
)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(index=True)
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=1000)
    completed: bool = False
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


class TaskCreate(BaseModel):
    title: str = PydanticField(min_length=1, max_length=200)
    description: str | None = PydanticField(default=None, max_length=1000)


@asynccontextmanager
async def lifespan(app: FastAPI):
    SQLModel.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


def current_user(authorization: str = Header()) -> str:
    try:
        claims = jwt.decode(
            authorization.removeprefix("Bearer "),
            os.environ["BETTER_AUTH_SECRET"],
            algorithms=["HS256"],
            audience="todo_api",
        )
    except jwt.InvalidTokenError as exc:
        raise HTTPException(401, "Invalid token") from exc
    return claims["sub"]


@app.post("/api/tasks", status_code=201)
def create_task(data: TaskCreate, user_id: str = Depends(current_user)) -> Task:
    with Session(engine) as session:
        task = Task(user_id=user_id, **data.model_dump())
        session.add(task)
        session.commit()
        session.refresh(task)
        return task


@app.get("/api/tasks")
def list_tasks(limit: int = 50, user_id: str = Depends(current_user)) -> list[Task]:
    with Session(engine) as session:
        query = (
            select(Task)
            .where(Task.user_id == user_id)
            .order_by(col(Task.created_at).desc())
            .limit(min(max(limit, 1), 100))
        )
        return list(session.exec(query).all())
