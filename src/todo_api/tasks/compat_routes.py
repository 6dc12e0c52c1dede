"""The "Phase II" todo contract many Next.js frontends were built against:
/api/{user_id}/tasks[/{id}[/complete]]. Same behaviour as /api/tasks, plus a 403 unless
{user_id} is the caller, and a plain JSON array for the list (what those clients expect).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from todo_api.http.problems import Forbidden
from todo_api.http.routing import Api, Call
from todo_api.tasks import service
from todo_api.tasks.schemas import Task, TaskCreate, TaskListQuery, TaskPatch

api = Api(tags=["tasks (compatibility)"])

BASE = "/api/{user_id}/tasks"
ITEM = BASE + "/{task_id}"


def _owner(call: Call[Any, Any]) -> str:
    if call.path["user_id"] != call.user.id:
        raise Forbidden("The user id in the path is not the token's subject")
    return call.user.id


@api.get(
    BASE, summary="List tasks (array)", query=TaskListQuery, response=list[Task], errors=(403, 422)
)
async def compat_list_tasks(call: Call[None, TaskListQuery]) -> list[Task]:
    page = await service.list_tasks(call.services, _owner(call), call.query)
    return page.items


@api.post(
    BASE,
    summary="Create a task",
    body=TaskCreate,
    response=Task,
    status=201,
    errors=(400, 403, 409, 422),
    request_headers=("Idempotency-Key",),
)
async def compat_create_task(call: Call[TaskCreate, None]) -> Response:
    created = await service.create_task(call.services, _owner(call), call.body, call.request)
    return service.task_response(created, status=201)


@api.get(ITEM, summary="Read a task", response=Task, errors=(403, 404))
async def compat_get_task(call: Call[None, None]) -> Response:
    found = await service.get_task(call.services, _owner(call), call.path["task_id"])
    return service.task_response(found)


@api.put(ITEM, summary="Update a task", body=TaskPatch, response=Task, errors=(403, 404, 412, 422))
async def compat_update_task(call: Call[TaskPatch, None]) -> Response:
    # These clients send only the fields they edit with PUT, so PUT merges here.
    owner = _owner(call)
    expected = service.expected_version(call.request)
    updated = await service.patch_task(
        call.services, owner, call.path["task_id"], call.body, expected
    )
    return service.task_response(updated)


@api.delete(ITEM, summary="Delete a task", status=204, errors=(403, 404, 412))
async def compat_delete_task(call: Call[None, None]) -> None:
    owner = _owner(call)
    expected = service.expected_version(call.request)
    await service.delete_task(call.services, owner, call.path["task_id"], expected)


@api.patch(ITEM + "/complete", summary="Toggle completion", response=Task, errors=(403, 404, 412))
async def compat_toggle_task(call: Call[None, None]) -> Response:
    owner = _owner(call)
    expected = service.expected_version(call.request)
    updated = await service.toggle_task(call.services, owner, call.path["task_id"], expected)
    return service.task_response(updated)
