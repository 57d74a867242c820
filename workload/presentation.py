"""How the workload figures are shown to people in every format (page, CSV, XLSX, PDF): labels
of groups, decimal hours for files, the metric definitions, the columns of the tables in words,
file names and titles of exports, the export's language. Pages, charts and PDFs write their
numbers with `rendering.numbers`.

Shared by the monthly table, the statements and the log, so a figure reads the same wherever
it appears.
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cases.entry_fields import ENTRY_FIELDS
from referrals.models import Institution
from rendering.files import ExportFile
from rendering.tables import EXCEL_BE, PLAIN, Sheet, csv_bytes, xlsx_bytes
from taxonomy import get_taxonomy

from .metrics import PUBLISHED_METRICS
from .models import GROUP_COLUMNS, INSTITUTION_DIMENSIONS

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
    "rights_at_risk": gettext_lazy(
        "Entries where the person's rights were delayed, interrupted, lost or cost them extra."
    ),
    "rights_lost": gettext_lazy("Entries where a right was lost, in part or in full, for good."),
    "rights_delayed_value_eur": gettext_lazy(
        "Benefits delayed or interrupted: months × monthly amount, in euros."
    ),
    "rights_lost_value_eur": gettext_lazy(
        "Benefits lost for good (months × monthly amount), plus the fees, fines and interest "
        "people bore, in euros."
    ),
    "do_for_without_mandate": gettext_lazy(
        "Entries done in the person's place with no mandate of the person in force that day "
        "for the procedure's domain (an entry without a person counts)."
    ),
    "attempts": gettext_lazy(
        "Attempts to reach an institution (a call, a counter, a form, a booking), whatever "
        "their result; counted in the month total and by responsible body only."
    ),
    "failed_attempts": gettext_lazy("Attempts that got no answer."),
    "owed_attempt_minutes": gettext_lazy(
        "Minutes lost on failed attempts to reach another institution."
    ),
    "owed_minutes": gettext_lazy(
        "Minutes the institutions owe: transferred minutes plus minutes lost on their failing "
        "channels."
    ),
    "owed_value_eur": gettext_lazy(
        "Euro value of the owed minutes: owed minutes ÷ 60 × the association's hourly cost, "
        "rounded to the cent."
    ),
}
BARRIER_NOTE = gettext_lazy(
    "By barrier, an entry with two barriers counts in both groups, so the groups may add up to "
    "more than the total; an entry without a barrier is in no group."
)


class ExportError(ValidationError):
    """A file that cannot be made: the message names the parameter, in the user's language."""


def definitions_rows() -> list[list]:
    rows = [[name, str(METRIC_DEFINITIONS[name])] for name in PUBLISHED_METRICS]
    rows.append(["barrier", str(BARRIER_NOTE)])
    return rows


# --- The columns of the tables, in words --------------------------------------------------------

