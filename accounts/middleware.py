"""Keeps a session that has not passed the second factor on the pages of that step.

A session that typed the password of an account with a device, and not yet its code, reaches
the code page and the logout; an account whose association requires a device and has none
reaches the set-up page and the logout. Both may switch language (a cookie, nothing of the
account) and ask for an API token (which asks for the code itself). Every other page sends
them to their step, every API call answers 403: the list is of what is open, so that a page
added later is shut until it is listed here.
"""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .two_factor import SessionStage, session_stage

# The token endpoint ignores the session: it checks the password and the code itself.
ALWAYS_OPEN_VIEWS = {"logout", "language_set", "set_language", "api:token"}
OPEN_VIEWS = {
    SessionStage.CODE_REQUIRED: {"accounts:two_factor_verify", *ALWAYS_OPEN_VIEWS},
    SessionStage.SETUP_REQUIRED: {"accounts:two_factor_setup", *ALWAYS_OPEN_VIEWS},
}
STEP_VIEW = {
    SessionStage.CODE_REQUIRED: "accounts:two_factor_verify",
    SessionStage.SETUP_REQUIRED: "accounts:two_factor_setup",
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        stage = session_stage(user)
        if stage == SessionStage.COMPLETE:
            return None
        if request.resolver_match.view_name in OPEN_VIEWS[stage]:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter your two-factor code in the web interface first.")},
                status=403,
            )
        return redirect_to_step(stage, next_url=request.get_full_path())


def redirect_to_step(stage: SessionStage, *, next_url: str):
    """To the page of the step the session is at, coming back to `next_url` after it."""
    return redirect(f"{reverse(STEP_VIEW[stage])}?{urlencode({'next': next_url})}")
