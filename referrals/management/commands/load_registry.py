"""Write the registry of bodies from referrals/data/ into the database, in place.

manage.py load_registry [--dry-run]

Run after a deployment that changed the data files (the migrations load them on a fresh
database). Bodies are matched by key, then taxonomy code, then name and postcode: ids stay,
nothing is duplicated, a second run changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from referrals.models import Institution
from referrals.registry import load_registry


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Load the institution registry from referrals/data/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would change, write nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            with transaction.atomic():
                report = load_registry(Institution)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        for conflict in report.conflicts:
            self.stderr.write(f"Not written, name and postcode taken by another body: {conflict}")
        prefix = "Would have: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.conflicts)} conflicts."
        )
