"""Reads of the federation's evidence: aggregates under disclosure control, releases.

A federation sees the sum of the rollups of the members that share with it (and the cells
that associations on their own servers sent in signed bundles), never an entry. Every
published cell goes through `_suppress` (METRICS.md, "Federation aggregates and disclosure
control"), and, when the period overlaps releases already published, through the
comparison of `differencing`.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.validators import slug_re
from django.db.models import Max
from django.http import Http404

from organisations.models import Association, Federation, FederationMembership
from taxonomy import procedure_root
from workload.metrics import derived, disclosure_weight, owed_minutes
from workload.models import (
    ATTEMPT_GROUP_COLUMNS,
    COUNT_METRICS,
    DIMENSIONS,
    INSTITUTION_DIMENSIONS,
    TOTAL,
    Rollup,
)
from workload.selectors import Period, group_value

from . import differencing, summing
from .canonical import canonical_json
from .models import ImportedCell, Release, RemoteAssociation

# Fewer contributing associations than this and a cell is suppressed, whatever k says.
MIN_ASSOCIATIONS = 3
MIN_K = 3

_CELL_FIELDS = ("month", "group_key", "hourly_cost_eur", *COUNT_METRICS)

# Why a cell is suppressed: the first rule that suppressed it.
FEWER_ENTRIES = "fewer_entries"
FEWER_ASSOCIATIONS = "fewer_associations"
SECONDARY = "secondary"
EARLIER_RELEASE = "earlier_release"
REASONS = (FEWER_ENTRIES, FEWER_ASSOCIATIONS, SECONDARY, EARLIER_RELEASE)


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
    # The same of the owed minutes (transferred minutes and owed attempts' minutes).
    owed_cent_minutes: int = 0
    contributors: set = field(default_factory=set)
    contributor_count: int = 0
    # What each source put in, kept to compare the cell with earlier releases (None when the
    # database summed the cell without them: nothing compares it).
    parts: dict | None = field(default_factory=dict)
    # {source label: [entries, fingerprint]}, as `differencing.cell_parts` gives them.
    labelled_parts: dict | None = None
    suppressed: bool = False
    reason: str | None = None
    # A group an earlier release showed that no sharing source has any more: published as a
    # suppressed row, for its absence would tell that its value is zero.
    placeholder: bool = False

    @property
    def shown(self) -> bool:
        return disclosure_weight(self.counts) > 0 or self.placeholder

    def add(self, source, row) -> None:
        for name in COUNT_METRICS:
            self.counts[name] += row[name]
        cents = int(row["hourly_cost_eur"] * 100)
        self.cent_minutes += row["transferred_minutes"] * cents
        self.owed_cent_minutes += owed_minutes(row) * cents
        self.parts[source] = differencing.part_vector(row)
        if disclosure_weight(row) > 0:
            self.contributors.add(source)
            self.contributor_count += 1

    @property
    def value(self) -> Decimal:
        return Decimal(self.cent_minutes) / Decimal(6000)

    @property
    def owed_value(self) -> Decimal:
        return Decimal(self.owed_cent_minutes) / Decimal(6000)


def sharing_association_ids(federation: Federation) -> list[int]:
    """Local members that share with the federation now. An association registered as
    running its own server is counted from its bundles only, never twice."""
    remote_slugs = RemoteAssociation.objects.filter(federation=federation).values("slug")
    return list(
        FederationMembership.objects.filter(federation=federation, shares_aggregates=True)
        .exclude(association__slug__in=remote_slugs)
        .values_list("association_id", flat=True)
    )


def _source_rows(federation: Federation, period: Period, dimension: str, members: list[int]):
    """(source, row) for every cell of every sharing source: local rollups, imported cells."""
    local = Rollup.objects.filter(
        association_id__in=members,
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


@dataclass
class _Sources:
    """The sharing sources of a federation over a period, as their cells are summed: by the
    database on PostgreSQL (with what each source put in only when `parts` asks for it), in
    Python over every source's cells elsewhere."""

    federation: Federation
    period: Period
    members: list[int]
    parts: bool = True
    _totals: dict | None = None

    def contributors(self) -> set:
        """The sources with at least one entry in the period."""
        if summing.available():
            return summing.contributing_sources(self.federation, self.period, self.members, TOTAL)
        self._totals = self.cells(TOTAL)
        return set().union(*(cell.contributors for cell in self._totals.values()))

    def cells(self, dimension: str) -> dict[tuple[str, str], _Cell]:
        if dimension == TOTAL and self._totals is not None:
            totals, self._totals = self._totals, None
            return totals
        if summing.available():
            return self._summed_cells(dimension)
        cells: dict[tuple[str, str], _Cell] = {}
        for source, row in _source_rows(self.federation, self.period, dimension, self.members):
            key = (row["month"], row["group_key"])
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = _Cell(month=row["month"], group_key=row["group_key"])
            cell.add(source, row)
        return cells

    def _summed_cells(self, dimension: str) -> dict[tuple[str, str], _Cell]:
        rows = summing.summed_rows(
            self.federation, self.period, dimension, self.members, parts=self.parts
        )
        return {
            (month, key): _Cell(
                month=month,
                group_key=key,
                counts=counts,
                cent_minutes=cent_minutes,
                owed_cent_minutes=owed_cent_minutes,
                contributor_count=contributor_count,
                parts=None if parts is None else {},
                labelled_parts=parts,
            )
            for month, key, counts, cent_minutes, owed_cent_minutes, contributor_count, parts in (
                rows
            )
        }


