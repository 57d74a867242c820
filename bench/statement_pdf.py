"""Benchmark of the yearly subcontracting statement as a PDF (not a test).

    .venv/bin/python bench/statement_pdf.py [--entries 100000] [--rebuild] [--out FILE.pdf]

Seeds (once) a scratch SQLite database under /tmp with `seed_demo --associations 1
--entries N`, then times, over the association's last twelve months with entries:
  (a) the statements themselves (the selector aggregating the log);
  (b) the PDF of every statement of the year (what the "all statements" job builds);
  (c) the PDF of the largest single statement (what the statement page's button builds);
  (d) the association's raw log as XLSX, for comparison.
(a) and (c) run --repeats times (default 3) and print the median; (b) and (d) run once.
Set DATABASE_URL to run it on another database (PostgreSQL: a scratch database of yours).
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
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/aide_statement_bench.sqlite3")
os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: we time the work itself

import django  # noqa: E402

REPEATS = 3  # --repeats changes it


def seed(entries: int, rebuild: bool) -> None:
    from django.core.management import call_command

    from cases.models import AssistanceRequest
    from workload.services import rollups_recompute

    call_command("migrate", verbosity=0)
    present = AssistanceRequest.objects.count()
    if rebuild or present < entries * 0.9:
        started = time.perf_counter()
        call_command("seed_demo", associations=1, entries=entries, verbosity=0)
        print(
            f"seeded {AssistanceRequest.objects.count()} entries "
            f"in {time.perf_counter() - started:.1f} s"
        )
    rollups_recompute(association_id=None)


def timed(label: str, work, repeats: int) -> object:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    print(
        f"{label:<44} median {statistics.median(times):6.2f} s  "
        f"(min {min(times):.2f}, max {max(times):.2f}, {repeats} runs)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--out", type=Path, default=None, help="keep the yearly PDF here")
    args = parser.parse_args()
    django.setup()

    from django.db.models import Count

    from cases.models import AssistanceRequest
    from workload import exports, selectors
    from workload.log_export import log_export
    from workload.statements import statement_key, statements_export

    seed(args.entries, args.rebuild)
    if not exports.pdf_available():
        sys.exit("WeasyPrint's system packages are missing: run `make pdf-deps` first.")
    top = (
        AssistanceRequest.objects.values("association")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    from organisations.models import Association

    association = Association.objects.get(pk=top["association"])
    last = AssistanceRequest.objects.for_association(association).order_by("-month").first().month
    year, month = map(int, last.split("-"))
    first = f"{year - 1:04d}-{month + 1:02d}" if month < 12 else f"{year:04d}-01"
    period = selectors.period_parse(first, last)
    in_period = (
        AssistanceRequest.objects.for_association(association)
        .filter(month__gte=period.start, month__lte=period.end)
        .count()
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"association {association.slug}: {top['n']} entries, {in_period} in "
        f"{period.start}..{period.end}; database {django.db.connection.vendor}"
    )

    statements = timed(
        "(a) statements (selector)",
        lambda: selectors.statements_for_association(association=association, period=period),
        args.repeats,
    )
    yearly = timed(
        f"(b) PDF of all {len(statements)} statements",
        lambda: statements_export(association=association, period=period, fmt="pdf", language="fr"),
        1,  # minutes of work: once is enough
    )
    key = statement_key(statements[0])
    single = timed(
        "(c) PDF of the largest statement",
        lambda: statements_export(
            association=association, period=period, fmt="pdf", key=key, language="fr"
        ),
        args.repeats,
    )
    timed(
        "(d) raw log as XLSX",
        lambda: log_export(association=association, period=period, fmt="xlsx"),
        1,
    )
    sizes = (len(yearly.content) // 1024, len(single.content) // 1024)
    print(f"yearly PDF {sizes[0]} KiB; single {sizes[1]} KiB")
    if args.out:
        args.out.write_bytes(yearly.content)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
