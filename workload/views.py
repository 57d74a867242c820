"""The director's pages: the workload dashboard, the subcontracting statements, the exports and
the progress of long exports. Workers of the association see the same figures read-only.

Thin: figures come from the selectors, files from `exports`, jobs from `services`. Every view
acts for the caller's own association (from their seat), so another association's job is a
404 and there is no association in any URL to tamper with.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attempts import imports as attempt_imports
from cases import selectors as cases_selectors
from cases.imports import (
    REQUIRED_FIELDS,
    import_code_list,
    import_file_store,
    import_template,
)
from freshness.enqueue import publish_on_commit
from organisations.access import Rule, seat_required
from orientations import selectors as orientation_selectors
from rendering import numbers
from rendering.files import ExportFile

from . import charts, exports, presentation, selectors, services
from .models import Job
from .statements import (
    statement_context,
    statement_key,
    statement_pick,
    statement_title,
    statements_export,
)
from .tasks import run_export_job_task, run_import_job_task

DEFAULT_MONTHS = 12
# Enough of an upload to read its header row and tell which kind of file it is.
HEADER_BYTES = 64 * 1024
TOP_INSTITUTIONS = 10
# How often the job page reloads itself while the export runs (no script needed).
JOB_REFRESH_SECONDS = 2


# Workers and directors of an association; an analyst (or anyone else) gets 403.
association_member = seat_required(
    Rule.ASSOCIATION_MEMBER,
    message=gettext_lazy("Only a worker or director of an association may see this."),
)
# Within those, the director's actions; a worker is told so.
director_only = seat_required(Rule.DIRECTOR)


def _is_director(request) -> bool:
    return Rule.DIRECTOR.allows(request.seat)


def default_period() -> selectors.Period:
    """The last twelve months, this month included."""
    today = timezone.localdate()
    first = dt.date(today.year, today.month, 1)
    year, month = first.year, first.month - (DEFAULT_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return selectors.Period(f"{year:04d}-{month:02d}", first.strftime("%Y-%m"))


def _period_from(request) -> tuple[selectors.Period | None, dict]:
    start, end = request.GET.get("from"), request.GET.get("to")
    if not start and not end:
        return default_period(), {}
    try:
        return selectors.period_parse(start, end), {}
    except ValidationError as exc:
        return None, exc.message_dict


def _context(request, **extra) -> dict:
    return {
        "association": request.association,
        "is_director": _is_director(request),
        "pdf_available": exports.pdf_available(),
        "pdf_unavailable_message": exports.pdf_unavailable_message(),
        "languages": [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")],
        "table_formats": [
            (fmt, presentation.format_label(fmt)) for fmt in presentation.TABLE_FORMATS
        ],
        **extra,
    }


def _file_response(file: ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _group_totals(association, period, dimension, language, metric="requests"):
    """Sum a dimension's monthly rows over the period: [(label, key, entries, minutes, ...)]."""
    rows = selectors.monthly_table_for_association(
        association=association, period=period, group_by=dimension
    )
    institutions = presentation.institutions_for(rows, dimension)
    totals = {}
    for row in rows:
        group = totals.setdefault(
            row["group"],
            {
                "group": row["group"],
                "requests": 0,
                "minutes": 0,
                "transferred_minutes": 0,
                "transferred_requests": 0,
            },
        )
        for name in ("requests", "minutes", "transferred_minutes", "transferred_requests"):
            group[name] += row[name]
    items = []
    for group in totals.values():
        group["label"] = presentation.group_label(dimension, group["group"], language, institutions)
        if dimension == "responsible_institution" and group["group"] is not None:
            group["statement_key"] = f"institution-{group['group']}"
        items.append(group)
    items.sort(key=lambda g: (-g[metric], g["label"]))
    return items


@require_GET
@association_member
def dashboard(request):
    period, errors = _period_from(request)
    context = _context(request, errors=errors, period=period or default_period())
    if errors:
        return render(request, "workload/dashboard.html", context, status=400)
    association = request.association
    rows = selectors.monthly_table_for_association(association=association, period=period)
    context.update(
        rows=rows,
        totals=exports.monthly_totals(rows),
        month_chart=_month_chart(rows),
        sections=_dashboard_sections(association, period, translation.get_language()),
        owed=_owed_by_institution(association, period, translation.get_language()),
        rights=_rights_by_barrier(association, period, translation.get_language()),
        my_entries=None if _is_director(request) else _my_entries(request, period),
        orientations=_orientation_figures(association, period, translation.get_language()),
    )
    return render(request, "workload/dashboard.html", context)


