from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from evidence.bundles import remote_association_register
from rendering.commands import TranslatedCommand

from ._common import federation_or_fail, one_line


class Command(TranslatedCommand):
    help = (
        "On the federation's server: trust evidence bundles of an association on its own "
        "server, signed with this Ed25519 public key (base64). Run again to change the key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--federation", required=True)
        parser.add_argument("--association", required=True, help="the association's slug")
        parser.add_argument("--public-key", required=True, dest="public_key")
        parser.add_argument("--name", default="", help="the association's name (optional)")

    def handle(self, *args, **options):
        federation = federation_or_fail(options["federation"])
        try:
            remote, created = remote_association_register(
                federation=federation,
                slug=options["association"],
                public_key=options["public_key"],
                name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None
        message = (
            _("registered %(slug)s for %(federation)s")
            if created
            else _("updated %(slug)s for %(federation)s")
        )
        self.stdout.write(message % {"slug": remote.slug, "federation": federation.slug})