def _tie_order(dimension: str, key: str):
    """Ties go to the smallest code or id; entries without an institution come last."""
    if dimension in INSTITUTION_DIMENSIONS:
        return (1, 0, "") if key == "" else (0, int(key), "")
    return (0, 0, key)


def _suppress(cell: _Cell, reason: str) -> None:
    if not cell.suppressed:
        cell.suppressed, cell.reason = True, reason


def _primary(cell: _Cell, k: int) -> None:
    if disclosure_weight(cell.counts) < k:
        _suppress(cell, FEWER_ENTRIES)
    elif cell.contributor_count < MIN_ASSOCIATIONS:
        _suppress(cell, FEWER_ASSOCIATIONS)


def _order(dimension: str):
    return lambda c: (disclosure_weight(c.counts), _tie_order(dimension, c.group_key))


def _breakdowns(cells: list[_Cell], dimension: str) -> list[tuple[str | None, list[_Cell]]]:
    """The breakdowns a month's cells make up, as (procedure domain or None, cells).

    A month of a grouped table is a breakdown of the month's total (the barrier table too:
    its cells overlap, but `digital_*` and `once_only_violations` of the total narrow them
    down). The procedure table is also a breakdown of each procedure-domain cell (`tax` =
    `tax` + `tax.pit_return` + …), so each domain's procedures are a breakdown too.
    """
    breakdowns = []
    if dimension == "procedure":
        by_root = defaultdict(list)
        for cell in cells:
            by_root[procedure_root(cell.group_key)].append(cell)
        breakdowns += list(by_root.items())
    # The month last: a suppression the domains needed may already pair the month's one.
    breakdowns.append((None, cells))
    return breakdowns


def _secondary(cells: list[_Cell], dimension: str) -> None:
    """While a breakdown holds exactly one suppressed cell, suppress the smallest other one,
    so that no suppressed value can be had by subtracting the published ones from the total."""
    breakdowns = _breakdowns(cells, dimension)
    changed = True
    while changed:
        changed = False
        for _root, group in breakdowns:
            suppressed = [cell for cell in group if cell.suppressed]
            published = [cell for cell in group if not cell.suppressed]
            if len(suppressed) == 1 and published:
                _suppress(min(published, key=_order(dimension)), SECONDARY)
                changed = True
                break


@dataclass
class _Rules:
    """What every table's suppression shares: k, the comparison with earlier releases, and
    the cells a breakdown adds up to (month totals, procedure domains) once they are known."""

    k: int
    comparison: differencing.ReleaseComparison | None
    sources: _Sources
    totals: dict = field(default_factory=dict)
    domains: dict = field(default_factory=dict)

    def parent_suppressed(self, month: str, root: str | None) -> bool:
        parent = self.totals.get((month, "")) if root is None else self.domains.get((month, root))
        # Not known yet: taken as published, which can only suppress more.
        return parent is not None and parent.suppressed


