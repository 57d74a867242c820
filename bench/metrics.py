"""Benchmark of the metrics engine on PostgreSQL (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aide_bench .venv/bin/python bench/metrics.py

Builds (once) a log of 1,000,000 entries and 200,000 contact attempts over 50 associations
and 3 years, then prints:
  (a) the full recomputation of every rollup against the fair floor measured in the same
      run: the one SQL statement that computes the same cells (GROUPING SETS over the ten
      dimensions with the same FILTER sums, the barrier dimension through its join table),
      into a temporary table, checked to hold exactly the cells of the rollup table; and the
      rollup table's size after each of ten full recomputations (it must stay flat);
  (b) the time to bring one month up to date after one new entry (the write through the
      service, then the month's recomputation as the task runs it).
Options: --entries N, --associations N, --runs N (full recomputations, 10), --rebuild.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_DEBUG", "true")  # measured in development mode, as before
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aide_bench")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: we time the work itself

import django  # noqa: E402

MONTHS = 36


def ensure_database():
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build_log(entries: int, associations: int, rebuild: bool, attempts: int = 0) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from cases.models import AssistanceRequest
    from organisations.services import association_create_or_update
    from taxonomy import get_taxonomy

    call_command("migrate", verbosity=0)
    if rebuild:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE cases_requestbarrier, cases_requestsensitiveflag, "
                "workload_rollup, workload_dirtymonth, attempts_contactattempt, "
                "cases_assistancerequest CASCADE"
            )
    if AssistanceRequest.objects.count() >= entries:
        return
    taxonomy = get_taxonomy()
    ids = [
        association_create_or_update(slug=f"bench-{i:02d}", name=f"Bench {i:02d}")[0].pk
        for i in range(associations)
    ]

    def array(codes):
        return "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]"

    procedures = taxonomy.codes("procedure_domains")
    started = time.perf_counter()
    print(
        f"building {entries:,} entries and {attempts:,} contact attempts over {associations} "
        f"associations and {MONTHS} months ...",
        flush=True,
    )
    # One transaction: a build cut short leaves no half log that a next run would take as built.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(id ORDER BY id), array_agg(kind ORDER BY id) "
            "FROM referrals_institution"
        )
        inst_ids, inst_kinds = cursor.fetchone()
        # Rows drawn in SQL from the taxonomy's codes; derived columns set as the service
        # would (month, procedure_root, has_*), barriers as rows of their own.
        cursor.execute(
            f"""
            WITH draw AS (
              SELECT g,
                     (%(assocs)s::bigint[])[1 + (g %% {associations})] AS association_id,
                     CURRENT_DATE - (floor(random() * {MONTHS * 30.4})::int) AS day,
                     -- an association works with a dozen bodies, some far more than others
                     1 + ((g %% {associations}) * 7 + floor(12 * random() ^ 2)::int)
                         %% array_length(%(inst)s::bigint[], 1) AS ref_i,
                     1 + ((g %% {associations}) * 7 + floor(12 * random() ^ 2)::int)
                         %% array_length(%(inst)s::bigint[], 1) AS resp_i,
                     random() AS r1, random() AS r2,
                     {array(procedures)} AS procs
              FROM generate_series(1, %(n)s) AS g
            )
            INSERT INTO cases_assistancerequest (
              association_id, occurred_on, month, duration_minutes, channel,
              procedure_domain, procedure_root, referrer_kind, referred_by_id,
              responsible_kind, responsible_institution_id, mode, outcome, consent, notes,
              has_barrier, has_once_only, has_sensitive_flag, created_at, updated_at,
              rights_impact, right_months, right_monthly_eur, extra_cost_eur)
            SELECT association_id, day, to_char(day, 'YYYY-MM'),
                   5 * (1 + floor(random() * 24)::int),
                   ({array(taxonomy.codes("channels"))})[1 + floor(random() * 6)::int],
                   procs[1 + (g %% array_length(procs, 1))],
                   split_part(procs[1 + (g %% array_length(procs, 1))], '.', 1),
                   CASE WHEN r1 < 0.3 THEN (%(kinds)s::text[])[ref_i]
                        ELSE ({array(taxonomy.codes("referrer_types"))})
                             [1 + floor(random() * 18)::int] END,
                   CASE WHEN r1 < 0.3 THEN (%(inst)s::bigint[])[ref_i] END,
                   CASE WHEN r2 < 0.6 THEN (%(kinds)s::text[])[resp_i]
                        ELSE ({array(taxonomy.codes("referrer_types"))})
                             [1 + floor(random() * 18)::int] END,
                   CASE WHEN r2 < 0.6 THEN (%(inst)s::bigint[])[resp_i] END,
                   ({array(taxonomy.codes("assistance_modes"))})[1 + floor(random() * 9)::int],
                   ({array(taxonomy.codes("outcomes"))})[1 + floor(random() * 9)::int],
                   ({array(["written", "oral", "none"])})[1 + floor(random() * 3)::int],
                   '', false, false, random() < 0.5, now(), now(),
                   -- the rights ledger: most entries cost the person nothing
                   CASE WHEN r2 < 0.8 THEN 'none'
                        ELSE ({array(taxonomy.codes("rights_impacts"))})
                             [1 + floor(random() * {len(taxonomy.codes("rights_impacts"))})::int]
                        END,
                   CASE WHEN r2 >= 0.8 THEN floor(random() * 12)::int ELSE 0 END,
                   CASE WHEN r2 >= 0.8 THEN round((random() * 1500)::numeric, 2) ELSE 0 END,
                   CASE WHEN r1 > 0.95 THEN round((random() * 200)::numeric, 2) ELSE 0 END
            FROM draw
            ORDER BY day  -- a log is appended day by day: each month's rows sit together
        """,
            {"assocs": ids, "inst": inst_ids, "kinds": inst_kinds, "n": entries},
        )
        barriers = taxonomy.codes("digital_barriers")
        cursor.execute(f"""
            INSERT INTO cases_requestbarrier (assistance_request_id, code)
            SELECT DISTINCT r.id, ({array(barriers)})[1 + ((r.id * k) % {len(barriers)})]
            FROM cases_assistancerequest r, generate_series(1, 1 + (r.id % 3)::int) AS k
            WHERE r.id % 10 <> 0
        """)
        cursor.execute("""
            UPDATE cases_assistancerequest r SET
              has_barrier = true,
              has_once_only = EXISTS (SELECT 1 FROM cases_requestbarrier b
                                      WHERE b.assistance_request_id = r.id
                                        AND b.code = 'once_only')
            WHERE r.id % 10 <> 0
        """)
        # The contact-attempt diary: attempts to reach the bodies the association works with,
        # spread over the same months, their results drawn evenly.
        cursor.execute(
            f"""
            WITH draw AS (
              SELECT g, (%(assocs)s::bigint[])[1 + (g %% {associations})] AS association_id,
                     CURRENT_DATE - (floor(random() * {MONTHS * 30.4})::int) AS day,
                     1 + ((g %% {associations}) * 7 + floor(12 * random() ^ 2)::int)
                         %% array_length(%(inst)s::bigint[], 1) AS inst_i,
                     random() AS r
              FROM generate_series(1, %(n)s) AS g
            )
            INSERT INTO attempts_contactattempt (
              association_id, occurred_on, month, institution_kind, institution_id, channel,
              result, waited_minutes, notes, created_at, updated_at)
            SELECT association_id, day, to_char(day, 'YYYY-MM'),
                   (%(kinds)s::text[])[inst_i],
                   CASE WHEN r < 0.7 THEN (%(inst)s::bigint[])[inst_i] END,
                   ({array(taxonomy.codes("attempt_channels"))})
                       [1 + floor(random() * {len(taxonomy.codes("attempt_channels"))})::int],
                   ({array(taxonomy.codes("attempt_results"))})
                       [1 + floor(random() * {len(taxonomy.codes("attempt_results"))})::int],
                   floor(random() * 90)::int, '', now(), now()
            FROM draw ORDER BY day
        """,
            {"assocs": ids, "inst": inst_ids, "kinds": inst_kinds, "n": attempts},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)


def month_totals_floor():
    """What this bench used to call its floor: month totals only, not the same cells."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT association_id, month, count(*), sum(duration_minutes) "
            "FROM cases_assistancerequest GROUP BY association_id, month"
        )
        cursor.fetchall()


