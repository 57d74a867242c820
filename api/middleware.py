"""A method that an API path does not offer is a 405 for everyone, before anything else;
a body larger than the limit is a 400 before anything reads it.

DRF authenticates and checks permissions before it looks for the handler, so an analyst
would get 403 and a stranger 401 for DELETE on an incident. The contract says 405 from
everyone, without looking anything up: the answer then depends on the path alone.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from rest_framework.exceptions import MethodNotAllowed


def allowed_methods(view) -> set[str] | None:
    """The HTTP methods a resolved view answers, or None when it cannot be told."""
    actions = getattr(view, "actions", None)
    if actions is not None:  # a viewset route: the router's method -> action map
        methods = {method.upper() for method in actions}
        methods &= {m.upper() for m in view.cls.http_method_names}
    else:
        view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
        if view_class is None:
            return None
        methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    return methods


class MethodNotAllowedFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            allowed = allowed_methods(match.func)
            if allowed is not None and request.method.upper() not in allowed:
                detail = MethodNotAllowed(request.method).detail
                return JsonResponse(
                    {"detail": str(detail)},
                    status=405,
                    headers={"Allow": ", ".join(sorted(allowed))},
                )
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """An API body larger than DATA_UPLOAD_MAX_MEMORY_SIZE (the limit of the web forms) is
    refused with a 400 that names the body, from its Content-Length, before authentication
    and before any parser reads it: once here for every route and every content type.

    Django never reads more than the Content-Length of a request, so the header is the size.
    Without this, DRF's parsers met Django's own check while reading and the caller got an
    HTML error page instead of the API's JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path_info.startswith("/api/"):
            # A missing or unreadable header: Django reads no body at all.
            declared = str(request.META.get("CONTENT_LENGTH") or "0").strip()
            if declared.isdigit() and int(declared) > limit:
                return JsonResponse(
                    {
                        "detail": _(
                            "The request body is too large: at most %(limit)d bytes are accepted."
                        )
                        % {"limit": limit}
                    },
                    status=400,
                )
        return self.get_response(request)
