"""Two releases of one period must not be subtractable (METRICS.md, releases compared with
what was already published): publish, let one association stop sharing (or start), publish
again, and subtract the two anonymous open-data CSV files — every difference the attacker can
compute, cell by cell or through the sums that each release's totals give away, is zero."""

import csv
import io
import json
import re
from collections import defaultdict

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.services import assistance_requests_bulk_create
from evidence.models import Release
from evidence.selectors import federation_aggregates
from evidence.services import association_resume_sharing, association_stop_sharing, release_publish
from taxonomy import procedure_root
from workload.models import DIMENSIONS, Rollup
from workload.services import rollups_sweep_dirty

from .conftest import FEBRUARY, JANUARY, PERIOD, new_association, new_federation
from .test_disclosure_control import entry, with_institutions

COMMON = {
    "channel": "on_site",
    "referrer_kind": "cpas",
    "mode": "do_for",
    "outcome": "resolved",
    "consent": "oral",
}


def entries(times, **fields):
    return [
        {
            **COMMON,
            "occurred_on": JANUARY,
            "duration_minutes": 30,
            "procedure_domain": "tax.pit_return",
            "responsible_kind": "pub_fed",
            "barriers": ["itsme"],
            **fields,
        }
        for _ in range(times)
    ]


def a_federation_of_five(k=3):
    """Five sharing members; the last one also works on procedures the others rarely see,
    and never on the RIS applications the others help with."""
    federation = new_federation(k=k)
    members = [new_association(federation) for _ in range(5)]
    for number, association in enumerate(members):
        rows = entries(3 + number) + entries(2, occurred_on=FEBRUARY, barriers=[])
        rows += entries(1 + number % 2, procedure_domain="bank.app_auth", mode="do_with")
        rows += entries(2, responsible_kind="association", barriers=["once_only"])
        if association is not members[-1]:
            rows += entries(2, procedure_domain="ris.application", barriers=["upload"])
        assistance_requests_bulk_create(association=association, rows=rows)
    leaver = members[-1]
    assistance_requests_bulk_create(
        association=leaver,
        rows=entries(4, procedure_domain="tax", channel="phone", outcome="abandoned"),
    )
    rollups_sweep_dirty()
    return federation, members, leaver


def open_data_csv(release: Release) -> dict:
    """The release as anyone downloads it: {(table, month, group): row}."""
    url = f"/open-data/{release.federation.slug}/releases/{release.version}/release.csv"
    response = Client().get(url)
    assert response.status_code == 200
    return {
        (row["table"], row["month"], row["group"]): row
        for row in csv.DictReader(io.StringIO(response.content.decode()))
    }


def published(row) -> bool:
    return row is not None and row["suppressed"] == "false"


def requests_of(row) -> int:
    return 0 if row is None else int(row["requests"])


def own_table(association) -> dict:
    """The association's own figures, which the attacker is after."""
    return {
        (rollup.dimension, rollup.month, rollup.group_key): rollup.requests
        for rollup in Rollup.objects.filter(association=association)
    }


def breakdowns(release: dict):
    """(parent key, cell keys) of every breakdown whose cells add up to a published cell."""
    groups = defaultdict(set)
    for table, month, group in release:
        if table in ("total", "barrier"):
            continue  # barrier groups overlap: they add up to nothing published
        groups[(("total", month, ""), table)].add((table, month, group))
        if table == "procedure":
            parent = ("procedure_domain", month, procedure_root(group))
            groups[(parent, table)].add((table, month, group))
    return groups


def suppressed_sum(release: dict, parent, keys) -> int | None:
    """What a release gives away of its suppressed cells of a breakdown: its parent minus
    its published cells (None when the parent is suppressed too)."""
    if not published(release.get(parent)):
        return None
    shown = sum(requests_of(release[key]) for key in keys if published(release.get(key)))
    return requests_of(release[parent]) - shown


