"""Reads of dossiers and of the shared incident sheets a federation's analysts may see.

An analyst reads a sheet only when its association shares with the analyst's federation now
and the sheet itself is marked shared; the sheet's free text passes the identifier scan on
the way out (whatever the scan finds is blanked), and the association's name is left out
unless the association chose to sign its shared sheets.
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from cases.models import AssistanceRequest, IncidentSheet
from evidence.selectors import MIN_ASSOCIATIONS, federation_k, sharing_association_ids
from organisations.models import Association, Federation
from privacy import identifiers
from referrals.models import Institution
from taxonomy import get_taxonomy
from workload.selectors import Period, statements_for_association

from .models import Dossier

# --- Shared sheets, as a federation's analyst reads them -----------------------------------


def shared_sheet_list_for_federation(*, federation: Federation) -> QuerySet[IncidentSheet]:
    """The shared sheets of the federation's sharing members, newest first."""
    return (
        IncidentSheet.objects.filter(
            association_id__in=sharing_association_ids(federation), shared=True
        )
        .select_related("association", "responsible_institution")
        .prefetch_related(Prefetch("entries", queryset=AssistanceRequest.objects.only("id")))
        .order_by("-occurred_on", "-id")
    )


def shared_sheet_get_for_federation(*, federation: Federation, pk) -> IncidentSheet | None:
    return shared_sheet_list_for_federation(federation=federation).filter(pk=pk).first()


def masked_text(text: str) -> str:
    """Free text as it may leave its association: every identifier the scan finds, blanked."""
    return identifiers.mask(text or "")


def association_shown_name(association: Association) -> str | None:
    """The association's name on its shared sheets, or None when it keeps it to itself."""
    return association.name if association.name_shown_on_shared_sheets else None


def masked_sheet(sheet: IncidentSheet, language: str | None = None) -> dict:
    """A shared sheet as an analyst reads it: scanned text, codes, the institution, the number
    of entries it documents (never the entries), and the association only if it signs."""
    taxonomy = get_taxonomy()
    language = language or "fr"
    institution = sheet.responsible_institution
    return {
        "id": sheet.pk,
        "occurred_on": sheet.occurred_on,
        "title": masked_text(sheet.title),
        "narrative": masked_text(sheet.narrative),
        "procedure_domain": sheet.procedure_domain or None,
        "procedure_label": (
            taxonomy.label("procedure_domains", sheet.procedure_domain, language)
            if sheet.procedure_domain
            else ""
        ),
        "responsible_kind": sheet.responsible_kind or None,
        "responsible_kind_label": (
            taxonomy.label("referrer_types", sheet.responsible_kind, language)
            if sheet.responsible_kind
            else ""
        ),
        "responsible_institution": institution.pk if institution else None,
        "responsible_institution_name": institution.name if institution else None,
        "barriers": list(sheet.barriers or []),
        "barrier_labels": [
            taxonomy.label("digital_barriers", b, language) for b in sheet.barriers or []
        ],
        "entries_count": len(sheet.entries.all()),
        "association": association_shown_name(sheet.association),
    }


def own_sheet(sheet: IncidentSheet, language: str | None = None) -> dict:
    """One of the director's own sheets, as the dossier prints it: as written, and signed."""
    data = masked_sheet(sheet, language)
    data.update(title=sheet.title, narrative=sheet.narrative, association=sheet.association.name)
    return data


# --- Dossiers -------------------------------------------------------------------------------


def dossier_list_for_owner(*, association=None, federation=None) -> QuerySet[Dossier]:
    """The dossiers of one association or of one federation; nobody else's, ever."""
    if association is not None:
        dossiers = Dossier.objects.filter(association=association)
    elif federation is not None:
        dossiers = Dossier.objects.filter(federation=federation)
    else:
        return Dossier.objects.none()
    return (
        dossiers.select_related("institution")
        .prefetch_related("sheets")
        .order_by("-created_at", "-id")
    )


def dossier_get_for_owner(*, pk, association=None, federation=None) -> Dossier | None:
    return (
        dossier_list_for_owner(association=association, federation=federation).filter(pk=pk).first()
    )


