"""The rollup cells as one PostgreSQL statement, and their writing where they changed.

Eleven aggregate queries, one per dimension, each scanned the whole log; then every cell
was deleted and inserted again into the indexed rollup table, which bloated it. Here one
scan of the log computes every entry-level dimension at once (GROUPING SETS), the barrier
dimension comes from its join table, the contact attempts from theirs (added to the month
total and the responsible body's cells), and only cells whose figures changed are written
(MERGE), stale ones deleted. The one-month refresh runs the same statement narrowed to one
association and its months.

The aggregates are the ORM's expressions of `metrics.aggregates`, compiled: METRICS.md
stays defined in one place.
"""

import functools

from django.db import connection

from attempts.models import ContactAttempt
from cases.models import AssistanceRequest, RequestBarrier
from organisations.models import Association

from .metrics import aggregates, attempt_aggregates
from .models import (
    ATTEMPT_GROUP_COLUMNS,
    ATTEMPT_METRICS,
    COUNT_METRICS,
    DIMENSIONS,
    ENTRY_METRICS,
    GROUP_COLUMNS,
    TOTAL,
    Rollup,
)

assert set(GROUP_COLUMNS) | {"barrier"} == set(DIMENSIONS)

SCRATCH = "workload_cells_scratch"
KEY = ("association_id", "dimension", "month", "group_key")
VALUES = ("hourly_cost_eur", *COUNT_METRICS)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _compiled(model, annotations: dict, zeros: tuple[str, ...]) -> tuple[str, tuple]:
    query = model.objects.annotate(**annotations).query
    compiler = query.get_compiler(connection=connection)
    parts, params = [], []
    for name in COUNT_METRICS:
        if name in zeros:
            parts.append(f"0 AS {name}")
            continue
        sql, expression_params = compiler.compile(query.annotations[name].resolve_expression(query))
        parts.append(f"{sql} AS {name}")
        params += expression_params
    return ", ".join(parts), tuple(params)


@functools.cache
def _aggregates_sql() -> tuple[str, tuple]:
    """The counted metrics of a group of entries, as SQL over the log's table (the attempt
    metrics zero)."""
    return _compiled(AssistanceRequest, aggregates(), zeros=ATTEMPT_METRICS)


@functools.cache
def _attempt_aggregates_sql() -> tuple[str, tuple]:
    """The counted metrics of a group of contact attempts (the entry metrics zero)."""
    return _compiled(ContactAttempt, attempt_aggregates(), zeros=ENTRY_METRICS)


def _attempts_sql(association_ids, months) -> tuple[str, list]:
    """The attempt cells: the month total and the responsible body's two dimensions."""
    table = _q(ContactAttempt._meta.db_table)
    metrics, metric_params = _attempt_aggregates_sql()
    scope, scope_params = _scope_sql(table, association_ids, months)
    columns = [(d, c) for d, c in ATTEMPT_GROUP_COLUMNS.items() if c is not None]
    return _grouping_sets_sql(table, columns, metrics, scope), [*metric_params, *scope_params]


def _grouping_sets_sql(table: str, columns, metrics: str, scope: str) -> str:
    """One scan of `table` giving the month total and a cell per group of each (dimension,
    column): association_id, month, dimension, group_key, the metrics."""
    dimension = " ".join(f"WHEN GROUPING({c}) = 0 THEN '{d}'" for d, c in columns)
    group = " ".join(f"WHEN GROUPING({c}) = 0 THEN CAST({c} AS TEXT)" for _d, c in columns)
    sets = ", ".join(
        ["(association_id, month)"] + [f"(association_id, month, {c})" for _, c in columns]
    )
    return (
        f"SELECT association_id, month, CASE {dimension} ELSE '{TOTAL}' END AS dimension, "
        f"COALESCE(CASE {group} END, '') AS group_key, {metrics} "
        f"FROM {table} WHERE {scope} GROUP BY GROUPING SETS ({sets})"
    )


def _scope_sql(table: str, association_ids, months) -> tuple[str, list]:
    where, params = ["TRUE"], []
    if association_ids is not None:
        where.append(f"{table}.association_id = ANY(%s)")
        params.append(list(association_ids))
    if months is not None:
        where.append(f"{table}.month = ANY(%s)")
        params.append(list(months))
    return " AND ".join(where), params


