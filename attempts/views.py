"""The diary's pages: logging, editing, deleting and undoing an attempt from the Today page. Each
answers with the Today page (or its fragment, when the page asked in place).

The session keeps what "Undo" needs of the last change: a deleted attempt's values, or an edited
attempt's id and its values from before the edit. Logging a new attempt forgets it."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases import presentation as case_presentation
from cases import selectors as case_selectors
from cases.presentation import page_language
from cases.views import member_required, render_today

from . import presentation, selectors, services
from .forms import AttemptForm

UNDO_KEY = "attempt_undo"


def _today_entries(request):
    return case_selectors.assistance_request_list_for_worker(
        association=request.association, worker=request.user, on=timezone.localdate()
    )


def today_section(request, form=None) -> dict:
    """The diary beside the day's entries: its form and the worker's attempts of the day."""
    day = timezone.localdate()
    attempts = list(
        selectors.contact_attempt_list_for_worker_day(
            association=request.association, worker=request.user, day=day
        )
    )
    form = form or AttemptForm(entries=_today_entries(request))
    undo = request.session.get(UNDO_KEY)
    return {
        "template": "attempts/_today_diary.html",
        "form": form,
        "entry_choices": [
            (e.pk, case_presentation.entry_summary(e, page_language()))
            for e in form.entries.values()
        ],
        # The attempt as stored, while the line shows what the worker is changing it to.
        "editing": presentation.attempt_rows([form.attempt])[0] if form.attempt else None,
        "rows": presentation.attempt_rows(attempts),
        # Added up from the rows shown: no second query for their total.
        "total_minutes": sum(a.waited_minutes for a in attempts),
        "undo": None if undo is None else ("changed" if "attempt" in undo else "deleted"),
    }


def _answer(request, status=200, form=None):
    if request.headers.get("X-Fragment") == "1" or status != 200:
        sections = {"attempts": form} if form is not None else None
        return render_today(request, status=status, sections=sections)
    return redirect("cases:today")


@require_POST
@member_required
def attempt_create(request):
    form = AttemptForm(request.POST, entries=list(_today_entries(request)))
    if form.is_valid():
        try:
            services.contact_attempt_create(
                association=request.association,
                actor=request.user,
                occurred_on=timezone.localdate(),
                **form.service_fields(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            request.session.pop(UNDO_KEY, None)
            return _answer(request)
    return _answer(request, status=400, form=form)


def _attempt_or_404(request, pk):
    attempt = selectors.contact_attempt_get_for_association(association=request.association, pk=pk)
    if attempt is None:
        raise Http404
    return attempt


@require_http_methods(["GET", "POST"])
@member_required
def attempt_edit(request, pk):
    """The diary's line filled with an attempt's values; saving changes it, and "Undo" puts
    the values from before back."""
    attempt = _attempt_or_404(request, pk)
    if request.method == "GET":
        form = AttemptForm(entries=_today_entries(request), attempt=attempt)
        return render_today(request, sections={"attempts": form})
    form = AttemptForm(request.POST, entries=_today_entries(request), attempt=attempt)
    if form.is_valid():
        before = presentation.undo_document(services.contact_attempt_values(attempt))
        try:
            services.contact_attempt_update(
                attempt=attempt, actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            request.session[UNDO_KEY] = {"attempt": attempt.pk, "values": before}
            request.session["notice"] = _("Attempt changed.")
            return _answer(request)
    return _answer(request, status=400, form=form)


@require_POST
@member_required
def attempt_delete(request, pk):
    attempt = _attempt_or_404(request, pk)
    values = services.contact_attempt_delete(attempt=attempt, actor=request.user)
    request.session[UNDO_KEY] = presentation.undo_document(values)
    request.session["notice"] = _("Attempt deleted.")
    return _answer(request)


@require_POST
@member_required
def attempt_undo(request):
    document = request.session.pop(UNDO_KEY, None)
    try:
        if isinstance(document, dict) and "attempt" in document:
            services.contact_attempt_revert(
                association=request.association,
                actor=request.user,
                attempt_id=document["attempt"],
                document=document.get("values"),
            )
        else:
            services.contact_attempt_restore(
                association=request.association, actor=request.user, document=document
            )
    except ValidationError as exc:
        request.session["notice"] = exc.messages[0]
    return _answer(request)
