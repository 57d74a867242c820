"""The social worker's pages: the day's log, incident sheets and the person's receipt.

Views parse the request with a form, call `cases.services` for every write and read through
the association of the logged-in member: another association's entry is a 404. Each page works
as plain HTML forms (POST, redirect); entry.js makes it faster (fragments, search-as-you-type,
scanning notes as they are typed) without changing what the server accepts.
"""

import datetime as dt
import time
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import services as audit
from organisations.access import Rule, seat_required
from privacy import identifiers
from referrals.models import Institution
from taxonomy import get_taxonomy

from . import exports, selectors
from .forms import EntryForm, IncidentForm, entry_initial, institution_search
from .models import AssistanceRequest, IncidentSheet, Person, RequestBarrier, RequestSensitiveFlag
from .services import (
    assistance_request_create,
    assistance_request_delete,
    assistance_request_links,
    assistance_request_links_restore,
    assistance_request_update,
    incident_sheet_create,
    person_create,
    person_erase,
)

# Who may erase a person: the same seats as DELETE /api/v1/persons/{id}/ (workers and
# directors of the person's association).
ERASE_RULE = Rule.ASSOCIATION_MEMBER
PERSONS_PER_PAGE = 50
UNDO_SECONDS = 10
USUAL_WINDOW = 30  # the worker's last entries that decide the preselected values
DEFAULT_USUAL = {
    "mode": "do_with",
    "outcome": "resolved",
    "consent": "not_applicable",
    "channel": "on_site",
}
RECEIPT_LANGUAGES = ("fr", "nl", "en")

IDENTIFIER_LABELS = {
    identifiers.NATIONAL_NUMBER: gettext_lazy("national register number"),
    identifiers.IBAN: gettext_lazy("bank account number (IBAN)"),
    identifiers.PHONE: gettext_lazy("phone number"),
    identifiers.EMAIL: gettext_lazy("e-mail address"),
    identifiers.PIN: gettext_lazy("secret code (PIN)"),
}


# --- access --------------------------------------------------------------------------------


# A worker or director of an association; `request.association` is theirs.
member_required = seat_required(Rule.ASSOCIATION_MEMBER)
# The same seats, answered in JSON (a 403, never the login page) for the page's scripts.
member_json = seat_required(
    Rule.ASSOCIATION_MEMBER,
    message=gettext_lazy("Log in as a member of an association."),
    json=True,
)


def _entry_or_404(request, pk) -> AssistanceRequest:
    entry = (
        AssistanceRequest.objects.for_association(request.association)
        .select_related("referred_by", "responsible_institution", "person")
        .filter(pk=pk)
        .first()
    )
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
    person = selectors.person_list_for_association(association=request.association).filter(pk=pk)
    person = person.first()
    if person is None:
        raise Http404
    return person


def _is_fragment(request) -> bool:
    return request.headers.get("X-Fragment") == "1"


# --- reads for the page ---------------------------------------------------------------------


def _usual_values(user, association) -> dict:
    """The worker's most frequent choices over their last entries, to preselect them."""
    recent = list(
        AssistanceRequest.objects.for_association(association)
        .filter(created_by=user)
        .order_by("-id")
        .values_list("id", "mode", "outcome", "consent", "channel")[:USUAL_WINDOW]
    )
    usual = dict(DEFAULT_USUAL)
    if not recent:
        return usual
    for position, name in enumerate(("mode", "outcome", "consent", "channel"), start=1):
        usual[name] = Counter(row[position] for row in recent).most_common(1)[0][0]
    ids = [row[0] for row in recent]
    for name, model in (("barriers", RequestBarrier), ("sensitive_flags", RequestSensitiveFlag)):
        codes = model.objects.filter(assistance_request_id__in=ids).values_list("code", flat=True)
        usual[name] = [code for code, _n in Counter(codes).most_common()]
    return usual


def _kind_or_institution(kind, institution, language):
    if institution is not None:
        return institution.name
    return get_taxonomy().label("referrer_types", kind, language)