def cells_sql(association_ids=None, months=None) -> tuple[str, list]:
    """Every rollup cell of some associations and months (None: all), with the hourly cost
    in force: association_id, month, dimension, group_key, hourly_cost_eur, the metrics."""
    log = _q(AssistanceRequest._meta.db_table)
    metrics, metric_params = _aggregates_sql()
    scope, scope_params = _scope_sql(log, association_ids, months)
    entries = _grouping_sets_sql(log, list(GROUP_COLUMNS.items()), metrics, scope)
    barriers = (
        f"SELECT {log}.association_id, {log}.month, 'barrier', b.code, {metrics} "
        f"FROM {_q(RequestBarrier._meta.db_table)} b "
        f"JOIN {log} ON {log}.id = b.assistance_request_id "
        f"WHERE {scope} GROUP BY {log}.association_id, {log}.month, b.code"
    )
    attempts, attempt_params = _attempts_sql(association_ids, months)
    # A cell of the total or the responsible body's dimensions may come from entries and
    # attempts both: its two rows are added up.
    values = ", ".join(f"CAST(SUM(cell.{name}) AS BIGINT) AS {name}" for name in COUNT_METRICS)
    sql = (
        f"SELECT cell.association_id, cell.month, CAST(cell.dimension AS TEXT) AS dimension, "
        f"cell.group_key, a.hourly_cost_eur, {values} "
        f"FROM ({entries} UNION ALL {barriers} UNION ALL {attempts}) cell "
        f"JOIN {_q(Association._meta.db_table)} a "
        f"ON a.{_q(Association._meta.pk.column)} = cell.association_id "
        f"GROUP BY cell.association_id, cell.month, cell.dimension, cell.group_key, "
        f"a.hourly_cost_eur"
    )
    params = [*metric_params, *scope_params, *metric_params, *scope_params, *attempt_params]
    return sql, params


def _merge_sql() -> str:
    rollup = _q(Rollup._meta.db_table)
    on = " AND ".join(f"r.{name} = c.{name}" for name in KEY)
    old = ", ".join(f"r.{name}" for name in VALUES)
    new = ", ".join(f"c.{name}" for name in VALUES)
    update = ", ".join(f"{name} = c.{name}" for name in VALUES)
    columns = (*KEY, *VALUES)
    return (
        f"MERGE INTO {rollup} r USING {SCRATCH} c ON {on} "
        f"WHEN MATCHED AND ({old}) IS DISTINCT FROM ({new}) "
        f"THEN UPDATE SET {update}, computed_at = %(now)s "
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}, computed_at) "
        f"VALUES ({', '.join(f'c.{name}' for name in columns)}, %(now)s)"
    )


def materialise_cells(cursor, table: str, association_ids=None, months=None) -> int:
    """Compute the cells into a temporary table dropped at commit; the number of cells.
    The fair floor of a recomputation (bench/metrics.py) is this statement alone."""
    sql, params = cells_sql(association_ids, months)
    # JIT compiles the sixteen filtered aggregates for every run, which costs more than it
    # saves. The barrier rows join the log in entry order (both tables are read through
    # their entry-id indexes) instead of hashing the whole log.
    cursor.execute("SET LOCAL jit = off")
    cursor.execute("SET LOCAL enable_hashjoin = off")
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ON COMMIT DROP AS {sql}", params)
    cells = cursor.rowcount
    cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT")
    return cells


def write_changed_cells(association_ids, months, now, on_progress=None) -> int:
    """Recompute the cells of some associations and months (None: all) and write only those
    that changed; delete the cells the log no longer has. Returns the number of cells.
    `on_progress` hears of the cells computed (50) and written (100)."""
    rollup = _q(Rollup._meta.db_table)
    scope, scope_params = _scope_sql("r", association_ids, months)
    matches = " AND ".join(f"c.{name} = r.{name}" for name in KEY)
    with connection.cursor() as cursor:
        cells = materialise_cells(cursor, SCRATCH, association_ids, months)
        cursor.execute(f"ANALYZE {SCRATCH}")
        if on_progress is not None:
            on_progress(50)
        # Comparing keys by hashing: sorting 400,000 keys under a locale collation twice, as
        # a merge join does, takes longer than the comparison itself.
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(
            f"DELETE FROM {rollup} r WHERE {scope} "
            f"AND NOT EXISTS (SELECT 1 FROM {SCRATCH} c WHERE {matches})",
            scope_params,
        )
        cursor.execute(_merge_sql(), {"now": now})
        cursor.execute("SET LOCAL enable_mergejoin TO DEFAULT")
        cursor.execute(f"DROP TABLE {SCRATCH}")
    if on_progress is not None:
        on_progress(100)
    return cells
