"""The error answers: the site's own pages for a browser, JSON under /api/.

DRF answers the errors raised in its views itself; these cover the rest of the API (a path
that matches no route, a crash outside DRF's handling), in DRF's words, so that a client
never has to parse a page. Pages use Django's views, which render templates/400.html to
500.html: 403 and 404 with the request (the navigation, the user's home), 400 and 500
without it, so that a crash in a context processor or the database cannot break the error
page too. A form refused for its CSRF token gets templates/403_csrf.html (Django's own view,
also without the request).
"""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        detail = str(exception) or str(exceptions.PermissionDenied.default_detail)
        return JsonResponse({"detail": detail}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": str(exceptions.APIException.default_detail)}, status=500)
    return defaults.server_error(request)
