import argparse

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from demo.seed import (
    DEFAULT_ASSOCIATIONS,
    DEFAULT_ENTRIES,
    DEFAULT_SEED,
    DemoError,
    demo_data_present,
    demo_logins,
    format_logins,
    seed_demo,
)
from organisations.management.commands._base import SetupCommand


def _at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                _("expected a whole number of at least %(minimum)d") % {"minimum": minimum}
            )
        return value

    return parse


class Command(SetupCommand):
    help = (
        "Fill the database with a year of synthetic demo data: a federation, associations, "
        "members and entries. Run again, it replaces the demo associations' entries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--associations",
            type=_at_least(1),
            default=DEFAULT_ASSOCIATIONS,
            metavar="N",
            help=f"number of demo associations (default {DEFAULT_ASSOCIATIONS})",
        )
        parser.add_argument(
            "--entries",
            type=_at_least(0),
            default=DEFAULT_ENTRIES,
            metavar="N",
            help=f"about how many entries in all (default {DEFAULT_ENTRIES})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed: the same seed gives the same data (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the log already holds an entry",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="do not print the demo logins (make run prints them once, last)",
        )

    def handle(self, *args, associations, entries, seed, if_empty, no_logins, **options):
        if if_empty and demo_data_present():
            self.stdout.write(_("Demo data already present."))
            return

        def write(text):
            self.stdout.write(text, ending="")
            self.stdout.flush()

        try:
            result = seed_demo(
                association_count=associations, entries=entries, seed=seed, write=write
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if result.cleared:
            self.stdout.write(
                _("Replaced %(count)d earlier demo entries.") % {"count": result.cleared}
            )
        self.stdout.write(
            _(
                "Seeded %(entries)d entries (%(contacts)d contacts, %(persons)d persons) in "
                "%(associations)d associations in %(seconds).1f s."
            )
            % {
                "entries": result.entries,
                "contacts": result.contacts,
                "persons": result.persons,
                "associations": result.associations,
                "seconds": result.seconds,
            }
        )
        if not no_logins:
            self.stdout.write(format_logins(demo_logins()))