# The header of every workbook and Excel CSV, by the column's code; the plain CSV keeps the
# codes, which software (and `cases.imports`) reads. The fields of an entry bring their own.
COLUMN_LABELS = {
    "month": gettext_lazy("Month"),
    "group": gettext_lazy("Group (code)"),
    "group_label": gettext_lazy("Group"),
    "requests": gettext_lazy("Entries"),
    "minutes": gettext_lazy("Minutes"),
    "external_requests": gettext_lazy("External entries"),
    "external_minutes": gettext_lazy("External minutes"),
    "digital_requests": gettext_lazy("Digital entries"),
    "digital_minutes": gettext_lazy("Digital minutes"),
    "transferred_requests": gettext_lazy("Transferred entries"),
    "transferred_minutes": gettext_lazy("Transferred minutes"),
    "referred_transferred_requests": gettext_lazy("Referred-transferred entries"),
    "referred_transferred_minutes": gettext_lazy("Referred-transferred minutes"),
    "do_for_requests": gettext_lazy("Done in the person's place"),
    "non_take_up": gettext_lazy("Non-take-up"),
    "postponed_technical": gettext_lazy("Postponed for a technical reason"),
    "once_only_violations": gettext_lazy("Once-only violations"),
    "without_consent_do_for": gettext_lazy("Done in the person's place without consent"),
    "sensitive_handling": gettext_lazy("Sensitive handling"),
    "transferred_share": gettext_lazy("Share of transferred minutes"),
    "transferred_value_eur": gettext_lazy("Value of transferred work (€)"),
    "do_for_share": gettext_lazy("Share done in the person's place"),
    "do_for_without_mandate": gettext_lazy("Done in the person's place without a mandate"),
    "institution_id": gettext_lazy("Institution (number)"),
    "institution": gettext_lazy("Institution"),
    "responsible_kind_label": gettext_lazy("Kind of responsible body, in words"),
    "from": gettext_lazy("First month"),
    "to": gettext_lazy("Last month"),
    "hourly_cost_eur": gettext_lazy("Hourly cost (€)"),
    "transferred_hours": gettext_lazy("Transferred hours"),
    "referred_transferred_hours": gettext_lazy("Referred-transferred hours"),
    "referred_transferred_value_eur": gettext_lazy("Value of referred-transferred work (€)"),
    "section": gettext_lazy("Split"),
    "code": gettext_lazy("Code"),
    "label": gettext_lazy("In words"),
    "hours": gettext_lazy("Hours"),
    "value_eur": gettext_lazy("Value (€)"),
    "entry_id": gettext_lazy("Entry (number)"),
    "procedure_root": gettext_lazy("Procedure area"),
    "referred_by_id": gettext_lazy("Referred by (number)"),
    "responsible_institution_id": gettext_lazy("Responsible body (number)"),
    "transferred": gettext_lazy("Transferred"),
    "referred_transferred": gettext_lazy("Referred-transferred"),
    "rights_at_risk": gettext_lazy("Rights at risk"),
    "rights_lost": gettext_lazy("Rights lost"),
    "rights_delayed_value_eur": gettext_lazy("Value of rights delayed (€)"),
    "rights_lost_value_eur": gettext_lazy("Value of rights lost (€)"),
    "attempts": gettext_lazy("Contact attempts"),
    "failed_attempts": gettext_lazy("Failed attempts"),
    "owed_attempts": gettext_lazy("Owed attempts"),
    "owed_attempt_minutes": gettext_lazy("Owed attempt minutes"),
    "owed_attempt_hours": gettext_lazy("Owed attempt hours"),
    "owed_attempt_value_eur": gettext_lazy("Value of owed attempt minutes (€)"),
    "owed_minutes": gettext_lazy("Owed minutes"),
    "owed_hours": gettext_lazy("Owed hours"),
    "owed_value_eur": gettext_lazy("Value of owed minutes (€)"),
    "extra_cost_eur": gettext_lazy("Extra costs borne by people (€)"),
    **{f.name: f.label for f in ENTRY_FIELDS if f.exported},
}
_HOURS = gettext_lazy("Minutes divided by 60, rounded to the hundredth.")
_NUMBER = gettext_lazy("The body's number in the institution registry; empty when none is named.")
_CODES = gettext_lazy("Codes of the taxonomy, separated by semicolons.")
COLUMN_DEFINITIONS = {
    **METRIC_DEFINITIONS,
    "month": gettext_lazy("Calendar month, as year-month (YYYY-MM)."),
    "group": gettext_lazy(
        "The group's code (a taxonomy code, or an institution's number); empty on a total."
    ),
    "group_label": gettext_lazy("The group in words."),
    "institution_id": _NUMBER,
    "from": gettext_lazy("First month of the period (YYYY-MM)."),
    "to": gettext_lazy("Last month of the period (YYYY-MM)."),
    "hourly_cost_eur": gettext_lazy(
        "The association's hourly cost: the full employer cost of one hour of a social worker."
    ),
    "transferred_hours": _HOURS,
    "referred_transferred_hours": _HOURS,
    "hours": _HOURS,
    "referred_transferred_value_eur": gettext_lazy(
        "Euro value of referred-transferred work, computed as the value of transferred work."
    ),
    "section": gettext_lazy(
        "What the row splits: the totals, the procedure domain, the barrier, the month, or "
        "the contact attempts by channel and result (code channel.result)."
    ),
    "value_eur": gettext_lazy(
        "Euro value of the row's minutes at the association's hourly cost; on a row of "
        "attempts, the value of its owed minutes only."
    ),
    "owed_attempts": gettext_lazy(
        "Failed attempts to reach another institution (not the association, the person, "
        "their circle or unknown)."
    ),
    "owed_attempt_hours": _HOURS,
    "owed_hours": _HOURS,
    "owed_attempt_value_eur": gettext_lazy(
        "Euro value of the owed attempt minutes at the association's hourly cost."
    ),
    "extra_cost_eur": gettext_lazy(
        "Fees, fines and interest the people bore because of it, in euros (part of the value "
        "of rights lost)."
    ),
    "entry_id": gettext_lazy("The entry's number in this instance."),
    "referred_by_id": _NUMBER,
    "responsible_institution_id": _NUMBER,
    "barriers": _CODES,
    "sensitive_flags": _CODES,
    "transferred": METRIC_DEFINITIONS["transferred_requests"],
    "referred_transferred": METRIC_DEFINITIONS["referred_transferred_requests"],
}


