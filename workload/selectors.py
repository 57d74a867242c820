"""Reads of workload figures. Every function takes the association it reads for, so no
figure of another association can come out of it.

The monthly table reads the rollups; the subcontracting statement aggregates the log itself
(it needs two-way splits that the one-dimensional rollups do not hold).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, BooleanField, Case, Count, F, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext as _

from attempts import selectors as attempt_selectors
from cases.entry_fields import ENTRY_FIELDS, Kind
from cases.models import AssistanceRequest, RequestBarrier
from organisations.models import Association
from referrals.models import Institution

from .metrics import (
    aggregates,
    attempt_aggregates,
    cell_values,
    classes,
    derived,
    euros_of_cents,
    round_cents,
    transferred_value_unrounded,
)
from .models import (
    ATTEMPT_GROUP_COLUMNS,
    COUNT_METRICS,
    DIMENSIONS,
    INSTITUTION_DIMENSIONS,
    TOTAL,
    Job,
    Rollup,
)

# ASCII digits only, and no trailing newline: the months are compared and stepped as strings,
# so "２０２５-01" (full-width digits) would never be reached and "2025-01\n" never equalled.
MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])\Z")
MAX_PERIOD_MONTHS = 120


@dataclass(frozen=True)
class Period:
    start: str  # "YYYY-MM", inclusive
    end: str  # "YYYY-MM", inclusive

    @property
    def months(self) -> list[str]:
        year, month = map(int, self.start.split("-"))
        out = []
        while True:
            current = f"{year:04d}-{month:02d}"
            out.append(current)
            if current >= self.end:
                return out
            month += 1
            if month == 13:
                year, month = year + 1, 1


def period_parse(month_from, month_to) -> Period:
    """Check a period given as two "YYYY-MM" strings; a ValidationError names each bad one."""
    errors = {}
    for field, value in (("from", month_from), ("to", month_to)):
        if not value:
            errors[field] = [_("This field is required (YYYY-MM).")]
        elif not isinstance(value, str) or not MONTH_RE.match(value):
            errors[field] = [_("Enter a month as YYYY-MM.")]
    if not errors:
        if month_from > month_to:
            errors["to"] = [_("The end of the period comes before its start.")]
        else:
            period = Period(month_from, month_to)
            if len(period.months) > MAX_PERIOD_MONTHS:
                errors["to"] = [_("The period is too long (120 months at most).")]
            else:
                return period
    raise ValidationError(errors)


def dimension_parse(group_by) -> str | None:
    if group_by in (None, ""):
        return None
    if group_by not in DIMENSIONS:
        raise ValidationError(
            {
                "group_by": [
                    _("Unknown dimension; use one of: %(dims)s.") % {"dims": ", ".join(DIMENSIONS)}
                ]
            }
        )
    return group_by


def period_and_dimension_parse(month_from, month_to, group_by) -> tuple[Period, str | None]:
    """Both checks at once, so that one answer names every bad parameter."""
    errors, period, dimension = {}, None, None
    try:
        period = period_parse(month_from, month_to)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        dimension = dimension_parse(group_by)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return period, dimension


def group_value(dimension: str, key: str):
    """A rollup's group key as published: an institution's number, a code, or None (total)."""
    if dimension == TOTAL:
        return None
    if dimension in INSTITUTION_DIMENSIONS:
        return int(key) if key else None
    return key


def monthly_table_for_association(
    *, association: Association, period: Period, group_by: str | None = None
) -> list[dict]:
    """Rows of {month, group, <every metric>}. Without a dimension one row per month of the
    period (empty months have zeros and null shares); with one, a row per month and
    non-empty group."""
    dimension = group_by or TOTAL
    cells = Rollup.objects.filter(
        association=association, dimension=dimension, month__gte=period.start, month__lte=period.end
    ).order_by("month", "group_key")
    rows = []
    with_attempts = dimension in ATTEMPT_GROUP_COLUMNS
    for cell in cells:
        counts = {name: getattr(cell, name) for name in COUNT_METRICS}
        rows.append(
            {
                "month": cell.month,
                "group": group_value(dimension, cell.group_key),
                **derived(
                    counts, *cell_values(counts, cell.hourly_cost_eur), with_attempts=with_attempts
                ),
            }
        )
    if group_by is None:
        present = {row["month"] for row in rows}
        empty = {name: 0 for name in COUNT_METRICS}
        for month in period.months:
            if month not in present:
                zero = derived(empty, Decimal(0), Decimal(0))
                rows.append({"month": month, "group": None, **zero})
        rows.sort(key=lambda row: row["month"])
    return rows


def job_get_for_association(*, association: Association, pk, kinds=None) -> Job | None:
    """One of the association's jobs (of one of `kinds` when given), or None: None also for
    another association's job, so the caller answers 404 either way."""
    jobs = Job.objects.filter(association=association, pk=pk)
    if kinds is not None:
        jobs = jobs.filter(kind__in=kinds)
    return jobs.first()


