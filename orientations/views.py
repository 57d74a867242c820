"""The orientation pages: sending one from an entry, the association's list with the answers,
and the receiving service's page, opened through the signed link without an account."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import selectors as case_selectors
from cases.presentation import entry_summary, page_language
from cases.views import member_required

from . import selectors, services
from .forms import AnswerForm, OrientationForm
from .models import LINK_VALID_DAYS, Orientation


def today_section(request, form=None) -> dict:
    """The worker's latest orientations and their answers, beside the day's entries."""
    return {
        "template": "orientations/_today_orientations.html",
        "rows": selectors.orientation_list_for_worker(
            association=request.association, worker=request.user, limit=5
        ),
        "language": page_language(),
    }


def _entry_or_404(request, pk):
    entry = case_selectors.assistance_request_get_for_association(
        association=request.association, pk=pk
    )
    if entry is None:
        raise Http404
    return entry


@require_http_methods(["GET", "POST"])
@member_required
def orientation_create(request, pk):
    entry = _entry_or_404(request, pk)
    status = 200
    if request.method == "POST":
        form = OrientationForm(request.POST)
        if form.is_valid():
            try:
                orientation = services.orientation_send(
                    association=request.association,
                    actor=request.user,
                    base_url=request.build_absolute_uri("/"),
                    assistance_request=entry.pk,
                    **form.service_fields(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                request.session["notice"] = _("Orientation sent to %(target)s.") % {
                    "target": orientation.target_name(page_language())
                }
                return redirect("orientations:list")
        status = 400
    else:
        person = entry.person
        form = OrientationForm(
            initial={"recipient_language": person.language if person else page_language()}
        )
    context = {
        "form": form,
        "entry": entry,
        "entry_summary": entry_summary(entry, page_language()),
        "valid_days": LINK_VALID_DAYS,
    }
    return render(request, "orientations/create.html", context, status=status)


@require_http_methods(["GET"])
@member_required
def orientation_list(request):
    return render(
        request,
        "orientations/list.html",
        {
            "rows": selectors.orientation_list_for_association(association=request.association)[
                :200
            ],
            "language": page_language(),
            "notice": request.session.pop("notice", None),
        },
    )


# --- the receiving service's page (no account) -----------------------------------------------


def _refused(request, reason):
    status = 410 if reason == "expired" else 404
    return render(request, "orientations/link_refused.html", {"reason": reason}, status=status)


@require_http_methods(["GET", "POST"])
def orientation_answer(request, token):
    try:
        orientation = services.orientation_from_link(token)
    except services.LinkRefused as refused:
        return _refused(request, refused.reason)
    status = 200
    allowed = services.ANSWERS.get(orientation.status, set())
    form = AnswerForm(allowed=allowed)
    if request.method == "POST":
        form = AnswerForm(request.POST, allowed=allowed)
        if form.is_valid():
            try:
                services.orientation_answer(
                    token=token,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data.get("reason", ""),
                )
            except services.LinkRefused as refused:
                return _refused(request, refused.reason)
            except ValidationError as exc:
                form.add_service_errors(exc.message_dict)
            else:
                request.session["orientation_answered"] = True
                return redirect(reverse("orientations:answer", args=[token]))
        status = 400
    language = page_language()
    context = {
        "orientation": orientation,
        "association": orientation.association.name,
        "target": orientation.target_name(language),
        "shared": services.shared_lines(orientation, language),
        "form": form,
        "open": orientation.is_open,
        "answered": orientation.status != Orientation.Status.SENT,
        "thanks": request.session.pop("orientation_answered", False),
    }
    return render(request, "orientations/answer.html", context, status=status)
