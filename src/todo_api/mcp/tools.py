"""The six task tools: argument types, JSON schemas and calls into tasks.service.

No MCP import here: arguments are decoded by the REST decoder into the REST structs
(or structs made of the same field types), results are the REST response structs, and
failures are the same ApiError the REST routes raise. The server module only turns
these into MCP messages, so the two surfaces cannot disagree about a task rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from todo_api.app_context import Services
from todo_api.http.decoding import decode_json
from todo_api.tasks import service
from todo_api.tasks.schemas import (
    Cursor,
    PageSize,
    Search,
    Status,
    Task,
    TaskCreate,
    TaskListQuery,
    TaskPage,
    TaskPatch,
)

TaskId = str


class ListArgs(msgspec.Struct, forbid_unknown_fields=True):
    """GET /api/tasks's filters under the names an agent reads best (q -> search)."""

    status: Status = "all"
    search: Search | None = None
    limit: PageSize = 50
    cursor: Cursor | None = None


class TaskRef(msgspec.Struct, forbid_unknown_fields=True):
    task_id: TaskId


class UpdateArgs(TaskPatch, kw_only=True, forbid_unknown_fields=True):
    """PATCH /api/tasks/{id}: the id plus only the fields that change."""

    task_id: TaskId


class Deleted(msgspec.Struct):
    id: str
    deleted: bool = True


@dataclass(frozen=True)
class Context:
    """What a tool call runs with: the app's services and the caller's id."""

    services: Services
    user_id: str


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    args: type[Any]
    result: type[Any]
    run: Callable[[Context, Any], Awaitable[msgspec.Struct]]

    def input_schema(self) -> dict[str, Any]:
        return object_schema(self.args)

    def output_schema(self) -> dict[str, Any]:
        return object_schema(self.result)

    async def call(self, context: Context, arguments: dict[str, Any] | None) -> dict[str, Any]:
        """Decode `arguments` as REST decodes a body, run, and give the result as JSON
        data; raises the ApiError the REST route would answer with."""
        args = decode_json(
            msgspec.json.encode(arguments or {}),
            self.args,
            f"Invalid arguments for {self.name}",
            where="arguments",
        )
        result = await self.run(context, args)
        data: dict[str, Any] = msgspec.to_builtins(result)
        return data


def object_schema(type_: type[Any]) -> dict[str, Any]:
    """msgspec's schema with the struct at the root (MCP wants `type: object` there);
    the other definitions stay under $defs, where the struct's $refs point."""
    schema = msgspec.json.schema(type_)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    root: dict[str, Any] = definitions.pop(schema["$ref"].rsplit("/", 1)[-1])
    for docs_only in ("title", "description"):  # the struct's docstring is for us
        root.pop(docs_only, None)
    if definitions:
        root["$defs"] = definitions
    return root


async def _add(context: Context, args: TaskCreate) -> Task:
    created = await service.create_task(context.services, context.user_id, args)
    return created.task


async def _list(context: Context, args: ListArgs) -> TaskPage:
    query = TaskListQuery(status=args.status, q=args.search, limit=args.limit, cursor=args.cursor)
    return await service.list_tasks(context.services, context.user_id, query)


async def _get(context: Context, args: TaskRef) -> Task:
    return (await service.get_task(context.services, context.user_id, args.task_id)).task


async def _update(context: Context, args: UpdateArgs) -> Task:
    patch = TaskPatch(**{name: getattr(args, name) for name in TaskPatch.__struct_fields__})
    updated = await service.patch_task(context.services, context.user_id, args.task_id, patch, None)
    return updated.task


async def _complete(context: Context, args: TaskRef) -> Task:
    # Not the REST toggle: an agent told to complete a task twice must not reopen it.
    patch = TaskPatch(completed=True)
    updated = await service.patch_task(context.services, context.user_id, args.task_id, patch, None)
    return updated.task


async def _delete(context: Context, args: TaskRef) -> Deleted:
    await service.delete_task(context.services, context.user_id, args.task_id, None)
    # As DELETE /api/tasks/{id}: the attachment rows went with the task, now their files.
    from todo_api.attachments.service import delete_task_files

    await delete_task_files(context.services, context.user_id, args.task_id)
    return Deleted(id=args.task_id)


TOOLS = {
    tool.name: tool
    for tool in (
        Tool("add_task", "Create a task for the signed-in user.", TaskCreate, Task, _add),
        Tool(
            "list_tasks",
            "List the user's tasks, newest first: filter by status (all, pending, "
            "completed) and a search in title and description; pass next_cursor back as "
            "cursor for the next page.",
            ListArgs,
            TaskPage,
            _list,
        ),
        Tool("get_task", "Read one task by id.", TaskRef, Task, _get),
        Tool(
            "update_task",
            "Change some fields of a task; fields left out keep their value.",
            UpdateArgs,
            Task,
            _update,
        ),
        Tool("complete_task", "Mark a task completed.", TaskRef, Task, _complete),
        Tool("delete_task", "Delete a task and its attachments.", TaskRef, Deleted, _delete),
    )
}
