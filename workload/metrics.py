"""METRICS.md as database aggregates: the one place where the classes of work are defined.

Every figure is a COUNT or SUM with a FILTER over the log, so the database does the work and
the same expressions serve the rollups, the statements and any direct check.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Q, Sum
from django.db.models.functions import Cast, Round

from attempts.models import ANSWERED
from taxonomy import NON_EXTERNAL_KINDS, NON_TAKE_UP_OUTCOMES

from .models import ATTEMPT_METRICS, ENTRY_METRICS

CENT = Decimal("0.01")

# The version of METRICS.md these definitions implement; releases and bundles carry it.
METRICS_VERSION = "1.2"

RIGHTS_AT_RISK = ("delay", "temp_loss", "partial_loss", "total_loss", "extra_cost")
RIGHTS_DELAYED = ("delay", "temp_loss")
RIGHTS_LOST = ("partial_loss", "total_loss")


def classes(prefix: str = "") -> dict[str, Q]:
    """The classes of METRICS.md as Q objects; `prefix` reaches the entry from a child row."""

    def q(**lookups):
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    def f(name):
        return F(f"{prefix}{name}")

    external = ~q(responsible_kind__in=sorted(NON_EXTERNAL_KINDS))
    digital = q(has_barrier=True)
    transferred = external & digital
    both_institutions = q(referred_by__isnull=False, responsible_institution__isnull=False)
    sent_by_responsible_body = (both_institutions & q(referred_by=f("responsible_institution"))) | (
        ~both_institutions & q(referrer_kind=f("responsible_kind"))
    )
    return {
        "external": external,
        "digital": digital,
        "transferred": transferred,
        "referred_transferred": transferred & sent_by_responsible_body,
        "do_for": q(mode="do_for"),
        "non_take_up": q(outcome__in=sorted(NON_TAKE_UP_OUTCOMES)),
        "postponed_technical": q(outcome="postponed_technical"),
        "once_only": q(has_once_only=True),
        "without_consent_do_for": q(mode="do_for", consent="none"),
        "sensitive": q(has_sensitive_flag=True),
        "rights_at_risk": q(rights_impact__in=RIGHTS_AT_RISK),
        "rights_delayed": q(rights_impact__in=RIGHTS_DELAYED),
        "rights_lost": q(rights_impact__in=RIGHTS_LOST),
        # The entry's mandate is derived on every write (mandates.selectors): none means no
        # mandate of its person in force that day covered its top-level domain.
        "do_for_without_mandate": q(mode="do_for", mandate__isnull=True),
    }


def attempt_classes() -> dict[str, Q]:
    """The contact attempt's classes of METRICS.md: failed, and owed (failed, external)."""
    failed = ~Q(result=ANSWERED)
    return {
        "failed": failed,
        "owed": failed & ~Q(institution_kind__in=sorted(NON_EXTERNAL_KINDS)),
    }


def aggregates(prefix: str = "") -> dict:
    """Annotations computing every counted metric of one group of entries."""
    c = classes(prefix)
    minutes = f"{prefix}duration_minutes"
    one = "pk"

    def count(cls=None):
        return Count(one, filter=cls) if cls is not None else Count(one)

    def total(cls=None):
        return Sum(minutes, filter=cls, default=0) if cls is not None else Sum(minutes, default=0)

    def cents(name):
        return Cast(Round(F(f"{prefix}{name}") * 100), BigIntegerField())

    # Σ months × monthly amount, in cents: an integer, whatever the database does with decimals.
    months_cents = F(f"{prefix}right_months") * cents("right_monthly_eur")

    def cents_total(expression, cls=None):
        return Cast(Sum(expression, filter=cls, default=0), BigIntegerField())

    result = {
        "requests": count(),
        "minutes": total(),
        "external_requests": count(c["external"]),
        "external_minutes": total(c["external"]),
        "digital_requests": count(c["digital"]),
        "digital_minutes": total(c["digital"]),
        "transferred_requests": count(c["transferred"]),
        "transferred_minutes": total(c["transferred"]),
        "referred_transferred_requests": count(c["referred_transferred"]),
        "referred_transferred_minutes": total(c["referred_transferred"]),
        "do_for_requests": count(c["do_for"]),
        "non_take_up": count(c["non_take_up"]),
        "postponed_technical": count(c["postponed_technical"]),
        "once_only_violations": count(c["once_only"]),
        "without_consent_do_for": count(c["without_consent_do_for"]),
        "sensitive_handling": count(c["sensitive"]),
        "rights_at_risk": count(c["rights_at_risk"]),
        "rights_lost": count(c["rights_lost"]),
        "rights_delayed_cents": cents_total(months_cents, c["rights_delayed"]),
        "rights_lost_cents": Cast(
            Sum(months_cents, filter=c["rights_lost"], default=0)
            + Sum(cents("extra_cost_eur"), default=0),
            BigIntegerField(),
        ),
        "do_for_without_mandate": count(c["do_for_without_mandate"]),
    }
    assert tuple(result) == ENTRY_METRICS
    return result


