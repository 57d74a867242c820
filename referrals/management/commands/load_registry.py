"""Write the registry of bodies from referrals/data/ into the database, in place.

manage.py load_registry [--dry-run]

Run after a deployment that changed the data files (the migrations load them on a fresh
database). Bodies are matched by key, then taxonomy code, then name and postcode: ids stay,
nothing is duplicated, a second run changes nothing.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from referrals.models import Institution
from referrals.registry import load_registry
from rendering.commands import TranslatedCommand


class _DryRun(Exception):
    pass


class Command(TranslatedCommand):
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
            self.stderr.write(
                _("Not written, name and postcode taken by another body: %(body)s")
                % {"body": conflict}
            )
        summary = (
            _(
                "Would have: %(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
                "%(conflicts)d conflicts."
            )
            if dry_run
            else _(
                "%(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
                "%(conflicts)d conflicts."
            )
        )
        counts = {
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "conflicts": len(report.conflicts),
        }
        self.stdout.write(summary % counts)
