"""Benchmark of federation reads at federation scale on PostgreSQL (not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aide_bench_federation \\
        .venv/bin/python bench/federation.py [--entries 10000000] [--associations 500]

Builds (once) a log generated in SQL over N associations and 5 years (the defaults: 500
associations, 10,000,000 entries and a fifth as many contact attempts; --entries gives a
smaller run), computes every rollup, makes every association share with one federation,
then prints, for every group_by and for the last 12 and 60 months, p50/p95 of
`federation_aggregates` (what the aggregates endpoint returns, before JSON rendering)
against the SQL floor: the summing queries that table reads (month totals, barriers, the
group itself and, for procedures, their domains), run bare over the same rollups.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aide_bench_federation")
os.environ.pop("CELERY_BROKER_URL", None)

import django  # noqa: E402

from bench import metrics as log_bench  # noqa: E402

MONTHS = 60


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def share_with_one_federation(slug: str):
    from organisations.models import Association, FederationMembership
    from organisations.services import federation_create_or_update

    federation, _ = federation_create_or_update(slug=slug, name="Bench federation")
    joined = set(
        FederationMembership.objects.filter(federation=federation).values_list(
            "association_id", flat=True
        )
    )
    FederationMembership.objects.bulk_create(
        FederationMembership(association_id=pk, federation=federation, shares_aggregates=True)
        for pk in Association.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
        if pk not in joined
    )
    return federation


def floor_for(federation, period, group_by):
    """The bare summing queries one table reads, rows fetched."""
    from evidence import summing
    from evidence.selectors import sharing_association_ids
    from workload.models import TOTAL

    members = sharing_association_ids(federation)
    dimensions = {TOTAL, "barrier", group_by or TOTAL}
    if group_by == "procedure":
        dimensions.add("procedure_domain")

    def run():
        summing.contributing_sources(federation, period, members, TOTAL)
        for dimension in dimensions:
            list(summing.summed_rows(federation, period, dimension, members, parts=False))

    return run


def timings(fn, repeat: int) -> list[float]:
    fn()  # warm the cache: a read served from disk measures the disk
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--associations", type=int, default=500)
    parser.add_argument(
        "--attempts", type=int, default=None, help="contact attempts (default: a fifth of entries)"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    log_bench.ensure_database()
    django.setup()
    from django.db import connection

    from cases.models import AssistanceRequest
    from evidence.selectors import federation_aggregates
    from workload.models import DIMENSIONS, Rollup
    from workload.selectors import period_parse
    from workload.services import rollups_recompute

    log_bench.MONTHS = MONTHS
    attempts = args.entries // 5 if args.attempts is None else args.attempts
    log_bench.build_log(args.entries, args.associations, args.rebuild, attempts)
    if not Rollup.objects.exists() or args.rebuild:
        started = time.perf_counter()
        rollups_recompute(association_id=None)
        print(f"rollups computed in {time.perf_counter() - started:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE workload_rollup")
    federation = share_with_one_federation("bench-federation")
    last = AssistanceRequest.objects.order_by("-month").values_list("month", flat=True)[0]
    year, month = map(int, last.split("-"))

    print(
        f"\nentries: {AssistanceRequest.objects.count():,}   associations: {args.associations}"
        f"   rollup cells: {Rollup.objects.count():,}   repeat: {args.repeat}"
    )
    header = f"{'p50 ms':>8} {'p95 ms':>8} {'floor p95':>9} {'ratio':>6}"
    print(f"{'months':>6} {'group_by':<24} {header}")
    for months in (12, MONTHS):
        index = year * 12 + month - 1 - (months - 1)
        period = period_parse(f"{index // 12}-{index % 12 + 1:02d}", last)
        for group_by in (None, *DIMENSIONS):
            read = timings(
                lambda g=group_by, p=period: federation_aggregates(federation, p, g), args.repeat
            )
            floor = timings(floor_for(federation, period, group_by), args.repeat)
            p95, floor_p95 = percentile(read, 0.95), percentile(floor, 0.95)
            print(
                f"{months:>6} {group_by or 'total':<24} {percentile(read, 0.5) * 1000:8.0f} "
                f"{p95 * 1000:8.0f} {floor_p95 * 1000:9.0f} {p95 / floor_p95:5.2f}×",
                flush=True,
            )


if __name__ == "__main__":
    main()