def statements_for_association(*, association: Association, period: Period) -> list[dict]:
    """One subcontracting statement per responsible institution (entries or attempts naming
    one) or else per responsible kind, largest transferred minutes first.

    Each gives the transferred and referred-transferred entries, minutes and euro value, the
    split by procedure domain and by barrier, non-take-up, the entries done in the person's
    place and those of them without a mandate in force, and the months; the rights at risk
    and lost among those entries with their euro values; the contact attempts to the body by
    channel and result, the owed attempt minutes and the owed minutes with their value
    (METRICS.md). A body with owed attempts and no transferred entry has a statement too.
    No person, ever.
    """
    cost = association.hourly_cost_eur
    transferred = (
        AssistanceRequest.objects.for_association(association)
        .filter(month__gte=period.start, month__lte=period.end)
        .filter(classes()["transferred"])
    )
    statements = _statement_totals(transferred, cost)
    for target, code_field, rows in _statement_split_rows(transferred):
        for row in rows:
            ident = (row["responsible_institution_id"], row["responsible_kind"])
            item = {
                "code": row[code_field],
                "requests": row["requests"],
                "minutes": row["minutes"],
                "transferred_value_eur": _euros(row["minutes"], cost),
            }
            if target != "months":
                item.update(_rights(row))
            statements[ident][target].append(item)
    _statement_attempts(statements, association, period, cost)
    _statement_name_and_sort(statements)
    return sorted(
        statements.values(),
        key=lambda s: (
            -s["transferred_minutes"],
            -s["owed_attempt_minutes"],
            s["responsible_kind"],
            (s["institution"] or {}).get("id") or 0,
        ),
    )


# The rights ledger's figures of a group of entries, as `aggregates` computes them.
RIGHTS_COUNTS = ("rights_at_risk", "rights_lost", "rights_delayed_cents", "rights_lost_cents")


def _rights(row: dict) -> dict:
    return {
        "rights_at_risk": row["rights_at_risk"],
        "rights_lost": row["rights_lost"],
        "rights_delayed_value_eur": euros_of_cents(row["rights_delayed_cents"]),
        "rights_lost_value_eur": euros_of_cents(row["rights_lost_cents"]),
    }


def _rights_aggregates(prefix: str = "") -> dict:
    every = aggregates(prefix)
    return {name: every[name] for name in RIGHTS_COUNTS}


def _statement_empty(ident: tuple, cost: Decimal) -> dict:
    return {
        "institution": None,
        "responsible_kind": ident[1],
        "transferred_requests": 0,
        "transferred_minutes": 0,
        "transferred_value_eur": _euros(0, cost),
        "referred_transferred_requests": 0,
        "referred_transferred_minutes": 0,
        "referred_transferred_value_eur": _euros(0, cost),
        "non_take_up": 0,
        "once_only_violations": 0,
        "do_for_requests": 0,
        "do_for_without_mandate": 0,
        "rights_at_risk": 0,
        "rights_lost": 0,
        "rights_delayed_value_eur": euros_of_cents(0),
        "rights_lost_value_eur": euros_of_cents(0),
        "extra_cost_eur": euros_of_cents(0),
        "hourly_cost_eur": cost,
        "by_procedure_domain": [],
        "by_barrier": [],
        "months": [],
        **_statement_attempt_totals({}, 0, cost),
    }


def _statement_attempt_totals(row: dict, transferred_minutes: int, cost: Decimal) -> dict:
    owed_attempt_minutes = row.get("owed_attempt_minutes", 0)
    return {
        "attempts": row.get("attempts", 0),
        "failed_attempts": row.get("failed_attempts", 0),
        "owed_attempts": row.get("owed_attempts", 0),
        "owed_attempt_minutes": owed_attempt_minutes,
        "owed_attempt_value_eur": _euros(owed_attempt_minutes, cost),
        "owed_minutes": transferred_minutes + owed_attempt_minutes,
        "owed_value_eur": _euros(transferred_minutes + owed_attempt_minutes, cost),
        "attempts_by_channel": [],
    }


