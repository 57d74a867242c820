"""The social worker's pages: the day's log, incident sheets and the person's receipt.

Views parse the request with a form, call `cases.services` for every write and
`cases.selectors` for every read, through the association of the logged-in member: another
association's entry is a 404. What the pages say comes from `cases.presentation`. Each page works
as plain HTML forms (POST, redirect); entry.js makes it faster (fragments, search-as-you-type,
scanning notes as they are typed) without changing what the server accepts.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from audit.models import ObjectType
from audit.selectors import audit_events_list_for_object
from organisations.access import Rule, seat_required
from organisations.selectors import reference_amount_list_for_association
from privacy import identifiers
from rendering import numbers

from . import exports, presentation, selectors
from .entry_fields import entry_values
from .forms import EntryForm, IncidentForm, entry_initial, institution_search
from .models import AssistanceRequest, Person
from .presentation import RECEIPT_LANGUAGE_NAMES, RECEIPT_LANGUAGES, page_language
from .services import (
    assistance_request_clean,
    assistance_request_create,
    assistance_request_delete_for_undo,
    assistance_request_undo,
    assistance_request_update,
    entry_undo_pending,
    incident_sheet_create,
    incident_sheet_update,
    person_create,
    person_erase,
)

# Who may erase a person: the same seats as DELETE /api/v1/persons/{id}/ (workers and
# directors of the person's association).
ERASE_RULE = Rule.ASSOCIATION_MEMBER
PERSONS_PER_PAGE = 50
PERSON_ENTRIES_PER_PAGE = 10  # a person's page fits a laptop screen: their entries by ten
RECENT_DAYS = 7  # the entries an incident sheet may link: the worker's of the last week
RECENT_ENTRIES = 50
INCIDENTS_SHOWN = 100


# --- access --------------------------------------------------------------------------------


# A worker or director of an association; `request.association` is theirs.
member_required = seat_required(Rule.ASSOCIATION_MEMBER)
# The same seats, answered in JSON (a 403, never the login page) for the page's scripts.
member_json = seat_required(
    Rule.ASSOCIATION_MEMBER,
    message=gettext_lazy("Log in as a member of an association."),
    json=True,
)


def _object_id(value) -> int | None:
    """An id given in a query string, or None when it cannot name a row (the caller answers
    404): digits only, and short enough for any database's integer."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def _entry_or_404(request, pk) -> AssistanceRequest:
    entry = selectors.assistance_request_get_for_association(association=request.association, pk=pk)
    if entry is None:
        raise Http404
    return entry


def _person_document_or_404(request, pk) -> dict:
    """The export document of one of the member's association's persons; any other is 404."""
    document = exports.person_document(association=request.association, person_id=pk)
    if document is None:
        raise Http404
    return document


def _person_or_404(request, pk) -> Person:
    person = selectors.person_get_for_association(association=request.association, pk=pk)
    if person is None:
        raise Http404
    return person


def _is_fragment(request) -> bool:
    return request.headers.get("X-Fragment") == "1"


# --- reads for the page ---------------------------------------------------------------------


def _carried_over(request) -> dict:
    return selectors.entry_carry_over_get_for_worker(
        association=request.association, worker=request.user, today=timezone.localdate()
    )


def _entry_form(request, *args, **kwargs) -> EntryForm:
    return EntryForm(
        *args,
        shown_barriers=request.association.shown_barriers,
        association_id=request.association.pk,
        reference_amounts=reference_amount_list_for_association(association=request.association),
        **kwargs,
    )


def _day_entries(request, day):
    return list(
        selectors.assistance_request_list_for_worker(
            association=request.association, worker=request.user, on=day
        )
    )


def _pending_undo(request):
    undo_id = request.session.get("undo")
    if not isinstance(undo_id, int):
        return None
    pending = entry_undo_pending(association=request.association, undo_id=undo_id)
    if pending is None:
        return None
    summary, remaining = pending
    return {"summary": summary, "remaining": remaining}


def _chosen_person(request) -> Person | None:
    """The person a new entry is for when the worker came from their page (`?person=`): one
    of the association's persons, else 404. Showing the code is a read of the record."""
    given = request.GET.get("person")
    if given is None:
        return None
    pk = _object_id(given)
    if pk is None:
        raise Http404
    person = _person_or_404(request, pk)
    audit.person_read(person=person, actor=request.user)
    return person


