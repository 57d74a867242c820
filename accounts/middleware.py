"""Sends a logged-in user to the second factor before any page: to type a code when they have
a device, to set one up when their association requires it."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .two_factor import confirmed_device, two_factor_required

OPEN_PREFIXES = ("/account/two-factor/", "/logout/", "/login/", "/language/", "/i18n/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            target = None
            if confirmed_device(user) is not None:
                target = "accounts:two_factor_verify"
            elif two_factor_required(user):
                target = "accounts:two_factor_setup"
            if target is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Enter your two-factor code in the web interface first.")},
                        status=403,
                    )
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
