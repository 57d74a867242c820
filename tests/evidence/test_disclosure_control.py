"""The federation's aggregates under disclosure control (METRICS.md): for random member logs,
no published cell counts fewer than k entries or fewer than 3 associations, no breakdown of a
month holds exactly one suppressed cell, every published cell is the sum of the sharing
members' rollups, and nothing of an association that stopped sharing is in them."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.services import assistance_requests_bulk_create
from evidence.selectors import federation_aggregates
from organisations.services import association_set_sharing
from referrals.models import Institution
from taxonomy import procedure_root
from workload.metrics import PUBLISHED_METRICS
from workload.models import COUNT_METRICS, DIMENSIONS, INSTITUTION_DIMENSIONS, Rollup
from workload.services import rollups_sweep_dirty

from .conftest import FEBRUARY, JANUARY, PERIOD, log, new_association, new_federation

BARRIERS = ["once_only", "itsme", "app_only"]
PROCEDURES = ["tax", "tax.pit_return", "bank.app_auth"]


def entry():
    return st.fixed_dictionaries(
        {
            "occurred_on": st.sampled_from([JANUARY, FEBRUARY]),
            "duration_minutes": st.integers(1, 240),
            "channel": st.sampled_from(["on_site", "phone"]),
            "procedure_domain": st.sampled_from(PROCEDURES),
            "referrer_kind": st.sampled_from(["cpas", "bank", "self"]),
            "referred_by": st.sampled_from([None, 0, 1]),
            "responsible_kind": st.sampled_from(["pub_fed", "bank", "association"]),
            "responsible_institution": st.sampled_from([None, 0, 1]),
            "barriers": st.lists(st.sampled_from(BARRIERS), unique=True, max_size=2),
            "mode": st.sampled_from(["do_for", "do_with"]),
            "outcome": st.sampled_from(["resolved", "abandoned"]),
            "consent": st.sampled_from(["oral", "none"]),
        }
    )


def with_institutions(drawn):
    """Swap the drawn institution positions for two bodies of the registry."""
    bodies = list(Institution.objects.filter(kind="cpas").order_by("pk")[:2])
    fields = dict(drawn)
    for field in ("referred_by", "responsible_institution"):
        if fields[field] is not None:
            fields[field] = bodies[fields[field]]
    return fields


def members():
    return st.lists(
        st.tuples(
            st.lists(entry(), max_size=9),
            st.booleans(),  # shares with the federation
            st.sampled_from([Decimal("40.00"), Decimal("37.35"), Decimal("52.10")]),
        ),
        min_size=3,
        max_size=6,
    )


def expected_cells(associations, dimension):
    """The sum of the sharing members' rollups per (month, group), computed apart."""
    cells = defaultdict(lambda: {"counts": defaultdict(int), "value": Decimal(0), "who": set()})
    for rollup in Rollup.objects.filter(
        association__in=associations,
        dimension=dimension,
        month__gte=PERIOD.start,
        month__lte=PERIOD.end,
    ):
        group = rollup.group_key
        if dimension in INSTITUTION_DIMENSIONS:
            group = int(group) if group else None
        elif dimension == "total":
            group = None
        cell = cells[(rollup.month, group)]
        for name in COUNT_METRICS:
            cell["counts"][name] += getattr(rollup, name)
        cell["value"] += Decimal(rollup.transferred_minutes) * rollup.hourly_cost_eur / 60
        if rollup.requests:
            cell["who"].add(rollup.association_id)
    return cells


def assert_disclosure_control_holds(federation, sharing, k):
    for dimension in ("total", *DIMENSIONS):
        group_by = None if dimension == "total" else dimension
        table = federation_aggregates(federation, PERIOD, group_by)
        assert table["k"] == k
        expected = expected_cells(sharing, dimension)
        rows = {(row["month"], row["group"]): row for row in table["rows"]}
        assert len(rows) == len(table["rows"]), "one row per cell"
        if group_by is None:
            assert [row["month"] for row in table["rows"]] == PERIOD.months
        else:
            # Never a missing row: every cell a sharing member logged is there.
            assert set(rows) == set(expected), dimension
        for key, row in rows.items():
            cell = expected.get(key)
            if row["suppressed"]:
                assert all(row[name] is None for name in PUBLISHED_METRICS)
                continue
            assert cell is not None
            assert cell["counts"]["requests"] >= k, (dimension, key)
            assert len(cell["who"]) >= 3, (dimension, key)
            for name in COUNT_METRICS:
                assert row[name] == cell["counts"][name], (dimension, key, name)
            assert row["transferred_value_eur"] == cell["value"].quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        if group_by is not None:
            breakdowns = defaultdict(list)
            for (month, group), row in rows.items():
                breakdowns[month].append(row)
                if dimension == "procedure":
                    breakdowns[(month, procedure_root(group))].append(row)
            for cells in breakdowns.values():
                suppressed = sum(row["suppressed"] for row in cells)
                assert not (suppressed == 1 and len(cells) > 1), (dimension, cells)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(logs=members(), k=st.integers(3, 6))
