"""Pages of the dossiers and of the shared incident sheets.

An analyst reads the shared sheets of the federation's sharing members, masked; a director
and an analyst group sheets into a dossier for one institution, export it as PDF and record
what became of it. Every read goes through `selectors` with the caller's own association or
federation: another owner's dossier, or a sheet not shared, is a 404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from organisations.access import Rule, seat_required
from rendering.pdf import pdf_available
from workload.exports import pdf_unavailable_message
from workload.selectors import period_parse

from . import selectors, services
from .documents import dossier_pdf
from .models import Fixed

analyst_only = seat_required(Rule.ANALYST)
dossier_owner = seat_required(Rule.DIRECTOR_OR_ANALYST)


def _language() -> str:
    return (get_language() or "fr")[:2]


def _owner(request) -> dict:
    return {"association": request.seat.association, "federation": request.seat.federation}


def _dossier_or_404(request, pk):
    dossier = selectors.dossier_get_for_owner(pk=pk, **_owner(request))
    if dossier is None:
        raise Http404
    return dossier


# --- Shared sheets, for the federation's analysts --------------------------------------------


@require_GET
@analyst_only
def shared_incident_list(request):
    sheets = selectors.shared_sheet_list_for_federation(federation=request.federation)
    language = _language()
    rows = [selectors.masked_sheet(sheet, language) for sheet in sheets[:200]]
    return render(request, "dossiers/shared_incident_list.html", {"sheets": rows})


@require_GET
@analyst_only
def shared_incident_detail(request, pk):
    sheet = selectors.shared_sheet_get_for_federation(federation=request.federation, pk=pk)
    if sheet is None:
        raise Http404
    context = {"sheet": selectors.masked_sheet(sheet, _language())}
    return render(request, "dossiers/shared_incident_detail.html", context)


# --- Dossiers ---------------------------------------------------------------------------------


@require_GET
@dossier_owner
def dossier_list(request):
    dossiers = selectors.dossier_list_for_owner(**_owner(request))
    context = {"dossiers": dossiers, "notice": request.session.pop("notice", None)}
    return render(request, "dossiers/dossier_list.html", context)


def _field_errors(exc: ValidationError) -> dict:
    # The page's period fields are `from` and `to`, the service's `period_from`/`period_to`.
    names = {"period_from": "from", "period_to": "to"}
    return {names.get(k, k): v for k, v in exc.message_dict.items()}


@require_http_methods(["GET", "POST"])
@dossier_owner
def dossier_create(request):
    """Choose the institution and the period, then the sheets; the dossier is built from them."""
    owner = _owner(request)
    if request.method == "POST":
        institution_id = request.POST.get("institution", "")
        month_from, month_to = request.POST.get("from", ""), request.POST.get("to", "")
    else:
        institution_id = request.GET.get("institution", "")
        month_from, month_to = request.GET.get("from", ""), request.GET.get("to", "")
    institutions = selectors.dossier_institution_choices(**owner)
    institution = next((i for i in institutions if str(i.pk) == institution_id), None)
    errors, candidates = {}, []
    if institution is not None and month_from and month_to:
        try:
            period = period_parse(month_from, month_to)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            candidates = list(
                selectors.dossier_candidate_sheets(institution=institution, period=period, **owner)
            )
    status = 200
    if request.method == "POST":
        try:
            dossier = services.dossier_create(
                **owner,
                actor=request.user,
                institution=institution.pk if institution else None,
                period_from=month_from,
                period_to=month_to,
                sheets=request.POST.getlist("sheets"),
                title=request.POST.get("title", ""),
            )
        except ValidationError as exc:
            errors, status = _field_errors(exc), 400
        else:
            request.session["notice"] = _("The dossier is built.")
            return redirect("dossiers:dossier_detail", pk=dossier.pk)
    language = _language()
    present = selectors.own_sheet if owner["association"] else selectors.masked_sheet
    context = {
        "institutions": institutions,
        "institution": institution,
        "month_from": month_from,
        "month_to": month_to,
        "candidates": [present(sheet, language) for sheet in candidates],
        "chosen": set(request.POST.getlist("sheets")),
        "title": request.POST.get("title", ""),
        "errors": errors,
    }
    return render(request, "dossiers/dossier_form.html", context, status=status)


def _detail_context(request, dossier, errors=None, posted=None) -> dict:
    return {
        **selectors.dossier_document(dossier, _language()),
        "fixed_choices": Fixed.choices,
        "errors": errors or {},
        "posted": posted,
        "pdf_available": pdf_available(),
        "notice": request.session.pop("notice", None),
    }


@require_GET
@dossier_owner
def dossier_detail(request, pk):
    dossier = _dossier_or_404(request, pk)
    return render(request, "dossiers/dossier_detail.html", _detail_context(request, dossier))


@require_POST
@dossier_owner
def dossier_reply(request, pk):
    """Record when it was sent, the reply, when it came and whether the problem was fixed."""
    dossier = _dossier_or_404(request, pk)
    posted = {name: request.POST.get(name, "") for name in services.REPLY_FIELDS}
    try:
        services.dossier_record_reply(dossier=dossier, actor=request.user, **posted)
    except ValidationError as exc:
        dossier.refresh_from_db()
        context = _detail_context(request, dossier, exc.message_dict, posted)
        return render(request, "dossiers/dossier_detail.html", context, status=400)
    request.session["notice"] = _("The follow-up of the dossier is saved.")
    return redirect("dossiers:dossier_detail", pk=dossier.pk)


@require_GET
@dossier_owner
def dossier_export_pdf(request, pk):
    dossier = _dossier_or_404(request, pk)
    if not pdf_available():
        return HttpResponse(pdf_unavailable_message(), status=503, content_type="text/plain")
    exported = dossier_pdf(dossier, _language())
    audit.dossier_exported(dossier=dossier, actor=request.user)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
