"""A method that an API path does not offer is a 405 for everyone, before anything else.

DRF authenticates and checks permissions before it looks for the handler, so an analyst
would get 403 and a stranger 401 for DELETE on an incident. The contract says 405 from
everyone, without looking anything up: the answer then depends on the path alone.
"""

from django.http import JsonResponse
from django.urls import Resolver404, resolve
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
