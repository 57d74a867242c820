"""Who is acting and from where, for the audit trail, without threading the request through
every service: the middleware sets it for the request; tasks and commands leave it empty."""

import contextvars
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    # The request itself, read when an event is recorded: an API token is only checked inside
    # the view, after the middleware ran, and then sets request.user.
    request: HttpRequest | None = None

    @property
    def user(self):
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


_EMPTY = RequestContext()
current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def get() -> RequestContext:
    return current.get() or _EMPTY
