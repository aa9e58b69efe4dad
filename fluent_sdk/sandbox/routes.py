"""The routing table: which handler serves which method and path."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fluent_sdk.sandbox.messages import SandboxRequest, SandboxResponse, json_response
from fluent_sdk.sandbox.rest import events, jobs, plugins, workflows

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import SandboxApp

__all__ = ["ROUTES", "RequestContext", "Route", "match_route"]


@dataclass(slots=True)
class RequestContext:
    app: SandboxApp
    request: SandboxRequest
    params: dict[str, str]
    username: str | None


Handler = Callable[[RequestContext], SandboxResponse]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler
    authenticated: bool = True


def _graphql(ctx: RequestContext) -> SandboxResponse:
    try:
        payload = ctx.request.json()
    except ValueError:
        return json_response(400, {"errors": [{"message": "Request body is not valid JSON"}]})
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return json_response(400, {"errors": [{"message": "Request body needs a 'query' string"}]})
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return json_response(400, {"errors": [{"message": "'variables' must be an object"}]})
    operation = payload.get("operationName")
    result = ctx.app.engine.execute(
        payload["query"],
        variables,
        operation if isinstance(operation, str) else None,
        username=ctx.username,
    )
    return json_response(200, result)


def _token(ctx: RequestContext) -> SandboxResponse:
    return ctx.app.tokens.token_endpoint(ctx.request)


def _route(method: str, path: str, name: str, handler: Handler, *, auth: bool = True) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
    return Route(method, re.compile(f"^{regex}$"), name, handler, auth)


_PLUGIN = "/orchestration/rest/v1/plugin"
ROUTES: tuple[Route, ...] = (
    _route("POST", "/oauth/token", "oauth.token", _token, auth=False),
    _route("POST", "/graphql", "graphql", _graphql),
    _route("POST", "/api/v4.1/event/async", "event.async", events.create_async),
    _route("POST", "/api/v4.1/event/sync", "event.sync", events.create_sync),
    _route("GET", "/api/v4.1/event", "event.search", events.search),
    _route("GET", "/api/v4.1/event/{event_id}", "event.get", events.get),
    _route("POST", "/api/v4.1/job", "job.create", jobs.create_job),
    _route("GET", "/api/v4.1/job/{job_id}", "job.get", jobs.get_job),
    _route("POST", "/api/v4.1/job/{job_id}/batch", "batch.create", jobs.create_batch),
    _route("GET", "/api/v4.1/job/{job_id}/batch/{batch_id}", "batch.get", jobs.get_batch),
    _route("PUT", "/api/v4.1/workflow", "workflow.put", workflows.put_workflow),
    _route("POST", "/api/v4.1/workflow", "workflow.post", workflows.post_workflow),
    _route(
        "GET", "/api/v4.1/workflow/{retailer_id}/{name}", "workflow.get", workflows.get_workflow
    ),
    _route("GET", _PLUGIN, "plugin.list", plugins.list_rules),
    _route("GET", _PLUGIN + "/", "plugin.list", plugins.list_rules),
    _route("POST", _PLUGIN + "/upload", "plugin.upload", plugins.upload),
    _route("POST", _PLUGIN + "/install", "plugin.install", plugins.install),
    _route("GET", _PLUGIN + "/{bundle}/status", "plugin.status", plugins.status),
)


def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path params, whether the path exists under another method)."""
    path_known = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found is None:
            continue
        if route.method == method.upper():
            return route, found.groupdict(), True
        path_known = True
    return None, {}, path_known