def _settle(cells: list[_Cell], dimension: str, rules: _Rules) -> None:
    """Secondary suppression of a month's cells; then, when earlier releases are compared,
    one more suppression while a sum that two releases give away fails their rule, and
    secondary suppression again."""
    while True:
        _secondary(cells, dimension)
        if rules.comparison is None:
            return
        victim = None
        for root, group in _breakdowns(cells, dimension):
            victim = rules.comparison.breakdown_victim(
                dimension,
                group,
                root,
                order=_order(dimension),
                parent_suppressed=rules.parent_suppressed(group[0].month, root),
            )
            if victim is not None:
                break
        if victim is None:
            return
        _suppress(victim, EARLIER_RELEASE)


def _compare(cells: dict, dimension: str, comparison) -> None:
    """Suppress each cell whose difference with an earlier release's gives it away."""
    if comparison is None:
        return
    for (month, key), cell in cells.items():
        if not cell.suppressed and comparison.cell_fails(dimension, month, key, cell):
            _suppress(cell, EARLIER_RELEASE)


def _row(dimension: str, cell: _Cell) -> dict:
    metrics = derived(
        cell.counts,
        cell.value,
        cell.owed_value,
        with_attempts=dimension in ATTEMPT_GROUP_COLUMNS,
    )
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
        if cell.shown:
            months[cell.month].append(cell)
    return months


def _grouped_cells(dimension, rules: _Rules) -> dict:
    cells = rules.sources.cells(dimension)
    if rules.comparison is not None:
        for month, key in rules.comparison.gone(dimension, cells):
            cells[(month, key)] = _Cell(month=month, group_key=key, placeholder=True)
            _suppress(cells[(month, key)], EARLIER_RELEASE)
    for cell in cells.values():
        _primary(cell, rules.k)
    _compare(cells, dimension, rules.comparison)
    for month_cells in _by_month(cells.values()).values():
        _settle(month_cells, dimension, rules)
    return cells


def _total_cells(cells, period, rules: _Rules) -> dict:
    for month in period.months:
        cells.setdefault((month, ""), _Cell(month=month, group_key=""))
    for cell in cells.values():
        _primary(cell, rules.k)
    _compare(cells, TOTAL, rules.comparison)
    return cells


def _protect_single_barrier(totals: dict, barrier_cells: dict) -> None:
    """A month whose barrier table holds a single cell, suppressed, has its total suppressed
    too: with one barrier group, the total's `digital_*` figures are that cell's figures, so
    publishing the total would publish the suppressed cell."""
    for month, month_cells in _by_month(barrier_cells.values()).items():
        if len(month_cells) == 1 and month_cells[0].suppressed:
            _suppress(totals[(month, "")], SECONDARY)


def _protect_suppressed_totals(cells: dict, dimension: str, rules: _Rules) -> None:
    """A breakdown whose cells are all published adds up to its month's total: when that
    total is suppressed, suppress the breakdown's smallest cell (and `_secondary` then a
    second one). Barrier groups overlap and leave out entries without a barrier: they never
    add up to the total."""
    if dimension == "barrier":
        return
    for month, month_cells in _by_month(cells.values()).items():
        if rules.totals[(month, "")].suppressed and not any(c.suppressed for c in month_cells):
            _suppress(min(month_cells, key=_order(dimension)), SECONDARY)
            _settle(month_cells, dimension, rules)


@dataclass
class Disclosure:
    """The cells of a federation's tables for a period after every suppression, with what
    decided them: `k`, the contributing sources, the earlier releases compared."""

    k: int
    contributors: set
    cells: dict  # {group_by: {(month, group_key): _Cell}}
    comparison: differencing.ReleaseComparison | None
    overlapping: list  # every published release of an overlapping period

    @property
    def compared_versions(self) -> list[int]:
        return self.comparison.versions if self.comparison else []


