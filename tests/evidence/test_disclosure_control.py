"""The federation's aggregates under disclosure control (METRICS.md): for random member logs,
no published cell counts fewer than k entries or fewer than 3 associations, no breakdown of a
month holds exactly one suppressed cell, every published cell is the sum of the sharing
members' rollups, and nothing of an association that stopped sharing is in them."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.services import assistance_requests_bulk_create
from evidence.selectors import federation_aggregates
from organisations.services import association_set_sharing
from referrals.models import Institution
from taxonomy import procedure_root
from workload.metrics import PUBLISHED_COUNTS, PUBLISHED_METRICS
from workload.models import (
    ATTEMPT_GROUP_COLUMNS,
    ATTEMPT_METRICS,
    COUNT_METRICS,
    DIMENSIONS,
    INSTITUTION_DIMENSIONS,
    Rollup,
)
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
    cells = defaultdict(lambda: {"counts": defaultdict(int), "value": Fraction(0), "who": set()})
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
        cell["value"] += (
            Fraction(rollup.transferred_minutes) * Fraction(rollup.hourly_cost_eur) / 60
        )
        if rollup.requests:
            cell["who"].add(rollup.association_id)
    return cells


def all_tables(federation):
    return {
        dimension: federation_aggregates(
            federation, PERIOD, None if dimension == "total" else dimension
        )
        for dimension in ("total", *DIMENSIONS)
    }


def half_up_cents(value: Fraction) -> Decimal:
    """Round an exact amount of euros half up to the cent."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


def assert_no_table_gives_a_suppressed_total_away(tables):
    totals = {r["month"]: r for r in tables["total"]["rows"]}
    for dimension in DIMENSIONS:
        by_month = defaultdict(list)
        for row in tables[dimension]["rows"]:
            by_month[row["month"]].append(row)
        for month, rows in by_month.items():
            if dimension == "barrier":
                # One barrier group, suppressed: the total's digital figures would be its own.
                if len(rows) == 1 and rows[0]["suppressed"]:
                    assert totals[month]["suppressed"], month
            elif totals[month]["suppressed"]:
                # The published cells of a breakdown must not add up to a suppressed total.
                assert any(row["suppressed"] for row in rows), (dimension, month)


def assert_disclosure_control_holds(federation, sharing, k):
    tables = all_tables(federation)
    assert_no_table_gives_a_suppressed_total_away(tables)
    for dimension in ("total", *DIMENSIONS):
        group_by = None if dimension == "total" else dimension
        table = tables[dimension]
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
            for name in PUBLISHED_COUNTS:
                if dimension not in ATTEMPT_GROUP_COLUMNS and name in ATTEMPT_METRICS:
                    assert row[name] is None, (dimension, key, name)  # attempts don't count
                else:
                    assert row[name] == cell["counts"][name], (dimension, key, name)
            assert row["transferred_value_eur"] == half_up_cents(cell["value"])
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
    max_examples=12,
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
    # Given three members at 40.10 € an hour, each with one transferred minute: each value is
    # 0.668333… €, a quotient that never ends
    federation = new_federation(k=3)
    for _ in range(3):
        association = new_association(federation, hourly_cost_eur=Decimal("40.10"))
        log(association, times=1, duration_minutes=1)
    rollups_sweep_dirty()

    # Then the federation's value is the exact sum, 2.005 €, rounded half up to 2.01 € (adding
    # three quotients cut at 28 digits would give 2.00499… and round down)
    row = federation_aggregates(federation, PERIOD, None)["rows"][0]
    assert row["transferred_value_eur"] == Decimal("2.01")


def test_the_euro_value_is_not_the_sum_of_rounded_values():
    # Three members at 40.00 € with one transferred minute each: 0.6666… € each, 0.67 rounded
    federation = new_federation(k=3)
    for _ in range(3):
        log(new_association(federation), times=1, duration_minutes=1)
    rollups_sweep_dirty()
    row = federation_aggregates(federation, PERIOD, None)["rows"][0]
    assert row["transferred_value_eur"] == Decimal("2.00")  # not 3 × 0.67 = 2.01


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


def test_a_month_with_a_single_suppressed_barrier_group_has_its_total_suppressed_too():
    # Given three members whose January work met no barrier, and one whose entries alone met
    # the app-only barrier
    federation = new_federation(k=5)
    for _ in range(3):
        log(new_association(federation), times=4, barriers=[])
    alone = new_association(federation)
    log(alone, times=2, barriers=["app_only"])
    rollups_sweep_dirty()

    # Then the barrier table holds one suppressed cell; the month's total, whose digital
    # figures would be that cell's, is suppressed with it, and so is enough of every
    # breakdown that the total cannot be added back up.
    barrier = federation_aggregates(federation, PERIOD, "barrier")["rows"]
    assert [(r["group"], r["suppressed"]) for r in barrier] == [("app_only", True)]
    january = federation_aggregates(federation, PERIOD)["rows"][0]
    assert january["suppressed"] is True
    channel = federation_aggregates(federation, PERIOD, "channel")["rows"]
    assert [r["suppressed"] for r in channel] == [True]
    assert_no_table_gives_a_suppressed_total_away(all_tables(federation))
