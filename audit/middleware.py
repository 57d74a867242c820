"""Sets the audit context (client address, user) for each request, and records the reads of
persons' records that the routes below serve."""

from django.conf import settings

from . import services
from .context import RequestContext, current

# Routes whose successful GET shows persons' records: route name -> (event, URL kwarg).
PERSON_READ_ROUTES = {
    "api:person-detail": (services.person_read, "pk"),
    "api:person-export": (services.person_exported, "pk"),
    "api:person-list": (services.persons_listed, None),
    "cases:persons_json": (services.persons_listed, None),
}


def client_ip(request) -> str | None:
    if settings.AUDIT_TRUST_X_FORWARDED_FOR:
        # Our own reverse proxy appends the address it saw: the last entry is the one to trust.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current.set(RequestContext(ip=client_ip(request), request=request))
        try:
            response = self.get_response(request)
            self._record_read(request, response)
            return response
        finally:
            current.reset(token)

    def _record_read(self, request, response):
        match = getattr(request, "resolver_match", None)
        if request.method != "GET" or response.status_code != 200 or match is None:
            return
        route = PERSON_READ_ROUTES.get(match.view_name)
        if route is None:
            return
        event, kwarg = route
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return
        if kwarg is None:
            services.record_route_read(event, user=user, route=match.view_name)
        else:
            services.record_route_read(event, user=user, person_pk=match.kwargs.get(kwarg))
