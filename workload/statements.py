"""Subcontracting statements: what one responsible body owes the association for the work
transferred to it, as the page shows it and as PDF, XLSX and CSV files.

The figures come from `selectors.statements_for_association` (read from the log); here they
get labels, every month of the period and the definitions they are made of.
"""

import re
from collections.abc import Callable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import selectors as complaint_selectors
from organisations.letterhead import enterprise_number_display
from organisations.models import Association
from organisations.selectors import association_signatory_name
from referrals.models import Institution
from rendering import numbers
from rendering.files import ExportFile
from rendering.pdf import pdf_bytes_of_parts
from rendering.tables import Sheet
from taxonomy import get_taxonomy

from . import charts, selectors
from .presentation import (
    BARRIER_NOTE,
    COLUMN_LABELS,
    METRIC_DEFINITIONS,
    ExportError,
    date_in_words,
    export_language,
    export_stem,
    hours,
    period_in_words,
    table_file,
)


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
    """A statement with labels and every month of the period (zeros included)."""
    taxonomy = get_taxonomy()
    by_month = {m["code"]: m for m in statement["months"]}
    months = [
        by_month.get(month, {"code": month, "requests": 0, "minutes": 0}) for month in period.months
    ]
    months = [
        {
            **m,
            "transferred_value_eur": selectors._euros(m["minutes"], statement["hourly_cost_eur"]),
        }
        for m in months
    ]

    def labelled(items, section):
        return [
            {
                **item,
                "label": taxonomy.label(section, item["code"], language),
            }
            for item in items
        ]

    attempts_by_channel = [
        {
            **row,
            "channel_label": taxonomy.label("attempt_channels", row["channel"], language),
            "result_label": taxonomy.label("attempt_results", row["result"], language),
        }
        for row in statement["attempts_by_channel"]
    ]
    return {
        **statement,
        "attempts_by_channel": attempts_by_channel,
        "attempt_minutes": sum(row["minutes"] for row in attempts_by_channel),
        "key": statement_key(statement),
        "title": statement_title(statement, language),
        "kind_label": taxonomy.label("referrer_types", statement["responsible_kind"], language),
        "by_procedure_domain": labelled(statement["by_procedure_domain"], "procedure_domains"),
        "by_barrier": labelled(statement["by_barrier"], "digital_barriers"),
        "months_full": months,
        "month_chart": charts.stacked_months(
            [m["code"] for m in months],
            [(_("transferred"), [m["minutes"] for m in months])],
            title=_("Transferred hours per month"),
            number=numbers.hours,
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
    "attempts",
    "failed_attempts",
    "owed_attempt_minutes",
    "rights_at_risk",
    "rights_lost",
    "rights_delayed_value_eur",
    "rights_lost_value_eur",
]
# The rights ledger's columns of a split row, in the order of the header.
RIGHTS_COLUMNS = (
    "rights_at_risk",
    "rights_lost",
    "rights_delayed_value_eur",
    "rights_lost_value_eur",
)


STATEMENT_SUMMARY_HEADER = [
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
    "do_for_requests",
    "do_for_without_mandate",
    "attempts",
    "failed_attempts",
    "owed_attempts",
    "owed_attempt_minutes",
    "owed_attempt_hours",
    "owed_attempt_value_eur",
    "owed_minutes",
    "owed_hours",
    "owed_value_eur",
    "rights_at_risk",
    "rights_lost",
    "rights_delayed_value_eur",
    "rights_lost_value_eur",
    "extra_cost_eur",
]
# The splits of a statement in the order of its sheet, with the taxonomy section of its codes.
STATEMENT_SPLITS = (
    ("procedure_domain", "by_procedure_domain", "procedure_domains"),
    ("barrier", "by_barrier", "digital_barriers"),
    ("month", "months", None),
)


def statement_sheets(statements: list[dict], period, language: str) -> list[Sheet]:
    """A summary (one row per statement) and the splits in long form (one row per statement,
    section and code): the same figures as the page and the PDF."""
    taxonomy = get_taxonomy()
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
                s["do_for_requests"],
                s["do_for_without_mandate"],
                s["attempts"],
                s["failed_attempts"],
                s["owed_attempts"],
                s["owed_attempt_minutes"],
                hours(s["owed_attempt_minutes"]),
                s["owed_attempt_value_eur"],
                s["owed_minutes"],
                hours(s["owed_minutes"]),
                s["owed_value_eur"],
                *(s[name] for name in RIGHTS_COLUMNS),
                s["extra_cost_eur"],
            ]
        )
        splits.extend(_split_rows(s, ident, taxonomy, language))
    return [
        Sheet(_("Statements"), STATEMENT_SUMMARY_HEADER, summary),
        Sheet(_("Splits"), STATEMENT_HEADER, splits),
    ]


