"""Server time of one save from the worker's Today page (not a test).

    .venv/bin/python bench/entry_save.py [--saves 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aide_bench .venv/bin/python bench/entry_save.py

Creates a throwaway test database (SQLite in memory by default, `test_<name>` on PostgreSQL),
logs a worker in with Django's test client and posts N entries to `/`, as the browser does:
the plain form (POST, then redirect) and the in-place save of entry.js (`X-Fragment: 1`, which
answers the refreshed form and day list). Entries are spread over five days, so that the day
list holds a busy day's 20 entries. Prints the median and the 90th percentile of each.
Without CELERY_BROKER_URL the month's rollup is recomputed in-process after each commit, as
in the embedded default, so it is part of the time measured.
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


def timed_saves(client, saves: int, fragment: bool) -> list[float]:
    import datetime as dt

    from django.utils import timezone

    headers = {"HTTP_X_FRAGMENT": "1"} if fragment else {}
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "duration_minutes": "15",
        "procedure_domain": "unemp",
        "referred_by_search": "",
        "referrer_kind": "cpas",
        "responsible_same": "on",
        "barriers": ["itsme"],
        "mode": "do_with",
        "outcome": "resolved",
        "consent": "not_applicable",
        "channel": "on_site",
        "notes": "rappeler lundi",
    }
    expected = 200 if fragment else 302
    times = []
    for i in range(saves):
        # Over five days, so that today's list holds a busy day's 20 entries, not 100.
        data["occurred_on"] = (timezone.localdate() - dt.timedelta(days=i % 5)).isoformat()
        started = time.perf_counter()
        response = client.post("/", data, **headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == expected, response.status_code
    return times


def describe(label: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[int(len(ms) * 0.9) - 1]
    return f"{label:<42} median {statistics.median(ms):6.1f} ms   p90 {p90:6.1f} ms   n={len(ms)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=100)
    args = parser.parse_args()

    django.setup()
    from django.db import connection
    from django.test import Client

    from organisations.services import association_create_or_update, member_create_or_update

    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        association, _ = association_create_or_update(slug="bench-asbl", name="Bench ASBL")
        password = "Fauteuil-Bleu-1987"
        member_create_or_update(
            org_slug=association.slug, email="bench@example.be", role="worker", password=password
        )
        client = Client()
        assert client.login(email="bench@example.be", password=password)
        client.get("/")  # warm the caches: templates, taxonomy, translations
        timed_saves(client, 5, fragment=False)

        broker = os.environ.get("CELERY_BROKER_URL") or "none (tasks in-process)"
        print(f"database: {connection.vendor} ({test_db}), broker: {broker}")
        print(
            describe(
                "save, POST + redirect (no JavaScript)", timed_saves(client, args.saves, False)
            )
        )
        print(
            describe(
                "save, in place (X-Fragment, with the list)", timed_saves(client, args.saves, True)
            )
        )
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