def test_no_published_cell_discloses_a_small_group(logs, k):
    # Given a federation and 3–6 members, some sharing, each with a small random log
    federation = new_federation(k=k)
    sharing = []
    for entries, shares, cost in logs:
        association = new_association(federation, hourly_cost_eur=cost)
        if entries:
            assistance_requests_bulk_create(
                association=association, rows=[with_institutions(e) for e in entries]
            )
        if shares:
            sharing.append(association)
        else:
            association_set_sharing(association=association, federation=federation, shares=False)
    rollups_sweep_dirty()

    # Then every table of the federation obeys the disclosure rules
    assert_disclosure_control_holds(federation, sharing, k)


def test_the_only_member_with_a_barrier_does_not_show_through_the_barrier_table():
    # Given three members who log itsme problems and one who alone meets app-only services
    federation = new_federation(k=5)
    for _ in range(3):
        log(new_association(federation), times=6, barriers=["itsme"])
    alone = new_association(federation)
    log(alone, times=10, barriers=["app_only"])
    rollups_sweep_dirty()

    # When the analyst breaks January down by barrier
    table = federation_aggregates(federation, PERIOD, "barrier")
    rows = {row["group"]: row for row in table["rows"] if row["month"] == "2026-01"}

    # Then the app-only cell is suppressed (one association), and so is the itsme cell,
    # since the month's total minus itsme would give the lone member's figures.
    assert rows["app_only"]["suppressed"] is True
    assert rows["app_only"]["requests"] is None
    assert rows["itsme"]["suppressed"] is True
    total = federation_aggregates(federation, PERIOD, None)["rows"][0]
    assert total["suppressed"] is False and total["requests"] == 28


def test_a_procedure_only_one_member_logs_cannot_be_found_inside_its_domain():
    # Given three members who file tax returns, one who alone logs a plain tax question,
    # and bank work that all four log
    federation = new_federation(k=5)
    others = [new_association(federation) for _ in range(3)]
    alone = new_association(federation)
    for association in others:
        log(association, times=4, procedure_domain="tax.pit_return")
        log(association, times=2, procedure_domain="bank.app_auth")
    log(alone, times=6, procedure_domain="tax")
    log(alone, times=2, procedure_domain="bank.app_auth")
    rollups_sweep_dirty()

    # When the analyst reads the domains and the procedures of January
    domains = {
        r["group"]: r for r in federation_aggregates(federation, PERIOD, "procedure_domain")["rows"]
    }
    procedures = {
        r["group"]: r for r in federation_aggregates(federation, PERIOD, "procedure")["rows"]
    }

    # Then the domain `tax` is published, so `tax.pit_return` must not be, or `tax` minus it
    # would give the lone member's tax questions; the smaller bank cell is no help there.
    assert domains["tax"]["suppressed"] is False
    assert procedures["tax"]["suppressed"] is True
    assert procedures["tax.pit_return"]["suppressed"] is True
    assert procedures["bank.app_auth"]["suppressed"] is False


def test_an_association_that_stops_sharing_leaves_every_new_aggregate():
    # Given four sharing members with entries in January
    federation = new_federation(k=3)
    members = [new_association(federation) for _ in range(4)]
    for number, association in enumerate(members, start=1):
        log(association, times=number)
    rollups_sweep_dirty()
    before = federation_aggregates(federation, PERIOD, None)
    assert before["associations"] == 4
    assert before["rows"][0]["requests"] == 10

    # When the largest one stops sharing
    association_set_sharing(association=members[3], federation=federation, shares=False)

    # Then its figures are in no new aggregate
    after = federation_aggregates(federation, PERIOD, None)
    assert after["associations"] == 3
    assert after["rows"][0]["requests"] == 6
    for dimension in DIMENSIONS:
        for row in federation_aggregates(federation, PERIOD, dimension)["rows"]:
            assert row["suppressed"] or row["requests"] <= 6


def test_the_euro_value_sums_unrounded_values_at_each_hourly_cost():
    # Given three members at different hourly costs whose own values round each up
    federation = new_federation(k=3)
    for cost in (Decimal("40.01"), Decimal("40.01"), Decimal("40.01")):
        log(new_association(federation, hourly_cost_eur=cost), times=1, duration_minutes=1)
    rollups_sweep_dirty()

    # Then the federation's value is the rounded sum (3 × 0.66683… = 2.0005 → 2.00), not the
    # sum of the rounded values (3 × 0.67 = 2.01)
    row = federation_aggregates(federation, PERIOD, None)["rows"][0]
    assert row["transferred_value_eur"] == Decimal("2.00")


def test_an_empty_month_is_a_suppressed_row_not_a_missing_one():
    federation = new_federation()
    for _ in range(3):
        log(new_association(federation), times=3, occurred_on=dt.date(2026, 1, 5))
    rollups_sweep_dirty()
    rows = federation_aggregates(federation, PERIOD, None)["rows"]
    assert [(r["month"], r["suppressed"]) for r in rows] == [
        ("2026-01", False),
        ("2026-02", True),
    ]
