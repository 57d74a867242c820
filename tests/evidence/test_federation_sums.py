"""The federation's tables are the same whether the database adds the members' cells up
(PostgreSQL) or Python does (the portable path, and SQLite's): the same rows, the same
suppressions, and for a release the same private record of who put what in each cell."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.services import assistance_requests_bulk_create
from evidence import summing
from evidence.bundles import bundle_build, bundle_import
from evidence.differencing import release_contributions
from evidence.selectors import federation_tables, release_draft
from evidence.services import association_set_sharing, release_publish
from workload.models import DIMENSIONS, TOTAL
from workload.services import rollups_sweep_dirty

from .conftest import PERIOD, new_association, new_federation
from .test_bundles import register
from .test_disclosure_control import entry, with_institutions

GROUP_BYS = [None, *DIMENSIONS]


def summed_in_python(monkeypatch, compute):
    with monkeypatch.context() as patched:
        patched.setattr(summing, "available", lambda: False)
        return compute()


def contributions(federation):
    draft = release_draft(federation, PERIOD, parts=True)
    cells = {(g or TOTAL): cells for g, cells in draft.disclosure.cells.items()}
    return draft.tables, release_contributions(cells, draft.disclosure.contributors)


def a_federation(logs, k, *, remote_entries=()):
    federation = new_federation(k=k)
    for entries, shares, cost in logs:
        association = new_association(federation, hourly_cost_eur=cost)
        if entries:
            assistance_requests_bulk_create(
                association=association, rows=[with_institutions(e) for e in entries]
            )
        if not shares:
            association_set_sharing(association=association, federation=federation, shares=False)
    if remote_entries:
        # An association on its own server, whose cells arrive in a bundle.
        remote = new_association(hourly_cost_eur=Decimal("37.35"))
        assistance_requests_bulk_create(
            association=remote, rows=[with_institutions(e) for e in remote_entries]
        )
        rollups_sweep_dirty()
        register(federation, remote)
        bundle = bundle_build(association=remote, federation_slug=federation.slug, period=PERIOD)
        bundle_import(bundle)
    rollups_sweep_dirty()
    return federation


COSTS = st.sampled_from([Decimal("40.00"), Decimal("37.35"), Decimal("52.15")])


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    logs=st.lists(
        st.tuples(st.lists(entry(), max_size=8), st.booleans(), COSTS), min_size=3, max_size=5
    ),
    remote_entries=st.lists(entry(), max_size=6),
    k=st.integers(3, 5),
)
def test_every_table_is_the_same_however_the_cells_are_added_up(
    monkeypatch, logs, remote_entries, k
):
    federation = a_federation(logs, k, remote_entries=remote_entries)

    tables = federation_tables(federation, PERIOD, GROUP_BYS)
    assert tables == summed_in_python(
        monkeypatch, lambda: federation_tables(federation, PERIOD, GROUP_BYS)
    )
    assert contributions(federation) == summed_in_python(
        monkeypatch, lambda: contributions(federation)
    )


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    logs=st.lists(
        st.tuples(st.lists(entry(), min_size=2, max_size=8), st.just(True), COSTS),
        min_size=4,
        max_size=5,
    ),
)
def test_tables_compared_with_an_earlier_release_are_the_same_too(monkeypatch, logs):
    # Given a release published, then one member that stops sharing
    federation = a_federation(logs, 3)
    release_publish(federation, PERIOD)
    leaving = federation.association_memberships.filter(shares_aggregates=True)[0].association
    association_set_sharing(association=leaving, federation=federation, shares=False)

    # Then the tables compared with the release are the same however the cells are summed
    tables = federation_tables(federation, PERIOD, GROUP_BYS)
    assert tables == summed_in_python(
        monkeypatch, lambda: federation_tables(federation, PERIOD, GROUP_BYS)
    )
