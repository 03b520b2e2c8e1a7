"""Who is asking, from where: set once per request by the middleware, read by
`audit_record` and the logs so services need not pass the request around."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request_id: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("payam_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or RequestContext()


def set_current(ctx: RequestContext | None) -> object:
    return _current.set(ctx)


def reset(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
