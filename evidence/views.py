"""The federation's pages (analysts), a director's sharing choice, and the open-data pages of
published releases, which anyone may read without an account.

Thin: figures come from `selectors.federation_aggregates`, releases from `services`.
"""

import json
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from organisations.access import Rule, request_federation, seat_check, seat_required
from referrals.models import Institution
from rendering import numbers
from rendering.files import CONTENT_TYPES
from rendering.tables import EXCEL_BE, Sheet, csv_bytes
from workload.metrics import PUBLISHED_METRICS
from workload.models import DIMENSIONS, INSTITUTION_DIMENSIONS, TOTAL
from workload.presentation import column_label, group_label
from workload.selectors import Period, dimension_parse, period_parse

from . import charts, selectors, services

DEFAULT_MONTHS = 12


def _dimension_labels() -> dict:
    return {
        "referrer_kind": _("who referred the person"),
        "referred_by": _("referring institution"),
        "responsible_kind": _("whose procedure it was"),
        "responsible_institution": _("responsible institution"),
        "procedure_domain": _("procedure domain"),
        "procedure": _("procedure"),
        "barrier": _("digital barrier"),
        "channel": _("channel"),
        "mode": _("assistance mode"),
        "outcome": _("outcome"),
    }


# Analysts of a federation; anyone else who is logged in gets 403.
analyst_only = seat_required(
    Rule.ANALYST, message=gettext_lazy("Only a federation analyst may see this.")
)