def federation_disclosure(
    federation: Federation, period: Period, group_bys, *, parts: bool = False
) -> Disclosure:
    """Several of the federation's tables at once, suppressed, sharing the month totals and
    the barrier table that every table's suppression depends on. With `parts`, each cell
    keeps what each source put in (a release's private record needs it)."""
    k = federation_k(federation)
    sources = _Sources(federation, period, sharing_association_ids(federation))
    contributors = sources.contributors()
    comparison, overlapping = differencing.comparison_for(
        federation, period, contributors, k=k, min_associations=MIN_ASSOCIATIONS
    )
    # The comparison with earlier releases reads what each source put in; nothing else does.
    sources.parts = parts or comparison is not None
    rules = _Rules(k, comparison, sources)
    rules.totals = _total_cells(sources.cells(TOTAL), period, rules)
    computed = {None: rules.totals, "barrier": _grouped_cells("barrier", rules)}
    _protect_single_barrier(rules.totals, computed["barrier"])
    # Procedure domains first: each domain's cell is what its procedures add up to.
    wanted = [g for g in group_bys if g not in computed]
    if "procedure" in wanted:
        wanted = ["procedure_domain", *(g for g in wanted if g != "procedure_domain")]
    for group_by in wanted:
        computed[group_by] = _grouped_cells(group_by, rules)
        _protect_suppressed_totals(computed[group_by], group_by, rules)
        if group_by == "procedure_domain":
            rules.domains = computed[group_by]
    cells = {group_by: computed[group_by] for group_by in group_bys}
    return Disclosure(k, contributors, cells, comparison, overlapping)


def disclosure_table(federation: Federation, period: Period, disclosure, group_by) -> dict:
    dimension = group_by or TOTAL
    ordered = sorted(
        disclosure.cells[group_by].values(),
        key=lambda c: (c.month, _tie_order(dimension, c.group_key)),
    )
    return {
        "federation": federation.slug,
        "k": disclosure.k,
        "associations": len(disclosure.contributors),
        "from": period.start,
        "to": period.end,
        "group_by": group_by,
        "rows": [_row(dimension, cell) for cell in ordered if group_by is None or cell.shown],
    }


def federation_aggregates(
    federation: Federation, period: Period, group_by: str | None = None
) -> dict:
    """The federation's table for a period, under disclosure control.

    Without `group_by`, one row per month of the period (an empty month is a suppressed
    row); with it, one row per month and group that any sharing member logged (or that an
    overlapping release published: then a suppressed row). A suppressed row keeps its month
    and group and has every metric null. The tables are consistent with one another, and
    with the releases already published: what one suppresses, no other gives away by
    subtraction.
    """
    return federation_tables(federation, period, [group_by])[group_by]


def federation_tables(federation: Federation, period: Period, group_bys) -> dict:
    """Several of the federation's tables at once ({group_by: table})."""
    disclosure = federation_disclosure(federation, period, group_bys)
    return {
        group_by: disclosure_table(federation, period, disclosure, group_by)
        for group_by in group_bys
    }


# --- Releases --------------------------------------------------------------------------------


def _table_counts(table: str, rows: list[dict], reasons: dict | None) -> dict:
    """One table's line of the summary: its cells, how many are published and, when the
    reasons are known, how many each rule suppressed."""
    suppressed = sum(1 for row in rows if row["suppressed"])
    counts = {"table": table, "cells": len(rows), "published": len(rows) - suppressed}
    counts["suppressed"] = suppressed
    counts.update(
        {reason: None if reasons is None else reasons.get(reason, 0) for reason in REASONS}
    )
    return counts


def _summary(period_start, period_end, k, tables: dict, reasons: dict | None) -> dict:
    """What the analyst reads first, the same before publishing and once published: the
    period, the totals of the published months, and per table the cells suppressed (and
    why, when `reasons` gives {table: {reason: n}})."""
    months = tables[TOTAL]
    published = [row for row in months if not row["suppressed"]]
    by_table = [
        _table_counts(name, tables[name], None if reasons is None else reasons.get(name, {}))
        for name in (TOTAL, *DIMENSIONS)
    ]
    return {
        "from": period_start,
        "to": period_end,
        "k": k,
        "totals": {
            "months": len(months),
            "months_suppressed": len(months) - len(published),
            **{
                name: sum(row[name] for row in published)
                for name in ("requests", "minutes", "transferred_minutes")
            },
        },
        "tables": by_table,
        "reasons_known": reasons is not None,
        "suppressed": {
            "cells": sum(row["suppressed"] for row in by_table),
            **{
                reason: None if reasons is None else sum(row[reason] for row in by_table)
                for reason in REASONS
            },
        },
    }