def attempt_aggregates() -> dict:
    """Annotations computing every attempt metric of one group of contact attempts."""
    c = attempt_classes()
    result = {
        "attempts": Count("pk"),
        "failed_attempts": Count("pk", filter=c["failed"]),
        "owed_attempts": Count("pk", filter=c["owed"]),
        "owed_attempt_minutes": Sum("waited_minutes", filter=c["owed"], default=0),
    }
    assert tuple(result) == ATTEMPT_METRICS
    return result


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def transferred_value_unrounded(transferred_minutes: int, hourly_cost_eur: Decimal) -> Decimal:
    """Minutes' worth at an hourly cost, unrounded (transferred or owed minutes alike)."""
    return Decimal(transferred_minutes) * Decimal(hourly_cost_eur) / Decimal(60)


def cell_values(counts: dict, hourly_cost_eur: Decimal) -> tuple[Decimal, Decimal]:
    """The transferred and owed minutes' worth of one association's cell, unrounded."""
    return (
        transferred_value_unrounded(counts["transferred_minutes"], hourly_cost_eur),
        transferred_value_unrounded(owed_minutes(counts), hourly_cost_eur),
    )


def owed_minutes(counts: dict) -> int:
    return counts["transferred_minutes"] + counts["owed_attempt_minutes"]


def disclosure_weight(counts: dict) -> int:
    """What a cell counts for the k rule of disclosure control: its entries plus its
    contact attempts (METRICS.md)."""
    return counts["requests"] + counts["attempts"]


def euros_of_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def derived(
    counts: dict,
    value_unrounded: Decimal,
    owed_value_unrounded: Decimal,
    *,
    with_attempts: bool = True,
) -> dict:
    """The published metrics of one cell: the counts plus shares and euro values.

    `value_unrounded` and `owed_value_unrounded` are the transferred and owed minutes' worth
    at the hourly cost of each association (summed unrounded across associations). Without
    attempts (a breakdown other than the total and the responsible body's), the attempt
    metrics and what they are part of are null."""
    minutes, requests = counts["minutes"], counts["requests"]
    metrics = {name: counts[name] for name in PUBLISHED_COUNTS}
    metrics.update(
        transferred_share=(counts["transferred_minutes"] / minutes) if minutes else None,
        transferred_value_eur=round_cents(value_unrounded),
        do_for_share=(counts["do_for_requests"] / requests) if requests else None,
        rights_delayed_value_eur=euros_of_cents(counts["rights_delayed_cents"]),
        rights_lost_value_eur=euros_of_cents(counts["rights_lost_cents"]),
    )
    if with_attempts:
        metrics.update(
            owed_minutes=owed_minutes(counts),
            owed_value_eur=round_cents(owed_value_unrounded),
        )
    else:
        metrics.update(dict.fromkeys((*PUBLISHED_ATTEMPT_COUNTS, "owed_minutes", "owed_value_eur")))
    return {name: metrics[name] for name in PUBLISHED_METRICS}


# Stored counts that are published as they are (cents become euros; `owed_attempts` serves the
# statements and the disclosure rule only).
PUBLISHED_ATTEMPT_COUNTS = ("attempts", "failed_attempts", "owed_attempt_minutes")
PUBLISHED_COUNTS = (
    *(n for n in ENTRY_METRICS if not n.endswith("_cents")),
    *PUBLISHED_ATTEMPT_COUNTS,
)
# The figures of the first version first, in their order (files and columns keep their place).
PUBLISHED_METRICS = (
    *ENTRY_METRICS[: ENTRY_METRICS.index("rights_at_risk")],
    "transferred_share",
    "transferred_value_eur",
    "do_for_share",
    "rights_at_risk",
    "rights_lost",
    "rights_delayed_value_eur",
    "rights_lost_value_eur",
    "do_for_without_mandate",
    "attempts",
    "failed_attempts",
    "owed_attempt_minutes",
    "owed_minutes",
    "owed_value_eur",
)
assert set(PUBLISHED_COUNTS) <= set(PUBLISHED_METRICS)
EURO_METRICS = tuple(name for name in PUBLISHED_METRICS if name.endswith("_eur"))