def _split_rows(statement: dict, ident: list, taxonomy, language: str) -> list[list]:
    rows = [
        [
            *ident,
            section,
            item["code"],
            taxonomy.label(labels, item["code"], language) if labels else item["code"],
            item["requests"],
            item["minutes"],
            hours(item["minutes"]),
            item["transferred_value_eur"],
            None,
            None,
            None,
            *(item.get(name) for name in RIGHTS_COLUMNS),
        ]
        for section, key, labels in STATEMENT_SPLITS
        for item in statement[key]
    ]
    # The attempts to the body by channel and result: code `channel.result`; the minutes are
    # all the time lost, the value that of the owed minutes only.
    for item in statement["attempts_by_channel"]:
        channel = taxonomy.label("attempt_channels", item["channel"], language)
        result = taxonomy.label("attempt_results", item["result"], language)
        rows.append(
            [
                *ident,
                "attempt",
                f"{item['channel']}.{item['result']}",
                f"{channel} — {result}",
                None,
                item["minutes"],
                hours(item["minutes"]),
                item["owed_attempt_value_eur"],
                item["attempts"],
                item["failed_attempts"],
                item["owed_attempt_minutes"],
                None,
                None,
                None,
                None,
            ]
        )
    return rows


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
                    *[None] * 7,
                ]
            )
        for code in ("non_take_up", "once_only_violations", "do_for_without_mandate"):
            rows.append([*ident, "total", code, "", s[code], *[None] * 10])
        nothing = [None] * 4
        rows.append(
            [
                *ident,
                "total",
                "owed_attempts",
                str(_("What your channels cost us")),
                None,
                s["owed_attempt_minutes"],
                hours(s["owed_attempt_minutes"]),
                s["owed_attempt_value_eur"],
                s["attempts"],
                s["failed_attempts"],
                s["owed_attempt_minutes"],
                *nothing,
            ]
        )
        rows.append(
            [
                *ident,
                "total",
                "owed",
                str(COLUMN_LABELS["owed_minutes"]),
                None,
                s["owed_minutes"],
                hours(s["owed_minutes"]),
                s["owed_value_eur"],
                *[None] * 3,
                *nothing,
            ]
        )
        rows.append(
            [
                *ident,
                "total",
                "rights",
                str(_("What it cost the people you serve")),
                None,
                None,
                None,
                None,
                *[None] * 3,
                *(s[name] for name in RIGHTS_COLUMNS),
            ]
        )
        rows.append(
            [
                *ident,
                "total",
                "extra_cost",
                str(COLUMN_LABELS["extra_cost_eur"]),
                None,
                None,
                None,
                s["extra_cost_eur"],
                *[None] * 3,
                *nothing,
            ]
        )
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
    language = export_language(language)
    statements = statement_pick(
        selectors.statements_for_association(association=association, period=period), key
    )
    with translation.override(language):
        if key:
            (statement,) = statements
            subject = (statement["institution"] or {}).get("name") or statement_title(
                statement, language
            )
            stem = export_stem("statement", period, language, subject)
        else:
            stem = export_stem("statements", period, language)
        if fmt == "pdf":
            parts = [
                statement_context(association, period, [statement], language)
                for statement in statements
            ] or [statement_context(association, period, [], language)]
            return ExportFile(
                f"{stem}.pdf",
                pdf_bytes_of_parts("workload/pdf/statements.html", parts, on_progress),
            )
        return table_file(
            stem,
            fmt,
            statement_sheets(statements, period, language),
            csv_sheet=statements_csv_rows(statements, period, language),
        )


