"""The floor: a bare Starlette app answering GET /api/tasks with 50 tasks kept in memory
(no auth, no database), shaped like todo_api's page. What the framework itself can serve
on this machine; todo_api's served rate is quoted as a fraction of it."""

import datetime as dt

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).isoformat()
PAGE = {
    "items": [
        {
            "id": f"{n:032x}",
            "title": f"task {n}",
            "description": "from memory",
            "completed": False,
            "priority": "medium",
            "due_date": None,
            "tags": ["a", "b"],
            "created_at": _NOW,
            "updated_at": _NOW,
        }
        for n in range(50)
    ],
    "next_cursor": None,
}


async def list_tasks(request):
    return JSONResponse(PAGE)


app = Starlette(routes=[Route("/api/tasks", list_tasks)])