def _orientation_figures(association, period, language) -> dict:
    """Orientations sent in the period, per month and per target (each median computed from
    the orientations themselves, as the API's figures are)."""
    rows = orientation_selectors.orientation_figures_for_association(
        association=association,
        start=period.start,
        end=period.end,
        language=(language or "fr")[:2],
    )
    return {
        "totals": orientation_selectors.orientation_totals_for_association(
            association=association, start=period.start, end=period.end
        ),
        "rows": rows,
    }


def _month_chart(rows) -> str:
    transferred = [r["transferred_minutes"] for r in rows]
    other = [r["minutes"] - r["transferred_minutes"] for r in rows]
    return charts.stacked_months(
        [r["month"] for r in rows],
        [(_("transferred"), transferred), (_("other work"), other)],
        title=_("Transferred and other hours per month"),
        number=numbers.hours,
    )


# The dashboard's ranked sections: (key, title, column, dimension, metric, number). The first
# ranks institutions by transferred hours; the others count entries per code.
DASHBOARD_SECTIONS = (
    (
        "institutions",
        gettext_lazy("Top responsible institutions (transferred hours)"),
        gettext_lazy("Institution"),
        None,
        None,
        numbers.hours,
    ),
    (
        "barriers",
        gettext_lazy("Digital barriers (entries)"),
        gettext_lazy("Barrier"),
        "barrier",
        "requests",
        numbers.integer,
    ),
    (
        "referrers",
        gettext_lazy("Who sent the person (entries)"),
        gettext_lazy("Sent by"),
        "referrer_kind",
        "requests",
        numbers.integer,
    ),
    (
        "outcomes",
        gettext_lazy("Outcomes (entries)"),
        gettext_lazy("Outcome"),
        "outcome",
        "requests",
        numbers.integer,
    ),
)


def _top_institutions(association, period, language) -> list[dict]:
    return [
        g
        for g in _group_totals(
            association, period, "responsible_institution", language, "transferred_minutes"
        )
        if g["group"] is not None and g["transferred_minutes"]
    ][:TOP_INSTITUTIONS]


def _dashboard_sections(association, period, language) -> list[dict]:
    sections = []
    for key, title, column, dimension, metric, number in DASHBOARD_SECTIONS:
        if dimension is None:
            items = _top_institutions(association, period, language)
            values = [(i["label"], i["transferred_minutes"]) for i in items]
        else:
            items = _group_totals(association, period, dimension, language, metric)
            values = [(i["label"], i[metric]) for i in items]
        sections.append(
            {
                "key": key,
                "title": str(title),
                "column": str(column),
                "items": items,
                "chart": charts.horizontal_bars(values, title=str(title), number=number),
                "is_barrier": dimension == "barrier",
                "is_institution": dimension is None,
            }
        )
    return sections


def _summed(association, period, dimension, names) -> tuple[dict, dict]:
    """A dimension's monthly rows summed over the period per group (euro values summed as
    each month's rollup gives them), with the institutions the groups name."""
    rows = selectors.monthly_table_for_association(
        association=association, period=period, group_by=dimension
    )
    totals = {}
    for row in rows:
        group = totals.setdefault(row["group"], {"group": row["group"]})
        for name in names:
            group[name] = group.get(name, 0) + (row[name] or 0)
    return totals, presentation.institutions_for(rows, dimension)


OWED_FIGURES = (
    "transferred_minutes",
    "owed_attempt_minutes",
    "owed_minutes",
    "owed_value_eur",
    "attempts",
    "failed_attempts",
)


def _owed_by_institution(association, period, language) -> dict:
    """Hours the responsible institutions owe: transferred work plus time lost on their
    failing channels (METRICS.md `owed_minutes`), from the rollups by institution."""
    totals, institutions = _summed(association, period, "responsible_institution", OWED_FIGURES)
    items = []
    for group in totals.values():
        if not group["owed_minutes"]:
            continue
        group["label"] = presentation.group_label(
            "responsible_institution", group["group"], language, institutions
        )
        if group["group"] is not None:
            group["statement_key"] = f"institution-{group['group']}"
        items.append(group)
    items.sort(key=lambda g: (-g["owed_minutes"], g["group"] is None, g["label"]))
    title = _("Owed hours by responsible institution")
    return {
        "items": items,
        "chart": charts.horizontal_bars(
            [(i["label"], i["owed_minutes"]) for i in items], title=title, number=numbers.hours
        ),
        "title": title,
    }


