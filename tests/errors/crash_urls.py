"""The site's URLs, plus pages that fail, to see the answers a crash gets."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def page_that_crashes(request):
    raise RuntimeError("a bug in a page")


def api_call_that_crashes(request):
    raise RuntimeError("a bug outside DRF")


urlpatterns = [
    path("crash/", page_that_crashes),
    path("api/v1/crash/", api_call_that_crashes),
    *urlpatterns,
]
