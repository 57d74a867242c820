"""Reads of the federation's evidence: aggregates under disclosure control, releases.

A federation sees the sum of the rollups of the members that share with it (and the cells
that associations on their own servers sent in signed bundles), never an entry. Every
published cell goes through `_suppress` (METRICS.md, "Federation aggregates and disclosure
control").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404

from organisations.models import Federation, FederationMembership
from taxonomy import procedure_root
from workload.metrics import derived, transferred_value_unrounded
from workload.models import COUNT_METRICS, INSTITUTION_DIMENSIONS, TOTAL, Rollup
from workload.selectors import Period

from .models import ImportedCell, Release, RemoteAssociation

# Fewer contributing associations than this and a cell is suppressed, whatever k says.
MIN_ASSOCIATIONS = 3
MIN_K = 3

_CELL_FIELDS = ("month", "group_key", "hourly_cost_eur", *COUNT_METRICS)


def federation_k(federation: Federation) -> int:
    return max(MIN_K, federation.disclosure_k or 0)


@dataclass
class _Cell:
    month: str
    group_key: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNT_METRICS, 0))
    value: Decimal = Decimal(0)
    contributors: set = field(default_factory=set)
    suppressed: bool = False

    def add(self, source, row) -> None:
        for name in COUNT_METRICS:
            self.counts[name] += row[name]
        self.value += transferred_value_unrounded(
            row["transferred_minutes"], row["hourly_cost_eur"]
        )
        if row["requests"] > 0:
            self.contributors.add(source)


def sharing_association_ids(federation: Federation) -> list[int]:
    """Local members that share with the federation now. An association registered as
    running its own server is counted from its bundles only, never twice."""
    remote_slugs = RemoteAssociation.objects.filter(federation=federation).values("slug")
    return list(
        FederationMembership.objects.filter(federation=federation, shares_aggregates=True)
        .exclude(association__slug__in=remote_slugs)
        .values_list("association_id", flat=True)
    )


def _source_rows(federation: Federation, period: Period, dimension: str):
    """(source, row) for every cell of every sharing source: local rollups, imported cells."""
    local = Rollup.objects.filter(
        association_id__in=sharing_association_ids(federation),
        dimension=dimension,
        month__gte=period.start,
        month__lte=period.end,
    ).values("association_id", *_CELL_FIELDS)
    for row in local.iterator(chunk_size=2000):
        yield ("local", row["association_id"]), row
    imported = ImportedCell.objects.filter(
        source__federation=federation,
        source__shares_aggregates=True,
        dimension=dimension,
        month__gte=period.start,
        month__lte=period.end,
    ).values("source_id", *_CELL_FIELDS)
    for row in imported.iterator(chunk_size=2000):
        yield ("remote", row["source_id"]), row


def _group_value(dimension: str, key: str):
    if dimension == TOTAL:
        return None
    if dimension in INSTITUTION_DIMENSIONS:
        return int(key) if key else None
    return key


def _tie_order(dimension: str, key: str):
    """Ties go to the smallest code or id; entries without an institution come last."""
    if dimension in INSTITUTION_DIMENSIONS:
        return (1, 0, "") if key == "" else (0, int(key), "")
    return (0, 0, key)


def _primary(cell: _Cell, k: int) -> bool:
    return cell.counts["requests"] < k or len(cell.contributors) < MIN_ASSOCIATIONS


def _secondary(cells: list[_Cell], dimension: str) -> None:
    """While a breakdown holds exactly one suppressed cell, suppress the smallest other one,
    so that no suppressed value can be had by subtracting the published ones from the total.

    A month of a grouped table is a breakdown of the month's total (the barrier table too:
    its cells overlap, but `digital_*` and `once_only_violations` of the total narrow them
    down). The procedure table is also a breakdown of each procedure-domain cell (`tax` =
    `tax` + `tax.pit_return` + …), so each domain's procedures are checked as a breakdown too.
    """
    breakdowns = []
    if dimension == "procedure":
        by_root = defaultdict(list)
        for cell in cells:
            by_root[procedure_root(cell.group_key)].append(cell)
        breakdowns += list(by_root.values())
    # The month last: a suppression the domains needed may already pair the month's one.
    breakdowns.append(cells)
    changed = True
    while changed:
        changed = False
        for group in breakdowns:
            suppressed = [cell for cell in group if cell.suppressed]
            published = [cell for cell in group if not cell.suppressed]
            if len(suppressed) == 1 and published:
                smallest = min(
                    published,
                    key=lambda c: (c.counts["requests"], _tie_order(dimension, c.group_key)),
                )
                smallest.suppressed = True
                changed = True
                break


def _aggregate_cells(federation: Federation, period: Period, dimension: str):
    cells: dict[tuple[str, str], _Cell] = {}
    for source, row in _source_rows(federation, period, dimension):
        key = (row["month"], row["group_key"])
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = _Cell(month=row["month"], group_key=row["group_key"])
        cell.add(source, row)
    return cells


def _row(dimension: str, cell: _Cell) -> dict:
    metrics = derived(cell.counts, cell.value)
    if cell.suppressed:
        metrics = dict.fromkeys(metrics)
    return {
        "month": cell.month,
        "group": _group_value(dimension, cell.group_key),
        "suppressed": cell.suppressed,
        **metrics,
    }


def _contributing_associations(federation: Federation, period: Period) -> int:
    sources = set()
    for source, row in _source_rows(federation, period, TOTAL):
        if row["requests"] > 0:
            sources.add(source)
    return len(sources)


def federation_aggregates(
    federation: Federation, period: Period, group_by: str | None = None
) -> dict:
    """The federation's table for a period, under disclosure control.

    Without `group_by`, one row per month of the period (an empty month is a suppressed
    row); with it, one row per month and group that any sharing member logged. A suppressed
    row keeps its month and group and has every metric null.
    """
    k = federation_k(federation)
    dimension = group_by or TOTAL
    cells = _aggregate_cells(federation, period, dimension)
    if group_by is None:
        for month in period.months:
            cells.setdefault((month, ""), _Cell(month=month, group_key=""))
    for cell in cells.values():
        cell.suppressed = _primary(cell, k)
    if group_by is not None:
        by_month = defaultdict(list)
        for cell in cells.values():
            if cell.counts["requests"] > 0:
                by_month[cell.month].append(cell)
        for month_cells in by_month.values():
            _secondary(month_cells, dimension)
    ordered = sorted(cells.values(), key=lambda c: (c.month, _tie_order(dimension, c.group_key)))
    return {
        "federation": federation.slug,
        "k": k,
        "associations": _contributing_associations(federation, period),
        "from": period.start,
        "to": period.end,
        "group_by": group_by,
        "rows": [
            _row(dimension, cell)
            for cell in ordered
            if group_by is None or cell.counts["requests"] > 0
        ],
    }


# --- Releases --------------------------------------------------------------------------------


def release_list_for_federation(federation: Federation):
    return Release.objects.filter(federation=federation).order_by("-version")


def release_get_public(*, federation_slug: str, version: int) -> Release:
    """A published release, for anyone: releases are open data once published."""
    release = (
        Release.objects.select_related("federation", "superseded_by")
        .filter(federation__slug=federation_slug, version=version)
        .first()
    )
    if release is None:
        raise Http404
    return release


def federation_get_public(slug: str) -> Federation:
    federation = Federation.objects.filter(slug=slug).first()
    if federation is None:
        raise Http404
    return federation


def sharing_list_for_association(association):
    """The federations an association belongs to, and whether it shares with each."""
    return (
        FederationMembership.objects.filter(association=association)
        .select_related("federation")
        .order_by("federation__slug")
    )
