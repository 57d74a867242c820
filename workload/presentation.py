"""How the workload figures are shown to people in every format (page, CSV, XLSX, PDF): labels
of groups, decimal hours for files, the metric definitions, file names, the export's language.
Pages, charts and PDFs write their numbers with `rendering.numbers`.

Shared by the monthly table, the statements and the log, so a figure reads the same wherever
it appears.
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from referrals.models import Institution
from rendering.tables import Sheet, xlsx_bytes
from taxonomy import get_taxonomy

from .metrics import PUBLISHED_METRICS
from .models import INSTITUTION_DIMENSIONS

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


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """The sheets as XLSX, followed by the METRICS.md definitions on a sheet of their own."""
    definitions = Sheet(_("Definitions"), [_("metric"), _("definition")], definitions_rows())
    return xlsx_bytes([*sheets, definitions])


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