def sources_named(labels) -> list[str]:
    """The names of contributing sources ("l12" a local member, "r3" an association on its
    own server), for the federation's analysts only: a release never names one."""
    local = [int(label[1:]) for label in labels if label.startswith("l")]
    remote = [int(label[1:]) for label in labels if label.startswith("r")]
    names = [a.name for a in Association.objects.filter(pk__in=local)]
    names += [r.name or r.slug for r in RemoteAssociation.objects.filter(pk__in=remote)]
    return sorted(names, key=str.casefold)


@dataclass
class ReleaseDraft:
    """What publishing a period now would publish, before it is published."""

    period: Period
    disclosure: Disclosure
    tables: dict  # {"total" or dimension: rows}
    version: int  # the version it would be published as

    @property
    def associations(self) -> int:
        return len(self.disclosure.contributors)

    @property
    def fingerprint(self) -> str:
        """Changes whenever what would be published changes, and once it is published (the
        next version is another): the analyst confirms this."""
        facts = {
            "version": self.version,
            "k": self.disclosure.k,
            "associations": self.associations,
            "compared_with": self.disclosure.compared_versions,
            "tables": self.tables,
        }
        return hashlib.sha256(canonical_json(facts)).hexdigest()

    def reasons_by_table(self) -> dict:
        """{table: {reason: n}}: how many cells of each table each rule suppressed."""
        reasons = {}
        for group_by in (None, *DIMENSIONS):
            counter = Counter(
                cell.reason
                for cell in self.disclosure.cells[group_by].values()
                if cell.suppressed and (group_by is None or cell.shown)
            )
            reasons[group_by or TOTAL] = {reason: counter[reason] for reason in REASONS}
        return reasons

    def summary(self) -> dict:
        """Totals of the published months, the cells suppressed and why, the contributing
        associations and the earlier releases compared: what the analyst sees first."""
        compared = set(self.disclosure.compared_versions)
        return {
            **_summary(
                self.period.start,
                self.period.end,
                self.disclosure.k,
                self.tables,
                self.reasons_by_table(),
            ),
            "version": self.version,
            "associations": self.associations,
            "contributors": sources_named(
                differencing.source_label(source) for source in self.disclosure.contributors
            ),
            "earlier": [
                {
                    "version": earlier.version,
                    "from": earlier.period_start,
                    "to": earlier.period_end,
                    "associations": earlier.associations,
                    "compared": earlier.version in compared,
                    "legacy": earlier.legacy,
                }
                for earlier in self.disclosure.overlapping
            ],
            "fingerprint": self.fingerprint,
        }


def release_summary(release: Release, content: dict, *, private: bool) -> dict:
    """The summary of a published release, from what it published. With `private` (the
    federation's analysts), why its cells were suppressed and who contributed too."""
    summary = _summary(
        release.period_start,
        release.period_end,
        release.k,
        content["tables"],
        release.suppression if private else None,
    )
    sources = (release.contributions or {}).get("sources") if private else None
    summary.update(
        version=release.version,
        associations=release.associations,
        contributors=None if sources is None else sources_named(sources),
    )
    return summary


def release_draft(federation: Federation, period: Period, *, parts: bool = False) -> ReleaseDraft:
    """Every table of the period as a release would publish it now, compared with the
    releases already published. With `parts`, what each source put in each cell too, for
    the release's private record."""
    group_bys = [None, *DIMENSIONS]
    disclosure = federation_disclosure(federation, period, group_bys, parts=parts)
    tables = {
        (group_by or TOTAL): disclosure_table(federation, period, disclosure, group_by)["rows"]
        for group_by in group_bys
    }
    return ReleaseDraft(period, disclosure, tables, release_next_version(federation))


def release_next_version(federation: Federation) -> int:
    return (Release.objects.filter(federation=federation).aggregate(v=Max("version"))["v"] or 0) + 1


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


def open_data_index() -> list[tuple[Federation, list[Release]]]:
    """What is published, for anyone: each federation with a release, and its releases that
    no later one superseded, the latest period first."""
    releases = Release.objects.current().select_related("federation")
    by_federation: dict[int, tuple[Federation, list[Release]]] = {}
    for release in releases.order_by("federation__name", "-period_end", "-version"):
        by_federation.setdefault(release.federation_id, (release.federation, []))[1].append(release)
    return list(by_federation.values())


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