def _statement_totals(transferred, cost: Decimal) -> dict[tuple, dict]:
    statements = {}
    extra_cents = Cast(
        Sum(Cast(Round(F("extra_cost_eur") * 100), BigIntegerField()), default=0),
        BigIntegerField(),
    )
    rows = transferred.values(*STATEMENT_KEY).annotate(**aggregates(), extra_cents=extra_cents)
    for row in rows.order_by():
        ident = (row["responsible_institution_id"], row["responsible_kind"])
        statements[ident] = {
            **_statement_empty(ident, cost),
            "transferred_requests": row["transferred_requests"],
            "transferred_minutes": row["transferred_minutes"],
            "transferred_value_eur": _euros(row["transferred_minutes"], cost),
            "referred_transferred_requests": row["referred_transferred_requests"],
            "referred_transferred_minutes": row["referred_transferred_minutes"],
            "referred_transferred_value_eur": _euros(row["referred_transferred_minutes"], cost),
            "non_take_up": row["non_take_up"],
            "once_only_violations": row["once_only_violations"],
            "do_for_requests": row["do_for_requests"],
            "do_for_without_mandate": row["do_for_without_mandate"],
            **_rights(row),
            "extra_cost_eur": euros_of_cents(row["extra_cents"]),
            **_statement_attempt_totals({}, row["transferred_minutes"], cost),
        }
    return statements


def _statement_attempts(statements: dict[tuple, dict], association, period, cost) -> None:
    """The attempts to each body: its totals and its rows by channel and result. A body with
    owed attempts and no statement yet gets one (METRICS.md)."""
    attempts = attempt_selectors.contact_attempt_list_for_months(
        association=association, month_from=period.start, month_to=period.end
    )
    key = {
        "responsible_institution_id": F("institution_id"),
        "responsible_kind": F("institution_kind"),
    }
    for row in attempts.values(**key).annotate(**attempt_aggregates()).order_by():
        ident = (row["responsible_institution_id"], row["responsible_kind"])
        if ident not in statements:
            if not row["owed_attempts"]:
                continue
            statements[ident] = _statement_empty(ident, cost)
        statement = statements[ident]
        statement.update(_statement_attempt_totals(row, statement["transferred_minutes"], cost))
    by_channel = (
        attempts.values("channel", "result", **key)
        .annotate(**attempt_aggregates(), minutes=Sum("waited_minutes", default=0))
        .order_by("channel", "result")
    )
    for row in by_channel:
        ident = (row["responsible_institution_id"], row["responsible_kind"])
        if ident in statements:
            statements[ident]["attempts_by_channel"].append(
                {
                    "channel": row["channel"],
                    "result": row["result"],
                    "attempts": row["attempts"],
                    "failed_attempts": row["failed_attempts"],
                    "minutes": row["minutes"],
                    "owed_attempt_minutes": row["owed_attempt_minutes"],
                    "owed_attempt_value_eur": _euros(row["owed_attempt_minutes"], cost),
                }
            )


def _statement_split_rows(transferred):
    """(split name, code field, rows of requests and minutes per statement and code); the
    splits by procedure domain and by barrier carry the rights ledger's figures too."""
    small = {"requests": Count("pk"), "minutes": Sum("duration_minutes", default=0)}
    barrier_rows = (
        RequestBarrier.objects.filter(assistance_request__in=transferred.values("pk"))
        .values(
            "code",
            responsible_institution_id=F("assistance_request__responsible_institution_id"),
            responsible_kind=F("assistance_request__responsible_kind"),
        )
        .annotate(
            requests=Count("pk"),
            minutes=Sum("assistance_request__duration_minutes", default=0),
            **_rights_aggregates("assistance_request__"),
        )
        .order_by()
    )
    return (
        (
            "by_procedure_domain",
            "procedure_root",
            transferred.values(*STATEMENT_KEY, "procedure_root")
            .annotate(**small, **_rights_aggregates())
            .order_by(),
        ),
        (
            "months",
            "month",
            transferred.values(*STATEMENT_KEY, "month").annotate(**small).order_by("month"),
        ),
        ("by_barrier", "code", barrier_rows),
    )