def _default_period() -> Period:
    today = timezone.localdate()
    year, month = today.year, today.month - (DEFAULT_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return Period(f"{year:04d}-{month:02d}", f"{today.year:04d}-{today.month:02d}")


def _label(dimension: str | None, group, institutions: dict, language: str) -> str:
    return group_label(dimension, group, language, institutions)


def _display_rows(table: dict, language: str) -> list[dict]:
    dimension = table["group_by"]
    institutions = {}
    if dimension in INSTITUTION_DIMENSIONS:
        institutions = Institution.objects.in_bulk(
            [row["group"] for row in table["rows"] if row["group"] is not None]
        )
    return [
        {
            **row,
            "label": _label(dimension, row["group"], institutions, language),
        }
        for row in table["rows"]
    ]


def _chart(rows: list[dict], grouped: bool, title: str):
    items = [
        (
            f"{row['month']} · {row['label']}" if grouped else row["month"],
            None if row["suppressed"] else row["minutes"],
            None if row["suppressed"] else row["transferred_minutes"],
        )
        for row in rows
    ]
    return charts.bars(items, title=title, number=numbers.hours)


@analyst_only
@require_GET
def dashboard(request):
    federation = request.federation
    language = (translation.get_language() or "fr")[:2]
    errors = {}
    period = _default_period()
    group_by = None
    if request.GET.get("from") or request.GET.get("to"):
        try:
            period = period_parse(request.GET.get("from"), request.GET.get("to"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        group_by = dimension_parse(request.GET.get("group_by"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    context = {
        "federation": federation,
        "period": period,
        "group_by": group_by,
        "errors": errors,
        "dimensions": [(d, _dimension_labels()[d]) for d in DIMENSIONS],
        "releases": selectors.release_list_for_federation(federation).select_related(
            "superseded_by"
        )[:20],
    }
    if not errors:
        tables = selectors.federation_tables(federation, period, [None, group_by])
        total = tables[None]
        rows = _display_rows(total, language)
        context.update(
            table=total,
            rows=rows,
            chart=_chart(rows, False, _("Hours per month, transferred part in red")),
        )
        if group_by:
            grouped = tables[group_by]
            grouped_rows = _display_rows(grouped, language)
            context.update(
                grouped_rows=grouped_rows,
                dimension_label=_dimension_labels()[group_by],
                grouped_chart=_chart(
                    grouped_rows, True, _("Hours per month and group, transferred part in red")
                ),
            )
    return render(request, "evidence/dashboard.html", context)


def _period_problem(request, exc: ValidationError):
    return render(
        request,
        "evidence/problem.html",
        {"errors": exc.message_dict},
        status=400,
    )


def _display_tables(tables: dict, institutions: dict, language: str) -> list[dict]:
    """The 11 tables of a release (the months, then each dimension) as its pages show them.
    `institutions` are the names the release publishes ({id: {"name": …}}): a body seen
    only in suppressed cells stays a number, before publishing as after."""
    named = {int(ident): SimpleNamespace(name=data["name"]) for ident, data in institutions.items()}
    shown = []
    for name in (TOTAL, *DIMENSIONS):
        dimension = None if name == TOTAL else name
        rows = [
            {
                **row,
                "label": _label(
                    dimension,
                    row["group"],
                    named if dimension in INSTITUTION_DIMENSIONS else {},
                    language,
                ),
            }
            for row in tables[name]
        ]
        shown.append(
            {
                "key": name,
                "title": _("Per month") if dimension is None else _dimension_labels()[dimension],
                "grouped": dimension is not None,
                "rows": rows,
                "suppressed": sum(1 for row in rows if row["suppressed"]),
            }
        )
    return shown


def _summary_context(summary: dict) -> dict:
    titles = {TOTAL: _("Per month"), **_dimension_labels()}
    for table in summary["tables"]:
        table["title"] = titles[table["table"]]
    return {"summary": summary}


def _preview(request, draft, *, changed=False, status=200):
    """What the analyst reads before publishing, nothing published yet: the summary first
    (period, totals of the published months, the contributing associations, the cells
    suppressed and why, the earlier releases compared), then the tables, folded."""
    language = (translation.get_language() or "fr")[:2]
    context = {
        "federation": request.federation,
        **_summary_context(draft.summary()),
        "version": draft.version,
        "tables": _display_tables(
            draft.tables, services.release_institution_labels(draft.tables), language
        ),
        "changed": changed,
    }
    return render(request, "evidence/preview.html", context, status=status)


@analyst_only
@require_GET
def release_preview(request):
    try:
        period = period_parse(request.GET.get("from"), request.GET.get("to"))
    except ValidationError as exc:
        return _period_problem(request, exc)
    return _preview(request, selectors.release_draft(request.federation, period))


@analyst_only
@require_POST
def release_publish(request):
    """Publish what the preview showed: when the figures changed since (an association
    stopped sharing, a bundle came in), show the new preview instead of publishing."""
    try:
        period = period_parse(request.POST.get("from"), request.POST.get("to"))
    except ValidationError as exc:
        return _period_problem(request, exc)
    try:
        release = services.release_publish(
            request.federation,
            period,
            actor=request.user,
            confirmed=request.POST.get("confirm"),
        )
    except services.ReleaseChanged as exc:
        return _preview(request, exc.draft, changed=True, status=409)
    return redirect(reverse("evidence:release", args=[request.federation.slug, release.version]))


# --- A director's choice to share ------------------------------------------------------------


@seat_required(
    Rule.ASSOCIATION_MEMBER,
    message=gettext_lazy("Only a worker or director of an association may see this."),
)
def sharing(request):
    memberships = selectors.sharing_list_for_association(request.association)
    if request.method == "POST":
        seat_check(request, Rule.DIRECTOR)
        membership = selectors.sharing_get_for_association(
            request.association, request.POST.get("federation", "")
        )
        if membership is None:
            raise Http404
        change = (
            services.association_resume_sharing
            if request.POST.get("shares") == "yes"
            else services.association_stop_sharing
        )
        change(
            association=request.association, federation=membership.federation, actor=request.user
        )
        return redirect(reverse("evidence:sharing"))
    return render(
        request,
        "evidence/sharing.html",
        {
            "association": request.association,
            "memberships": memberships,
            "is_director": Rule.DIRECTOR.allows(request.seat),
        },
    )


# --- Open data: published releases, for anyone ----------------------------------------------


@require_GET
def open_data(request):
    return render(request, "evidence/open_data.html", {"federations": selectors.open_data_index()})


@require_GET
def release_index(request, federation_slug):
    federation = selectors.federation_get_public(federation_slug)
    releases = selectors.release_list_for_federation(federation).select_related("superseded_by")
    return render(
        request,
        "evidence/release_index.html",
        {"federation": federation, "releases": releases},
    )


@require_GET
def release_page(request, federation_slug, version):
    """Anyone's page of a release: the summary first, then its 11 tables, folded. The
    federation's own analysts also see why cells were suppressed and who contributed."""
    release = selectors.release_get_public(federation_slug=federation_slug, version=version)
    content = json.loads(release.content)
    language = (translation.get_language() or "fr")[:2]
    federation = request_federation(request) if request.user.is_authenticated else None
    private = federation is not None and federation.pk == release.federation_id
    return render(
        request,
        "evidence/release.html",
        {
            "release": release,
            "federation": release.federation,
            "methodology": content["methodology"].get(language, content["methodology"]["en"]),
            "supersedes": content["supersedes"],
            **_summary_context(selectors.release_summary(release, content, private=private)),
            "tables": _display_tables(content["tables"], content["institutions"], language),
        },
    )


@require_GET
def release_json(request, federation_slug, version):
    release = selectors.release_get_public(federation_slug=federation_slug, version=version)
    # The bytes that were hashed, untouched: anyone can check the SHA-256.
    response = HttpResponse(release.content.encode("utf-8"), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(release)}.json"'
    response["X-Content-SHA256"] = release.sha256
    if release.superseded_by_id:
        response["X-Superseded-By"] = str(release.superseded_by.version)
    return response


def _release_sheet(release) -> Sheet:
    content = json.loads(release.content)
    header = ["table", "month", "group", "suppressed", *PUBLISHED_METRICS]
    rows = [
        [
            name,
            row["month"],
            row["group"],
            "true" if row["suppressed"] else "false",
            # Euro values are frozen as text (exact decimals): numbers again in the file.
            *[Decimal(v) if isinstance(v, str) else v for v in (row[m] for m in PUBLISHED_METRICS)],
        ]
        for name, table in _ordered_tables(content)
        for row in table
    ]
    return Sheet(_file_stem(release), header, rows)


def _csv_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def release_csv(request, federation_slug, version):
    """The release for software: the codes as header, comma, decimal point."""
    release = selectors.release_get_public(federation_slug=federation_slug, version=version)
    sheet = _release_sheet(release)
    return _csv_response(csv_bytes(sheet), f"{sheet.title}.csv")


@require_GET
def release_csv_excel(request, federation_slug, version):
    """The release as Excel opens it directly in Belgium, headed in the reader's language."""
    release = selectors.release_get_public(federation_slug=federation_slug, version=version)
    sheet = _release_sheet(release)
    sheet.labels = [
        _("Table"),
        column_label("month"),
        column_label("group"),
        _("Suppressed"),
        *[column_label(m) for m in PUBLISHED_METRICS],
    ]
    return _csv_response(csv_bytes(sheet, EXCEL_BE), f"{sheet.title}-excel-be.csv")


def _ordered_tables(content: dict) -> list[tuple[str, list]]:
    # The canonical JSON sorts its keys; readers expect the total first, then the dimensions.
    return [(name, content["tables"][name]) for name in ("total", *DIMENSIONS)]


def _file_stem(release) -> str:
    return (
        f"{release.federation.slug}-release-{release.version}-"
        f"{release.period_start}-{release.period_end}"
    )
