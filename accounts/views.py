"""Where a login lands, the two-factor pages, and the director's settings pages (costs,
retention, sharing, 2FA; the letterhead its letters and receipts print; the barriers the entry
form shows; the reference amounts the entry form proposes for the rights ledger)."""

import base64
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login

from organisations.access import Rule, seat_required
from organisations.letterhead import LETTERHEAD_FIELDS, enterprise_number_display
from organisations.reference_amounts import REFERENCE_FIELDS
from organisations.selectors import (
    federation_membership_list_for_association,
    reference_amount_get_for_association,
    reference_amount_list_for_association,
)
from organisations.services import (
    association_set_sharing,
    association_set_shown_barriers,
    association_update_letterhead,
    association_update_settings,
    reference_amount_create,
    reference_amount_delete,
    reference_amount_update,
)
from taxonomy import get_taxonomy

from .middleware import redirect_to_step
from .navigation import home_url
from .two_factor import (
    SessionStage,
    confirmed_device,
    device_confirm,
    pending_device,
    session_stage,
)


def _safe_next(request) -> str | None:
    """`next` when it is a path of this site; anything else (another site, a word that
    redirect() would take for a view's name) is ignored."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def _next(request) -> str:
    return _safe_next(request) or reverse("home")


@require_GET
@login_required
def home(request):
    """Where a login ends (LOGIN_REDIRECT_URL), after the second factor if there is one: the
    page asked for before logging in, else the page of the user's role."""
    target = _safe_next(request) or home_url(request)
    if target is None:
        raise PermissionDenied(
            _(
                "Your account is not attached to an association or a federation yet. "
                "Ask your association's director or the administrator to add you."
            )
        )
    # A path, never a view's name: redirect() would try to resolve the word.
    return HttpResponseRedirect(target)


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
                name_shown_on_shared_sheets=data.get("name_shown_on_shared_sheets") == "on",
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


def _letterhead_values(association) -> dict:
    values = {name: getattr(association, name) for name in LETTERHEAD_FIELDS}
    values["enterprise_number"] = enterprise_number_display(association.enterprise_number)
    return values


@require_http_methods(["GET", "POST"])
@seat_required(
    Rule.DIRECTOR,
    message=gettext_lazy("Only a director of an association may change its settings."),
)
def association_letterhead(request):
    """What the statements and the receipts print about the association: its address, phone,
    e-mail, contact person, enterprise number and who signs. Nothing is written when one field
    is wrong; the page shows what was typed, with the error next to it."""
    association = request.association
    errors, saved = {}, False
    values = _letterhead_values(association)
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name in LETTERHEAD_FIELDS}
        try:
            association_update_letterhead(association=association, actor=request.user, values=typed)
        except ValidationError as exc:
            errors, values = exc.message_dict, typed
        else:
            saved = True
            values = _letterhead_values(association)
    return render(
        request,
        "accounts/letterhead.html",
        {"association": association, "values": values, "errors": errors, "saved": saved},
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
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


# --- the reference amounts the entry form proposes (organisations.reference_amounts) --------

director_settings = seat_required(
    Rule.DIRECTOR,
    message=gettext_lazy("Only a director of an association may change its settings."),
)


def _procedure_options(selected: str) -> list[tuple]:
    """(group, [(code, label, selected)]) of the taxonomy's procedures, in the page's language."""
    taxonomy, language = get_taxonomy(), (get_language() or "fr")[:2]
    groups = []
    for code in taxonomy.sections["procedure_domains"]:
        option = (code.code, code.label(language), code.code == selected)
        if code.parent is None:
            groups.append((code.label(language), [option]))
        else:
            groups[-1][1].append(option)
    return groups


def _typed_amount(request) -> dict:
    return {name: request.POST.get(name, "") for name in REFERENCE_FIELDS}


def _amount_values(amount) -> dict:
    """A row as its form shows it: the amount with the decimal comma of the page's language."""
    values = {name: getattr(amount, name) for name in REFERENCE_FIELDS}
    values["monthly_eur"] = number_format(amount.monthly_eur, 2)
    values["valid_from"] = amount.valid_from.isoformat()
    return values


def _amount_rows(association) -> list[dict]:
    taxonomy, language = get_taxonomy(), (get_language() or "fr")[:2]
    return [
        {
            "amount": a,
            "procedure": taxonomy.label("procedure_domains", a.procedure_domain, language),
        }
        for a in reference_amount_list_for_association(association=association)
    ]


@require_http_methods(["GET", "POST"])
@director_settings
def reference_amounts(request):
    """The association's table of reference amounts, and a form to add one. Nothing is added
    when one field is wrong: the form shows what was typed, each error next to its field."""
    association = request.association
    errors, values = {}, {}
    if request.method == "POST":
        values = _typed_amount(request)
        try:
            reference_amount_create(association=association, values=values, actor=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Reference amount added."))
            return redirect("accounts:reference_amounts")
    return render(
        request,
        "accounts/reference_amounts.html",
        {
            "association": association,
            "rows": _amount_rows(association),
            "values": values,
            "procedures": _procedure_options(values.get("procedure_domain", "")),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _amount_or_404(request, pk):
    amount = reference_amount_get_for_association(association=request.association, pk=pk)
    if amount is None:
        raise Http404
    return amount


@require_http_methods(["GET", "POST"])
@director_settings
def reference_amount_edit(request, pk):
    amount = _amount_or_404(request, pk)
    errors, values = {}, _amount_values(amount)
    if request.method == "POST":
        values = _typed_amount(request)
        try:
            reference_amount_update(amount=amount, values=values, actor=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Reference amount saved."))
            return redirect("accounts:reference_amounts")
    return render(
        request,
        "accounts/reference_amount_edit.html",
        {
            "association": request.association,
            "amount": amount,
            "values": values,
            "procedures": _procedure_options(values.get("procedure_domain", "")),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["POST"])
@director_settings
def reference_amount_delete_view(request, pk):
    amount = _amount_or_404(request, pk)
    reference_amount_delete(amount=amount, actor=request.user)
    messages.success(request, _("Reference amount deleted."))
    return redirect("accounts:reference_amounts")