def recoverable_differences(first: dict, second: dict):
    """Every (cells, difference in entries) an attacker computes from two releases."""
    keys = set(first) | set(second)
    for key in keys:
        if published(first.get(key)) and published(second.get(key)):
            yield {key}, requests_of(first[key]) - requests_of(second[key])
    merged = breakdowns(first)
    for group, cells in breakdowns(second).items():
        merged.setdefault(group, set()).update(cells)
    for (parent, _table), cells in merged.items():
        sum_first = suppressed_sum(first, parent, cells)
        sum_second = suppressed_sum(second, parent, cells)
        hidden_first = {key for key in cells if key in first and not published(first[key])}
        hidden_second = {key for key in cells if key in second and not published(second[key])}
        if hidden_first & hidden_second:
            both = sum_first is not None and sum_second is not None
            sums = [hidden_first | hidden_second] if both else []
        else:
            # Each release's sum, against the other's cells one by one (or its own sum).
            sums = [s for s in (hidden_first, hidden_second) if s]
        for part in sums:
            in_first = _sum_over(first, part, hidden_first, sum_first)
            in_second = _sum_over(second, part, hidden_second, sum_second)
            if in_first is not None and in_second is not None:
                yield part, in_first - in_second


def _sum_over(release: dict, part: set, hidden: set, hidden_sum: int | None) -> int | None:
    """A release's entries over some cells: the sum of its hidden ones when it gives it and
    they are all in `part`, plus the cells it shows; None when it does not give them."""
    total = sum(requests_of(release.get(key)) for key in part - hidden)
    if part & hidden:
        if hidden_sum is None or not hidden <= part:
            return None
        total += hidden_sum
    return total


def assert_nothing_of_the_association_is_recovered(first, second, association):
    figures = own_table(association)
    for cells, difference in recoverable_differences(first, second):
        own = sum(figures.get(cell, 0) for cell in cells)
        # The association is the only change: a difference that is not zero would be its own.
        assert difference == 0 and own == 0, (sorted(cells), difference, own)


def test_subtracting_two_releases_recovers_nothing_of_an_association_that_left():
    # Given a release of a period with five sharing members
    federation, _members, leaver = a_federation_of_five()
    first = release_publish(federation, PERIOD)
    before = open_data_csv(first)
    exposed = [key for key in own_table(leaver) if published(before.get(key))]
    assert exposed, "the first release publishes cells the leaver contributed to"

    # When one association stops sharing and the period is published again
    association_stop_sharing(association=leaver, federation=federation)
    second = release_publish(federation, PERIOD)
    after = open_data_csv(second)

    # Then no difference of the two open-data files gives any of its figures
    assert_nothing_of_the_association_is_recovered(before, after, leaver)
    assert all(not published(after.get(key)) for key in exposed)
    # And the cells nobody changed are still published
    assert published(after[("barrier", "2026-01", "upload")])
    assert published(after[("procedure_domain", "2026-01", "ris")])


def test_subtracting_two_releases_recovers_nothing_of_an_association_that_joined():
    federation, _members, newcomer = a_federation_of_five()
    association_stop_sharing(association=newcomer, federation=federation)
    before = open_data_csv(release_publish(federation, PERIOD))

    association_resume_sharing(association=newcomer, federation=federation)
    after = open_data_csv(release_publish(federation, PERIOD))

    assert_nothing_of_the_association_is_recovered(before, after, newcomer)


def test_a_release_of_an_overlapping_period_is_compared_too():
    federation, _members, leaver = a_federation_of_five()
    before = open_data_csv(release_publish(federation, PERIOD))

    association_stop_sharing(association=leaver, federation=federation)
    january = PERIOD.__class__("2026-01", "2026-01")
    after = open_data_csv(release_publish(federation, january))

    assert_nothing_of_the_association_is_recovered(before, after, leaver)


def test_the_analysts_live_figures_cannot_be_subtracted_from_a_release_either():
    federation, _members, leaver = a_federation_of_five()
    release = json.loads(release_publish(federation, PERIOD).content)
    association_stop_sharing(association=leaver, federation=federation)

    for dimension in (None, *DIMENSIONS):
        name = dimension or "total"
        live = {
            (r["month"], r["group"]): r
            for r in federation_aggregates(federation, PERIOD, dimension)["rows"]
        }
        for row in release["tables"][name]:
            other = live.get((row["month"], row["group"]))
            if other is None or row["suppressed"] or other["suppressed"]:
                continue
            assert other["requests"] == row["requests"], (name, row["month"], row["group"])