def rollup_table_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('workload_rollup')")
        return cursor.fetchone()[0]


def fair_floor(check: bool = False) -> int:
    """The one statement that computes every rollup cell, into a temporary table, under the
    settings the recomputation uses; with `check`, the number of cells that differ between
    it and the rollup table (0 when they hold the same cells)."""
    from django.db import connection, transaction

    from workload import cell_sql
    from workload.services import FULL_RECOMPUTE_WORK_MEM

    columns = "association_id, month, dimension, group_key, hourly_cost_eur, " + ", ".join(
        cell_sql.COUNT_METRICS
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{FULL_RECOMPUTE_WORK_MEM}'")
        cell_sql.materialise_cells(cursor, "fair_floor")
        if not check:
            return 0
        cursor.execute(
            f"SELECT count(*) FROM ((SELECT {columns} FROM fair_floor "
            f"EXCEPT ALL SELECT {columns} FROM workload_rollup) UNION ALL "
            f"(SELECT {columns} FROM workload_rollup "
            f"EXCEPT ALL SELECT {columns} FROM fair_floor)) d"
        )
        return cursor.fetchone()[0]


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--associations", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    ensure_database()
    django.setup()

    from attempts.models import ContactAttempt
    from cases.models import AssistanceRequest
    from cases.services import assistance_request_create
    from organisations.models import Association
    from workload.models import Rollup
    from workload.services import rollups_recompute, rollups_recompute_dirty_month

    build_log(args.entries, args.associations, args.rebuild, args.attempts)
    rows = AssistanceRequest.objects.count()
    attempt_rows = ContactAttempt.objects.count()

    totals_s = timed(month_totals_floor, args.repeat)
    rollups_recompute(association_id=None)  # the first run after a rebuild writes every cell
    full_times, sizes = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        rollups_recompute(association_id=None)
        full_times.append(time.perf_counter() - started)
        sizes.append(rollup_table_bytes())
    full_s = statistics.median(full_times)
    floor_s = timed(fair_floor, args.repeat)
    assert fair_floor(check=True) == 0, "the fair floor's cells differ from the rollup table"
    cells = Rollup.objects.count()

    association = Association.objects.filter(slug="bench-07").get()
    latest = (
        AssistanceRequest.objects.filter(association=association).order_by("-occurred_on").first()
    )

    def one_write_then_refresh():
        entry = assistance_request_create(
            association=association,
            occurred_on=latest.occurred_on,
            duration_minutes=30,
            channel="on_site",
            procedure_domain="tax.pit_return",
            referrer_kind="cpas",
            responsible_kind="pub_fed",
            barriers=["itsme"],
            mode="do_for",
            outcome="resolved",
            consent="oral",
        )
        # In-process the month was already refreshed on commit; time the task explicitly.
        from freshness.services import dirty_months_mark

        dirty_months_mark(association_id=association.pk, months={entry.month})
        started = time.perf_counter()
        rollups_recompute_dirty_month(association_id=association.pk, month=entry.month)
        return time.perf_counter() - started

    month_times = [one_write_then_refresh() for _ in range(max(5, args.repeat))]
    month_s = statistics.median(month_times)

    print()
    print(
        f"entries: {rows:,}   contact attempts: {attempt_rows:,}   "
        f"associations: {args.associations}   rollup cells: {cells:,}"
    )
    print(f"(a) month totals only, bare GROUP BY:     {totals_s * 1000:8.0f} ms")
    print(f"    fair floor, one statement, same cells: {floor_s * 1000:8.0f} ms (checked equal)")
    print(
        f"    full recomputation, every dimension:   {full_s * 1000:8.0f} ms (median of "
        f"{args.runs}: {', '.join(f'{t:.1f}' for t in full_times)} s)"
    )
    print(f"fair floor ratio: {full_s / floor_s:.1f}×   (target <= 1.5×)")
    print(
        f"    rollup table size after each run (MB): {', '.join(f'{b / 1e6:.1f}' for b in sizes)}"
    )
    print(
        f"(b) one month refreshed after one write:   {month_s * 1000:8.1f} ms   (target < 200 ms)"
    )


if __name__ == "__main__":
    main()
