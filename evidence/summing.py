"""The federation's cells summed in PostgreSQL: one query per table.

A federation table sums the rollups of hundreds of members over years: pulling every
member's cell through the ORM to add them up in Python costs far more than the database
takes to add them. Here the database sums each (month, group) cell, counts its
contributing sources and, when the comparison with earlier releases or a release's private
record needs them, works out what each source put in (its entries and the fingerprint of
`differencing.part_vector`). The few summed rows then go through the same disclosure
control as before. SQLite keeps summing in Python (`selectors._source_rows`).
"""

from django.db import connection

from workload.models import COUNT_METRICS, Rollup

from .models import ImportedCell, RemoteAssociation

_CENTS = "CAST(hourly_cost_eur * 100 AS bigint)"
# What a cell counts for the k rule (workload.metrics.disclosure_weight).
_WEIGHT = "(requests + attempts)"


def available() -> bool:
    return connection.vendor == "postgresql"


def _sources_sql(label: bool) -> str:
    """Every sharing source's cells of one dimension and period: the local rollups of the
    sharing members, then the cells imported from sources that share."""
    quote = connection.ops.quote_name
    columns = ", ".join(("month", "group_key", "hourly_cost_eur", *COUNT_METRICS))
    prefixed = ", ".join(f"c.{name}" for name in ("month", "group_key", "hourly_cost_eur"))
    prefixed += ", " + ", ".join(f"c.{name}" for name in COUNT_METRICS)
    local_label = "'l' || association_id AS label, " if label else ""
    remote_label = "'r' || c.source_id AS label, " if label else ""
    return (
        f"SELECT {local_label}{columns} FROM {quote(Rollup._meta.db_table)} "
        "WHERE dimension = %(dimension)s AND month BETWEEN %(start)s AND %(end)s "
        "AND association_id = ANY(%(members)s) "
        f"UNION ALL SELECT {remote_label}{prefixed} "
        f"FROM {quote(ImportedCell._meta.db_table)} c "
        f"JOIN {quote(RemoteAssociation._meta.db_table)} s ON s.id = c.source_id "
        "WHERE s.federation_id = %(federation)s AND s.shares_aggregates "
        "AND c.dimension = %(dimension)s AND c.month BETWEEN %(start)s AND %(end)s"
    )


def _parts_sql() -> str:
    # The fingerprint `differencing._fingerprint` computes: the first 16 hex digits of the
    # SHA-256 of the source's hourly cost in cents and counts, joined by commas.
    vector = ", ".join((_CENTS, *COUNT_METRICS))
    fingerprint = f"left(encode(sha256(convert_to(concat_ws(',', {vector}), 'UTF8')), 'hex'), 16)"
    return f"json_object_agg(label, json_build_array({_WEIGHT}, {fingerprint}))"


def _params(federation, period, dimension: str, members: list[int]) -> dict:
    return {
        "dimension": dimension,
        "start": period.start,
        "end": period.end,
        "members": members,
        "federation": federation.pk,
    }


def summed_rows(federation, period, dimension: str, members: list[int], *, parts: bool):
    """(month, group key, counts, Σ transferred minutes × cents, Σ owed minutes × cents,
    contributing sources, {source label: [entries, fingerprint]} or None) per cell, by month
    and group key."""
    sums = ", ".join(f"SUM({name})" for name in COUNT_METRICS)
    owed = f"(transferred_minutes + owed_attempt_minutes) * {_CENTS}"
    sql = (
        f"SELECT month, group_key, {sums}, SUM(transferred_minutes * {_CENTS}), SUM({owed}), "
        f"COUNT(*) FILTER (WHERE {_WEIGHT} > 0)"
        + (f", {_parts_sql()}" if parts else "")
        + f" FROM ({_sources_sql(parts)}) src GROUP BY month, group_key ORDER BY month, group_key"
    )
    width = len(COUNT_METRICS)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(federation, period, dimension, members))
        for row in cursor.fetchall():
            counts = dict(zip(COUNT_METRICS, map(int, row[2 : 2 + width]), strict=True))
            yield (
                row[0],
                row[1],
                counts,
                int(row[2 + width]),
                int(row[3 + width]),
                row[4 + width],
                row[5 + width] if parts else None,
            )


def contributing_sources(federation, period, members: list[int], total: str) -> set:
    """The sources with at least one entry in the period: ("local", id) or ("remote", id)."""
    sql = f"SELECT DISTINCT label FROM ({_sources_sql(True)}) src WHERE {_WEIGHT} > 0"
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(federation, period, total, members))
        labels = [label for (label,) in cursor.fetchall()]
    kinds = {"l": "local", "r": "remote"}
    return {(kinds[label[0]], int(label[1:])) for label in labels}
