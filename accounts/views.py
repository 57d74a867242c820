"""Two-factor pages, and the director's settings pages (costs, retention, sharing, 2FA; the
barriers the entry form shows)."""

import base64
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from organisations.access import Rule, seat_required
from organisations.selectors import federation_membership_list_for_association
from organisations.services import (
    association_set_sharing,
    association_set_shown_barriers,
    association_update_settings,
)
from taxonomy import get_taxonomy

from .middleware import redirect_to_step
from .two_factor import (
    SessionStage,
    confirmed_device,
    device_confirm,
    pending_device,
    session_stage,
)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


def _second_factor_passed(request, device) -> None:
    otp_login(request, device)
    # The session has just gained what it lacked: a new key, like at the password step.
    request.session.cycle_key()


@login_required
def two_factor_setup(request):
    # Also shut by the middleware; checked here again because this is the page an attacker
    # holding only the password wants: it would replace the victim's phone with theirs.
    if session_stage(request.user) == SessionStage.CODE_REQUIRED:
        return redirect_to_step(SessionStage.CODE_REQUIRED, next_url=_next(request))
    device = pending_device(request.user)
    error = None
    if request.method == "POST":
        if device_confirm(user=request.user, token=request.POST.get("token", "")):
            _second_factor_passed(request, confirmed_device(request.user))
            return redirect(_next(request))
        error = _("This code is not valid. Check the time of your phone and try again.")
    secret = base64.b32encode(device.bin_key).decode()
    uri = (
        f"otpauth://totp/{quote('Aide numérique')}:{quote(request.user.email)}"
        f"?secret={secret}&issuer={quote('Aide numérique')}&digits={device.digits}"
        f"&period={device.step}"
    )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "secret": secret,
            "uri": uri,
            "error": error,
            "next": _next(request),
            "replaces": confirmed_device(request.user) is not None,
        },
    )


@login_required
def two_factor_verify(request):
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor_setup")
    error = None
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            _second_factor_passed(request, device)
            return redirect(_next(request))
        error = _("This code is not valid.")
    return render(
        request, "accounts/two_factor_verify.html", {"error": error, "next": _next(request)}
    )


def _whole_number(text: str):
    """A number typed in a box, or the text as typed for the service to refuse by name.

    Only short runs of ASCII digits are read: "²" passes str.isdigit() but not int(), and
    thousands of digits are beyond what int() reads from a string."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return text or None


@seat_required(
    Rule.DIRECTOR,
    message=gettext_lazy("Only a director of an association may change its settings."),
)
def association_settings(request):
    association = request.association
    memberships = list(federation_membership_list_for_association(association=association))
    errors, saved = {}, False
    if request.method == "POST":
        data = request.POST
        try:
            association_update_settings(
                association=association,
                actor=request.user,
                hourly_cost_eur=data.get("hourly_cost_eur", "").strip().replace(",", ".") or None,
                retention_years=_whole_number(data.get("retention_years", "")),
                require_two_factor=data.get("require_two_factor") == "on",
            )
            for membership in memberships:
                shares = data.get(f"share_{membership.federation_id}") == "on"
                if shares != membership.shares_aggregates:
                    association_set_sharing(
                        association=association,
                        federation=membership.federation,
                        shares=shares,
                        actor=request.user,
                    )
                    membership.shares_aggregates = shares
            saved = True
        except ValidationError as exc:
            errors = exc.message_dict
        association.refresh_from_db()
    return render(
        request,
        "accounts/settings.html",
        {
            "association": association,
            "memberships": memberships,
            "errors": errors,
            "saved": saved,
        },
        status=400 if errors else 200,
    )


@seat_required(
    Rule.DIRECTOR,
    message=gettext_lazy("Only a director of an association may change its settings."),
)
def association_barriers(request):
    """Which digital barriers the entry form shows as chips; the others stay under its fold."""
    association = request.association
    errors, saved = {}, False
    if request.method == "POST":
        try:
            association_set_shown_barriers(
                association=association,
                codes=request.POST.getlist("shown_barriers"),
                actor=request.user,
            )
            saved = True
        except ValidationError as exc:
            errors = exc.message_dict
        association.refresh_from_db()
    shown = set(association.shown_barriers)
    language = (get_language() or "fr")[:2]
    options = [
        (code, label, code in shown)
        for code, label in get_taxonomy().choices("digital_barriers", language)
    ]
    return render(
        request,
        "accounts/barriers.html",
        {"association": association, "options": options, "errors": errors, "saved": saved},
        status=400 if errors else 200,
    )