def _statement_name_and_sort(statements: dict[tuple, dict]) -> None:
    institutions = Institution.objects.in_bulk(
        [ident[0] for ident in statements if ident[0] is not None]
    )
    for (institution_id, _kind), statement in statements.items():
        if institution_id is not None:
            institution = institutions[institution_id]
            statement["institution"] = {
                "id": institution.pk,
                "name": institution.name,
                "kind": institution.kind,
            }
        for split_name in ("by_procedure_domain", "by_barrier"):
            statement[split_name].sort(key=lambda s: (-s["minutes"], s["code"]))


STATEMENT_KEY = ("responsible_institution_id", "responsible_kind")


def _euros(minutes: int, cost: Decimal) -> Decimal:
    return round_cents(transferred_value_unrounded(minutes, cost))


# --- The association's own log ----------------------------------------------------------------

# Rows of the log read per query when exporting it; progress is reported per batch.
LOG_BATCH_SIZE = 5000
# What the log export reads of each entry, in the order of its columns: every exported field
# of the entry definition (a body by id, then by name; codes of a many-valued field sorted),
# the stored values computed from a field right after it, then the two classes of METRICS.md.
DERIVED_AFTER = {"occurred_on": ("month",), "procedure_domain": ("procedure_root",)}
CLASS_FLAGS = ("is_transferred", "is_referred_transferred")
EXPORTED = tuple(f for f in ENTRY_FIELDS if f.exported)
LOG_KEYS: tuple[str, ...] = (
    "pk",
    *(
        key
        for f in EXPORTED
        for key in ((f.attribute, f.name) if f.kind is Kind.INSTITUTION else (f.name,))
        + DERIVED_AFTER.get(f.name, ())
    ),
    *CLASS_FLAGS,
)
# The columns of the entry table among them (bodies' names and codes are looked up per batch).
LOG_FIELDS = tuple(
    key
    for key in LOG_KEYS
    if key not in {f.name for f in EXPORTED if f.kind in (Kind.INSTITUTION, Kind.CODES)}
)


def _flag(condition) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _codes_by_entry(name: str, batch: list[int]) -> dict[int, list[str]]:
    """The codes of a many-valued field of these entries (its rows in the child table)."""
    model = AssistanceRequest._meta.get_field(name).related_model
    codes: dict[int, list[str]] = {}
    rows = model.objects.filter(assistance_request_id__in=batch)
    for pk, code in rows.values_list("assistance_request_id", "code"):
        codes.setdefault(pk, []).append(code)
    return codes


def log_entries_for_association(
    *,
    association: Association,
    period: Period,
    on_batch: Callable[[int, int], None] | None = None,
) -> Iterator[dict]:
    """The association's entries of the period, oldest first, read in bounded batches; each
    is a dict of LOG_KEYS: the columns of LOG_FIELDS, the names of its bodies and the codes
    of its many-valued fields, sorted.

    Never the person, the worker who logged it or the notes: a log export does not need them.
    `on_batch(done, total)` follows each batch."""
    c = classes()
    entries = (
        AssistanceRequest.objects.for_association(association)
        .filter(month__gte=period.start, month__lte=period.end)
        .annotate(
            is_transferred=_flag(c["transferred"]),
            is_referred_transferred=_flag(c["referred_transferred"]),
        )
        .order_by("occurred_on", "pk")
    )
    ids = list(entries.values_list("pk", flat=True))
    names = dict(Institution.objects.values_list("pk", "name"))
    bodies = [f for f in EXPORTED if f.kind is Kind.INSTITUTION]
    many = [f for f in EXPORTED if f.kind is Kind.CODES]
    for start in range(0, len(ids), LOG_BATCH_SIZE):
        batch = ids[start : start + LOG_BATCH_SIZE]
        codes = {f.name: _codes_by_entry(f.name, batch) for f in many}
        for entry in entries.filter(pk__in=batch).values(*LOG_FIELDS):
            for f in bodies:
                entry[f.name] = names.get(entry[f.attribute], "")
            for f in many:
                entry[f.name] = sorted(codes[f.name].get(entry["pk"], []))
            yield {key: entry[key] for key in LOG_KEYS}
        if on_batch is not None:
            on_batch(start + len(batch), len(ids))


def export_jobs_finished_before(cutoff):
    """Every association's export jobs that succeeded before `cutoff` (the nightly clean-up
    of their files, which is no one association's read)."""
    return Job.objects.filter(
        kind=Job.Kind.EXPORT, state=Job.State.SUCCEEDED, finished_at__lt=cutoff
    ).iterator()
