"""Merge a duplicate body of the registry into another; the entries that named it follow.

manage.py merge_institutions --from 412 --into 37
"""

from django.utils.translation import gettext as _

from cases.services import institution_merge
from organisations.management.commands._base import SetupCommand
from referrals.models import Institution


class Command(SetupCommand):
    help = "Merge one institution into another: entries, sheets and referrals follow."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", type=int, required=True, help="body to merge")
        parser.add_argument("--into", dest="target", type=int, required=True, help="body kept")

    def handle(self, *args, source, target, **options):
        bodies = Institution.objects.in_bulk([source, target])
        for name, pk in (("from", source), ("into", target)):
            if pk not in bodies:
                self.stderr.write(
                    _("%(option)s: no institution with the id %(id)s.") % {"option": name, "id": pk}
                )
                raise SystemExit(1)
        moved = institution_merge(source=bodies[source], target=bodies[target])
        self.stdout.write(
            _("Merged %(source)s into %(target)s: %(count)d entries moved.")
            % {"source": bodies[source], "target": bodies[target], "count": moved}
        )
