import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from evidence.bundles import bundle_build
from rendering.commands import TranslatedCommand
from workload.selectors import period_parse

from ._common import association_or_fail, one_line


class Command(TranslatedCommand):
    help = (
        "Write a signed evidence bundle of the association's rollups for a period (cells "
        "only: no entry, no person, no narrative), for the federation's server to import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--federation", required=True, help="the federation's slug")
        parser.add_argument("--from", dest="month_from", required=True, help="YYYY-MM")
        parser.add_argument("--to", dest="month_to", required=True, help="YYYY-MM")
        parser.add_argument("--association", help="the association's slug")
        parser.add_argument("--output", help="file to write (standard output without it)")

    def handle(self, *args, **options):
        association = association_or_fail(options["association"])
        try:
            period = period_parse(options["month_from"], options["month_to"])
            data = bundle_build(
                association=association,
                federation_slug=options["federation"],
                period=period,
            )
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None
        if options["output"]:
            try:
                Path(options["output"]).write_bytes(data)
            except OSError as exc:
                raise CommandError(_("output: %(reason)s") % {"reason": exc.strerror}) from None
            self.stderr.write(_("wrote %(file)s") % {"file": options["output"]})
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
