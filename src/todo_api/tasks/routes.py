"""/api/tasks: the caller's own tasks. Another user's task id answers 404, never 403,
so ids cannot be probed for existence."""

from __future__ import annotations

from starlette.responses import Response

from todo_api.http.routing import Api, Call
from todo_api.tasks import service
from todo_api.tasks.schemas import Task, TaskCreate, TaskListQuery, TaskPage, TaskPatch

api = Api(tags=["tasks"])

ETAG = ("ETag",)
IF_MATCH = ("If-Match",)


@api.get(
    "/api/tasks", summary="List tasks", query=TaskListQuery, response=TaskPage, errors=(400, 422)
)
async def list_tasks(call: Call[None, TaskListQuery]) -> TaskPage:
    return await service.list_tasks(call.services, call.user.id, call.query)


@api.post(
    "/api/tasks",
    summary="Create a task",
    body=TaskCreate,
    response=Task,
    status=201,
    errors=(400, 409, 422),
    response_headers=ETAG,
    request_headers=("Idempotency-Key",),
    description="With an `Idempotency-Key` header (1-255 printable ASCII characters), a "
    "retry with the same key and body creates nothing and answers what the first request "
    "answered (also for copies sent at once); the same key with another body is a 409. "
    "Keys are per user and kept for 24 hours.",
)
async def create_task(call: Call[TaskCreate, None]) -> Response:
    created = await service.create_task(call.services, call.user.id, call.body, call.request)
    response = service.task_response(created, status=201)
    response.headers["Location"] = f"/api/tasks/{created.task.id}"
    return response


@api.get(
    "/api/tasks/{task_id}",
    summary="Read a task",
    response=Task,
    errors=(404,),
    response_headers=ETAG,
    request_headers=("If-None-Match",),
    extra_responses={304: "Not modified (If-None-Match matched the ETag)"},
)
async def get_task(call: Call[None, None]) -> Response:
    found = await service.get_task(call.services, call.user.id, call.path["task_id"])
    if service.none_match(call.request, found):
        return Response(status_code=304, headers={"ETag": service.etag(found)})
    return service.task_response(found)


@api.put(
    "/api/tasks/{task_id}",
    summary="Replace a task (omitted fields take their defaults)",
    body=TaskCreate,
    response=Task,
    errors=(404, 412, 422),
    response_headers=ETAG,
    request_headers=IF_MATCH,
)
async def replace_task(call: Call[TaskCreate, None]) -> Response:
    expected = service.expected_version(call.request)
    updated = await service.replace_task(
        call.services, call.user.id, call.path["task_id"], call.body, expected
    )
    return service.task_response(updated)


@api.patch(
    "/api/tasks/{task_id}",
    summary="Change some fields of a task",
    body=TaskPatch,
    response=Task,
    errors=(404, 412, 422),
    response_headers=ETAG,
    request_headers=IF_MATCH,
)
async def patch_task(call: Call[TaskPatch, None]) -> Response:
    expected = service.expected_version(call.request)
    updated = await service.patch_task(
        call.services, call.user.id, call.path["task_id"], call.body, expected
    )
    return service.task_response(updated)


@api.delete(
    "/api/tasks/{task_id}",
    summary="Delete a task",
    status=204,
    errors=(404, 412),
    request_headers=IF_MATCH,
)
async def delete_task(call: Call[None, None]) -> None:
    expected = service.expected_version(call.request)
    await service.delete_task(call.services, call.user.id, call.path["task_id"], expected)
    # The attachment rows went with the task (ON DELETE CASCADE); now their files.
    from todo_api.attachments.service import delete_task_files

    await delete_task_files(call.services, call.user.id, call.path["task_id"])


@api.patch(
    "/api/tasks/{task_id}/complete",
    summary="Toggle a task between pending and completed",
    response=Task,
    errors=(404, 412),
    response_headers=ETAG,
    request_headers=IF_MATCH,
)
async def toggle_task(call: Call[None, None]) -> Response:
    expected = service.expected_version(call.request)
    updated = await service.toggle_task(call.services, call.user.id, call.path["task_id"], expected)
    return service.task_response(updated)
