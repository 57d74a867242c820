"""Releases compared with what was already published (METRICS.md, the last rule of
disclosure control).

Publish a period, let one association stop sharing, publish it again: without this rule,
subtracting the two open-data files gives that association's own table. So each release
keeps, apart from what it publishes, who contributed what to each of its cells (a source's
entries and a fingerprint of its figures, never the figures). A new table of an overlapping
period is then compared, when the sets of contributing associations differ, with every
earlier release: a cell whose difference with the earlier release's cell comes from fewer
than 3 associations, or counts fewer than k entries, is suppressed.

What an attacker can subtract is not only single cells. A month's breakdown adds up to the
month's total, so each release also gives the sum of its suppressed cells; the cells one
release publishes and the other suppresses then let the attacker take the difference of
those sums. `breakdown_victim` checks the sums that two releases give away and asks for one
more suppression while one of them fails the same rule.

Who changed between two releases is read from the fingerprints, so a source that moved
entries between two cells of one sum counts as changed although the sum did not change:
that only ever suppresses more, never less.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable

from taxonomy import procedure_root
from workload.metrics import PUBLISHED_METRICS, derived
from workload.models import COUNT_METRICS, TOTAL

from .canonical import canonical_json
from .models import Release


def source_label(source: tuple[str, int]) -> str:
    """("local", 12) → "l12", ("remote", 3) → "r3": private, never published."""
    kind, ident = source
    return f"{kind[0]}{ident}"


def part_vector(row) -> tuple:
    """What one source puts into a cell: its hourly cost in cents and its counts."""
    return (int(row["hourly_cost_eur"] * 100), *(row[name] for name in COUNT_METRICS))


def _fingerprint(vector: tuple) -> str:
    return hashlib.sha256(",".join(map(str, vector)).encode()).hexdigest()[:16]


def _requests(vector: tuple) -> int:
    """What a source put into a cell, as the k rule counts it: entries plus attempts."""
    return vector[1 + COUNT_METRICS.index("requests")] + vector[1 + COUNT_METRICS.index("attempts")]


def cell_parts(cell) -> dict[str, list]:
    """{source label: [entries, fingerprint]} of a computed cell (worked out once: a
    breakdown's sums are checked again after each suppression)."""
    parts = cell.labelled_parts
    if parts is None:
        parts = cell.labelled_parts = {
            source_label(source): [_requests(vector), _fingerprint(vector)]
            for source, vector in cell.parts.items()
        }
    return parts


def release_contributions(cells_by_dimension: dict, contributors: Iterable) -> dict:
    """The private record of a release: its contributing sources, and per cell whether it
    was suppressed and each source's entries and fingerprint."""
    cells: dict = {}
    for dimension, table in cells_by_dimension.items():
        for (month, group_key), cell in table.items():
            cells.setdefault(dimension, {}).setdefault(month, {})[group_key] = {
                "s": int(cell.suppressed),
                "p": cell_parts(cell),
            }
    return {"sources": sorted(source_label(s) for s in contributors), "cells": cells}


def _group_key(group) -> str:
    """A published group (an institution's number, a code, None) as the rollups key it."""
    return "" if group is None else str(group)


class EarlierRelease:
    """A published release of an overlapping period, as a new table is compared with it."""

    def __init__(self, release: Release):
        self.release = release
        self.version = release.version
        self.period_start, self.period_end = release.period_start, release.period_end
        self.associations = release.associations
        record = release.contributions
        # Published before contributions were recorded: only its published figures are known.
        self.legacy = record is None
        self.sources = None if record is None else set(record["sources"])
        self._cells = {} if record is None else record["cells"]
        self._published = None

    def covers(self, month: str) -> bool:
        return self.period_start <= month <= self.period_end

    def differs_from(self, sources: set[str]) -> bool:
        """The rule applies when the sets of contributing associations differ; for a legacy
        release the set is unknown, so it always applies."""
        return self.legacy or self.sources != sources

    def published_rows(self) -> dict:
        if self._published is None:
            content = json.loads(
                Release.objects.filter(pk=self.release.pk).values_list("content", flat=True)[0]
            )
            self._published = {
                (dimension, row["month"], _group_key(row["group"])): row
                for dimension, rows in content["tables"].items()
                for row in rows
            }
        return self._published

    def month_cells(self, dimension: str, month: str) -> dict:
        return self._cells.get(dimension, {}).get(month, {})

    def shown_keys(self, dimension: str):
        """(month, group key) of every row of a table this release published."""
        if self.legacy:
            return [
                (month, key) for (name, month, key) in self.published_rows() if name == dimension
            ]
        return [
            (month, key) for month, cells in self._cells.get(dimension, {}).items() for key in cells
        ]


class ReleaseComparison:
    """The earlier releases a new set of tables must not be subtractable from."""

    def __init__(self, earlier: list[EarlierRelease], *, months, k: int, min_associations: int):
        self.earlier = earlier
        self.months = set(months)
        self.k = k
        self.min_associations = min_associations

    @property
    def versions(self) -> list[int]:
        return sorted(release.version for release in self.earlier)

    def _fails(self, pairs: Iterable[tuple[dict | None, object | None]]) -> bool:
        """Whether the difference of the sum of some cells between an earlier release
        (recorded parts) and the new tables (computed cells) gives an association away."""
        changed = False
        delta: dict[str, int] = defaultdict(int)
        for old, new in pairs:
            old_parts = old["p"] if old else {}
            new_parts = cell_parts(new) if new is not None else {}
            if old_parts.keys() != new_parts.keys() or any(
                old_parts[label][1] != part[1] for label, part in new_parts.items()
            ):
                changed = True
            for label, part in new_parts.items():
                delta[label] += part[0]
            for label, part in old_parts.items():
                delta[label] -= part[0]
        if not changed:
            # Nothing differs: subtracting gives zero, which tells nothing.
            return False
        contributors = [label for label, entries in delta.items() if entries]
        return len(contributors) < self.min_associations or abs(sum(delta.values())) < self.k

    def _legacy_fails(self, earlier: EarlierRelease, dimension: str, month, key, cell) -> bool:
        row = earlier.published_rows().get((dimension, month, key))
        if row is None:
            # No row: nobody had an entry there, so the difference is the new cell itself,
            # which the other rules already judged.
            return False
        if row["suppressed"]:
            return True
        metrics = json.loads(canonical_json(derived(cell.counts, cell.value, cell.owed_value)))
        return any(metrics[name] != row[name] for name in PUBLISHED_METRICS)

    def gone(self, dimension: str, cells: dict) -> set[tuple[str, str]]:
        """Rows of a grouped table that an earlier release showed in the new period and the
        new cells lack."""
        return {
            (month, key)
            for earlier in self.earlier
            for month, key in earlier.shown_keys(dimension)
            if (month, key) not in cells and earlier.covers(month) and month in self.months
        }

    def cell_fails(self, dimension: str, month: str, key: str, cell) -> bool:
        for earlier in self.earlier:
            if not earlier.covers(month):
                continue
            if earlier.legacy:
                if self._legacy_fails(earlier, dimension, month, key, cell):
                    return True
            elif self._fails([(earlier.month_cells(dimension, month).get(key), cell)]):
                return True
        return False

    def _sums_fail(
        self, earlier: EarlierRelease, dimension: str, cells: list, root, parent_suppressed
    ) -> bool:
        """The sums of suppressed cells two releases give away of one breakdown. A release
        whose parent cell (the month's total, or the procedure domain) is published gives
        the sum of the cells it suppresses; the other release gives each of those cells, or
        its own sum when the two suppress some cell in common."""
        month = cells[0].month
        old = {
            key: entry
            for key, entry in earlier.month_cells(dimension, month).items()
            if root is None or procedure_root(key) == root
        }
        new = {cell.group_key: cell for cell in cells}
        old_parent = earlier.month_cells(TOTAL if root is None else "procedure_domain", month).get(
            root or ""
        )
        old_gives = old_parent is None or not old_parent["s"]
        new_gives = not parent_suppressed
        old_suppressed = {key for key, entry in old.items() if entry["s"]}
        new_suppressed = {key for key, cell in new.items() if cell.suppressed}
        common = old_suppressed & new_suppressed
        if old_gives and new_gives and common:
            sums = [old_suppressed | new_suppressed]
        elif common:
            sums = []
        else:
            sums = [old_suppressed] * old_gives + [new_suppressed] * new_gives
        return any(
            self._fails((old.get(key), new.get(key)) for key in keys) for keys in sums if keys
        )

    def breakdown_victim(
        self,
        dimension: str,
        cells: list,
        root: str | None,
        *,
        order: Callable,
        parent_suppressed: bool,
    ) -> object | None:
        """A published cell of the breakdown to suppress next, or None when its sums give
        nothing away (or nothing is left to suppress). Legacy releases are judged by their
        published figures cell by cell: every cell either release publishes is then the
        same in both, so their sums differ as the month's total does, which is judged too."""
        month = cells[0].month
        failing = any(
            not earlier.legacy
            and earlier.covers(month)
            and self._sums_fail(earlier, dimension, cells, root, parent_suppressed)
            for earlier in self.earlier
        )
        published = [cell for cell in cells if not cell.suppressed]
        if not failing or not published:
            return None
        # A cell that changed brings other associations into the sum; an unchanged one
        # would only be suppressed for nothing.
        changed = [cell for cell in published if self.cell_changed(dimension, cell)]
        return min(changed or published, key=order)

    def cell_changed(self, dimension: str, cell) -> bool:
        parts = cell_parts(cell)
        for earlier in self.earlier:
            if earlier.legacy or not earlier.covers(cell.month):
                continue
            old = earlier.month_cells(dimension, cell.month).get(cell.group_key)
            if (old["p"] if old else {}) != parts:
                return True
        return False


def comparison_for(
    federation, period, contributors: Iterable, *, k: int, min_associations: int
) -> tuple[ReleaseComparison | None, list[EarlierRelease]]:
    """The comparison a new table of `period` is under (None when no earlier release
    applies), and every published release of an overlapping period."""
    overlapping = [
        EarlierRelease(release)
        for release in Release.objects.filter(
            federation=federation,
            period_start__lte=period.end,
            period_end__gte=period.start,
        )
        .defer("content")
        .order_by("version")
    ]
    sources = {source_label(source) for source in contributors}
    applicable = [earlier for earlier in overlapping if earlier.differs_from(sources)]
    comparison = (
        ReleaseComparison(applicable, months=period.months, k=k, min_associations=min_associations)
        if applicable
        else None
    )
    return comparison, overlapping