def _entry_rows(entries, language):
    taxonomy = get_taxonomy()
    rows = []
    for entry in entries:
        rows.append(
            {
                "entry": entry,
                "procedure": taxonomy.label("procedure_domains", entry.procedure_domain, language),
                "referrer": _kind_or_institution(entry.referrer_kind, entry.referred_by, language),
                "responsible": _kind_or_institution(
                    entry.responsible_kind, entry.responsible_institution, language
                ),
                "mode": taxonomy.label("assistance_modes", entry.mode, language),
                "outcome": taxonomy.label("outcomes", entry.outcome, language),
                "barriers": [
                    taxonomy.label("digital_barriers", b.code, language)
                    for b in entry.barriers.all()
                ],
            }
        )
    return rows


def _day_entries(request, day):
    return list(
        AssistanceRequest.objects.for_association(request.association)
        .filter(created_by=request.user, occurred_on=day)
        .select_related("referred_by", "responsible_institution", "person")
        .prefetch_related("barriers")
        .order_by("-id")
    )


def _pending_undo(request):
    undo = request.session.get("undo")
    if not undo:
        return None
    remaining = UNDO_SECONDS - (time.time() - undo["at"])
    if remaining <= 0:
        return None
    return {"summary": undo["summary"], "remaining": max(1, int(remaining))}


def _hours_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    return _("%(h)d h %(m)02d") % {"h": hours, "m": rest}


def _render_today(request, form=None, status=200):
    language = (get_language() or "fr")[:2]
    today = timezone.localdate()
    if form is None:
        form = EntryForm(usual=_usual_values(request.user, request.association))
    entries = _day_entries(request, today)
    total = sum(e.duration_minutes for e in entries)
    context = {
        "form": form,
        "rows": _entry_rows(entries, language),
        "total_minutes": total,
        "total_display": _hours_minutes(total),
        "today": today,
        "undo": _pending_undo(request),
        "association": request.association,
        "notice": request.session.pop("notice", None),
    }
    template = "cases/_today_main.html" if _is_fragment(request) else "cases/today.html"
    return render(request, template, context, status=status)


# --- writes -----------------------------------------------------------------------------------


def _person_for(request, form):
    """The person of the entry: found by code, or created with that pseudonymous code."""
    code = (form.cleaned_data.get("person_code") or "").strip()
    if not code:
        return None
    person = Person.objects.for_association(request.association).filter(code__iexact=code).first()
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
    kinds = sorted({str(IDENTIFIER_LABELS[f.kind]) for f in findings})
    form.identifiers_found = True
    form.add_error(
        field,
        _("This text contains a %(kinds)s: mask it, or keep it on purpose.")
        % {"kinds": ", ".join(kinds)},
    )
    return False


def _save_entry(request, form, entry=None):
    """Write through the services; on a refusal, put each message next to its field."""
    if not form.is_valid() or not _identifiers_settled(form, "notes"):
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
        form = EntryForm(request.POST, association_id=request.association.pk)
        entry = _save_entry(request, form)
        if entry is None:
            # The worker's usual codes only order the chips: looked up when they are shown.
            form.usual = _usual_values(request.user, request.association)
            return _render_today(request, form=form, status=400)
        request.session.pop("undo", None)
        if _is_fragment(request):
            return _render_today(request)
        return redirect("cases:today")
    return _render_today(request)


@member_required
def entry_edit(request, pk):
    entry = _entry_or_404(request, pk)
    usual = _usual_values(request.user, request.association)
    if request.method == "POST":
        form = EntryForm(request.POST, usual=usual, association_id=request.association.pk)
        if _save_entry(request, form, entry=entry) is not None:
            if _is_fragment(request):
                return _render_today(request)
            return redirect("cases:today")
        status = 400
    else:
        form = EntryForm(initial=entry_initial(entry), usual=usual)
        status = 200
    template = "cases/_entry_edit.html" if _is_fragment(request) else "cases/entry_edit.html"
    return render(request, template, {"form": form, "entry": entry}, status=status)


def _undo_values(entry) -> dict:
    return {
        "occurred_on": entry.occurred_on.isoformat(),
        "duration_minutes": entry.duration_minutes,
        "channel": entry.channel,
        "procedure_domain": entry.procedure_domain,
        "referrer_kind": entry.referrer_kind,
        "referred_by": entry.referred_by_id,
        "responsible_kind": entry.responsible_kind,
        "responsible_institution": entry.responsible_institution_id,
        "barriers": entry.barrier_codes,
        "mode": entry.mode,
        "outcome": entry.outcome,
        "consent": entry.consent,
        "sensitive_flags": entry.sensitive_flag_codes,
        "person": entry.person_id,
        "notes": entry.notes,
    }