RIGHTS_FIGURES = (
    "rights_at_risk",
    "rights_lost",
    "rights_lost_value_eur",
    "rights_delayed_value_eur",
)


def _rights_by_barrier(association, period, language) -> dict:
    """Rights lost and delayed by digital barrier, from the rollups by barrier."""
    totals, _institutions = _summed(association, period, "barrier", RIGHTS_FIGURES)
    items = []
    for group in totals.values():
        if not any(group[name] for name in RIGHTS_FIGURES):
            continue
        group["label"] = presentation.group_label("barrier", group["group"], language, {})
        items.append(group)
    items.sort(
        key=lambda g: (
            -g["rights_lost_value_eur"],
            -g["rights_lost"],
            -g["rights_at_risk"],
            g["label"],
        )
    )
    title = _("Rights lost by digital barrier (value in euros)")
    return {
        "items": items,
        "chart": charts.horizontal_bars(
            [(i["label"], i["rights_lost_value_eur"]) for i in items],
            title=title,
            number=numbers.euros,
        ),
        "title": title,
    }


def _my_entries(request, period) -> dict:
    """A worker's own total for the period: their figures, never compared with anyone's."""
    return cases_selectors.assistance_request_totals_get_for_worker(
        association=request.association,
        worker=request.user,
        month_from=period.start,
        month_to=period.end,
    )


def _format(request, allowed=exports.FORMATS) -> tuple[str | None, dict]:
    fmt = request.GET.get("format") or None
    if fmt is not None and fmt not in allowed:
        return None, {
            "format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(allowed)}]
        }
    return fmt, {}


