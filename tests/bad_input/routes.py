"""Which routes accept a write, read from the URL resolver (the isolation walker's routes).

A route is a write route when it accepts POST, PUT or PATCH: API views say so through
`allowed_methods`, page views through their `require_http_methods` decorators (a page view
without one accepts every method). The property tests take their targets from here, so a
write route added later is fuzzed as soon as it exists, or fails the coverage test until it is
described or excused.
"""

from api.middleware import allowed_methods
from tests.api.test_isolation_route_table import API_ROUTES, PAGE_ROUTES, route_id

WRITE_METHODS = ("POST", "PUT", "PATCH")
EVERY_METHOD = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Django's admin: staff-only model forms of Django itself, out of the users' reach.
ADMIN_PREFIX = "admin/"


def _decorated_methods(function) -> set[str] | None:
    """The methods allowed by `require_http_methods` somewhere in a view's decorator chain."""
    allowed = None
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars and function.__closure__:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            methods = {m.upper() for m in cell.cell_contents}
            allowed = methods if allowed is None else allowed & methods
        function = getattr(function, "__wrapped__", None)
    return allowed


def page_methods(view) -> set[str]:
    methods = allowed_methods(view)
    if methods is not None:
        return methods
    return _decorated_methods(view) or set(EVERY_METHOD)


def write_methods(route) -> list[str]:
    offered = allowed_methods(route.view) if route.is_api else page_methods(route.view)
    return [method for method in WRITE_METHODS if method in (offered or ())]


API_WRITE_ROUTES = [(route, m) for route in API_ROUTES for m in write_methods(route)]
PAGE_POST_ROUTES = [
    route
    for route in PAGE_ROUTES
    if not route.template.startswith(ADMIN_PREFIX) and "POST" in write_methods(route)
]


def api_write_id(pair) -> str:
    route, method = pair
    return f"{method} {route_id(route)}"


__all__ = ["API_WRITE_ROUTES", "PAGE_POST_ROUTES", "api_write_id", "route_id", "write_methods"]