def test_a_release_with_the_same_associations_is_not_compared():
    federation, _members, _leaver = a_federation_of_five()
    first = release_publish(federation, PERIOD)
    second = release_publish(federation, PERIOD)

    assert json.loads(second.content)["tables"] == json.loads(first.content)["tables"]
    assert json.loads(second.content)["compared_with"] == []


def test_each_release_records_the_rule_and_what_it_was_compared_with():
    federation, _members, leaver = a_federation_of_five()
    release_publish(federation, PERIOD)
    association_stop_sharing(association=leaver, federation=federation)
    second = json.loads(release_publish(federation, PERIOD).content)

    assert second["compared_with"] == [1]
    assert (
        "fewer than 3 associations, or counts fewer than 3 requests"
        in (second["methodology"]["en"])
    )
    assert "compared with releases 1." in second["methodology"]["en"]
    assert "comparée aux publications 1." in second["methodology"]["fr"]
    assert "vergeleken met de publicaties 1." in second["methodology"]["nl"]


def test_who_contributed_what_is_kept_apart_and_never_published():
    federation, members, _leaver = a_federation_of_five()
    release = release_publish(federation, PERIOD)

    assert release.contributions["sources"] == sorted(f"l{m.pk}" for m in members)
    assert "contributions" not in json.loads(release.content)
    csv_text = Client().get(f"/open-data/{federation.slug}/releases/1/release.csv").content.decode()
    assert not re.search(r"\b[lr][0-9]+\b", csv_text + release.content)


def test_a_release_published_before_contributions_were_kept_is_compared_by_its_figures():
    # Given a release whose contributions were never recorded
    federation, _members, leaver = a_federation_of_five()
    first = release_publish(federation, PERIOD)
    Release.objects.filter(pk=first.pk).update(contributions=None)
    before = open_data_csv(first)

    # When an association leaves and the period is published again
    association_stop_sharing(association=leaver, federation=federation)
    after = open_data_csv(release_publish(federation, PERIOD))

    # Then only cells whose figures did not change stay published
    assert_nothing_of_the_association_is_recovered(before, after, leaver)
    for key, row in after.items():
        if published(row):
            assert published(before.get(key)) or key not in before, key
            if key in before:
                assert row == {**before[key]}, key


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    logs=st.lists(st.lists(entry(), min_size=1, max_size=10), min_size=4, max_size=6),
    k=st.integers(3, 5),
    joins=st.booleans(),
)
def test_no_pair_of_releases_gives_an_association_away(logs, k, joins):
    # Given members with random logs, one of which leaves (or joins) between two releases
    federation = new_federation(k=k)
    members = [new_association(federation) for _ in logs]
    for association, rows in zip(members, logs, strict=True):
        assistance_requests_bulk_create(
            association=association, rows=[with_institutions(e) for e in rows]
        )
    rollups_sweep_dirty()
    changing = members[0]
    if joins:
        association_stop_sharing(association=changing, federation=federation)
    before = open_data_csv(release_publish(federation, PERIOD))

    if joins:
        association_resume_sharing(association=changing, federation=federation)
    else:
        association_stop_sharing(association=changing, federation=federation)
    after = open_data_csv(release_publish(federation, PERIOD))

    assert_nothing_of_the_association_is_recovered(before, after, changing)


@pytest.mark.parametrize("group", ["", "tax"])
def test_the_test_attacker_would_find_the_figures_without_the_rule(group):
    # The attack is real: with the first release's figures and the leaver's own, the
    # difference the rule hides is exactly the leaver's.
    federation, _members, leaver = a_federation_of_five()
    before = open_data_csv(release_publish(federation, PERIOD))
    table = "total" if group == "" else "procedure_domain"
    key = (table, "2026-01", group)
    association_stop_sharing(association=leaver, federation=federation)
    live = federation_aggregates(federation, PERIOD, None if table == "total" else table)
    assert published(before[key])
    row = next(r for r in live["rows"] if r["month"] == "2026-01" and (r["group"] or "") == group)
    assert row["suppressed"]
    assert own_table(leaver)[key] > 0