def column_label(code: str) -> str:
    return str(COLUMN_LABELS.get(code, code))


def dimension_label(dimension: str) -> str:
    """A dimension in words: the label of the entry's column it groups on."""
    return column_label({**GROUP_COLUMNS, "barrier": "barriers"}.get(dimension, dimension))


def labelled(sheet: Sheet) -> Sheet:
    """The sheet with its header in the active language (its codes kept beside them)."""
    sheet.labels = [column_label(code) for code in sheet.header]
    return sheet


def columns_sheet(sheets: list[Sheet]) -> Sheet:
    """Every column of the sheets once: its name in words, its code (the header of the plain
    CSV) and what it holds, then the note on barriers."""
    codes = list(dict.fromkeys(code for sheet in sheets for code in sheet.header))
    rows = [[column_label(c), c, str(COLUMN_DEFINITIONS.get(c, ""))] for c in codes]
    rows.append([str(COLUMN_LABELS["barriers"]), "barrier", str(BARRIER_NOTE)])
    return Sheet(
        _("Definitions"),
        ["label", "code", "definition"],
        rows,
        labels=[_("Column"), _("Code"), _("Definition")],
    )


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """The sheets as XLSX, headed in the active language, followed by the definitions of
    their columns (with the codes the plain CSV uses) on a sheet of their own."""
    sheets = [labelled(sheet) for sheet in sheets]
    return xlsx_bytes([*sheets, columns_sheet(sheets)])


# --- Formats, titles and file names of the exports ----------------------------------------------

CSV_BE = "csv-be"
# The tables' formats: the CSV for other software (codes, comma, dot decimal, ISO dates; what
# `cases.imports` reads back), the CSV Excel opens directly in Belgium, the workbook.
TABLE_FORMATS = ("xlsx", CSV_BE, "csv")
FORMAT_LABELS = {
    "xlsx": gettext_lazy("Excel"),
    CSV_BE: gettext_lazy("CSV for Excel (Belgium)"),
    "csv": gettext_lazy("CSV for other software (codes)"),
    "pdf": gettext_lazy("PDF"),
}

EXPORT_TITLES = {
    "monthly": gettext_lazy("Monthly table"),
    "statements": gettext_lazy("Subcontracting statements"),
    "statement": gettext_lazy("Subcontracting statement"),
    "log": gettext_lazy("Log of entries"),
}
# The first word of a file's name, in the language of the file.
EXPORT_FILE_WORDS = {
    "monthly": pgettext_lazy("file name", "monthly-table"),
    "statements": pgettext_lazy("file name", "statements"),
    "statement": pgettext_lazy("file name", "statement"),
    "log": pgettext_lazy("file name", "log"),
}


def format_label(fmt: str) -> str:
    return str(FORMAT_LABELS.get(fmt, fmt))