@require_POST
@member_required
def entry_delete(request, pk):
    entry = _entry_or_404(request, pk)
    language = (get_language() or "fr")[:2]
    procedure = get_taxonomy().label("procedure_domains", entry.procedure_domain, language)
    summary = f"{procedure} — {_hours_minutes(entry.duration_minutes)}"
    values, links = _undo_values(entry), assistance_request_links(entry)
    assistance_request_delete(entry=entry, actor=request.user)
    # The deleted values stay in the session a few seconds, so that "Undo" can log them again.
    request.session["undo"] = {
        "values": values,
        "links": links,
        "at": time.time(),
        "summary": summary,
    }
    if _is_fragment(request):
        return _render_today(request)
    return redirect("cases:today")


@require_POST
@member_required
def entry_undo(request):
    undo = request.session.pop("undo", None)
    if not undo or time.time() - undo["at"] > UNDO_SECONDS + 5:
        # The page hides the button after UNDO_SECONDS; a few seconds of grace cover slow
        # networks and keyboards.
        request.session["notice"] = _("Too late to undo: log the entry again.")
    else:
        values = dict(undo["values"])
        values["occurred_on"] = dt.date.fromisoformat(values["occurred_on"])
        for field in ("referred_by", "responsible_institution"):
            values[field] = Institution.objects.filter(pk=values[field]).first()
        values["person"] = (
            Person.objects.for_association(request.association).filter(pk=values["person"]).first()
        )
        try:
            with transaction.atomic():
                entry = assistance_request_create(
                    association=request.association, actor=request.user, **values
                )
                assistance_request_links_restore(entry=entry, links=undo.get("links", {}))
        except ValidationError:
            request.session["notice"] = _("The entry could not be restored: log it again.")
    if _is_fragment(request):
        return _render_today(request)
    return redirect("cases:today")


# --- receipt ----------------------------------------------------------------------------------

MODE_SENTENCES = {
    "do_for": gettext_lazy("Your social worker did the procedure for you."),
    "do_with": gettext_lazy("You did the procedure together with your social worker."),
    "inform": gettext_lazy("Your social worker explained the letter or the procedure to you."),
    "orient_epn": gettext_lazy(
        "Your social worker sent you to a public digital space (EPN) for help with the computer."
    ),
    "orient_other": gettext_lazy("Your social worker sent you to another service."),
    "intercede": gettext_lazy("Your social worker contacted the institution for you."),
    "non_digital_alt": gettext_lazy(
        "Your social worker asked the institution for a way without internet: a counter, "
        "a paper form or a phone call."
    ),
    "accompany": gettext_lazy("Your social worker went with you to the counter."),
    "complaint": gettext_lazy("Your social worker helped you make a complaint or a report."),
}
OUTCOME_SENTENCES = {
    "resolved": gettext_lazy("The procedure is done. There is nothing more to do."),
    "partial": gettext_lazy("Part of the procedure is done. Come back for the rest."),
    "pending_inst": gettext_lazy(
        "We are waiting for the institution's answer. Keep its letters and come back when it "
        "answers."
    ),
    "pending_person": gettext_lazy(
        "You still need to bring documents or codes. Come back with them."
    ),
    "postponed_technical": gettext_lazy(
        "The website or the system did not work. Come back so that we can try again."
    ),
    "redirected": gettext_lazy("Another service will help you further."),
    "abandoned": gettext_lazy("You chose to stop this procedure. You can come back at any time."),
    "impossible": gettext_lazy(
        "There was no way to do this procedure. Come back if you want to try another way."
    ),
    "rights_lost": gettext_lazy(
        "You may have lost a right. Come back if you want help to contest it."
    ),
}
CONSENT_SENTENCES = {
    "written": gettext_lazy("You gave your written consent."),
    "oral": gettext_lazy("You gave your consent orally."),
    "none": gettext_lazy("You did not give your consent."),
    "not_applicable": gettext_lazy("No password, code or personal data of yours was used."),
}


