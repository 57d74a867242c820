"""Contact attempts in the federation's aggregates (METRICS.md): in the month totals and the
responsible body's tables only; a cell counts its entries plus its attempts for the k rule,
and its contributors are the associations with either."""

from decimal import Decimal

from evidence.selectors import federation_aggregates
from tests.factories import log_attempt
from workload.services import rollups_sweep_dirty

from .conftest import JANUARY, PERIOD, log, new_association, new_federation


def attempt(association, times=1, **overrides):
    for _ in range(times):
        log_attempt(association, occurred_on=JANUARY, **overrides)


def test_three_members_with_attempts_and_no_entry_make_a_published_month():
    # Given three sharing members that only tried to reach the pensions service
    federation = new_federation(k=5)
    members = [new_association(federation) for _ in range(3)]
    for association in members:
        attempt(association, times=2, waited_minutes=40)
    rollups_sweep_dirty()

    # Then January counts six attempts (≥ k) from three associations: it is published
    total = federation_aggregates(federation, PERIOD, None)
    january = total["rows"][0]
    assert january["suppressed"] is False
    assert (january["requests"], january["attempts"], january["failed_attempts"]) == (0, 6, 6)
    assert january["owed_attempt_minutes"] == january["owed_minutes"] == 240
    # 240 minutes at 40 € an hour in each association
    assert january["owed_value_eur"] == Decimal("160.00")
    by_kind = {
        row["group"]: row
        for row in federation_aggregates(federation, PERIOD, "responsible_kind")["rows"]
    }
    assert by_kind["pub_fed"]["attempts"] == 6


def test_attempts_are_null_in_a_breakdown_where_they_do_not_count():
    federation = new_federation(k=3)
    for association in [new_association(federation) for _ in range(3)]:
        log(association, times=2)
        attempt(association)
    rollups_sweep_dirty()

    for row in federation_aggregates(federation, PERIOD, "mode")["rows"]:
        if not row["suppressed"]:
            assert row["attempts"] is None and row["owed_value_eur"] is None
            assert row["requests"] == 6


def test_two_members_attempts_are_not_enough_contributors():
    federation = new_federation(k=3)
    for association in [new_association(federation) for _ in range(2)]:
        attempt(association, times=5)
    new_association(federation)  # shares, logged nothing
    rollups_sweep_dirty()

    january = federation_aggregates(federation, PERIOD, None)["rows"][0]
    assert january["suppressed"] is True and january["attempts"] is None