def statement_reference(association, statement: dict, period) -> str:
    """The letter's reference: the same association, body and period always give the same
    one, so that an answer quoting it finds its statement again."""
    months = period.start.replace("-", "")
    if period.end != period.start:
        months += "-" + period.end.replace("-", "")
    return f"{association.slug}/{statement_key(statement)}/{months}".upper()


def statement_sender(association) -> dict:
    """The letterhead: what the association prints about itself at the top of its letters."""
    town = " ".join(part for part in (association.postcode, association.city) if part)
    return {
        "name": association.name,
        "lines": [line for line in (association.street, town) if line],
        "city": association.city,
        "phone": association.phone,
        "email": association.email,
        "contact_person": association.contact_person,
        "enterprise_number": enterprise_number_display(association.enterprise_number),
    }


def statement_addressee(statement: dict, institution, language: str) -> dict:
    """To whom the letter goes: the institution and its address in the registry (whatever
    part of it is known), or the kind of body when the entries named no institution."""
    if institution is None:
        return {"name": statement_title(statement, language), "lines": [], "known": False}
    return {
        "name": institution.display_name(language),
        "lines": institution.postal_lines(language),
        "known": bool(institution.street),
    }


def issue_date():
    """The day a letter is dated: the day it is made."""
    return timezone.localdate()


def statement_letter(association, period, statement: dict, institution, language: str) -> dict:
    return {
        "issued_on": date_in_words(issue_date(), language),
        "sender": statement_sender(association),
        "addressee": statement_addressee(statement, institution, language),
        "period_in_words": period_in_words(period, language),
        "reference": statement_reference(association, statement, period),
        "signatory": association_signatory_name(association=association),
    }


# --- Once-Only complaints about the body (complaints app) -----------------------------------


def statement_complaints(counts: dict, statement: dict) -> dict | None:
    """How many of the association's Once-Only complaints quote entries of the period whose
    responsible body is this institution, and how many were answered; None for a statement
    of a kind of body (a complaint is about an institution)."""
    if not statement["institution"]:
        return None
    return counts.get(statement["institution"]["id"], {"complaints": 0, "answers": 0})


def _complaint_counts(association, period) -> dict:
    return complaint_selectors.complaint_counts_by_institution(
        association=association, months=period.months
    )


def statement_context(association, period, statements, language) -> dict:
    institutions = Institution.objects.in_bulk(
        [s["institution"]["id"] for s in statements if s["institution"]]
    )
    presented = []
    complaint_counts = _complaint_counts(association, period) if statements else {}
    for s in statements:
        institution = institutions.get(s["institution"]["id"]) if s["institution"] else None
        presented.append(
            {
                **statement_present(s, period, language),
                "letter": statement_letter(association, period, s, institution, language),
                "complaints": statement_complaints(complaint_counts, s),
            }
        )
    return {
        "association": association,
        "period": period,
        "period_in_words": period_in_words(period, language),
        "sender": statement_sender(association),
        "statements": presented,
        "hourly_cost_eur": association.hourly_cost_eur,
        "definitions": [
            (_("Transferred work"), METRIC_DEFINITIONS["transferred_requests"]),
            (_("Referred-transferred work"), METRIC_DEFINITIONS["referred_transferred_requests"]),
            (_("Euro value"), METRIC_DEFINITIONS["transferred_value_eur"]),
            (_("Non-take-up"), METRIC_DEFINITIONS["non_take_up"]),
            (_("Once-only violations"), METRIC_DEFINITIONS["once_only_violations"]),
            (
                _("Done in the person's place without a mandate"),
                METRIC_DEFINITIONS["do_for_without_mandate"],
            ),
            (_("Failed attempts"), METRIC_DEFINITIONS["failed_attempts"]),
            (_("Owed minutes"), METRIC_DEFINITIONS["owed_minutes"]),
            (_("Rights at risk"), METRIC_DEFINITIONS["rights_at_risk"]),
            (_("Rights lost"), METRIC_DEFINITIONS["rights_lost"]),
            (_("Value of rights delayed"), METRIC_DEFINITIONS["rights_delayed_value_eur"]),
            (_("Value of rights lost"), METRIC_DEFINITIONS["rights_lost_value_eur"]),
            (_("Barriers"), BARRIER_NOTE),
        ],
        "language": language,
    }