# What the Today page shows beside the day's entries, by name: a domain above the log (the
# contact-attempt diary) registers `section(request, bound_form_or_None) -> dict` holding the
# `template` to include and its values, so the log's app needs not import it.
TODAY_SECTIONS: dict = {}


def render_today(request, form=None, status=200, person=None, sections=None):
    """The Today page, or its fragment; `sections` gives a section its bound form back."""
    today = timezone.localdate()
    if form is None:
        initial = {}
        if person is not None:
            initial = {"person_code": person.code, "person_language": person.language}
        form = _entry_form(request, initial=initial, carried_over=_carried_over(request))
    entries = _day_entries(request, today)
    total = sum(e.duration_minutes for e in entries)
    context = {
        "form": form,
        "rows": presentation.entry_rows(entries, page_language()),
        "total_minutes": total,
        "total_display": numbers.hours(total),
        "today": today,
        "undo": _pending_undo(request),
        "association": request.association,
        "notice": request.session.pop("notice", None),
        "for_person": person,
        "today_sections": [
            section(request, (sections or {}).get(name)) for name, section in TODAY_SECTIONS.items()
        ],
    }
    template = "cases/_today_main.html" if _is_fragment(request) else "cases/today.html"
    return render(request, template, context, status=status)


# --- writes -----------------------------------------------------------------------------------


def _person_for(request, form):
    """The person of the entry: found by code, or created with that pseudonymous code."""
    code = (form.cleaned_data.get("person_code") or "").strip()
    if not code:
        return None
    person = selectors.person_get_by_code_for_association(
        association=request.association, code=code
    )
    if person is not None:
        return person
    return person_create(
        association=request.association,
        actor=request.user,
        code=code,
        language=form.cleaned_data.get("person_language") or "fr",
    )


def _identifiers_settled(form, field) -> bool:
    """Free text with an identifier is saved only once the worker chose: mask it or keep it."""
    text = form.cleaned_data.get(field) or ""
    findings = identifiers.scan(text)
    if not findings:
        return True
    action = form.cleaned_data.get("identifiers_action")
    if action == "mask":
        form.cleaned_data[field] = identifiers.mask(text, findings)
        return True
    if action == "keep":
        return True
    form.identifiers_found = True
    form.add_error(field, presentation.identifiers_found_message(findings))
    return False


def _add_the_services_other_errors(request, form, entry=None):
    """A form refused for a missing outcome also says, in the same round, that the kind of
    referrer is missing: the services check what the form could read, and write nothing."""
    fields = {**(entry_values(entry) if entry is not None else {}), **form.service_fields()}
    fields["person"] = entry.person if entry is not None else None
    try:
        assistance_request_clean(request.association, fields)
    except ValidationError as exc:
        form.add_service_errors(exc, besides_refused=True)


def _save_entry(request, form, entry=None):
    """Write through the services; on a refusal, put each message next to its field."""
    if not form.is_valid():
        _add_the_services_other_errors(request, form, entry)
        return None
    if not _identifiers_settled(form, "notes"):
        return None
    fields = form.service_fields()
    try:
        with transaction.atomic():
            fields["person"] = _person_for(request, form)
            if entry is None:
                return assistance_request_create(
                    association=request.association, actor=request.user, **fields
                )
            return assistance_request_update(entry=entry, actor=request.user, **fields)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None


@member_required
def today(request):
    """The worker's landing page: the entry form, then the day's entries and total."""
    if request.method == "POST":
        form = _entry_form(request, request.POST)
        entry = _save_entry(request, form)
        if entry is None:
            # Only to mark, on the refused form, the values still carried over.
            form.carried_over = _carried_over(request)
            return render_today(request, form=form, status=400)
        request.session.pop("undo", None)
        if _is_fragment(request):
            return render_today(request)
        return redirect("cases:today")
    return render_today(request, person=_chosen_person(request))


@member_required
def entry_edit(request, pk):
    entry = _entry_or_404(request, pk)
    if request.method == "POST":
        form = _entry_form(request, request.POST)
        if _save_entry(request, form, entry=entry) is not None:
            if _is_fragment(request):
                return render_today(request)
            return redirect("cases:today")
        status = 400
    else:
        form = _entry_form(request, initial=entry_initial(entry))
        status = 200
    if entry.person is not None:
        # The edit form shows the person's code: a read of the record like any other.
        audit.person_read(person=entry.person, actor=request.user)
    template = "cases/_entry_edit.html" if _is_fragment(request) else "cases/entry_edit.html"
    return render(request, template, {"form": form, "entry": entry}, status=status)


