"""Files a director downloads or sends: the monthly table, the subcontracting statements and
the association's own log, as CSV, XLSX and PDF.

The pages, the API and the background jobs all call the functions here, so a figure is the
same in every format. Figures come from the selectors only (the monthly table from the
rollups, statements from the log); nothing here names a person or a worker.
"""

import csv
import datetime as dt
import functools
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import AssistanceRequest, RequestBarrier, RequestSensitiveFlag
from organisations.models import Association
from referrals.models import Institution
from taxonomy import get_taxonomy

from . import charts, selectors
from .metrics import PUBLISHED_METRICS, classes
from .models import COUNT_METRICS, INSTITUTION_DIMENSIONS, Job

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Rows of the log read per query when exporting it; progress is reported per batch.
LOG_BATCH_SIZE = 5000

# Which taxonomy section labels the groups of each code dimension.
DIMENSION_SECTIONS = {
    "referrer_kind": "referrer_types",
    "responsible_kind": "referrer_types",
    "procedure_domain": "procedure_domains",
    "procedure": "procedure_domains",
    "barrier": "digital_barriers",
    "channel": "channels",
    "mode": "assistance_modes",
    "outcome": "outcomes",
}

# METRICS.md in plain words: printed on statements and on the second sheet of every XLSX.
METRIC_DEFINITIONS = {
    "requests": gettext_lazy("Number of entries logged (one entry is one request)."),
    "minutes": gettext_lazy("Worker time spent, in minutes."),
    "external_requests": gettext_lazy(
        "Entries about another institution's procedure: the responsible body is not the "
        "association itself, the person, their circle or unknown."
    ),
    "external_minutes": gettext_lazy("Minutes of external entries."),
    "digital_requests": gettext_lazy("Entries where at least one digital barrier was logged."),
    "digital_minutes": gettext_lazy("Minutes of digital entries."),
    "transferred_requests": gettext_lazy(
        "Transferred (subcontracted) work: entries that are both external and digital."
    ),
    "transferred_minutes": gettext_lazy("Minutes of transferred entries."),
    "referred_transferred_requests": gettext_lazy(
        "Explicit subcontracting: transferred entries where the person was sent by the "
        "responsible body itself (the same institution, or the same kind when no institution "
        "is named)."
    ),
    "referred_transferred_minutes": gettext_lazy("Minutes of referred-transferred entries."),
    "do_for_requests": gettext_lazy(
        "Entries where the worker did the procedure in the person's place."
    ),
    "non_take_up": gettext_lazy(
        "Non-take-up: entries that ended abandoned, impossible or with rights lost."
    ),
    "postponed_technical": gettext_lazy("Entries postponed for a technical reason."),
    "once_only_violations": gettext_lazy(
        "Entries where the person was asked again for data an administration already holds "
        "(the once-only principle)."
    ),
    "without_consent_do_for": gettext_lazy(
        "Entries done in the person's place without any recorded consent."
    ),
    "sensitive_handling": gettext_lazy(
        "Entries where the worker handled something sensitive (a PIN, a password, an itsme "
        "app…); the secret itself is never stored."
    ),
    "transferred_share": gettext_lazy(
        "Transferred minutes divided by all minutes (a fraction from 0 to 1; empty when "
        "no minutes)."
    ),
    "transferred_value_eur": gettext_lazy(
        "Euro value of transferred work: transferred minutes ÷ 60 × the association's hourly "
        "cost (the full employer cost of one hour of a social worker), rounded to the cent."
    ),
    "do_for_share": gettext_lazy(
        "Entries done in the person's place divided by all entries (a fraction from 0 to 1)."
    ),
}
BARRIER_NOTE = gettext_lazy(
    "By barrier, an entry with two barriers counts in both groups, so the groups may add up to "
    "more than the total; an entry without a barrier is in no group."
)


class ExportError(ValidationError):
    """A file that cannot be made: the message names the parameter, in the user's language."""


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


# --- Formula injection ------------------------------------------------------------------------

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV).

    Institution names are typed by users; `=HYPERLINK(...)` must stay text. Numbers are
    never touched: a negative number is a number, not a formula."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


# --- Generic writers --------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    # Columns holding fractions, shown as percentages in XLSX (the value stays the fraction).
    share_columns: tuple[str, ...] = ()