@require_GET
@association_member
def monthly_download(request):
    period, errors = _period_from(request)
    fmt, format_errors = _format(request)
    errors = {**errors, **format_errors}
    if fmt is None and not errors:
        errors = {
            "format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(exports.FORMATS)}]
        }
    try:
        group_by = selectors.dimension_parse(request.GET.get("group_by"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if fmt == "pdf" and not exports.pdf_available():
        errors["format"] = [exports.pdf_unavailable_message()]
    if errors:
        return render(
            request,
            "workload/problem.html",
            _context(request, errors=errors, back=reverse("workload:dashboard")),
            status=503 if fmt == "pdf" and not exports.pdf_available() else 400,
        )
    return _file_response(
        exports.monthly_export(
            association=request.association, period=period, group_by=group_by, fmt=fmt
        )
    )


@require_GET
@association_member
def statement_list(request):
    period, errors = _period_from(request)
    context = _context(request, errors=errors, period=period or default_period())
    if errors:
        return render(request, "workload/statements.html", context, status=400)
    language = translation.get_language()
    statements = selectors.statements_for_association(
        association=request.association, period=period
    )
    context["statements"] = [
        {
            "key": statement_key(s),
            "title": statement_title(s, language),
            "transferred_requests": s["transferred_requests"],
            "transferred_minutes": s["transferred_minutes"],
            "transferred_value_eur": s["transferred_value_eur"],
            "referred_transferred_minutes": s["referred_transferred_minutes"],
            "owed_attempt_minutes": s["owed_attempt_minutes"],
            "owed_minutes": s["owed_minutes"],
            "owed_value_eur": s["owed_value_eur"],
        }
        for s in statements
    ]
    fmt, format_errors = _format(request)
    if format_errors:
        context["errors"] = format_errors
        return render(request, "workload/statements.html", context, status=400)
    if fmt == "pdf" and not exports.pdf_available():
        context["errors"] = {"format": [exports.pdf_unavailable_message()]}
        return render(request, "workload/statements.html", context, status=503)
    if fmt:
        return _file_response(
            statements_export(association=request.association, period=period, fmt=fmt)
        )
    return render(request, "workload/statements.html", context)


@require_GET
@association_member
def statement_detail(request, key):
    period, errors = _period_from(request)
    language = request.GET.get("lang") or translation.get_language()
    if language not in ("fr", "nl", "en"):
        errors = {**errors, "lang": [_("Choose fr, nl or en.")]}
    fmt, format_errors = _format(request)
    errors = {**errors, **format_errors}
    context = _context(
        request, errors=errors, period=period or default_period(), key=key, lang=language
    )
    if errors:
        return render(request, "workload/statement.html", context, status=400)
    try:
        statements = statement_pick(
            selectors.statements_for_association(association=request.association, period=period),
            key,
        )
    except presentation.ExportError:
        # No transferred work for that body in the period (or no such body): an empty statement.
        context["empty"] = True
        return render(request, "workload/statement.html", context, status=404)
    if fmt == "pdf" and not exports.pdf_available():
        context["errors"] = {"format": [exports.pdf_unavailable_message()]}
        fmt = None
        status = 503
    else:
        status = 200
    if fmt:
        return _file_response(
            statements_export(
                association=request.association,
                period=period,
                fmt=fmt,
                key=key,
                language=language,
            )
        )
    with translation.override(language):
        context.update(statement_context(request.association, period, statements, language))
        context["statement"] = context["statements"][0]
        return render(request, "workload/statement.html", context, status=status)


@require_POST
@association_member
@director_only
def export_create(request):
    """Queue a long export (directors): the job page then follows it to its download."""
    params = {
        name: request.POST.get(name)
        for name in ("export", "format", "from", "to", "group_by", "statement", "language")
    }
    params["language"] = params["language"] or translation.get_language()
    try:
        params = exports.export_params_check(params)
    except presentation.ExportError as exc:
        return render(
            request,
            "workload/problem.html",
            _context(request, errors=exc.message_dict, back=reverse("workload:dashboard")),
            status=400,
        )
    job = services.job_create(
        kind=Job.Kind.EXPORT, association=request.association, actor=request.user, params=params
    )
    publish_on_commit(run_export_job_task, job.pk)
    return redirect("workload:job", pk=job.pk)


@require_http_methods(["GET", "POST"])
@association_member
@director_only
def import_create(request):
    """A director brings an existing log (a CSV file): kept until a job with progress has
    checked and written it, all rows or none."""
    errors = {}
    file_kind = request.POST.get("file_kind") or attempt_imports.ENTRIES_KIND
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            head = upload.read(HEADER_BYTES) if upload is not None else b""
            file_kind = attempt_imports.file_kind_check(file_kind, head)
            stored = import_file_store(association=request.association, upload=upload)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            params = {
                "file": stored,
                "filename": upload.name[:200],
                "language": translation.get_language(),
                "file_kind": file_kind,
            }
            job = services.job_create(
                kind=Job.Kind.IMPORT,
                association=request.association,
                actor=request.user,
                params=params,
            )
            publish_on_commit(run_import_job_task, job.pk)
            return redirect("workload:job", pk=job.pk)
    columns = [{"name": f.name, "label": f.label} for f in REQUIRED_FIELDS]
    attempt_columns = [{"name": f.name, "label": f.label} for f in attempt_imports.REQUIRED_FIELDS]
    context = _context(
        request,
        errors=errors,
        columns=columns,
        attempt_columns=attempt_columns,
        file_kind=file_kind,
    )
    return render(request, "workload/import.html", context, status=400 if errors else 200)


@require_GET
@association_member
@director_only
def import_attempts_template_download(request):
    """The file of contact attempts to fill in: the header and one example row."""
    return _file_response(attempt_imports.attempts_import_template(translation.get_language()))


@require_GET
@association_member
@director_only
def import_attempts_codes_download(request):
    """Every code a column of the attempts file takes, with its labels in three languages."""
    return _file_response(attempt_imports.attempts_import_code_list(translation.get_language()))


@require_GET
@association_member
@director_only
def import_template_download(request):
    """The file to fill in: the header in the user's language and one example row."""
    return _file_response(import_template(translation.get_language()))


@require_GET
@association_member
@director_only
def import_codes_download(request):
    """Every code a code column takes, with its labels in French, Dutch and English."""
    return _file_response(import_code_list(translation.get_language()))


def _job_for(request, pk) -> Job:
    job = selectors.job_get_for_association(
        association=request.association, pk=pk, kinds=(Job.Kind.EXPORT, Job.Kind.IMPORT)
    )
    if job is None:
        raise Http404
    return job


# Exports and imports are the director's: a job, its page and its file are too (a worker once
# downloaded the director's log export by guessing the job's number).
@require_GET
@association_member
@director_only
def job_detail(request, pk):
    job = _job_for(request, pk)
    running = job.state in (Job.State.QUEUED, Job.State.RUNNING)
    context = _context(
        request,
        job=job,
        title=exports.export_job_title(job) if job.kind == Job.Kind.EXPORT else "",
        running=running,
        refresh=JOB_REFRESH_SECONDS if running else None,
        ready=exports.export_job_file(job) is not None,
        keep_days=settings.EXPORT_FILES_KEEP_DAYS,
    )
    return render(request, "workload/job.html", context)


@require_GET
@association_member
@director_only
def job_download(request, pk):
    found = exports.export_job_file(_job_for(request, pk))
    if found is None:
        raise Http404
    path, filename = found
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
