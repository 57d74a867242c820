"""Reads of the federation's evidence: aggregates under disclosure control, releases.

A federation sees the sum of the rollups of the members that share with it (and the cells
that associations on their own servers sent in signed bundles), never an entry. Every
published cell goes through `_suppress` (METRICS.md, "Federation aggregates and disclosure
control").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.validators import slug_re
from django.http import Http404

from organisations.models import Federation, FederationMembership
from taxonomy import procedure_root
from workload.metrics import derived
from workload.models import COUNT_METRICS, INSTITUTION_DIMENSIONS, TOTAL, Rollup
from workload.selectors import Period, group_value

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
    # Σ transferred minutes × hourly cost in cents, an exact integer: the sum of the
    # associations' unrounded values is this / 6000, divided once, so a value that lies
    # exactly on a half cent is not lost to 28-digit quotients added up one by one.
    cent_minutes: int = 0
    contributors: set = field(default_factory=set)
    suppressed: bool = False

    def add(self, source, row) -> None:
        for name in COUNT_METRICS:
            self.counts[name] += row[name]
        self.cent_minutes += row["transferred_minutes"] * int(row["hourly_cost_eur"] * 100)
        if row["requests"] > 0:
            self.contributors.add(source)

    @property
    def value(self) -> Decimal:
        return Decimal(self.cent_minutes) / Decimal(6000)


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
        "group": group_value(dimension, cell.group_key),
        "suppressed": cell.suppressed,
        **metrics,
    }


def _by_month(cells) -> dict[str, list[_Cell]]:
    months = defaultdict(list)
    for cell in cells:
        if cell.counts["requests"] > 0:
            months[cell.month].append(cell)
    return months


def _grouped_cells(federation, period, dimension, k) -> dict:
    cells = _aggregate_cells(federation, period, dimension)
    for cell in cells.values():
        cell.suppressed = _primary(cell, k)
    for month_cells in _by_month(cells.values()).values():
        _secondary(month_cells, dimension)
    return cells


def _total_cells(federation, period, k, barrier_cells) -> dict:
    """The month totals. A month whose barrier table holds a single cell, suppressed, has
    its total suppressed too: with one barrier group, the total's `digital_*` figures are
    that cell's figures, so publishing the total would publish the suppressed cell."""
    cells = _aggregate_cells(federation, period, TOTAL)
    for month in period.months:
        cells.setdefault((month, ""), _Cell(month=month, group_key=""))
    for cell in cells.values():
        cell.suppressed = _primary(cell, k)
    for month, month_cells in _by_month(barrier_cells.values()).items():
        if len(month_cells) == 1 and month_cells[0].suppressed:
            cells[(month, "")].suppressed = True
    return cells


def _protect_suppressed_totals(cells: dict, totals: dict, dimension: str) -> None:
    """A breakdown whose cells are all published adds up to its month's total: when that
    total is suppressed, suppress the breakdown's smallest cell (and `_secondary` then a
    second one). Barrier groups overlap and leave out entries without a barrier: they never
    add up to the total."""
    if dimension == "barrier":
        return
    for month, month_cells in _by_month(cells.values()).items():
        if totals[(month, "")].suppressed and not any(c.suppressed for c in month_cells):
            smallest = min(
                month_cells,
                key=lambda c: (c.counts["requests"], _tie_order(dimension, c.group_key)),
            )
            smallest.suppressed = True
            _secondary(month_cells, dimension)


def federation_aggregates(
    federation: Federation, period: Period, group_by: str | None = None
) -> dict:
    """The federation's table for a period, under disclosure control.

    Without `group_by`, one row per month of the period (an empty month is a suppressed
    row); with it, one row per month and group that any sharing member logged. A suppressed
    row keeps its month and group and has every metric null. The tables are consistent with
    one another: what one suppresses, no other gives away by subtraction.
    """
    return federation_tables(federation, period, [group_by])[group_by]


def federation_tables(federation: Federation, period: Period, group_bys) -> dict:
    """Several of the federation's tables at once ({group_by: table}), sharing the month
    totals and the barrier table that every table's suppression depends on."""
    k = federation_k(federation)
    barrier_cells = _grouped_cells(federation, period, "barrier", k)
    totals = _total_cells(federation, period, k, barrier_cells)
    contributors = set().union(*(cell.contributors for cell in totals.values()))
    tables = {}
    for group_by in group_bys:
        dimension = group_by or TOTAL
        if group_by is None:
            cells = totals
        elif group_by == "barrier":
            cells = barrier_cells
        else:
            cells = _grouped_cells(federation, period, dimension, k)
            _protect_suppressed_totals(cells, totals, dimension)
        ordered = sorted(
            cells.values(), key=lambda c: (c.month, _tie_order(dimension, c.group_key))
        )
        tables[group_by] = {
            "federation": federation.slug,
            "k": k,
            "associations": len(contributors),
            "from": period.start,
            "to": period.end,
            "group_by": group_by,
            "rows": [
                _row(dimension, cell)
                for cell in ordered
                if group_by is None or cell.counts["requests"] > 0
            ],
        }
    return tables


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


def sharing_get_for_association(association, federation_slug: str):
    """The association's membership of the federation named by `federation_slug`, or None
    (also for a value that cannot be a slug: PostgreSQL refuses a NUL in a comparison)."""
    if not slug_re.match(federation_slug or ""):
        return None
    memberships = sharing_list_for_association(association)
    return memberships.filter(federation__slug=federation_slug).first()
