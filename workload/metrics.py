"""METRICS.md as database aggregates: the one place where the classes of work are defined.

Every figure is a COUNT or SUM with a FILTER over the log, so the database does the work and
the same expressions serve the rollups, the statements and any direct check.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum

from taxonomy import NON_EXTERNAL_KINDS, NON_TAKE_UP_OUTCOMES

from .models import COUNT_METRICS

CENT = Decimal("0.01")

# The version of METRICS.md these definitions implement; releases and bundles carry it.
METRICS_VERSION = "1.0"


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
    }
    assert tuple(result) == COUNT_METRICS
    return result


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def transferred_value_unrounded(transferred_minutes: int, hourly_cost_eur: Decimal) -> Decimal:
    return Decimal(transferred_minutes) * Decimal(hourly_cost_eur) / Decimal(60)


def derived(counts: dict, value_unrounded: Decimal) -> dict:
    """The published metrics of one cell: the counts plus shares and the euro value."""
    minutes, requests = counts["minutes"], counts["requests"]
    return {
        **{name: counts[name] for name in COUNT_METRICS},
        "transferred_share": (counts["transferred_minutes"] / minutes) if minutes else None,
        "transferred_value_eur": round_cents(value_unrounded),
        "do_for_share": (counts["do_for_requests"] / requests) if requests else None,
    }


PUBLISHED_METRICS = (*COUNT_METRICS, "transferred_share", "transferred_value_eur", "do_for_share")
