"""A full recomputation leaves exactly the cells the log gives: a cell whose group the log no
longer has is gone, a changed one holds the new figures, and on PostgreSQL a cell whose
figures did not change is not written again (the table does not grow with each run)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from cases.services import assistance_request_update
from organisations.services import association_update_settings
from workload.models import Rollup
from workload.services import rollups_recompute

from .conftest import log


def cells(association, **filters):
    return {
        (cell.month, cell.dimension, cell.group_key): cell
        for cell in Rollup.objects.filter(association=association, **filters)
    }


def test_a_group_the_log_no_longer_has_leaves_the_rollups(association):
    entry = log(association, channel="phone")
    log(association, channel="on_site")
    rollups_recompute(association_id=None)

    assistance_request_update(entry=entry, channel="on_site")
    rollups_recompute(association_id=None)

    channels = cells(association, dimension="channel")
    assert set(channels) == {("2026-10", "channel", "on_site")}
    assert channels[("2026-10", "channel", "on_site")].requests == 2


def test_a_new_hourly_cost_reaches_every_cell_of_the_association(association):
    log(association)
    rollups_recompute(association_id=None)

    association_update_settings(association=association, hourly_cost_eur=Decimal("52.15"))
    rollups_recompute(association_id=association.pk)

    assert {str(cell.hourly_cost_eur) for cell in cells(association).values()} == {"52.15"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite rewrites the cells in scope")
def test_cells_that_did_not_change_are_not_written_again(association):
    log(association)
    log(association, occurred_on=dt.date(2026, 11, 3))
    rollups_recompute(association_id=None)
    before = {key: cell.computed_at for key, cell in cells(association).items()}

    log(association, occurred_on=dt.date(2026, 11, 4), channel="phone")
    rollups_recompute(association_id=None)

    after = {key: cell.computed_at for key, cell in cells(association).items()}
    october = {key for key in before if key[0] == "2026-10"}
    assert all(after[key] == before[key] for key in october)
    assert after[("2026-11", "total", "")] > before[("2026-11", "total", "")]
    assert ("2026-11", "channel", "phone") in after