@require_POST
@member_required
def entry_delete(request, pk):
    entry = _entry_or_404(request, pk)
    summary = presentation.entry_summary(entry, page_language())
    undo = assistance_request_delete_for_undo(entry=entry, summary=summary, actor=request.user)
    # The session keeps the id alone: the values wait server-side for a few seconds.
    request.session["undo"] = undo.pk
    if _is_fragment(request):
        return render_today(request)
    return redirect("cases:today")


@require_POST
@member_required
def entry_undo(request):
    undo_id = request.session.pop("undo", None)
    try:
        assistance_request_undo(
            association=request.association,
            undo_id=undo_id if isinstance(undo_id, int) else None,
            actor=request.user,
        )
    except ValidationError as exc:
        request.session["notice"] = exc.messages[0]
    if _is_fragment(request):
        return render_today(request)
    return redirect("cases:today")


# --- receipt ----------------------------------------------------------------------------------


@require_GET
@member_required
def entry_receipt(request, pk):
    """A one-page note for the person, in their language: what was done, for whom, what next.

    It never shows the notes (they may hold identifiers) nor the person's code."""
    entry = _entry_or_404(request, pk)
    requested = request.GET.get("lang")
    language = presentation.receipt_language(requested, entry)
    context = {
        "entry": entry,
        "association": request.association,
        "sender": presentation.receipt_sender(request.association),
        "languages": [(code, RECEIPT_LANGUAGE_NAMES[code]) for code in RECEIPT_LANGUAGES],
    }
    if language is None:
        # Asked for a language the receipt is not printed in: say so in the page's language
        # and offer those it is printed in.
        context["language"] = page_language()
        context["errors"] = {
            "lang": [
                _("The note cannot be printed in this language. Choose one of: %(codes)s.")
                % {"codes": ", ".join(code.upper() for code in RECEIPT_LANGUAGES)}
            ]
        }
        return render(request, "cases/receipt.html", context, status=400)
    with translation.override(language):
        context.update(language=language, **presentation.receipt(entry, language))
        return render(request, "cases/receipt.html", context)


# --- incident sheets --------------------------------------------------------------------------


def _recent_entries(request):
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    entries = selectors.assistance_request_list_for_worker(
        association=request.association, worker=request.user, since=since
    )
    return list(entries[:RECENT_ENTRIES])


@require_GET
@member_required
def incident_list(request):
    sheets = selectors.incident_sheet_list_for_association(association=request.association)
    sheets = presentation.incident_rows(sheets[:INCIDENTS_SHOWN], page_language())
    context = {"sheets": sheets, "notice": request.session.pop("notice", None)}
    return render(request, "cases/incident_list.html", context)


def _source_entry(request) -> AssistanceRequest | None:
    """The entry a sheet is started from (`?entry=`): one of the association's, else 404."""
    given = request.GET.get("entry")
    if given is None:
        return None
    pk = _object_id(given)
    if pk is None:
        raise Http404
    return _entry_or_404(request, pk)