@require_GET
@member_required
def entry_receipt(request, pk):
    """A one-page note for the person, in their language: what was done, for whom, what next.

    It never shows the notes (they may hold identifiers) nor the person's code."""
    entry = _entry_or_404(request, pk)
    language = request.GET.get("lang")
    if language not in RECEIPT_LANGUAGES:
        person_language = entry.person.language if entry.person else ""
        language = (
            person_language
            if person_language in RECEIPT_LANGUAGES
            else (get_language() or "fr")[:2]
        )
    taxonomy = get_taxonomy()
    with translation.override(language):
        context = {
            "entry": entry,
            "association": request.association,
            "language": language,
            "languages": RECEIPT_LANGUAGES,
            "procedure": taxonomy.label("procedure_domains", entry.procedure_domain, language),
            "body": _kind_or_institution(
                entry.responsible_kind, entry.responsible_institution, language
            ),
            "done": str(MODE_SENTENCES.get(entry.mode, "")),
            "consent": str(CONSENT_SENTENCES.get(entry.consent, "")),
            "next": str(OUTCOME_SENTENCES.get(entry.outcome, "")),
            "sensitive": bool(entry.sensitive_flag_codes),
        }
        return render(request, "cases/receipt.html", context)


# --- incident sheets --------------------------------------------------------------------------


def _recent_entries(request, days=7):
    since = timezone.localdate() - dt.timedelta(days=days)
    return list(
        AssistanceRequest.objects.for_association(request.association)
        .filter(created_by=request.user, occurred_on__gte=since)
        .select_related("referred_by", "responsible_institution", "person")
        .prefetch_related("barriers")
        .order_by("-occurred_on", "-id")[:50]
    )


@require_GET
@member_required
def incident_list(request):
    sheets = (
        IncidentSheet.objects.for_association(request.association)
        .select_related("responsible_institution")
        .order_by("-occurred_on", "-id")[:100]
    )
    context = {"sheets": sheets, "notice": request.session.pop("notice", None)}
    return render(request, "cases/incident_list.html", context)


@member_required
def incident_create(request):
    language = (get_language() or "fr")[:2]
    entries = _recent_entries(request)
    if request.method == "POST":
        form = IncidentForm(request.POST, entries=entries, association_id=request.association.pk)
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
        initial = {}
        if request.GET.get("entry"):
            initial["entries"] = [request.GET["entry"]]
        form = IncidentForm(initial=initial, entries=entries)
        status = 200
    context = {"form": form, "entry_rows": _entry_rows(entries, language)}
    return render(request, "cases/incident_form.html", context, status=status)


# --- persons (pseudonymous records and the person's rights) ---------------------------------


@require_GET
@member_required
def person_list(request):
    """The association's persons, searched by code. Every listing is recorded in the trail,
    like the API's list: the codes of a page are personal data."""
    code_search = request.GET.get("q", "").strip()[:30]
    persons = selectors.person_summaries_for_association(
        association=request.association, code_search=code_search
    )
    page = Paginator(persons, PERSONS_PER_PAGE).get_page(request.GET.get("page"))
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


@require_GET
@member_required
def person_detail(request, pk):
    """One person's record, entries and incident sheets: the export document, labelled."""
    document = _person_document_or_404(request, pk)
    language = (get_language() or "fr")[:2]
    record = exports.person_record(document, language)
    audit.person_read(person=_person_or_404(request, pk), actor=request.user)
    context = {
        "record": record,
        "person": record["person"],
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
    language = (get_language() or "fr")[:2]
    if language not in RECEIPT_LANGUAGES:
        language = "fr"
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
        context = {"person": person, "entry_count": person.assistance_requests.count()}
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
    language = (get_language() or "fr")[:2]
    taxonomy = get_taxonomy()
    found = institution_search(
        request.GET.get("q", ""), association_id=request.association.pk, language=language
    )
    results = []
    for institution in found:
        name = institution.display_name(language)
        results.append(
            {
                "id": institution.pk,
                "name": name,
                "postcode": institution.postcode,
                "kind": institution.kind,
                "kind_label": taxonomy.label("referrer_types", institution.kind, language),
                "label": f"{name} ({institution.postcode})" if institution.postcode else name,
            }
        )
    return JsonResponse({"results": results})


@require_GET
@member_json
def persons_json(request):
    """The association's persons whose code starts with what was typed."""
    persons = selectors.persons_with_code_starting(
        association=request.association, typed=request.GET.get("q", "")
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
            "findings": [
                {**f.as_dict(), "label": str(IDENTIFIER_LABELS[f.kind])} for f in findings
            ],
            "masked": identifiers.mask(text, findings),
        }
    )