def csv_bytes(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _definitions_rows() -> list[list]:
    rows = [[name, str(METRIC_DEFINITIONS[name])] for name in PUBLISHED_METRICS]
    rows.append(["barrier", str(BARRIER_NOTE)])
    return rows


def xlsx_bytes(sheets: list[Sheet], with_definitions: bool = True) -> bytes:
    """A workbook with a bold header row and typed cells: numbers are numbers, text is text
    (never a formula), and the METRICS.md definitions on a sheet of their own."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    if with_definitions:
        sheets = [
            *sheets,
            Sheet(_("Definitions"), [_("metric"), _("definition")], _definitions_rows()),
        ]
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title[:31])
        header = []
        for name in sheet.header:
            cell = WriteOnlyCell(worksheet, value=name)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        share_indexes = {sheet.header.index(c) for c in sheet.share_columns}
        for row in sheet.rows:
            # Plain values are written as they are (a cell object per value costs ten times
            # more on a 100,000-row log); only text that would be read as a formula and
            # shares that need a number format get a cell of their own.
            cells = list(row)
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.data_type = "s"  # text, never a formula
                    cells[index] = cell
                elif index in share_indexes and value is not None:
                    cell = WriteOnlyCell(worksheet, value=value)
                    cell.number_format = "0.0%"
                    cells[index] = cell
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class PdfUnavailable(Exception):
    """WeasyPrint or its system libraries (Pango) are missing on this machine."""


@functools.cache
def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def pdf_unavailable_message() -> str:
    return _(
        "PDF export is not available on this server: its system packages are missing "
        "(an administrator installs them with “make pdf-deps”). CSV and XLSX still work."
    )


def pdf_bytes(template: str, context: dict) -> bytes:
    return pdf_bytes_of_parts(template, [context])


def pdf_bytes_of_parts(
    template: str, contexts: list[dict], on_progress: Callable[[int], None] | None = None
) -> bytes:
    """One PDF of several documents laid out one by one (each numbers its own pages), so a
    long export reports progress per part instead of sitting at 1 % for minutes."""
    if not pdf_available():
        raise PdfUnavailable(pdf_unavailable_message())
    from weasyprint import HTML

    documents = []
    for done, context in enumerate(contexts, start=1):
        html = render_to_string(template, context)
        documents.append(HTML(string=html, base_url=str(settings.BASE_DIR)).render())
        if on_progress is not None:
            on_progress(round(95 * done / len(contexts)))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


# --- Labels -----------------------------------------------------------------------------------


def group_label(dimension: str | None, group, language: str, institutions: dict) -> str:
    if dimension is None:
        return ""
    if dimension in INSTITUTION_DIMENSIONS:
        if group is None:
            return _("no institution named")
        institution = institutions.get(group)
        return institution.name if institution else str(group)
    return get_taxonomy().label(DIMENSION_SECTIONS[dimension], group, language)


def institutions_for(rows: list[dict], dimension: str | None) -> dict:
    if dimension not in INSTITUTION_DIMENSIONS:
        return {}
    return Institution.objects.in_bulk([r["group"] for r in rows if r["group"] is not None])


def hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def percent(share) -> Decimal | None:
    """A share (0 to 1) as a percentage with one decimal, for people to read."""
    if share is None:
        return None
    return (Decimal(str(share)) * 100).quantize(Decimal("0.1"))


def _language(language: str | None) -> str:
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _period_name(period) -> str:
    return f"{period.start}-{period.end}"


# --- The monthly table ------------------------------------------------------------------------


def monthly_totals(rows: list[dict]) -> dict:
    """Headline figures of a period, summed from the ungrouped monthly rows (the rollups).

    The euro value is the sum of the months' values, each computed at the hourly cost in force
    when its rollup was made."""
    total = {name: sum(r[name] for r in rows) for name in COUNT_METRICS}
    total["transferred_value_eur"] = sum(
        (Decimal(r["transferred_value_eur"]) for r in rows), Decimal("0.00")
    )
    total["transferred_share"] = (
        total["transferred_minutes"] / total["minutes"] if total["minutes"] else None
    )
    total["do_for_share"] = (
        total["do_for_requests"] / total["requests"] if total["requests"] else None
    )
    total["transferred_percent"] = percent(total["transferred_share"])
    total["do_for_percent"] = percent(total["do_for_share"])
    total["hours"] = hours(total["minutes"])
    total["transferred_hours"] = hours(total["transferred_minutes"])
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
    language = _language(language)
    rows = selectors.monthly_table_for_association(
        association=association, period=period, group_by=group_by
    )
    suffix = f"-{group_by}" if group_by else ""
    name = f"{association.slug}-monthly{suffix}-{_period_name(period)}.{fmt}"
    with translation.override(language):
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
                "definitions": _definitions_rows(),
                "language": language,
            }
            return ExportFile(name, pdf_bytes("workload/pdf/monthly.html", context))
        sheet = monthly_sheet(rows, group_by, language)
        if fmt == "csv":
            return ExportFile(name, csv_bytes(sheet))
        return ExportFile(name, xlsx_bytes([sheet]))


def _presented_monthly_rows(rows, group_by, language):
    institutions = institutions_for(rows, group_by)
    return [
        {
            **row,
            "label": group_label(group_by, row["group"], language, institutions),
            "hours": hours(row["minutes"]),
            "transferred_hours": hours(row["transferred_minutes"]),
        }
        for row in rows
    ]


# --- Subcontracting statements ----------------------------------------------------------------


def statement_key(statement: dict) -> str:
    """A stable name for one statement in a URL: `institution-<id>` or `kind-<code>`."""
    if statement["institution"]:
        return f"institution-{statement['institution']['id']}"
    return f"kind-{statement['responsible_kind']}"


STATEMENT_KEY = re.compile(r"institution-[0-9]{1,12}|kind-[a-z_]{1,30}", re.ASCII)


def statement_pick(statements: list[dict], key: str | None) -> list[dict]:
    """All statements, or the one named by `key`; an unknown key is an error on `statement`."""
    if not key:
        return statements
    picked = [s for s in statements if statement_key(s) == key]
    if not picked:
        raise ExportError({"statement": [_("No transferred work for this body in the period.")]})
    return picked


def statement_title(statement: dict, language: str) -> str:
    kind = get_taxonomy().label("referrer_types", statement["responsible_kind"], language)
    if statement["institution"]:
        return f"{statement['institution']['name']} ({kind})"
    return kind


def statement_present(statement: dict, period, language: str) -> dict:
    """A statement with labels, hours and every month of the period (zeros included)."""
    taxonomy = get_taxonomy()
    by_month = {m["code"]: m for m in statement["months"]}
    months = [
        by_month.get(month, {"code": month, "requests": 0, "minutes": 0}) for month in period.months
    ]
    months = [
        {
            **m,
            "hours": hours(m["minutes"]),
            "transferred_value_eur": selectors._euros(m["minutes"], statement["hourly_cost_eur"]),
        }
        for m in months
    ]

    def labelled(items, section):
        return [
            {
                **item,
                "label": taxonomy.label(section, item["code"], language),
                "hours": hours(item["minutes"]),
            }
            for item in items
        ]

    return {
        **statement,
        "key": statement_key(statement),
        "title": statement_title(statement, language),
        "kind_label": taxonomy.label("referrer_types", statement["responsible_kind"], language),
        "transferred_hours": hours(statement["transferred_minutes"]),
        "referred_transferred_hours": hours(statement["referred_transferred_minutes"]),
        "by_procedure_domain": labelled(statement["by_procedure_domain"], "procedure_domains"),
        "by_barrier": labelled(statement["by_barrier"], "digital_barriers"),
        "months_full": months,
        "month_chart": charts.stacked_months(
            [m["code"] for m in months],
            [(_("transferred"), [float(m["hours"]) for m in months])],
            title=_("Transferred hours per month"),
            unit=" h",
        ),
    }


STATEMENT_HEADER = [
    "institution_id",
    "institution",
    "responsible_kind",
    "section",
    "code",
    "label",
    "requests",
    "minutes",
    "hours",
    "value_eur",
]


def statement_sheets(statements: list[dict], period, language: str) -> list[Sheet]:
    """A summary (one row per statement) and the splits in long form (one row per statement,
    section and code): the same figures as the page and the PDF."""
    taxonomy = get_taxonomy()
    summary_header = [
        "institution_id",
        "institution",
        "responsible_kind",
        "responsible_kind_label",
        "from",
        "to",
        "hourly_cost_eur",
        "transferred_requests",
        "transferred_minutes",
        "transferred_hours",
        "transferred_value_eur",
        "referred_transferred_requests",
        "referred_transferred_minutes",
        "referred_transferred_hours",
        "referred_transferred_value_eur",
        "non_take_up",
        "once_only_violations",
    ]
    summary, splits = [], []
    for s in statements:
        institution = s["institution"] or {}
        ident = [institution.get("id"), institution.get("name", ""), s["responsible_kind"]]
        summary.append(
            [
                *ident,
                taxonomy.label("referrer_types", s["responsible_kind"], language),
                period.start,
                period.end,
                s["hourly_cost_eur"],
                s["transferred_requests"],
                s["transferred_minutes"],
                hours(s["transferred_minutes"]),
                s["transferred_value_eur"],
                s["referred_transferred_requests"],
                s["referred_transferred_minutes"],
                hours(s["referred_transferred_minutes"]),
                s["referred_transferred_value_eur"],
                s["non_take_up"],
                s["once_only_violations"],
            ]
        )
        for section, items, labels in (
            ("procedure_domain", s["by_procedure_domain"], "procedure_domains"),
            ("barrier", s["by_barrier"], "digital_barriers"),
            ("month", s["months"], None),
        ):
            for item in items:
                splits.append(
                    [
                        *ident,
                        section,
                        item["code"],
                        taxonomy.label(labels, item["code"], language) if labels else item["code"],
                        item["requests"],
                        item["minutes"],
                        hours(item["minutes"]),
                        item["transferred_value_eur"],
                    ]
                )
    return [
        Sheet(_("Statements"), summary_header, summary),
        Sheet(_("Splits"), STATEMENT_HEADER, splits),
    ]


def statements_csv_rows(statements: list[dict], period, language: str) -> Sheet:
    """One CSV holds the totals and the splits, in long form (section `total` first)."""
    summary, splits = statement_sheets(statements, period, language)
    rows = []
    for line, s in zip(summary.rows, statements, strict=True):
        ident = line[:3]
        for code in ("transferred", "referred_transferred"):
            rows.append(
                [
                    *ident,
                    "total",
                    code,
                    str(METRIC_DEFINITIONS[f"{code}_requests"]).split(":")[0],
                    s[f"{code}_requests"],
                    s[f"{code}_minutes"],
                    hours(s[f"{code}_minutes"]),
                    s[f"{code}_value_eur"],
                ]
            )
        for code in ("non_take_up", "once_only_violations"):
            rows.append([*ident, "total", code, "", s[code], None, None, None])
        rows.extend(r for r in splits.rows if r[:3] == ident)
    return Sheet(_("Statements"), STATEMENT_HEADER, rows)


def statements_export(
    *,
    association: Association,
    period,
    fmt: str,
    key: str | None = None,
    language: str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ExportFile:
    language = _language(language)
    statements = statement_pick(
        selectors.statements_for_association(association=association, period=period), key
    )
    part = f"-{key}" if key else ""
    name = (
        f"{association.slug}-statement{'s' if not key else ''}{part}-{_period_name(period)}.{fmt}"
    )
    with translation.override(language):
        if fmt == "pdf":
            parts = [
                statement_context(association, period, [statement], language)
                for statement in statements
            ] or [statement_context(association, period, [], language)]
            return ExportFile(
                name, pdf_bytes_of_parts("workload/pdf/statements.html", parts, on_progress)
            )
        if fmt == "csv":
            return ExportFile(name, csv_bytes(statements_csv_rows(statements, period, language)))
        return ExportFile(name, xlsx_bytes(statement_sheets(statements, period, language)))


def statement_context(association, period, statements, language) -> dict:
    return {
        "association": association,
        "period": period,
        "statements": [statement_present(s, period, language) for s in statements],
        "hourly_cost_eur": association.hourly_cost_eur,
        "definitions": [
            (_("Transferred work"), METRIC_DEFINITIONS["transferred_requests"]),
            (_("Referred-transferred work"), METRIC_DEFINITIONS["referred_transferred_requests"]),
            (_("Euro value"), METRIC_DEFINITIONS["transferred_value_eur"]),
            (_("Non-take-up"), METRIC_DEFINITIONS["non_take_up"]),
            (_("Once-only violations"), METRIC_DEFINITIONS["once_only_violations"]),
            (_("Barriers"), BARRIER_NOTE),
        ],
        "language": language,
    }


# --- The association's own log ----------------------------------------------------------------

LOG_HEADER = [
    "entry_id",
    "occurred_on",
    "month",
    "duration_minutes",
    "channel",
    "procedure_domain",
    "procedure_root",
    "referrer_kind",
    "referred_by_id",
    "referred_by",
    "responsible_kind",
    "responsible_institution_id",
    "responsible_institution",
    "barriers",
    "mode",
    "outcome",
    "consent",
    "sensitive_flags",
    "transferred",
    "referred_transferred",
]


def log_rows(
    association: Association, period, on_progress: Callable[[int], None] | None = None
) -> list[list]:
    """The log of one association, one row per entry, in bounded batches.

    Deliberately without the person (not even the pseudonymous code: the figures never need
    it, and a file travels), without the worker who logged it (no surveillance of workers)
    and without notes (free text may hold identifiers)."""
    from django.db.models import BooleanField, Case, Value, When

    c = classes()
    entries = (
        AssistanceRequest.objects.for_association(association)
        .filter(month__gte=period.start, month__lte=period.end)
        .annotate(
            is_transferred=Case(
                When(c["transferred"], then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            is_referred_transferred=Case(
                When(c["referred_transferred"], then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("occurred_on", "pk")
    )
    ids = list(entries.values_list("pk", flat=True))
    names = dict(Institution.objects.values_list("pk", "name"))
    rows = []
    for start in range(0, len(ids), LOG_BATCH_SIZE):
        batch = ids[start : start + LOG_BATCH_SIZE]
        barriers, flags = {}, {}
        for pk, code in RequestBarrier.objects.filter(assistance_request_id__in=batch).values_list(
            "assistance_request_id", "code"
        ):
            barriers.setdefault(pk, []).append(code)
        for pk, code in RequestSensitiveFlag.objects.filter(
            assistance_request_id__in=batch
        ).values_list("assistance_request_id", "code"):
            flags.setdefault(pk, []).append(code)
        for e in entries.filter(pk__in=batch).values(
            "pk",
            "occurred_on",
            "month",
            "duration_minutes",
            "channel",
            "procedure_domain",
            "procedure_root",
            "referrer_kind",
            "referred_by_id",
            "responsible_kind",
            "responsible_institution_id",
            "mode",
            "outcome",
            "consent",
            "is_transferred",
            "is_referred_transferred",
        ):
            rows.append(
                [
                    e["pk"],
                    e["occurred_on"],
                    e["month"],
                    e["duration_minutes"],
                    e["channel"],
                    e["procedure_domain"],
                    e["procedure_root"],
                    e["referrer_kind"],
                    e["referred_by_id"],
                    names.get(e["referred_by_id"], ""),
                    e["responsible_kind"],
                    e["responsible_institution_id"],
                    names.get(e["responsible_institution_id"], ""),
                    ";".join(sorted(barriers.get(e["pk"], []))),
                    e["mode"],
                    e["outcome"],
                    e["consent"],
                    ";".join(sorted(flags.get(e["pk"], []))),
                    e["is_transferred"],
                    e["is_referred_transferred"],
                ]
            )
        if on_progress is not None:
            on_progress(round(90 * (start + len(batch)) / len(ids)))
    return rows


def log_export(
    *,
    association: Association,
    period,
    fmt: str,
    on_progress: Callable[[int], None] | None = None,
) -> ExportFile:
    if fmt not in ("csv", "xlsx"):
        raise ExportError({"format": [_("The log exports as csv or xlsx.")]})
    sheet = Sheet(_("Log"), LOG_HEADER, log_rows(association, period, on_progress))
    name = f"{association.slug}-log-{_period_name(period)}.{fmt}"
    if fmt == "csv":
        return ExportFile(name, csv_bytes(sheet))
    return ExportFile(name, xlsx_bytes([sheet]))


# --- Background jobs --------------------------------------------------------------------------

EXPORT_KINDS = ("monthly", "statements", "log")


def export_params_check(params: dict) -> dict:
    """Validate what a job will export before it is queued; errors name the field."""
    export = params.get("export")
    fmt = params.get("format")
    errors = {}
    if export not in EXPORT_KINDS:
        errors["export"] = [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(EXPORT_KINDS)}]
    allowed = ("csv", "xlsx") if export == "log" else FORMATS
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
        "language": _language(params.get("language")),
    }


def export_build(association: Association, params: dict, on_progress=None) -> ExportFile:
    period = selectors.period_parse(params["from"], params["to"])
    if params["export"] == "log":
        return log_export(
            association=association, period=period, fmt=params["format"], on_progress=on_progress
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
    jobs = Job.objects.filter(
        kind=Job.Kind.EXPORT, state=Job.State.SUCCEEDED, finished_at__lt=cutoff
    )
    for job in jobs.iterator():
        if job.result.get("expired"):
            continue
        found = export_job_file(job)
        if found is not None:
            found[0].unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(result={**job.result, "expired": True})
        expired += 1
    return expired