def table_file(stem: str, fmt: str, sheets: list[Sheet], csv_sheet: Sheet | None = None):
    """The one way a table export becomes a file: the workbook of `sheets`, or `csv_sheet`
    (else the first sheet) as the plain CSV or the Excel CSV, headed in the active language."""
    if fmt == "xlsx":
        return ExportFile(f"{stem}.xlsx", workbook_bytes(sheets))
    sheet = csv_sheet or sheets[0]
    if fmt == CSV_BE:
        return ExportFile(f"{stem}-excel-be.csv", csv_bytes(labelled(sheet), EXCEL_BE))
    return ExportFile(f"{stem}.csv", csv_bytes(sheet, PLAIN))


def _month(code: str) -> dt.date:
    year, month = map(int, code.split("-"))
    return dt.date(year, month, 1)


def period_words(start: str, end: str) -> str:
    """A period as people say it, in the active language: "mars 2026", "janvier – mars
    2026", "novembre 2025 – mars 2026"."""
    first, last = _month(start), _month(end)
    if first == last:
        return formats.date_format(first, "F Y")
    if first.year == last.year:
        return f"{formats.date_format(first, 'F')} – {formats.date_format(last, 'F Y')}"
    return f"{formats.date_format(first, 'F Y')} – {formats.date_format(last, 'F Y')}"


def export_title(export: str, start: str, end: str, fmt: str, subject: str = "") -> str:
    """What an export is, in words and in the active language: "Journal des entrées — mars
    2026 (Excel)"."""
    title = str(EXPORT_TITLES.get(export, export))
    if subject:
        title = f"{title} — {subject}"
    label = format_label(fmt)
    # "(CSV pour Excel (Belgique))" would nest brackets: such a label follows a dash instead.
    said = f"— {label}" if "(" in label else f"({label})"
    return f"{title} — {period_words(start, end)} {said}"


def export_stem(export: str, period, language: str, subject: str = "") -> str:
    """A file's name without extension, in `language`: `journal-2026-03`,
    `releve-cpas-de-schaerbeek-2026-01-2026-03`."""
    with translation.override(language):
        word = str(EXPORT_FILE_WORDS[export])
    months = period.start if period.start == period.end else f"{period.start}-{period.end}"
    subject = slugify(subject)[:60].strip("-")
    return "-".join(part for part in (word, subject, months) if part)


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
    """Decimal hours for the typed cells of CSV and XLSX files; people read `numbers.hours`."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def export_language(language: str | None) -> str:
    """The language asked for, else the active one, else the default: always one we speak."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def period_name(period) -> str:
    return f"{period.start}-{period.end}"


# --- dates and periods in words, as a letter writes them ----------------------------------------

# Month names in the letter's language, lower-case where the language writes them so.
MONTH_NAMES = {
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    ).split(),
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "de": (
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
    ).split(),
}


def _letter_language(language: str | None) -> str:
    language = (language or "")[:2]
    return language if language in MONTH_NAMES else settings.LANGUAGE_CODE


def date_in_words(day: dt.date, language: str | None) -> str:
    """3 mars 2026, 3 maart 2026, 3 March 2026, 3. März 2026 (French writes the first "1er")."""
    language = _letter_language(language)
    month = MONTH_NAMES[language][day.month - 1]
    if language == "fr" and day.day == 1:
        return f"1er {month} {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def period_in_words(period, language: str | None) -> str:
    """One month by its name ("mars 2026"), else its first and last days: "du 1er janvier au
    31 mars 2026", "van 1 januari tot en met 31 maart 2026", "from 1 January to 31 March 2026"."""
    language = _letter_language(language)
    start_year, start_month = map(int, period.start.split("-"))
    end_year, end_month = map(int, period.end.split("-"))
    if period.start == period.end:
        return f"{MONTH_NAMES[language][start_month - 1]} {start_year}"
    first = dt.date(start_year, start_month, 1)
    last = dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    first_words = date_in_words(first, language)
    if start_year == end_year:
        first_words = first_words.rsplit(" ", 1)[0]
    last_words = date_in_words(last, language)
    pattern = {
        "fr": "du {first} au {last}",
        "nl": "van {first} tot en met {last}",
        "en": "from {first} to {last}",
        "de": "vom {first} bis zum {last}",
    }[language]
    return pattern.format(first=first_words, last=last_words)