def _in_period(sheets, period: Period):
    year, month = map(int, period.end.split("-"))
    first = dt.date(*map(int, period.start.split("-")), 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return sheets.filter(occurred_on__gte=first, occurred_on__lte=last)


def dossier_institution_choices(*, association=None, federation=None) -> list:
    """The institutions a dossier may be addressed to: those the owner's sheets name."""
    if association is not None:
        sheets = IncidentSheet.objects.for_association(association)
    elif federation is not None:
        sheets = shared_sheet_list_for_federation(federation=federation)
    else:
        return []
    ids = sheets.exclude(responsible_institution=None).values("responsible_institution_id")
    return list(Institution.objects.filter(pk__in=ids).order_by("name", "pk"))


def dossier_candidate_sheets(
    *, institution, period: Period, association=None, federation=None
) -> QuerySet[IncidentSheet]:
    """The sheets a dossier for `institution` and `period` may hold: the association's own
    sheets naming it, or the federation's shared ones naming it, in the period."""
    if association is not None:
        sheets = IncidentSheet.objects.for_association(association).select_related(
            "association", "responsible_institution"
        )
    elif federation is not None:
        sheets = shared_sheet_list_for_federation(federation=federation)
    else:
        return IncidentSheet.objects.none()
    return _in_period(sheets.filter(responsible_institution=institution), period).order_by(
        "occurred_on", "id"
    )


def dossier_period(dossier: Dossier) -> Period:
    return Period(dossier.period_from, dossier.period_to)


def dossier_visible_sheets(dossier: Dossier) -> list[IncidentSheet]:
    """The dossier's sheets that its owner may still read: a federation's dossier loses the
    sheets whose association stopped sharing or that were unshared since."""
    sheets = dossier.sheets.select_related("association", "responsible_institution")
    if dossier.federation_id is not None:
        sheets = sheets.filter(
            association_id__in=sharing_association_ids(dossier.federation), shared=True
        )
    else:
        sheets = sheets.filter(association_id=dossier.association_id)
    return list(sheets.order_by("occurred_on", "id"))


_SUMMED = (
    "transferred_requests",
    "transferred_minutes",
    "referred_transferred_requests",
    "referred_transferred_minutes",
    "non_take_up",
    "once_only_violations",
)


def _statement_for(association: Association, institution, period: Period) -> dict | None:
    """The association's statement for `institution` over `period`, as the statements page
    computes it (the same function: no second reckoning)."""
    for statement in statements_for_association(association=association, period=period):
        if statement["institution"] and statement["institution"]["id"] == institution.pk:
            return statement
    return None


def dossier_figures(dossier: Dossier) -> dict:
    """The figures of the statements for the dossier's institution and period.

    A director's: the association's own statement. An analyst's: the statements of the
    federation's sharing members summed, under the federation's disclosure rule (fewer than
    k transferred entries or fewer than three associations and the figures are withheld)."""
    period = dossier_period(dossier)
    empty = dict.fromkeys(_SUMMED, 0) | {
        "transferred_value_eur": Decimal("0.00"),
        "referred_transferred_value_eur": Decimal("0.00"),
    }
    if dossier.association_id is not None:
        statement = _statement_for(dossier.association, dossier.institution, period)
        figures = {**empty, **{k: statement[k] for k in empty}} if statement else empty
        return {**figures, "associations": 1, "suppressed": False}
    totals, associations = dict(empty), 0
    members = Association.objects.filter(pk__in=sharing_association_ids(dossier.federation))
    for association in members.order_by("pk"):
        statement = _statement_for(association, dossier.institution, period)
        if statement is None:
            continue
        associations += 1
        for key in empty:
            totals[key] += statement[key]
    withheld = (
        totals["transferred_requests"] < federation_k(dossier.federation)
        or associations < MIN_ASSOCIATIONS
    )
    if withheld:
        totals = dict.fromkeys(empty)
    return {**totals, "associations": associations, "suppressed": withheld}


def dossier_document(dossier: Dossier, language: str | None = None) -> dict:
    """What the dossier's page and PDF show: the facts (the sheets), the figures, the reply."""
    sheets = dossier_visible_sheets(dossier)
    present = own_sheet if dossier.association_id is not None else masked_sheet
    return {
        "dossier": dossier,
        "institution": dossier.institution,
        "institution_name": dossier.institution.display_name(language),
        "institution_lines": dossier.institution.postal_lines(language),
        "period": dossier_period(dossier),
        "owner_name": (dossier.association or dossier.federation).name,
        "sheets": [present(sheet, language) for sheet in sheets],
        "figures": dossier_figures(dossier),
    }
