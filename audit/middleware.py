"""Sets the audit context (client address, user) for each request. The reads of persons'
records are recorded by `cases.middleware`, which runs inside this one."""

from django.conf import settings

from .context import RequestContext, current


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
            return self.get_response(request)
        finally:
            current.reset(token)
