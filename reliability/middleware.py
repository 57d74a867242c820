"""A request that fails because the database cannot be reached answers 503, not 500.

While PostgreSQL is down or restarting, every page and every API call would otherwise end in
Django's error page. The worker must instead read that nothing was saved and that retrying in
a moment is the right move; an API client gets a JSON `detail` and a `Retry-After` header,
never the text of the exception (it names hosts and ports).

The failure can surface in the view (caught by `process_exception`) or in a middleware below
this one (the session or the user is first loaded in the two-factor or audit middleware).
Django turns an exception raised in a middleware into a 500 response at that middleware's
own boundary, so it never reaches this one as an exception: a receiver of
`got_request_exception`, which Django sends just before, marks the request, and this
middleware swaps the 500 for the 503 on the way out.

The answer is built without the database: no session, no user, no context processor; the
language comes from the language cookie or the browser's Accept-Language.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# A PostgreSQL restart takes a few seconds; clients that honour the header come back then.
RETRY_AFTER_SECONDS = 10
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
_MARK = "_reliability_database_error"


def database_unavailable_response(request) -> HttpResponse:
    """The 503 answer, in the language of the request, built without touching the database."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path_info.startswith("/api/"):
            response = JsonResponse(
                {
                    "detail": _(
                        "The service is temporarily unavailable (database unreachable). "
                        "Nothing was saved; try again in a moment."
                    )
                },
                status=503,
            )
        else:
            page = render_to_string(
                "reliability/database_unavailable.html",
                {"retry_url": request.get_full_path(), "is_get": request.method == "GET"},
            )
            response = HttpResponse(page, status=503)
        response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A proxy or browser must not keep this answer in place of the real page.
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="reliability-database-unavailable")
def _mark_database_unavailable(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_UNREACHABLE):
        setattr(request, _MARK, error)


def _log(request, error) -> None:
    logger.error(
        "database unreachable, answered 503 to %s %s",
        request.method,
        request.path,
        exc_info=(type(error), error, error.__traceback__),
    )


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None:
            _log(request, error)
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNREACHABLE):
            _log(request, exception)
            return database_unavailable_response(request)
        return None