@member_required
def incident_create(request):
    entries = _recent_entries(request)
    source = _source_entry(request)
    if request.method == "POST":
        form = IncidentForm(
            request.POST,
            entries=entries,
            shown_barriers=request.association.shown_barriers,
            association_id=request.association.pk,
            from_entry=source,
        )
        if form.is_valid() and _identifiers_settled(form, "narrative"):
            try:
                incident_sheet_create(
                    association=request.association, actor=request.user, **form.service_fields()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                request.session["notice"] = _("The incident sheet is saved.")
                return redirect("cases:incident_list")
        status = 400
    else:
        form = IncidentForm(
            entries=entries, from_entry=source, shown_barriers=request.association.shown_barriers
        )
        status = 200
    language = page_language()
    context = {
        "form": form,
        "entry_rows": presentation.entry_rows(list(form.entry_objects.values()), language),
        "source_row": presentation.entry_rows([source], language)[0] if source else None,
    }
    return render(request, "cases/incident_form.html", context, status=status)


def _incident_or_404(request, pk):
    sheet = selectors.incident_sheet_get_for_association(association=request.association, pk=pk)
    if sheet is None:
        raise Http404
    return sheet


@require_GET
@member_required
def incident_detail(request, pk):
    """The sheet's own page: what it tells, the entries it documents and its history."""
    sheet = _incident_or_404(request, pk)
    language = page_language()
    history = audit_events_list_for_object(
        association=request.association, object_type=ObjectType.INCIDENT, object_id=sheet.pk
    )
    context = {
        "sheet": sheet,
        **presentation.incident_detail(sheet, language),
        "history": presentation.incident_history(history, language),
        "notice": request.session.pop("notice", None),
    }
    return render(request, "cases/incident_detail.html", context)


def _incident_initial(sheet) -> dict:
    return {
        "occurred_on": sheet.occurred_on,
        "title": sheet.title,
        "narrative": sheet.narrative,
        "procedure_domain": sheet.procedure_domain,
        "responsible_institution": sheet.responsible_institution_id,
        "responsible_search": (
            sheet.responsible_institution.name if sheet.responsible_institution else ""
        ),
        "responsible_kind": sheet.responsible_kind,
        "barriers": list(sheet.barriers or []),
        "entries": [str(e.pk) for e in sheet.entries.all()],
        "shared": sheet.shared,
    }


@require_http_methods(["GET", "POST"])
@member_required
def incident_edit(request, pk):
    sheet = _incident_or_404(request, pk)
    # The entries it documents stay offered, however old, beside the worker's recent ones.
    linked = list(sheet.entries.all())
    entries = linked + [e for e in _recent_entries(request) if e.pk not in {x.pk for x in linked}]
    options = {
        "entries": entries,
        "shown_barriers": request.association.shown_barriers,
        "association_id": request.association.pk,
    }
    if request.method == "POST":
        form = IncidentForm(request.POST, **options)
        if form.is_valid() and _identifiers_settled(form, "narrative"):
            try:
                incident_sheet_update(sheet=sheet, actor=request.user, **form.service_fields())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                request.session["notice"] = _("The incident sheet is saved.")
                return redirect("cases:incident_detail", pk=sheet.pk)
        status = 400
    else:
        form = IncidentForm(initial=_incident_initial(sheet), **options)
        status = 200
    language = page_language()
    context = {
        "form": form,
        "sheet": sheet,
        "entry_rows": presentation.entry_rows(list(form.entry_objects.values()), language),
        "source_row": None,
    }
    return render(request, "cases/incident_form.html", context, status=status)


# --- persons (pseudonymous records and the person's rights) ---------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def person_list(request):
    """The association's persons, searched by code. Every listing is recorded in the trail,
    like the API's list: the codes of a page are personal data. A search is posted, never put
    in the URL, so that what was typed (part of a person's code) stays out of access logs."""
    code_search = request.POST.get("q", "").strip()[:30] if request.method == "POST" else ""
    page_number = request.POST.get("page") if request.method == "POST" else request.GET.get("page")
    persons = selectors.person_summaries_for_association(
        association=request.association, code_search=code_search
    )
    page = Paginator(persons, PERSONS_PER_PAGE).get_page(page_number)
    audit.persons_listed(
        association_id=request.association.pk, actor=request.user, route="cases:person_list"
    )
    context = {
        "page": page,
        "persons": [
            {"person": person, "language": exports.person_language_label(person.language)}
            for person in page
        ],
        "code_search": code_search,
        "notice": request.session.pop("notice", None),
    }
    return render(request, "cases/person_list.html", context)


# The sections of a person's page after their summary, one per kind of related record
# (`selectors.PERSON_RELATED_READERS`), in this order; shown only when the person has some.
PERSON_SECTIONS = {
    "orientations": (gettext_lazy("Orientations"), "cases/_person_orientations.html"),
}
# The actions an app above the log offers at the head of a person's page, as (URL name taking
# the person's id, label): mandates registers "Record a mandate", shown before the first one.
PERSON_ACTIONS: list[tuple[str, str]] = []


@require_GET
@member_required
def person_detail(request, pk):
    """One person on one screen: the summary and "new entry for them" first, the records that
    follow them when there are some, then their entries, a page at a time and folded, and
    their incident sheets. The record is the export document, labelled."""
    document = _person_document_or_404(request, pk)
    person = _person_or_404(request, pk)
    record = exports.person_record(document, page_language())
    audit.person_read(person=person, actor=request.user)
    related = selectors.person_related_for_association(
        association=request.association, person=person
    )
    sections = [
        {"kind": kind, "title": title, "template": template, "rows": related[kind]}
        for kind, (title, template) in PERSON_SECTIONS.items()
        if related.get(kind)
    ]
    entries = record["entries"]
    entries_page = Paginator(entries, PERSON_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    for entry in entries_page:
        entry["more_pairs"] = list(zip(record["more_headers"], entry["more"], strict=True))
    context = {
        "record": record,
        "person": record["person"],
        "entry_count": len(entries),
        "last_entry_on": entries[0]["occurred_on"] if entries else None,
        "entries_page": entries_page,
        "sections": sections,
        "new_entry_url": f"{reverse('cases:today')}?person={person.pk}",
        "person_actions": [
            (reverse(name, args=[person.pk]), label) for name, label in PERSON_ACTIONS
        ],
        "may_erase": ERASE_RULE.allows(request.seat),
        "pdf_unavailable_message": (
            "" if exports.pdf_available() else exports.pdf_unavailable_message()
        ),
    }
    return render(request, "cases/person_detail.html", context)


@require_GET
@member_required
def person_export_json(request, pk):
    """The person's data exactly as GET /api/v1/persons/{id}/export/ gives it, to download."""
    document = _person_document_or_404(request, pk)
    audit.person_exported(person=_person_or_404(request, pk), actor=request.user, format="json")
    return _person_download(
        exports.person_json_bytes(document), "application/json; charset=utf-8", document, "json"
    )


@require_GET
@member_required
def person_export_pdf(request, pk):
    """The same data, laid out for the person to read, in the language of the page."""
    document = _person_document_or_404(request, pk)
    person = _person_or_404(request, pk)
    if not exports.pdf_available():
        context = {"person": person, "message": exports.pdf_unavailable_message()}
        return render(request, "cases/person_pdf_unavailable.html", context, status=503)
    language = page_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    content = exports.person_pdf_bytes(document, association=request.association, language=language)
    audit.person_exported(person=person, actor=request.user, format="pdf")
    return _person_download(content, "application/pdf", document, "pdf")


def _person_download(content: bytes, content_type: str, document: dict, extension: str):
    response = HttpResponse(content, content_type=content_type)
    name = exports.person_file_name(document, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@member_required
def person_erase_view(request, pk):
    """Right to erasure, in two steps that are both POST: the first shows what will happen,
    the second (with `confirm`) erases through `person_erase`, exactly as the API does."""
    person = _person_or_404(request, pk)
    if not ERASE_RULE.allows(request.seat):
        raise PermissionDenied(_("You may not erase a person."))
    if request.POST.get("confirm") != "yes":
        # The confirmation shows the person's code: a read of the record like any other.
        audit.person_read(person=person, actor=request.user)
        summary = selectors.person_summary_get_for_association(
            association=request.association, pk=person.pk
        )
        context = {"person": person, "entry_count": summary.entry_count}
        return render(request, "cases/person_erase_confirm.html", context)
    person_erase(person=person, actor=request.user)
    # The message does not repeat the code: nothing of the person outlives the erasure.
    request.session["notice"] = _(
        "The person is erased. Their entries are kept for the figures, without the link to "
        "the person and without notes."
    )
    return redirect("cases:person_list")


# --- small JSON endpoints for entry.js ------------------------------------------------------


@require_GET
@member_json
def institutions_json(request):
    """Search-as-you-type over the registry: the shared bodies and the association's own."""
    language = page_language()
    found = institution_search(
        request.GET.get("q", ""), association_id=request.association.pk, language=language
    )
    results = [presentation.institution_option(institution, language) for institution in found]
    return JsonResponse({"results": results})


@require_POST
@member_json
def persons_json(request):
    """The association's persons whose code starts with what was typed (posted, so that the
    typed code stays out of the URLs that access logs keep)."""
    persons = selectors.persons_with_code_starting(
        association=request.association, typed=request.POST.get("q", "")
    )
    return JsonResponse({"results": [{"code": p.code, "language": p.language} for p in persons]})


@require_POST
@member_json
def scan_json(request):
    """Identifiers in a text being typed: where they are and the text with them masked."""
    text = request.POST.get("text", "")[:20000]
    findings = identifiers.scan(text)
    return JsonResponse(
        {
            "findings": [presentation.identifier_finding(f) for f in findings],
            "masked": identifiers.mask(text, findings),
        }
    )
