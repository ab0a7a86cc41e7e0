"""Route tables that also describe themselves for the OpenAPI document.

A feature declares each JSON API operation once, with its models; the same
declaration registers the aiohttp route and feeds ``/api/v1/openapi.json``, so the
document cannot drift from the code (a test also checks every route is in it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web
from pydantic import BaseModel

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    auth: bool = True
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    description: str = ""


@dataclass
class ApiRoutes:
    """The JSON API operations of one feature."""

    tag: str
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        auth: bool = True,
        request: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        errors: tuple[int, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tag=self.tag,
                    auth=auth,
                    request=request,
                    query=query,
                    response=response,
                    status=status,
                    errors=errors,
                    description=(handler.__doc__ or "").strip(),
                )
            )
            return handler

        return decorate

    def get(self, path: str, **kwargs: object) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **kwargs)  # type: ignore[arg-type]

    def put(self, path: str, **kwargs: object) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, **kwargs)  # type: ignore[arg-type]

    def patch(self, path: str, **kwargs: object) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, **kwargs)  # type: ignore[arg-type]

    def delete(self, path: str, **kwargs: object) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **kwargs)  # type: ignore[arg-type]

    def register(self, app: web.Application) -> None:
        for operation in self.operations:
            app.router.add_route(operation.method, operation.path, operation.handler)
