"""Time of one registry search, as the worker's search-as-you-type asks it (not a test).

    .venv/bin/python bench/registry_search.py [--repeat 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aide_bench \
        .venv/bin/python bench/registry_search.py

Creates a throwaway test database (SQLite in memory by default, `test_<name>` on PostgreSQL)
whose migrations load the whole registry, gives the association a postcode (so the own-commune
ranking runs), then times `referrals.selectors.institutions_search` for a set of queries, from
the most selective ("onem") to the widest ("cpas", which holds every CPAS of the country), each
`--repeat` times. Prints the median and the 90th percentile per query, and the floor: one
`SELECT count(*)` over the table.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

QUERIES = (
    "onem",
    "RVA",
    "namur",
    "OCMW Gent",
    "fortis",
    "mutuelle",
    "impots",
    "5020",
    "c",
    "cpas",
    "commune de",
)


def timed(call, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from referrals.models import Institution
        from referrals.selectors import institutions_search
        from tests.factories import AssociationFactory

        association = AssociationFactory(postcode="5000")
        print(f"{connection.vendor}: {Institution.objects.count()} bodies in the registry")

        def floor():
            return Institution.objects.count()

        rows = [("floor: count(*)", timed(floor, args.repeat), "")]
        for query in QUERIES:

            def search(query=query):
                return institutions_search(
                    query=query, association_id=association.pk, language="fr"
                )

            first = search()
            rows.append((query, timed(search, args.repeat), first[0].name if first else "-"))
        print(f"{'query':<16} {'median ms':>10} {'p90 ms':>8}  first")
        for query, times, first in rows:
            p90 = statistics.quantiles(times, n=10)[-1]
            print(f"{query:<16} {statistics.median(times):>10.2f} {p90:>8.2f}  {first}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
