"""Files a director downloads or sends: the monthly table here, the subcontracting
statements (`statements`) and the association's own log (`log_export`), as CSV, XLSX and PDF,
and the background jobs that make them.

The pages, the API and the background jobs all call the functions here, so a figure is the
same in every format. Figures come from the selectors only (the monthly table from the
rollups, statements from the log); nothing here names a person or a worker.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organisations.models import Association
from rendering.files import ExportFile
from rendering.pdf import pdf_available, pdf_bytes
from rendering.tables import Sheet

from . import selectors, services
from .log_export import LOG_FORMATS, log_export
from .metrics import EURO_METRICS, PUBLISHED_COUNTS, PUBLISHED_METRICS
from .models import Job
from .presentation import (
    TABLE_FORMATS,
    ExportError,
    definitions_rows,
    dimension_label,
    export_language,
    export_stem,
    export_title,
    group_label,
    institutions_for,
    table_file,
)
from .statements import STATEMENT_KEY, statements_export

FORMATS = (*TABLE_FORMATS, "pdf")


def pdf_unavailable_message() -> str:
    return _(
        "PDF export is not available on this server: its system packages are missing "
        "(an administrator installs them with “make pdf-deps”). CSV and XLSX still work."
    )


# --- The monthly table ------------------------------------------------------------------------


def monthly_totals(rows: list[dict]) -> dict:
    """Headline figures of a period, summed from the ungrouped monthly rows (the rollups).

    The euro value is the sum of the months' values, each computed at the hourly cost in force
    when its rollup was made."""
    total = {name: sum(r[name] for r in rows) for name in (*PUBLISHED_COUNTS, "owed_minutes")}
    for name in EURO_METRICS:
        total[name] = sum((Decimal(r[name]) for r in rows), Decimal("0.00"))
    total["transferred_share"] = (
        total["transferred_minutes"] / total["minutes"] if total["minutes"] else None
    )
    total["do_for_share"] = (
        total["do_for_requests"] / total["requests"] if total["requests"] else None
    )
    return total


def monthly_sheet(rows: list[dict], group_by: str | None, language: str) -> Sheet:
    header = ["month", "group", *PUBLISHED_METRICS]
    if group_by:
        header.insert(2, "group_label")
        institutions = institutions_for(rows, group_by)
    body = []
    for row in rows:
        line = [row["month"], row["group"], *[row[name] for name in PUBLISHED_METRICS]]
        if group_by:
            line.insert(2, group_label(group_by, row["group"], language, institutions))
        body.append(line)
    return Sheet(
        _("Monthly table"), header, body, share_columns=("transferred_share", "do_for_share")
    )


def monthly_export(
    *,
    association: Association,
    period,
    group_by: str | None,
    fmt: str,
    language: str | None = None,
) -> ExportFile:
    language = export_language(language)
    rows = selectors.monthly_table_for_association(
        association=association, period=period, group_by=group_by
    )
    with translation.override(language):
        stem = export_stem(
            "monthly", period, language, dimension_label(group_by) if group_by else ""
        )
        if fmt == "pdf":
            totals = monthly_totals(
                rows
                if group_by is None
                else selectors.monthly_table_for_association(association=association, period=period)
            )
            context = {
                "association": association,
                "period": period,
                "group_by": group_by,
                "rows": _presented_monthly_rows(rows, group_by, language),
                "totals": totals,
                "definitions": definitions_rows(),
                "language": language,
            }
            return ExportFile(f"{stem}.pdf", pdf_bytes("workload/pdf/monthly.html", context))
        return table_file(stem, fmt, [monthly_sheet(rows, group_by, language)])


def _presented_monthly_rows(rows, group_by, language):
    institutions = institutions_for(rows, group_by)
    return [
        {
            **row,
            "label": group_label(group_by, row["group"], language, institutions),
        }
        for row in rows
    ]


# --- Background jobs --------------------------------------------------------------------------

EXPORT_KINDS = ("monthly", "statements", "log")


def export_params_check(params: dict) -> dict:
    """Validate what a job will export before it is queued; errors name the field."""
    export = params.get("export")
    fmt = params.get("format")
    errors = {}
    if export not in EXPORT_KINDS:
        errors["export"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(EXPORT_KINDS)}]
    allowed = LOG_FORMATS if export == "log" else FORMATS
    if fmt not in allowed:
        errors["format"] = [_("Choose one of: %(formats)s.") % {"formats": ", ".join(allowed)}]
    elif fmt == "pdf" and not pdf_available():
        errors["format"] = [pdf_unavailable_message()]
    try:
        period, group_by = selectors.period_and_dimension_parse(
            params.get("from"), params.get("to"), params.get("group_by")
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    statement = params.get("statement") or None
    if statement is not None and not STATEMENT_KEY.fullmatch(statement):
        # Whether the body has transferred work in the period is only known when the job
        # runs; a key that cannot name any statement is refused now.
        errors["statement"] = [_("No transferred work for this body in the period.")]
    if errors:
        raise ExportError(errors)
    return {
        "export": export,
        "format": fmt,
        "from": period.start,
        "to": period.end,
        "group_by": group_by,
        "statement": statement,
        "language": export_language(params.get("language")),
    }


def export_build(association: Association, params: dict, on_progress=None) -> ExportFile:
    period = selectors.period_parse(params["from"], params["to"])
    if params["export"] == "log":
        return log_export(
            association=association,
            period=period,
            fmt=params["format"],
            language=params.get("language"),
            on_progress=on_progress,
        )
    if params["export"] == "statements":
        return statements_export(
            association=association,
            period=period,
            fmt=params["format"],
            key=params.get("statement"),
            language=params.get("language"),
            on_progress=on_progress,
        )
    return monthly_export(
        association=association,
        period=period,
        group_by=params.get("group_by"),
        fmt=params["format"],
        language=params.get("language"),
    )


def export_job_title(job: Job) -> str:
    """What an export job makes, in words and in the reader's language: "Journal des
    entrées — mars 2026 (Excel)"."""
    params = job.params
    export = "statement" if params.get("statement") else params.get("export", "")
    subject = dimension_label(params["group_by"]) if params.get("group_by") else ""
    return export_title(export, params["from"], params["to"], params.get("format", ""), subject)


def exports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


def export_job_work(job: Job, on_progress: Callable[[int], None]) -> dict:
    """Build the file of an export job and keep it under MEDIA_ROOT/exports/<association>/,
    with an unguessable name; it is only ever served through the association's download
    view, never as a public media URL."""
    on_progress(1)
    file = export_build(job.association, job.params, on_progress)
    folder = exports_dir() / str(job.association_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{job.pk}-{secrets.token_hex(8)}.{file.extension}"
    (folder / stored).write_bytes(file.content)
    on_progress(100)
    return {
        "file": f"{job.association_id}/{stored}",
        "filename": file.filename,
        "size": len(file.content),
    }


def export_job_file(job: Job) -> tuple[Path, str] | None:
    """The stored file of a finished export job and its download name, if still there."""
    relative = (job.result or {}).get("file")
    if job.kind != Job.Kind.EXPORT or job.state != Job.State.SUCCEEDED or not relative:
        return None
    path = (exports_dir() / relative).resolve()
    if exports_dir().resolve() not in path.parents or not path.is_file():
        return None
    return path, job.result.get("filename") or path.name


def exports_expire(*, keep_days: int | None = None) -> int:
    """Delete the files of export jobs finished more than `keep_days` ago (default: the
    EXPORT_FILES_KEEP_DAYS setting). An export is a copy of the association's figures made
    for one occasion; keeping every copy forever would keep data nobody asked to keep.
    The job stays, marked expired, so its page says why the download is gone."""
    keep_days = settings.EXPORT_FILES_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    expired = 0
    for job in selectors.export_jobs_finished_before(cutoff):
        if job.result.get("expired"):
            continue
        found = export_job_file(job)
        if found is not None:
            found[0].unlink(missing_ok=True)
        services.job_mark_file_expired(job)
        expired += 1
    return expired
